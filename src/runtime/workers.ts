// workers.ts builds the threadcreate tracker shared by the adapters: it
// replaces a Worker constructor with a Proxy whose construct trap reports
// each worker created, from inside the constructor call, so the creator's
// frames are on the stack. The adapter says where its constructors live;
// this file imports no runtime module. Nothing is wrapped until enabled.

import type { ContinuationTracker } from "../host/host.ts";

/** WorkerSlot is a property holding a Worker constructor: holder[key]. */
export type WorkerSlot = readonly [holder: Record<string, unknown>, key: string];

interface Installed {
  readonly holder: Record<string, unknown>;
  readonly key: string;
  readonly original: Function;
  readonly proxy: Function;
}

/** workerTracker returns Host.trackWorkers for the constructors slots()
 * names (read when tracking is enabled); sync, when given, republishes the
 * slots to ES module bindings (Node's syncBuiltinESMExports). Disabling
 * restores a constructor only if nobody replaced our Proxy meanwhile; a
 * Proxy left behind passes calls through. */
export function workerTracker(slots: () => WorkerSlot[], sync?: () => void): (onCreate: (above: Function) => void) => ContinuationTracker {
  return (onCreate) => {
    let installed: Installed[] = [];
    let on = false;
    return {
      enable(): void {
        if (on) return;
        on = true;
        for (const [holder, key] of slots()) {
          const original = holder[key];
          if (typeof original !== "function") continue;
          const handler: ProxyHandler<Function> = {
            // The trap is the frame just above the creator's `new Worker`.
            construct(target, args, newTarget) {
              if (on) {
                try {
                  onCreate(handler.construct!);
                } catch {
                  // A profiler must never make `new Worker` fail.
                }
              }
              return Reflect.construct(target, args, newTarget);
            },
          };
          const proxy = new Proxy(original, handler);
          holder[key] = proxy;
          installed.push({ holder, key, original, proxy });
        }
        sync?.();
      },
      disable(): void {
        if (!on) return;
        on = false;
        for (const { holder, key, original, proxy } of installed) {
          if (holder[key] === proxy) holder[key] = original;
        }
        installed = [];
        sync?.();
      },
    };
  };
}

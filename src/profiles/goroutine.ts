// goroutine.ts owns the predefined "goroutine" profile: live asynchronous
// work, JavaScript's nearest thing to goroutines. By default it lists the
// async resources keeping the event loop alive (timers, sockets, requests),
// by type; with startGoroutineTracking() on, every async resource created
// since and not yet destroyed, with the stack that created it and the
// profiler labels in force there — Go's goroutine leak finder. It installs
// no hook until tracking starts, and does not track promises.

import { encodeProfile, type Label } from "../pprof/encode.ts";
import { gzip } from "../host/gzip.ts";
import { host, type ContinuationTracker } from "../host/host.ts";
import { forLabels } from "./labels.ts";
import { registerBuiltin, type Snapshot as PprofSnapshot } from "./profile.ts";
import { captureStack, defaultMaxDepth, type Frame } from "../host/stack.ts";
import { countStacks, formatCountProfile } from "../pprof/text.ts";
import { creatingOwn } from "../host/own.ts";
import { checkOptions, given, shown } from "../host/validate.ts";

/** GoroutineTrackingOptions tunes startGoroutineTracking. */
export interface GoroutineTrackingOptions {
  /** maxDepth bounds the creation stack kept per resource (default 32). */
  maxDepth?: number;
}

/** PendingResource is one tracked async resource. */
interface PendingResource {
  readonly asyncId: number;
  readonly type: string;
  readonly triggerAsyncId: number;
  readonly frames: readonly Frame[];
  readonly labels: ReadonlyArray<readonly [string, string]>;
  readonly createdMicros: number;
}

let tracker: ContinuationTracker | undefined;
let tracking = false;
let maxDepth = defaultMaxDepth;
const pending = new Map<number, PendingResource>();
const textEncoder = new TextEncoder();

// Frames of the hook machinery itself sit above the creator's: Node's
// node:internal/async_hooks, Deno's ext:deno_node/internal/async_hooks.ts.
const hookMachinery = /async_hooks|async_wrap/;

function init(asyncId: number, type: string, triggerAsyncId: number): void {
  // Every promise is an async resource: tracking them would cost a stack per
  // promise, and a resolved promise is only destroyed when collected.
  if (type === "PROMISE" || creatingOwn()) return;
  try {
    let frames = captureStack(init, 0, maxDepth + 8);
    let first = 0;
    while (first < frames.length && hookMachinery.test(frames[first]!.url)) first++;
    frames = frames.slice(first, first + maxDepth);
    const labels: Array<readonly [string, string]> = [];
    forLabels((k, v) => void labels.push([k, v]));
    pending.set(asyncId, { asyncId, type, triggerAsyncId, frames, labels, createdMicros: host.nowMicros() });
  } catch {
    // A hook that throws takes Node down: a profiler must never do that.
  }
}

function destroy(asyncId: number): void {
  pending.delete(asyncId);
}

/** startGoroutineTracking makes the goroutine profile list every async
 * resource created from now on and not yet destroyed, with its creation
 * stack (async_hooks init/destroy). It costs a stack capture per resource
 * (promises excepted) while on. It throws where the runtime fires no such
 * hooks (Bun, workerd); calling it again while on does nothing. */
export function startGoroutineTracking(options: GoroutineTrackingOptions = {}): void {
  if (host.trackAsyncResources === undefined) {
    throw new Error(`pprof: no async resource hooks in ${host.runtime}: the goroutine profile cannot record creation stacks here`);
  }
  const depth = given(checkOptions("startGoroutineTracking", options).maxDepth, defaultMaxDepth);
  if (typeof depth !== "number" || !Number.isInteger(depth) || depth < 1) throw new Error(`pprof: maxDepth must be a positive integer, got ${shown(depth)}`);
  if (tracking) return;
  maxDepth = depth;
  tracker ??= host.trackAsyncResources({ init, destroy });
  tracker.enable();
  tracking = true;
}

/** stopGoroutineTracking removes the hooks and forgets the tracked
 * resources: the goroutine profile lists active resources by type again. */
export function stopGoroutineTracking(): void {
  if (!tracking) return;
  tracker!.disable();
  tracking = false;
  pending.clear();
}

/** typeFrame is the leaf of every goroutine sample: the resource's type, in
 * parentheses like V8's own pseudo-frames, so that flat views group by type
 * and cumulative views by creator. */
function typeFrame(type: string): Frame {
  return { functionName: `(${type})`, url: "", line: 0, column: 0, startLine: 0 };
}

interface Snapshot {
  readonly total: number;
  readonly resources: ReadonlyArray<{ type: string; frames: readonly Frame[]; labels: readonly Label[]; pending?: PendingResource }>;
  readonly comments: readonly string[];
}

function snapshot(): Snapshot {
  if (tracking) {
    const resources = [...pending.values()].map((r) => ({
      type: r.type,
      frames: [typeFrame(r.type), ...r.frames],
      labels: [["type", r.type] as const, ...r.labels],
      pending: r,
    }));
    const comments = [
      "goroutine: async resources created since startGoroutineTracking() and not yet destroyed (async_hooks init/destroy), each under its type and creation stack; promises are not tracked",
    ];
    if (host.asyncResourceCoverage !== undefined) comments.push(`goroutine: ${host.asyncResourceCoverage}`);
    return { total: resources.length, resources, comments };
  }
  if (host.activeResourceTypes !== undefined) {
    let types: string[];
    try {
      types = host.activeResourceTypes();
    } catch (err) {
      return { total: 0, resources: [], comments: [`goroutine: listing active resources failed in ${host.runtime}: ${err instanceof Error ? err.message : String(err)}`] };
    }
    const resources = types.map((type) => ({ type, frames: [typeFrame(type)], labels: [["type", type] as const] }));
    const comments = ["goroutine: async resources keeping the event loop alive, by type (process.getActiveResourcesInfo()); startGoroutineTracking() adds their creation stacks"];
    return { total: resources.length, resources, comments };
  }
  const why =
    host.trackAsyncResources !== undefined
      ? "; startGoroutineTracking() lists the resources created from then on"
      : ": neither process.getActiveResourcesInfo() nor async_hooks report async resources there, so this profile is empty";
  return { total: 0, resources: [], comments: [`goroutine: ${host.runtime} cannot list pending async work${why}`] };
}

// pprofSnapshot is the snapshot as a profile, before encoding (also what
// HTTP ?seconds= deltas subtract).
function pprofSnapshot(snap: Snapshot): PprofSnapshot {
  return {
    spec: { sampleTypes: [["goroutine", "count"]], periodType: ["goroutine", "count"], period: 1, timeNanos: host.nowNanos(), comments: snap.comments },
    samples: snap.resources.map((r) => ({ frames: r.frames, values: [1], labels: r.labels })),
  };
}

function write(debug: number): Uint8Array {
  const snap = snapshot();
  if (debug >= 2) return textEncoder.encode(dump(snap));
  const { spec, samples } = pprofSnapshot(snap);
  const { proto, locationIds } = encodeProfile(spec, samples);
  if (debug <= 0) return gzip(proto);
  // debug=1: Go's count form, one entry per distinct stack.
  return textEncoder.encode(formatCountProfile("goroutine", snap.total, countStacks(samples.map((s) => s.frames), locationIds)));
}

/** dump is the debug=2 form, after Go's full goroutine dump: one block per
 * resource, `goroutine <asyncId> [<type>, <age>]:`, then its creation
 * stack as `function()` and a tab-indented `file:line:column`, then the
 * resource that triggered it. Untracked resources have no id or stack. */
function dump(snap: Snapshot): string {
  let out = snap.comments.map((c) => `# ${c}\n`).join("") + "\n";
  const now = host.nowMicros();
  for (const r of snap.resources) {
    const p = r.pending;
    if (p === undefined) {
      out += `goroutine ? [${r.type}]:\n\t(no creation stack: startGoroutineTracking() records it)\n\n`;
      continue;
    }
    const minutes = Math.floor((now - p.createdMicros) / 60e6);
    out += `goroutine ${p.asyncId} [${p.type}${minutes >= 1 ? `, ${minutes} minutes` : ""}]:\n`;
    if (p.labels.length > 0) out += `labels: {${p.labels.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(", ")}}\n`;
    for (const f of p.frames) out += `${f.functionName}()\n\t${f.url}:${f.line}:${f.column}\n`;
    if (p.frames.length === 0) out += "\t(no stack)\n";
    out += `created in goroutine ${p.triggerAsyncId}\n\n`;
  }
  return out;
}

registerBuiltin("goroutine", {
  count: () => (tracking ? pending.size : (safeTypes()?.length ?? 0)),
  write,
  snapshot: () => pprofSnapshot(snapshot()),
});

function safeTypes(): string[] | undefined {
  try {
    return host.activeResourceTypes?.();
  } catch {
    return undefined;
  }
}

// deno.ts is the Deno adapter (also the JSR entry point): Deno's node:
// compatibility gives the inspector CPU sampler, AsyncLocalStorage and
// async_hooks (which Deno fires for timers only, so labels follow timers but
// not promise continuations: see the README's support matrix).

import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { Session } from "node:inspector";
import { gzipSync } from "node:zlib";
import { setHost, type ContinuationHooks } from "../host.ts";
import { inlineWasmModule } from "../wasm/inline.ts";
import { inspectorCpuSampler } from "./inspector.ts";

declare const Deno: { version: { deno: string }; unrefTimer(id: number): void };

const nowMicros = (): number => performance.now() * 1000;

setHost({
  runtime: `deno ${Deno.version.deno}`,
  wasmModule: inlineWasmModule,
  nowMicros,
  newAsyncStore: () => new AsyncLocalStorage(),
  trackContinuations: (hooks: ContinuationHooks) => createHook({ before: hooks.before, after: hooks.after }),
  newCpuSampler: () => inspectorCpuSampler(Session, nowMicros),
  gzipSync: (bytes) => gzipSync(bytes),
  unrefTimer: (t) => Deno.unrefTimer(t as number),
});

export * from "../api.ts";

// v8.ts holds what the Node and Deno adapters share: both are V8 with
// Node's inspector, async_hooks and zlib modules, so their CPU, block and
// heap samplers, continuation tracking and gzip are the same functions.
// Each adapter adds its clock and what differs (node.ts, deno.ts).

import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { Session, console as inspectorConsole } from "node:inspector";
import { gzipSync } from "node:zlib";
import type { Host } from "../host/host.ts";
import { inlineWasmModule } from "../wasm/inline.ts";
import { inspectorHeapSampler } from "./inspector.ts";
import { overlappingCpuSampler, type SamplerClock } from "./overlapping-sampler.ts";

/** v8Host returns the Host functions common to V8 runtimes with Node's
 * modules; nowMicros is the clock label timelines and chunks are read on,
 * and clock says how V8's profile timestamps relate to it. */
export function v8Host(nowMicros: () => number, clock: SamplerClock): Partial<Host> {
  return {
    wasmModule: inlineWasmModule,
    nowMicros,
    newAsyncStore: () => new AsyncLocalStorage(),
    trackContinuations: (hooks) => createHook({ before: hooks.before, after: hooks.after }),
    // Chunk drains overlap the next profile with the last one, so V8's
    // sampler never stops and re-logs all code (13-70 ms each, measured).
    newCpuSampler: () => overlappingCpuSampler(Session, inspectorConsole, nowMicros, "anyprof-cpu-", clock),
    // inspector.console is V8's own console, which a logger cannot replace.
    newBlockSampler: () => overlappingCpuSampler(Session, inspectorConsole, nowMicros, "anyprof-block-", clock),
    newHeapSampler: () => inspectorHeapSampler(Session),
    trackAsyncResources: (hooks) => createHook({ init: hooks.init, destroy: hooks.destroy }),
    gzipSync: (bytes) => gzipSync(bytes),
  };
}

// v8.ts holds what the Node and Deno adapters share: both are V8 with
// Node's inspector, async_hooks and zlib modules, so their CPU, block and
// heap samplers, continuation tracking and gzip are the same functions.
// Each adapter adds its clock and what differs (node.ts, deno.ts).

import { AsyncLocalStorage, AsyncResource, createHook, executionAsyncResource } from "node:async_hooks";
import { Session, console as inspectorConsole } from "node:inspector";
import { gzipSync } from "node:zlib";
import type { AsyncStore, Host } from "../host/host.ts";
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
    newAsyncStore: asyncStore,
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

// contextFrameSymbol is the key under which Node >= 24 (AsyncContextFrame)
// keeps an AsyncResource's context, found once on a probe resource (null:
// not looked for yet); undefined where AsyncLocalStorage rides async_hooks
// (Node < 24 without --experimental-async-context-frame, Deno).
let contextFrameSymbol: symbol | undefined | null = null;

/** asyncStore returns an AsyncLocalStorage; on Node >= 24 with
 * storeOfCallback, because AsyncResource.runInAsyncScope (an
 * EventEmitterAsyncResource's listeners) runs the before hooks first and
 * enters the resource's context after them: getStore there still answers
 * the emitter's labels. The resource's own frame answers its own. */
function asyncStore<T>(): AsyncStore<T> {
  const als = new AsyncLocalStorage<T>();
  if (contextFrameSymbol === null) {
    // Node 22 has the key but keeps stores elsewhere unless its flag is on:
    // the key counts only where a resource made in a context holds a frame.
    const probe = new AsyncLocalStorage<number>().run(1, () => new AsyncResource("anyprof-probe")) as unknown as Record<symbol, unknown>;
    const key = Object.getOwnPropertySymbols(probe).find((s) => s.description === "context_frame");
    contextFrameSymbol = key !== undefined && probe[key] !== undefined ? key : undefined;
  }
  const key = contextFrameSymbol;
  if (key === undefined) return als;
  const storeOfCallback = (): T | undefined => {
    const resource = executionAsyncResource() as unknown as Record<symbol, { get(k: unknown): unknown } | undefined> | null;
    if (resource === null || typeof resource !== "object") return als.getStore();
    const frame = resource[key];
    if (frame !== undefined) return typeof frame?.get === "function" ? (frame.get(als) as T | undefined) : als.getStore();
    // A resource made outside any context carries no labels.
    return Object.hasOwn(resource, key) ? undefined : als.getStore();
  };
  return Object.assign(als, { storeOfCallback });
}

// deno.ts is the Deno adapter (also the JSR entry point): Deno's node:
// compatibility gives the inspector CPU sampler, AsyncLocalStorage and
// async_hooks (which Deno fires around timers and some I/O but never around
// promise continuations, so labels follow timers, not awaits: see the
// README's support matrix).

import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { Session, console as inspectorConsole } from "node:inspector";
import process from "node:process";
import { gzipSync } from "node:zlib";
import { setHost, type ContinuationHooks } from "../host.ts";
import { inlineWasmModule } from "../wasm/inline.ts";
import { getHeapStatistics } from "node:v8";
import { memoryUsage } from "node:process";
import { inspectorCpuSampler, inspectorHeapSampler } from "./inspector.ts";
import { overlappingCpuSampler } from "./overlapping-sampler.ts";
import { workerTracker } from "./workers.ts";

declare const Deno: { version: { deno: string }; args: string[]; unrefTimer(id: number): void };

const nowMicros = (): number => performance.now() * 1000;

setHost({
  runtime: `deno ${Deno.version.deno}`,
  wasmModule: inlineWasmModule,
  nowMicros,
  newAsyncStore: () => new AsyncLocalStorage(),
  trackContinuations: (hooks: ContinuationHooks) => createHook({ before: hooks.before, after: hooks.after }),
  // Chunk drains overlap the next profile with the last one, so V8's
  // sampler never stops and re-logs all code (13-70 ms each, measured).
  newCpuSampler: () => overlappingCpuSampler(Session, inspectorConsole, nowMicros, "anyprof-cpu-"),
  newHeapSampler: () => inspectorHeapSampler(Session),
  memoryStats: () => ({ "process.memoryUsage()": memoryUsage(), "v8.getHeapStatistics()": getHeapStatistics() }),
  gzipSync: (bytes) => gzipSync(bytes),
  // Deno.execPath() would need --allow-read; the arguments need nothing.
  commandLine: () => ["deno", ...Deno.args],
  unrefTimer: (t) => Deno.unrefTimer(t as number),
  // inspector.console is V8's own console, which a logger cannot replace.
  newBlockSampler: () => overlappingCpuSampler(Session, inspectorConsole, nowMicros),
  activeResourceTypes: () => process.getActiveResourcesInfo(),
  trackAsyncResources: (hooks) => createHook({ init: hooks.init, destroy: hooks.destroy }),
  asyncResourceCoverage: "Deno fires async_hooks only for timers, immediates, nextTick callbacks, TCP sockets, pipes and HTTP parsers/messages: not for servers, files, DNS, zlib or child processes",
  // Deno's node:worker_threads exports are not writable bindings; web
  // Workers go through globalThis.Worker, which can be wrapped.
  trackWorkers: workerTracker(() => [[globalThis as unknown as Record<string, unknown>, "Worker"]]),
  workerCoverage: "web Workers (globalThis.Worker) only: Deno's node:worker_threads Worker cannot be wrapped",
});

export * from "../api.ts";
export { pprofListener, servePprof } from "./serve-deno.ts";

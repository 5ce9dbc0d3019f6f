// node.ts is the Node adapter: it injects Node's functions into the core
// (inspector CPU sampler, AsyncLocalStorage, async_hooks continuation
// tracking, hrtime) and re-exports the public API. Nothing else.

import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { Session, console as inspectorConsole } from "node:inspector";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { getHeapStatistics } from "node:v8";
import { gzipSync } from "node:zlib";
import { heapRateEnv, startHeapProfilingFromEnv } from "../heap.ts";
import { setHost, type ContinuationHooks } from "../host.ts";
import { inlineWasmModule } from "../wasm/inline.ts";
import { inspectorCpuSampler, inspectorHeapSampler } from "./inspector.ts";
import { overlappingCpuSampler } from "./overlapping-sampler.ts";
import { workerTracker } from "./workers.ts";

// hrtime is CLOCK_MONOTONIC, the clock V8 stamps samples with.
const nowMicros = (): number => Number(process.hrtime.bigint()) / 1000;

setHost({
  runtime: `node ${process.versions.node}`,
  wasmModule: inlineWasmModule,
  nowMicros,
  newAsyncStore: () => new AsyncLocalStorage(),
  trackContinuations: (hooks: ContinuationHooks) => createHook({ before: hooks.before, after: hooks.after }),
  // Chunk drains overlap the next profile with the last one, so V8's
  // sampler never stops and re-logs all code (13-70 ms each, measured).
  newCpuSampler: () => overlappingCpuSampler(Session, inspectorConsole, nowMicros, "anyprof-cpu-"),
  newHeapSampler: () => inspectorHeapSampler(Session),
  memoryStats: () => ({ "process.memoryUsage()": process.memoryUsage(), "v8.getHeapStatistics()": getHeapStatistics() }),
  gzipSync: (bytes) => gzipSync(bytes),
  commandLine: () => [...process.argv],
  collectGarbage: () => {
    // The inspector's collectGarbage needs no --expose-gc; Node answers at once.
    const session = new Session();
    session.connect();
    try {
      session.post("HeapProfiler.collectGarbage");
    } finally {
      session.disconnect();
    }
  },
  unrefTimer: (t) => (t as { unref?: () => void }).unref?.(),
  // inspector.console is V8's own console, which a logger cannot replace.
  newBlockSampler: () => overlappingCpuSampler(Session, inspectorConsole, nowMicros),
  activeResourceTypes: () => process.getActiveResourcesInfo(),
  trackAsyncResources: (hooks) => createHook({ init: hooks.init, destroy: hooks.destroy }),
  // The CommonJS exports object is the one to wrap: syncBuiltinESMExports
  // then updates every `import { Worker } from "node:worker_threads"`.
  trackWorkers: workerTracker(() => [[createRequire(import.meta.url)("node:worker_threads"), "Worker"]], syncBuiltinESMExports),
});

// ANYPROF_MEMPROFILERATE=<bytes> starts heap profiling at import.
startHeapProfilingFromEnv(process.env[heapRateEnv]);

export * from "../api.ts";
export { pprofListener, servePprof } from "./serve-node.ts";

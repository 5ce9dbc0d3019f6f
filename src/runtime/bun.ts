// bun.ts is the Bun adapter: Bun's node:inspector Profiler domain is the CPU
// sampler (chosen over bun:jsc's sampling profiler, which shares the same
// engine profiler but has no stop, loses most line numbers and stamps samples
// on a clock JS cannot read: measured in docs/performance.md); its profile's startTime
// is epoch µs, which the timeline offset absorbs. AsyncLocalStorage carries
// labels; Bun's async_hooks are a no-op, so no continuation tracking.

import { AsyncLocalStorage } from "node:async_hooks";
import { Session } from "node:inspector";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { setHost } from "../host/host.ts";
import { nodeFileSystem, processExitHook } from "./exit-files.ts";
import { ownScriptPrefixes } from "../host/own.ts";
import { spreadTruncatedDeltas } from "./bun-deltas.ts";
import { heapRateEnv, startHeapProfilingFromEnv } from "../profiles/heap.ts";
import { jscHeapCensus, type JscHeap } from "../pprof/heapprofile.ts";
import { inlineWasmModule } from "../wasm/inline.ts";
import { inspectorCpuSampler } from "./inspector.ts";
import { shareSampler } from "./shared-sampler.ts";
import { workerTracker } from "./workers.ts";
import { nodeFiles } from "./files.ts";
import * as traceMapping from "@jridgewell/trace-mapping";
import { setSourceMapDecoder, setSourceMaps } from "../symbolize/sourcemaps.ts";
import { threadCpuClock } from "./thread-cpu.ts";
import { readFileSync } from "node:fs";

declare const Bun: { version: string; gc(force: boolean): void };

// jscHeap is Bun's heap API for the census; bun:jsc loads on first use.
let jsc: { heapStats(): object } | undefined;
function jscHeap(): JscHeap {
  jsc ??= createRequire(import.meta.url)("bun:jsc") as { heapStats(): object };
  const bun = Bun as unknown as Pick<JscHeap, "generateHeapSnapshot">;
  return { gc: (force) => Bun.gc(force), generateHeapSnapshot: () => bun.generateHeapSnapshot(), heapStats: () => jsc!.heapStats() };
}

const nowMicros = (): number => performance.now() * 1000;

setHost({
  // Its inspector has no NodeWorker domain (nor Target auto-attach): the
  // main thread cannot reach a worker. A worker can profile itself.
  threadsUnsupported: "bun cannot reach its workers from the main thread (its inspector has no NodeWorker domain); a worker can profile itself: import anyprof in the worker and call startCPUProfile there (docs/threads.md)",
  runtime: `bun ${Bun.version}`,
  labelsAfterAwait: "Bun's async_hooks never fire, so CPU samples carry labels in synchronous code only",
  ...nodeFiles(() => process.cwd()),
  wasmModule: inlineWasmModule,
  nowMicros,
  newAsyncStore: () => new AsyncLocalStorage(),
  // Frames of this package (its dist/ or src/) fold into "(anyprof)".
  ownScriptUrls: ownScriptPrefixes(import.meta.url),
  // CPU profiles' cpu/nanoseconds: the main thread's real CPU time.
  ...threadCpuClock(process as never, (path) => readFileSync(path, "latin1")),
  // JSC has one sampling profiler for all sessions: startCPUProfile and the
  // block profiler share it (see shared-sampler.ts).
  newCpuSampler: shareSampler(() => spreadTruncatedDeltas(inspectorCpuSampler(Session, nowMicros)), nowMicros),
  commandLine: () => [...process.argv],
  collectGarbage: () => Bun.gc(true),
  gzipSync: (bytes) => gzipSync(bytes),
  unrefTimer: (t) => (t as { unref?: () => void }).unref?.(),
  files: nodeFileSystem,
  onExit: processExitHook,
  // Bun has no sampling heap profiler: the heap profile is a census of live
  // objects by type (heapprofile.ts); heapUsed is JSC's heap size.
  heapCensus: (snapshot) => jscHeapCensus(jscHeap(), snapshot, () => process.memoryUsage().heapUsed),
  memoryStats: () => ({ "process.memoryUsage()": process.memoryUsage() }),
  // Bun's process.getActiveResourcesInfo() answers [] and its async_hooks
  // never fire, so neither activeResourceTypes nor trackAsyncResources.
  trackWorkers: workerTracker(() => [[globalThis as unknown as Record<string, unknown>, "Worker"]]),
  workerCoverage: "web Workers (globalThis.Worker) only: Bun's node:worker_threads Worker cannot be wrapped",
});

// ANYPROF_MEMPROFILERATE=<bytes> starts heap profiling (its census kind) at import.
setSourceMapDecoder(traceMapping);
setSourceMaps();
startHeapProfilingFromEnv(process.env[heapRateEnv]);

export * from "./api.ts";
export { setSourceMaps, type SourceMapOptions } from "../symbolize/sourcemaps.ts";
export { pprofListener, servePprof } from "./serve-bun.ts";

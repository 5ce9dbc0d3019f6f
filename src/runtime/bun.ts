// bun.ts is the Bun adapter: Bun's node:inspector Profiler domain is the CPU
// sampler (chosen over bun:jsc's sampling profiler, which shares the same
// engine profiler but has no stop, loses most line numbers and stamps samples
// on a clock JS cannot read: see bench/bun-sampler/); its profile's startTime
// is epoch µs, which the timeline offset absorbs. AsyncLocalStorage carries
// labels; Bun's async_hooks are a no-op, so no continuation tracking.

import { AsyncLocalStorage } from "node:async_hooks";
import { Session } from "node:inspector";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { setHost, type CpuProfileShape, type CpuSampler } from "../host.ts";
import { heapRateEnv, startHeapProfilingFromEnv } from "../heap.ts";
import { jscHeapCensus, type JscHeap } from "../heapprofile.ts";
import { inlineWasmModule } from "../wasm/inline.ts";
import { inspectorCpuSampler } from "./inspector.ts";
import { shareSampler } from "./shared-sampler.ts";
import { workerTracker } from "./workers.ts";

declare const Bun: { version: string; gc(force: boolean): void };

// jscHeap is Bun's heap API for the census; bun:jsc loads on first use.
let jsc: { heapStats(): object } | undefined;
function jscHeap(): JscHeap {
  jsc ??= createRequire(import.meta.url)("bun:jsc") as { heapStats(): object };
  const bun = Bun as unknown as Pick<JscHeap, "generateHeapSnapshot">;
  return { gc: (force) => Bun.gc(force), generateHeapSnapshot: () => bun.generateHeapSnapshot(), heapStats: () => jsc!.heapStats() };
}

const nowMicros = (): number => performance.now() * 1000;

/** spreadTruncatedDeltas repairs Bun's CPU profile timestamps. Bun's
 * Profiler.stop truncates every timeDelta to whole µs but takes endTime from
 * the last sample's exact time, so lost = endTime − (startTime + Σ deltas)
 * is what truncation dropped: ~0.4 µs per sample, 3–4 ms over a 10 s chunk
 * at 1 kHz, all of it making later samples look early and taking the labels
 * of the work before them (bench/bun-sampler/ measured 13–43 % of a 2 ms
 * labeled window right late in a chunk before, 100 % after). Each delta gets
 * its share back in whole µs, since the converter sums deltas onto an
 * epoch-µs startTime (~1.8e15) where a double resolves only 0.25 µs. Only
 * for Bun: V8's endTime is the stop time, not the last sample's. */
function spreadTruncatedDeltas(sampler: CpuSampler): CpuSampler {
  const fix = (p: CpuProfileShape): CpuProfileShape => {
    const deltas = p.timeDeltas;
    const n = deltas?.length ?? 0;
    if (deltas === undefined || n === 0) return p;
    let sum = 0;
    for (const d of deltas) sum += d;
    const lost = p.endTime - p.startTime - sum;
    // Anything else is not the signature of truncation: leave it alone.
    if (!(lost >= 1 && lost < n)) return p;
    let given = 0;
    const timeDeltas = deltas.map((d, i) => {
      const upTo = Math.floor((lost * (i + 1)) / n);
      const add = upTo - given;
      given = upTo;
      return d + add;
    });
    return { ...p, timeDeltas };
  };
  return {
    start: (intervalMicros) => sampler.start(intervalMicros),
    stop: () => {
      const r = sampler.stop();
      return r instanceof Promise ? r.then(fix) : fix(r);
    },
    close: () => sampler.close(),
  };
}

setHost({
  runtime: `bun ${Bun.version}`,
  wasmModule: inlineWasmModule,
  nowMicros,
  newAsyncStore: () => new AsyncLocalStorage(),
  // JSC has one sampling profiler for all sessions: startCPUProfile and the
  // block profiler share it (see shared-sampler.ts).
  newCpuSampler: shareSampler(() => spreadTruncatedDeltas(inspectorCpuSampler(Session, nowMicros)), nowMicros),
  commandLine: () => [...process.argv],
  collectGarbage: () => Bun.gc(true),
  gzipSync: (bytes) => gzipSync(bytes),
  unrefTimer: (t) => (t as { unref?: () => void }).unref?.(),
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
startHeapProfilingFromEnv(process.env[heapRateEnv]);

export * from "../api.ts";
export { pprofListener, servePprof } from "./serve-bun.ts";

// node.ts is the Node adapter: it injects Node's functions into the core —
// the V8 ones it shares with Deno (v8.ts: AsyncLocalStorage, async_hooks,
// zlib) plus hrtime, memory figures, argv and worker tracking — picks the
// CPU and heap samplers this Node version and its flags allow (see
// docs/app-thread-cost.md), and re-exports the public API. The samplers
// themselves live in their own files.

import { Session, console as inspectorConsole, url as inspectorUrl } from "node:inspector";
import { createRequire, findSourceMap, syncBuiltinESMExports } from "node:module";
import * as v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { heapRateEnv, startHeapProfilingFromEnv } from "../profiles/heap.ts";
import { setHost } from "../host/host.ts";
import { nodeFileSystem, processExitHook } from "./exit-files.ts";
import { nodeFetch } from "./node-fetch.ts";
import { ownScriptPrefixes } from "../host/own.ts";
import { v8Host } from "./v8.ts";
import { handleCpuSampler, type StartCpuProfile } from "./handle-sampler.ts";
import { inspectorCpuSampler, inspectorHeapSampler } from "./inspector.ts";
import { handleHeapSampler, type StartHeapProfile } from "./handle-heap-sampler.ts";
import { overlappingCpuSampler } from "./overlapping-sampler.ts";
import { workerCpuRecorder } from "./worker-sampler.ts";
import { workerTracker } from "./workers.ts";
import { nodeThreadSampler } from "./node-threads.ts";
import type { EventSession } from "./node-worker-link.ts";
import { nodeThreadHeapSampler } from "./node-threads-heap.ts";
import { nodeFiles } from "./files.ts";
import * as traceMapping from "@jridgewell/trace-mapping";
import { setSourceMapDecoder, setSourceMaps } from "../symbolize/sourcemaps.ts";
import { threadCpuClock } from "./thread-cpu.ts";
import { readFileSync } from "node:fs";

// hrtime is the clock V8 stamps samples with: both read the OS monotonic
// clock (CLOCK_MONOTONIC, mach_absolute_time, the performance counter).
// performance.now() reads the same clock (uv_hrtime) from its time origin,
// 1.1-1.6x faster than hrtime.bigint() (no BigInt), and the label hooks
// read it on every label change; hrtimeOffsetMicros, taken once between two
// hrtime reads (the closest of five pairs, < 1 µs apart), puts it on
// hrtime's origin.
const hrtimeOffsetMicros = ((): number => {
  let offset = 0;
  let bracket = Infinity;
  for (let i = 0; i < 5; i++) {
    const before = Number(process.hrtime.bigint()) / 1000;
    const now = performance.now() * 1000;
    const after = Number(process.hrtime.bigint()) / 1000;
    if (after - before < bracket) {
      bracket = after - before;
      offset = (before + after) / 2 - now;
    }
  }
  return offset;
})();
const nowMicros = (): number => performance.now() * 1000 + hrtimeOffsetMicros;

// startCpuProfile is v8.startCpuProfile (Node >= 24.12), read through the
// namespace so that older Nodes, which lack it, still load this module.
const startCpuProfile = (v8 as { startCpuProfile?: StartCpuProfile }).startCpuProfile;

// startHeapProfile is v8.startHeapProfile (Node 26), whose sampling can be
// read without the full collection the inspector's forces on every read.
const startHeapProfile = (v8 as { startHeapProfile?: StartHeapProfile }).startHeapProfile;

// setHeapProfileNearHeapLimit (Node 26) writes v8.startHeapProfile's
// sampling profile to a file when the heap nears its limit.
const setHeapProfileNearHeapLimit = (v8 as { setHeapProfileNearHeapLimit?: (count: number) => void }).setHeapProfileNearHeapLimit;

let gcFunction: (() => void) | undefined;

/** syncGc returns V8's gc() without --expose-gc: the flag, set for a
 * moment, installs gc on contexts created meanwhile. */
function syncGc(): () => void {
  if (gcFunction !== undefined) return gcFunction;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return (gcFunction = exposed);
  v8.setFlagsFromString("--expose-gc");
  try {
    gcFunction = runInNewContext("gc") as () => void;
  } finally {
    v8.setFlagsFromString("--no-expose-gc");
  }
  return gcFunction;
}

/** profilerShared reports whether another inspector session may have V8's
 * Profiler domain enabled: node --cpu-prof's own session, or DevTools on an
 * open inspector port. V8 hands every console.profile() profile to each
 * such session: --cpu-prof's prints each event and its whole profile to
 * stderr and each stop takes seconds (measured on Node 20-26), DevTools
 * lists every chunk. Read when a sampler is made. */
function profilerShared(): boolean {
  const flags = [...process.execArgv, ...(process.env["NODE_OPTIONS"] ?? "").split(/\s+/)];
  return flags.includes("--cpu-prof") || inspectorUrl() !== undefined;
}

// handleServes reports whether v8.startCpuProfile samples at intervalMicros
// without oversampling: Node 26 honours intervals from V8's base ~1 ms up
// (sampleInterval), Node 24 samples every ~1.1 ms whatever is asked, so
// there only a 1 kHz profile gets it.
const handleHonoursInterval = Number(process.versions.node.split(".")[0]) >= 26;
const handleServes = (intervalMicros: number | undefined): boolean =>
  startCpuProfile !== undefined && intervalMicros !== undefined && (handleHonoursInterval ? intervalMicros >= 1000 : Math.abs(intervalMicros - 1000) <= 100);

// newSampler picks the CPU sampler. V8's profiler without the inspector
// (v8.startCpuProfile) where it serves the interval: its stop builds the
// profile as JSON text, half the main thread's time of the inspector's
// message (bench/cpu/stop-breakdown.mjs), and no other session hears it.
// Else overlapping console profiles (no pause between chunks) unless
// another session would hear them; then v8.startCpuProfile at its own rate
// where Node has it, else a plain inspector session, which restarts V8's
// sampler at each chunk.
const newSampler = (titlePrefix: string, handleFirst: boolean) => (intervalMicros?: number) => {
  if (handleFirst && handleServes(intervalMicros)) return handleCpuSampler(startCpuProfile!, nowMicros);
  if (!profilerShared()) return overlappingCpuSampler(Session, inspectorConsole, nowMicros, titlePrefix, "host");
  if (startCpuProfile !== undefined) return handleCpuSampler(startCpuProfile, nowMicros);
  return inspectorCpuSampler(Session, nowMicros);
};

// cpuThread is the worker module that converts chunks off the main thread,
// next to this file in dist/; run from TypeScript sources (tests), there
// is no JavaScript to start a worker from, and chunks convert in-thread.
const cpuThread = import.meta.url.endsWith(".ts") ? undefined : new URL("./cpu-thread.js", import.meta.url);

setHost({
  ...v8Host(nowMicros, "host"),
  // offThread CPU profiles convert in a worker, unless another session
  // would hear the console profiles its chunks are (then newCpuSampler's
  // fallbacks run).
  newCpuRecorder: () => (cpuThread === undefined || profilerShared() ? undefined : workerCpuRecorder(cpuThread, nowMicros)),
  newCpuSampler: newSampler("anyprof-cpu-", true),
  newBlockSampler: newSampler("anyprof-block-", false),
  // Worker threads are profiled through console profiles inside each
  // worker, which another session (--cpu-prof's, DevTools') would hear too.
  newThreadSampler: () => {
    if (profilerShared()) throw new Error("not while another inspector session may hear console profiles (node --cpu-prof, an open inspector port)");
    return nodeThreadSampler(Session as unknown as new () => EventSession, ownScriptPrefixes(import.meta.url) ?? []);
  },
  newThreadHeapSampler: () => nodeThreadHeapSampler(Session as unknown as new () => EventSession, ownScriptPrefixes(import.meta.url) ?? []),
  ...(startHeapProfile !== undefined && setHeapProfileNearHeapLimit !== undefined ? { heapProfileNearHeapLimit: setHeapProfileNearHeapLimit } : {}),
  newHeapSampler: () => (startHeapProfile !== undefined ? handleHeapSampler(startHeapProfile, Session, (fn) => process.once("exit", fn)) : inspectorHeapSampler(Session)),
  ...nodeFiles(() => process.cwd(), findSourceMap),
  // Frames of this package (its dist/ or src/) fold into "(anyprof)".
  ownScriptUrls: ownScriptPrefixes(import.meta.url),
  // CPU profiles' cpu/nanoseconds: the main thread's real CPU time.
  ...threadCpuClock(process as never, (path) => readFileSync(path, "latin1")),
  runtime: `node ${process.versions.node}`,
  memoryStats: () => ({ "process.memoryUsage()": process.memoryUsage(), "v8.getHeapStatistics()": v8.getHeapStatistics() }),
  commandLine: () => [...process.argv],
  collectGarbage: () => {
    // With v8.startHeapProfile's sampling (Node 26), samples of collected
    // objects are dropped by callbacks the inspector's collectGarbage leaves
    // for a later task, so a heap?gc=1 read just after it still counted
    // them (measured: 5.5 MB of 5.5 MB garbage); V8's gc() runs them before
    // it returns.
    if (startHeapProfile !== undefined) return syncGc()();
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
  files: nodeFileSystem,
  fetch: nodeFetch,
  onExit: processExitHook,
  activeResourceTypes: () => process.getActiveResourcesInfo(),
  // The CommonJS exports object is the one to wrap: syncBuiltinESMExports
  // then updates every `import { Worker } from "node:worker_threads"`.
  trackWorkers: workerTracker(() => [[createRequire(import.meta.url)("node:worker_threads"), "Worker"]], syncBuiltinESMExports),
});

// ANYPROF_MEMPROFILERATE=<bytes> starts heap profiling at import.
setSourceMapDecoder(traceMapping);
setSourceMaps();
startHeapProfilingFromEnv(process.env[heapRateEnv]);

export * from "./api.ts";
export { setSourceMaps, type SourceMapOptions } from "../symbolize/sourcemaps.ts";
export { pprofListener, servePprof } from "./serve-node.ts";

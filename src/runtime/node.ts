// node.ts is the Node adapter: it injects Node's functions into the core —
// the V8 ones it shares with Deno (v8.ts: samplers, AsyncLocalStorage,
// async_hooks, zlib) plus hrtime, memory figures, argv and worker tracking —
// and re-exports the public API. Nothing else.

import { Session } from "node:inspector";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { getHeapStatistics } from "node:v8";
import { heapRateEnv, startHeapProfilingFromEnv } from "../profiles/heap.ts";
import { setHost } from "../host/host.ts";
import { ownScriptPrefixes } from "../host/own.ts";
import { v8Host } from "./v8.ts";
import { workerTracker } from "./workers.ts";
import { threadCpuClock } from "./thread-cpu.ts";
import { readFileSync } from "node:fs";

// hrtime is the clock V8 stamps samples with: both read the OS monotonic
// clock (CLOCK_MONOTONIC, mach_absolute_time, the performance counter).
const nowMicros = (): number => Number(process.hrtime.bigint()) / 1000;

setHost({
  ...v8Host(nowMicros, "host"),
  // Frames of this package (its dist/ or src/) fold into "(anyprof)".
  ownScriptUrls: ownScriptPrefixes(import.meta.url),
  // CPU profiles' cpu/nanoseconds: the main thread's real CPU time.
  ...threadCpuClock(process as never, (path) => readFileSync(path, "latin1")),
  runtime: `node ${process.versions.node}`,
  memoryStats: () => ({ "process.memoryUsage()": process.memoryUsage(), "v8.getHeapStatistics()": getHeapStatistics() }),
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
  activeResourceTypes: () => process.getActiveResourcesInfo(),
  // The CommonJS exports object is the one to wrap: syncBuiltinESMExports
  // then updates every `import { Worker } from "node:worker_threads"`.
  trackWorkers: workerTracker(() => [[createRequire(import.meta.url)("node:worker_threads"), "Worker"]], syncBuiltinESMExports),
});

// ANYPROF_MEMPROFILERATE=<bytes> starts heap profiling at import.
startHeapProfilingFromEnv(process.env[heapRateEnv]);

export * from "./api.ts";
export { pprofListener, servePprof } from "./serve-node.ts";

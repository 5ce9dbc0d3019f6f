// deno.ts is the Deno adapter (also the JSR entry point): Deno's node:
// compatibility gives it the V8 functions it shares with Node (v8.ts): the
// inspector samplers, AsyncLocalStorage and async_hooks, which Deno fires
// around timers and some I/O but never around promise continuations, so
// labels follow timers, not awaits (see the README's support matrix).

import process, { memoryUsage } from "node:process";
import { getHeapStatistics } from "node:v8";
import { heapRateEnv, startHeapProfilingFromEnv } from "../profiles/heap.ts";
import { setHost } from "../host/host.ts";
import { nodeFileSystem, processExitHook } from "./exit-files.ts";
import { v8Host } from "./v8.ts";
import { workerTracker } from "./workers.ts";
import { denoFiles, type DenoFileApi } from "./files.ts";
import { setSourceMapDecoder, setSourceMaps } from "../symbolize/sourcemaps.ts";
import { ownScriptPrefixes } from "../host/own.ts";
import { threadCpuClock } from "./thread-cpu.ts";

declare const Deno: {
  version: { deno: string };
  args: string[];
  unrefTimer(id: number): void;
  permissions: { querySync(descriptor: { name: "env"; variable: string } | { name: "read"; path: string }): { state: string } };
  readTextFileSync(path: string): string;
  env: { get(key: string): string | undefined };
};

// performance.now() counts from Deno's start and V8 stamps samples on the
// OS monotonic clock: the offset between them is measured.
const nowMicros = (): number => performance.now() * 1000;

setHost({
  // Its inspector has no NodeWorker domain (nor Target auto-attach): the
  // main thread cannot reach a worker. A worker can profile itself.
  threadsUnsupported: "deno cannot reach its workers from the main thread (its inspector has no NodeWorker domain); a worker can profile itself: import anyprof in the worker and call startCPUProfile there (docs/threads.md)",
  ...v8Host(nowMicros, "measure"),
  // Frames of this package (its dist/ or src/) fold into "(anyprof)".
  ownScriptUrls: ownScriptPrefixes(import.meta.url),
  // CPU profiles' cpu/nanoseconds: the main thread's real CPU time, from
  // /proc where reading it is already allowed (µs, not Deno's 10 ms steps).
  ...threadCpuClock(process as never, grantedRead("/proc/thread-self/schedstat") ? (path) => Deno.readTextFileSync(path) : undefined, true),
  runtime: `deno ${Deno.version.deno}`,
  labelsAfterAwait: "Deno runs promise continuations without a hook, so CPU samples carry labels in synchronous code and timer callbacks only",
  ...denoFiles(Deno as unknown as DenoFileApi),
  memoryStats: () => ({ "process.memoryUsage()": memoryUsage(), "v8.getHeapStatistics()": getHeapStatistics() }),
  // Deno.execPath() would need --allow-read; the arguments need nothing.
  commandLine: () => ["deno", ...Deno.args],
  unrefTimer: (t) => Deno.unrefTimer(t as number),
  files: nodeFileSystem,
  onExit: processExitHook,
  activeResourceTypes: () => process.getActiveResourcesInfo(),
  asyncResourceCoverage: "Deno fires async_hooks only for timers, immediates, nextTick callbacks, TCP sockets, pipes and HTTP parsers/messages: not for servers, files, DNS, zlib or child processes",
  // Deno's node:worker_threads exports are not writable bindings; web
  // Workers go through globalThis.Worker, which can be wrapped.
  trackWorkers: workerTracker(() => [[globalThis as unknown as Record<string, unknown>, "Worker"]]),
  workerCoverage: "web Workers (globalThis.Worker) only: Deno's node:worker_threads Worker cannot be wrapped",
});

// ANYPROF_MEMPROFILERATE=<bytes> starts heap profiling at import, where it
// may be read without asking (--allow-env, or --allow-env=ANYPROF_MEMPROFILERATE):
// importing must never prompt, nor fail.
// Loaded dynamically: Deno resolves it only inside a project that lists it
// (package.json, node_modules), and anyprof must load elsewhere too (the
// CLI's record runs its dist/ from the program's directory).
setSourceMapDecoder(await import("@jridgewell/trace-mapping").catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
setSourceMaps();
startHeapProfilingFromEnv(grantedEnv(heapRateEnv));

function grantedRead(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "read", path }).state === "granted";
  } catch {
    return false;
  }
}

function grantedEnv(name: string): string | undefined {
  try {
    return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted" ? Deno.env.get(name) : undefined;
  } catch {
    return undefined;
  }
}

export * from "./api.ts";
export { setSourceMaps, type SourceMapOptions } from "../symbolize/sourcemaps.ts";
export { pprofListener, servePprof } from "./serve-deno.ts";

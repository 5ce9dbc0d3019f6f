// node-threads.ts builds the ThreadSampler for Node's worker_threads: the
// main thread's own inspector session reaches every worker through Node's
// NodeWorker domain, with no code of ours loaded in the worker. Each
// worker's CPU profile runs as overlapping console profiles started inside
// it (Runtime.evaluate through NodeWorker.sendMessageToWorker), so that a
// process.on("exit") hook installed there ends the last one as the worker
// ends on its own: its samples reach us before the worker is gone (the
// NodeWorker.detachedFromWorker event comes too late to ask). Chunk titles
// carry the worker's CPU clock read at each boundary. This file does not
// convert anything (profiles/cpu.ts does), does not see workers started by
// workers (each worker's own NodeWorker domain would), and imports no
// runtime module: the adapter passes the Session class and clock in. The
// line to the workers is node-worker-link.ts's.

import type { CpuProfileShape, ThreadChunk, ThreadPairs, ThreadSampler } from "../host/host.ts";
import { nodeWorkerLink, type EventSession, type WorkerInfo } from "./node-worker-link.ts";


/** threadAnswerMillis bounds how long a cut waits for a worker to end its
 * chunk: a worker that has not answered by then (blocked outside V8, or
 * ending) gives that chunk to the next cut. */
export const threadAnswerMillis = 1000;

/** maxEndedChunks bounds the chunks held between two cuts (one per worker
 * that ended meanwhile, plus one per running worker): past it, chunks are
 * dropped and the profile says how many. */
export const maxEndedChunks = 4096;

/** threadAttachMillis bounds how long attaching a worker may take: its
 * answers come when both it and the main thread get to run, which on a
 * loaded machine takes far longer than a cut may wait. Waiting here holds
 * nothing (the worker was released at once) and keeps no process alive. */
export const threadAttachMillis = 15_000;

// titlePrefix marks our console profiles in a worker; "end" titles carry
// only the final clock reading.
const titlePrefix = "anyprof-thread-";
const endTitle = `${titlePrefix}end`;

// agent is the code evaluated in each worker as it is attached: it keeps
// its state under a registry symbol (replacing a previous profile's), starts
// the first chunk, and ends the running one from an exit hook. Each title is "<prefix><n> <µs> <cpu µs>":
// the worker's hrtime (the clock V8 stamps samples with, shared by every
// thread) and its thread CPU time (process.threadCpuUsage() on Node ≥ 23.9,
// else Linux's /proc/thread-self/schedstat read in the worker; NaN where
// neither can be read). The inspector's console is used, never the global
// console the application may have replaced.
const agent = `(() => {
  const key = Symbol.for("anyprof.threadProfile");
  if (globalThis[key] !== undefined) return globalThis[key].clock;
  const c = (typeof process.getBuiltinModule === "function" && process.getBuiltinModule("node:inspector")?.console) || console;
  let cpu = () => NaN, clock = "none";
  try {
    if (typeof process.threadCpuUsage === "function") {
      cpu = () => { const u = process.threadCpuUsage(); return u.user + u.system; };
      clock = "process.threadCpuUsage()";
    } else if (typeof process.getBuiltinModule === "function") {
      const fs = process.getBuiltinModule("node:fs");
      const read = () => Number(fs.readFileSync("/proc/thread-self/schedstat", "latin1").split(" ", 1)[0]) / 1000;
      if (Number.isFinite(read())) { cpu = read; clock = "/proc/thread-self/schedstat"; }
    }
  } catch {}
  const mark = (name) => "${titlePrefix}" + name + " " + Number(process.hrtime.bigint()) / 1000 + " " + cpu();
  let n = 0, title;
  const state = {
    clock,
    cut(restart) {
      const prev = title;
      title = restart ? mark(String(++n)) : undefined;
      const end = restart ? undefined : mark("end");
      c.profile(title ?? end);
      if (prev !== undefined) c.profileEnd(prev);
      if (end !== undefined) c.profileEnd(end);
      if (!restart) state.dispose();
    },
    dispose() { process.removeListener("exit", onExit); if (globalThis[key] === state) delete globalThis[key]; },
  };
  const onExit = () => { try { state.cut(false); } catch {} };
  Object.defineProperty(globalThis, key, { value: state, configurable: true, enumerable: false });
  process.on("exit", onExit);
  state.cut(true);
  return clock;
})()`;

const cutCall = (restart: boolean): string => `globalThis[Symbol.for("anyprof.threadProfile")]?.cut(${restart})`;

interface Tracked {
  readonly sessionId: string;
  readonly thread: ThreadPairs;
  // installed: the agent runs in the worker; gone: the worker ended.
  installed: boolean;
  gone: boolean;
  // last is the latest boundary reading the worker sent: [µs, cpu µs].
  last: [number, number] | undefined;
}

/** parseTitle reads a chunk title's boundary reading. */
function parseTitle(title: string): [number, number] | undefined {
  const [, at, cpu] = title.split(" ");
  const t = Number(at);
  return Number.isFinite(t) ? [t, Number(cpu)] : undefined;
}

/** threadPairs names a thread for its labels, e.g. from a NodeWorker title
 * ("[worker 4] pool-3"): thread "pool-3 (#4)", thread_name "pool-3". */
export function threadPairs(name: string, threadId: number | string): ThreadPairs {
  return [
    ["thread", `${name} (#${threadId})`],
    ["thread_name", name],
  ];
}

/** workerPairs names a worker from its NodeWorker title and id. */
export function workerPairs(title: string, workerId: string): ThreadPairs {
  const m = /^\[worker (\d+)\]\s?(.*)$/.exec(title);
  const name = (m?.[2] ?? "").trim();
  return threadPairs(name === "" ? "worker" : name, m?.[1] ?? workerId);
}

/** nodeThreadSampler returns a ThreadSampler on a new Session; ownUrls are
 * the script URL prefixes of anyprof's own workers, which are released
 * unprofiled. */
export function nodeThreadSampler(Session: new () => EventSession, ownUrls: readonly string[]): ThreadSampler {
  const workers = new Map<string, Tracked>();
  let intervalMicros = 1000;
  let closed = false;
  let ready: ThreadChunk[] = [];
  let dropped = 0;
  let failed = 0;
  const clocks = new Set<string>();

  // send: a cut's short wait is not unref'd (a stop waiting for a worker
  // must end, and keeps the process alive for at most timeoutMillis).
  const send = (w: Tracked, method: string, params: object = {}, timeoutMillis = threadAnswerMillis) =>
    link.send(w.sessionId, method, params, timeoutMillis, timeoutMillis <= threadAnswerMillis);

  // attach sends the worker every step at once: it handles them in order,
  // so the agent runs before the worker's first line when it waits for us,
  // and one round trip through the main thread (busy with the application)
  // is all that attaching costs.
  const attach = async (w: Tracked): Promise<void> => {
    const steps: Array<[string, object]> = [
      ["Profiler.enable", {}],
      ["Profiler.setSamplingInterval", { interval: Math.max(1, Math.round(intervalMicros)) }],
      ["Runtime.evaluate", { expression: agent, returnByValue: true }],
    ];
    const answers = steps.map(([method, params]) => send(w, method, params, threadAttachMillis));
    // A worker waiting for us must always go on, whatever happens next.
    // Released even when NodeWorker says it is not waiting: a worker held
    // for a session that closed before hearing of it is still held, and a
    // later session is told "not waiting" (seen: such a worker went on only
    // when a fresh session released it). Releasing a running one is a no-op.
    link.release(w.sessionId);
    const got = await Promise.all(answers);
    if (closed || w.gone) return;
    if (got.some((a) => a === undefined || a.error !== undefined)) {
      failed++;
      return;
    }
    const value = (got[2]!.result as { result?: { value?: unknown } } | undefined)?.result?.value;
    if (typeof value === "string") clocks.add(value);
    w.installed = true;
  };

  const link = nodeWorkerLink(Session, {
    attached(sessionId: string, info: WorkerInfo): void {
      if (closed || ownUrls.some((p) => info.url.startsWith(p))) {
        link.release(sessionId);
        return;
      }
      const w: Tracked = { sessionId, thread: workerPairs(info.title, info.workerId), installed: false, gone: false, last: undefined };
      workers.set(sessionId, w);
      void attach(w);
    },
    detached(sessionId: string): void {
      const w = workers.get(sessionId);
      if (w === undefined) return;
      w.gone = true;
      workers.delete(sessionId);
    },
    event(sessionId: string, m: { method?: string; params?: unknown }): void {
      const w = workers.get(sessionId);
      if (w === undefined || closed) return;
      const params = m.params as { title?: string; profile?: CpuProfileShape } | undefined;
      const title = params?.title ?? "";
      if (!title.startsWith(titlePrefix)) return; // the worker's own console.profile
      if (m.method === "Profiler.consoleProfileStarted") {
        w.last = parseTitle(title);
      } else if (m.method === "Profiler.consoleProfileFinished" && !title.startsWith(endTitle) && params?.profile !== undefined) {
        if (ready.length >= maxEndedChunks) {
          dropped++;
          return;
        }
        const from = parseTitle(title);
        const to = w.last;
        const chunk: ThreadChunk = { thread: w.thread, profile: params.profile };
        if (from !== undefined && to !== undefined && Number.isFinite(from[1]) && Number.isFinite(to[1])) {
          chunk.cpu = { timesMicros: [from[0], to[0]], cpuMicros: [from[1], to[1]] };
        }
        ready.push(chunk);
      }
    },
  });

  return {
    mainThread: threadPairs("main", 0),
    async start(interval: number): Promise<void> {
      intervalMicros = interval;
      // Workers running now are attached at once (not waiting); those
      // started later wait for us before their first line.
      await link.enable();
    },
    async cut(restart: boolean): Promise<ThreadChunk[]> {
      const live = [...workers.values()].filter((w) => w.installed && !w.gone);
      await Promise.all(live.map((w) => send(w, "Runtime.evaluate", { expression: cutCall(restart) })));
      const out = ready;
      ready = [];
      return out;
    },
    comments(): string[] {
      const out: string[] = [];
      const clock = [...clocks].filter((c) => c !== "none");
      if (clocks.size > 0) {
        out.push(
          clock.length > 0 && !clocks.has("none")
            ? `threads: each worker's cpu/nanoseconds is that thread's CPU time (${clock.join(", ")} read in the worker at each chunk boundary), shared among the chunk's samples`
            : "threads: some workers had no thread CPU clock (Node < 22.3 off process.threadCpuUsage): their cpu/nanoseconds is the time between samples, capped",
        );
      }
      out.push("threads: workers started by workers, and the last chunk of a worker ended by worker.terminate(), are not in this profile");
      if (failed > 0) out.push(`threads: ${failed} worker(s) could not be profiled (ended while being attached, or refused the profiler)`);
      if (dropped > 0) out.push(`threads: ${dropped} worker chunk(s) dropped: more than ${maxEndedChunks} between two chunk cuts`);
      return out;
    },
    close(): void {
      if (closed) return;
      // Workers announced but not yet handled (queued for the event loop)
      // may be held for us: with closed set, handling them releases them.
      closed = true;
      link.close(workers.values(), (sessionId) => link.post(sessionId, "Runtime.evaluate", { expression: cutCall(false) }));
    },
  };
}

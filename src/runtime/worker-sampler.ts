// worker-sampler.ts builds a CpuRecorder (host.ts) for Node whose chunks
// are converted off the application's thread, by cpu-thread.ts in a worker
// whose inspector session is connected to the main thread. The main thread
// only begins and ends chunks, as overlapping console profiles
// (console.profile/profileEnd: the next begins before the last ends, so
// V8's sampler never stops and never logs all code again), and hands each
// chunk's label timeline over, its typed arrays transferred. Its hold per
// chunk is V8 building the profile and serializing it into the worker's
// session message; parse, conversion, encode and gzip happen in the
// worker. It does not decide when it is used (node.ts does: not while
// another session may hear console profiles, nor from TypeScript sources).

import { console as inspectorConsole } from "node:inspector";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { CpuRecorder, RecorderTimeline } from "../host/host.ts";

/** StartMessage asks the worker to begin a profile (enable its session). */
export interface StartMessage {
  op: "start";
  profileId: number;
  intervalMicros: number;
  includeIdle: boolean;
  titlePrefix: string;
}

/** ChunkMessage hands over an ended chunk's labels and clock readings. */
export interface ChunkMessage {
  op: "chunk";
  profileId: number;
  title: string;
  /** clockMicros is the host clock read as the chunk began. */
  clockMicros: number;
  /** clockAtStartMicros is the host clock start() returned. */
  clockAtStartMicros: number;
  overlapped: boolean;
  timeline: { times: Float64Array; ids: Uint32Array; length: number; overflowed: boolean; sets: Array<ReadonlyArray<readonly [string, string]>> };
}

/** FinishMessage asks for the gzip pprof of every chunk handed over. */
export interface FinishMessage {
  op: "finish";
  profileId: number;
  timeNanos: string;
  durationNanos: string;
  comments: string[];
}

/** AbortMessage ends a profile that will not be finished (a no-op after
 * its finish). */
export interface AbortMessage {
  op: "abort";
  profileId: number;
}

/** Reply is what the worker answers, on its reply port. */
export type Reply =
  | { op: "started"; profileId: number; error?: string }
  | { op: "count"; profileId: number; samples: number }
  | { op: "finished"; profileId: number; bytes?: Uint8Array; error?: string };

interface Thread {
  worker: Worker;
  replies: MessagePort;
  signal: Int32Array;
  waiting: Map<string, (r: Reply) => void>;
}

let thread: Thread | undefined;

/** answerMillis bounds the wait for the worker's answer to a start or a
 * finish (a loaded machine takes a fraction of a second). */
const answerMillis = 30_000;
let profiles = 0;
let sequence = 0;

// spawn starts the worker once per process; it is unref'd, so it never
// keeps the process alive, and kept for the next profile.
function spawn(url: URL): Thread {
  if (thread !== undefined) return thread;
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  // The application's --cpu-prof, --inspect… are not the worker's business.
  const worker = new Worker(url, { workerData: { replies: port2, signal }, transferList: [port2], execArgv: [], name: "anyprof-cpu" });
  const t: Thread = { worker, replies: port1, signal, waiting: new Map() };
  port1.on("message", (r: Reply) => deliver(t, r));
  // After on(), which refs the port again.
  worker.unref();
  port1.unref();
  worker.on("error", () => {
    // A dead worker fails the profile waiting on it, never the application.
    for (const wake of t.waiting.values()) wake({ op: "finished", profileId: -1, error: "the anyprof-cpu worker thread failed" });
    t.waiting.clear();
    t.replies.unref();
    if (thread === t) thread = undefined;
  });
  thread = t;
  return t;
}

// counts holds each open recorder's sample-count setter, by profile; a
// recorder removes its own at close, so the map holds open profiles only.
const counts = new Map<number, (samples: number) => void>();

function deliver(t: Thread, r: Reply): void {
  if (r.op === "count") return counts.get(r.profileId)?.(r.samples);
  const key = `${r.op} ${r.profileId}`;
  const wake = t.waiting.get(key);
  if (wake !== undefined) {
    t.waiting.delete(key);
    if (t.waiting.size === 0) t.replies.unref();
    wake(r);
  }
}

/** workerCpuRecorder returns a CpuRecorder converting in a worker thread
 * started from url (cpu-thread.js); nowMicros must read the clock V8
 * stamps samples with (Node's hrtime). */
export function workerCpuRecorder(url: URL, nowMicros: () => number, titlePrefix = "anyprof-cpu-"): CpuRecorder {
  const t = spawn(url);
  const profileId = ++profiles;
  let samples = 0;
  let clockAtStart = 0;
  let current: { title: string; clock: number; overlapped: boolean } | undefined;
  let closed = false;
  counts.set(profileId, (n) => void (samples = n));
  const ask = (op: "started" | "finished", m: StartMessage | FinishMessage): Promise<Reply> =>
    new Promise((resolve) => {
      const key = `${op} ${profileId}`;
      // A worker that never answers fails the profile, never hangs the caller.
      const timer = setTimeout(() => deliver(t, { op, profileId, error: `the anyprof-cpu worker did not answer in ${answerMillis / 1000} s` } as Reply), answerMillis);
      timer.unref();
      t.waiting.set(key, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      // An awaited answer keeps the process alive until it comes.
      t.replies.ref();
      t.worker.postMessage(m);
    });
  const begin = (overlapped: boolean) => {
    const title = `${titlePrefix}${++sequence}`;
    const clock = nowMicros();
    inspectorConsole.profile(title);
    return { title, clock, overlapped };
  };
  const finishMessage = (timeNanos: bigint, durationNanos: bigint, comments: readonly string[]): FinishMessage => ({
    op: "finish",
    profileId,
    timeNanos: String(timeNanos),
    durationNanos: String(durationNanos),
    comments: [...comments],
  });
  const bytesOf = (r: Reply): Uint8Array => {
    if (r.op !== "finished" || r.bytes === undefined) throw new Error(r.op === "finished" && r.error !== undefined ? r.error : "no profile from the worker");
    return r.bytes;
  };
  return {
    async start(intervalMicros: number, includeIdle: boolean): Promise<number> {
      const r = await ask("started", { op: "start", profileId, intervalMicros, includeIdle, titlePrefix });
      if (r.op === "started" && r.error !== undefined) throw new Error(r.error);
      current = begin(false);
      clockAtStart = current.clock;
      return clockAtStart;
    },
    cut(timeline: RecorderTimeline, restart: boolean): void {
      if (current === undefined) throw new Error("Profiler is not started");
      const ending = current;
      // The next chunk begins before this one ends: V8's sampler runs on.
      current = restart ? begin(true) : undefined;
      inspectorConsole.profileEnd(ending.title);
      const message: ChunkMessage = {
        op: "chunk",
        profileId,
        title: ending.title,
        clockMicros: ending.clock,
        clockAtStartMicros: clockAtStart,
        overlapped: ending.overlapped,
        timeline: { times: timeline.times, ids: timeline.ids, length: timeline.length, overflowed: timeline.overflowed, sets: timeline.sets.map((s) => s.list) },
      };
      // The arrays belong to this chunk alone (takeTimeline made new ones).
      const transfer = timeline.times.buffer === timeline.ids.buffer ? [timeline.times.buffer] : [timeline.times.buffer, timeline.ids.buffer];
      t.worker.postMessage(message, transfer as ArrayBuffer[]);
    },
    async finish(timeNanos: bigint, durationNanos: bigint, comments: readonly string[]): Promise<Uint8Array> {
      return bytesOf(await ask("finished", finishMessage(timeNanos, durationNanos, comments)));
    },
    finishSync(timeNanos: bigint, durationNanos: bigint, comments: readonly string[]): Uint8Array {
      // The worker needs nothing from this thread to finish (the chunks'
      // profiles were delivered when they ended): wait for its answer.
      t.worker.postMessage(finishMessage(timeNanos, durationNanos, comments));
      const deadline = Date.now() + answerMillis;
      for (;;) {
        const seen = Atomics.load(t.signal, 0);
        let got: { message: Reply } | undefined;
        while ((got = receiveMessageOnPort(t.replies) as { message: Reply } | undefined) !== undefined) {
          const r = got.message;
          if (r.op === "finished" && r.profileId === profileId) return bytesOf(r);
          deliver(t, r);
        }
        if (Date.now() > deadline) throw new Error(`the anyprof-cpu worker did not answer in ${answerMillis / 1000} s`);
        Atomics.wait(t.signal, 0, seen, 1000);
      }
    },
    get sampleCount(): number {
      return samples;
    },
    close(): void {
      if (closed) return;
      closed = true;
      counts.delete(profileId);
      if (current !== undefined) inspectorConsole.profileEnd(current.title);
      current = undefined;
      // A profile closed without finishing (a failure) must not leave the
      // worker's session hearing every later console profile.
      t.worker.postMessage({ op: "abort", profileId } satisfies AbortMessage);
      t.waiting.delete(`started ${profileId}`);
      t.waiting.delete(`finished ${profileId}`);
      if (t.waiting.size === 0) t.replies.unref();
    },
  };
}

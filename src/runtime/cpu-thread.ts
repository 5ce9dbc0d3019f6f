// cpu-thread.ts is the worker thread behind worker-sampler.ts: its
// inspector session, connected to the main thread, receives the CPU
// profile chunks the main thread ends (V8 serializes each into the
// session's message there), and everything after that runs here, off the
// application's thread: JSON parse (Node's, when the message arrives), the
// .cpuprofile conversion with the chunk's label timeline, the WASM encode
// and gzip. It starts no chunk itself (the main thread's console.profile
// does, so V8's sampler never stops between chunks) and never touches the
// application's state. Messages are described in worker-sampler.ts.

import { Session } from "node:inspector";
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import type { CpuProfileShape } from "../host/host.ts";
import { newCore, type Core } from "../pprof/core.ts";
import { CpuProfileConverter } from "../pprof/cpuprofile.ts";
import { LabelSet, type Timeline } from "../pprof/labelset.ts";
import { inlineWasmModule } from "../wasm/inline.ts";
import { ownScriptPrefixes } from "../host/own.ts";
import type { AbortMessage, ChunkMessage, FinishMessage, Reply, StartMessage } from "./worker-sampler.ts";

const replies = (workerData as { replies: MessagePort; signal: Int32Array }).replies;
const signal = (workerData as { replies: MessagePort; signal: Int32Array }).signal;

const reply = (message: Reply): void => {
  replies.postMessage(message);
  // A main thread waiting synchronously (an exit handler) wakes here.
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
};

const session = new Session();
session.connectToMainThread();
const post = (method: string, params: object = {}): Promise<void> =>
  new Promise((resolve, reject) => session.post(method, params, (err) => (err ? reject(new Error(`${method}: ${err.message}`)) : resolve())));

let core: Core | undefined;
let converter: CpuProfileConverter | undefined;
let titlePrefix = "anyprof-cpu-";
let failure: string | undefined;
// Chunks in the order the main thread ended them; each is added once both
// its profile (from the session) and its labels (from the main thread) are here.
const queue: Array<{ title: string; chunk?: ChunkMessage; profile?: CpuProfileShape }> = [];
let finishing: FinishMessage | undefined;

const entry = (title: string) => {
  let e = queue.find((q) => q.title === title);
  if (e === undefined) {
    e = { title };
    queue.push(e);
  }
  return e;
};

session.on("Profiler.consoleProfileFinished", (message: { params: { title?: string; profile: CpuProfileShape } }) => {
  const title = message.params.title ?? "";
  if (!title.startsWith(titlePrefix)) return; // the application's own console.profile
  entry(title).profile = message.params.profile;
  pump();
});

// pump adds every ready chunk at the head of the queue, then finishes.
function pump(): void {
  while (queue.length > 0 && queue[0]!.chunk !== undefined && queue[0]!.profile !== undefined) {
    const { chunk, profile } = queue.shift()!;
    try {
      if (failure === undefined && chunk!.profileId === profileId) add(chunk!, profile!);
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
  }
  if (finishing !== undefined && queue.length === 0) finish(finishing);
}

let profileId = 0;
// finished is true once the current profile has been finished or aborted.
let finished = true;

function add(chunk: ChunkMessage, p: CpuProfileShape): void {
  let profile = p;
  if (chunk.overlapped && (p.samples?.length ?? 0) > 0) {
    // V8 took the first sample of the stack that began the chunk (ours):
    // the second sample's delta absorbs the first's, keeping timestamps.
    const deltas = p.timeDeltas ?? [];
    const timeDeltas = deltas.slice(1);
    if (timeDeltas.length > 0) timeDeltas[0] = timeDeltas[0]! + (deltas[0] ?? 0);
    profile = { ...p, samples: p.samples!.slice(1), timeDeltas };
  }
  // Node's V8 stamps samples on the clock the main thread read (hrtime).
  const offsetMicros = Math.abs(p.startTime - chunk.clockMicros) < 1e6 ? 0 : p.startTime - chunk.clockAtStartMicros;
  const t = chunk.timeline;
  const timeline: Timeline = { times: t.times, ids: t.ids, length: t.length, overflowed: t.overflowed, sets: t.sets.map((list) => LabelSet.of(list)) };
  converter!.add(profile, { timeline, offsetMicros });
  reply({ op: "count", profileId: chunk.profileId, samples: converter!.sampleCount });
}

function finish(m: FinishMessage): void {
  finishing = undefined;
  if (m.profileId !== profileId) return;
  finished = true;
  if (failure !== undefined) {
    reply({ op: "finished", profileId: m.profileId, error: failure });
    return;
  }
  try {
    const raw = converter!.finish(BigInt(m.timeNanos), BigInt(m.durationNanos), m.comments);
    // Copied, not transferred: node:zlib's output may sit in a pool.
    reply({ op: "finished", profileId: m.profileId, bytes: gzipSync(raw) });
  } catch (err) {
    reply({ op: "finished", profileId: m.profileId, error: err instanceof Error ? err.message : String(err) });
  }
  void post("Profiler.disable").catch(() => {});
}

async function start(m: StartMessage): Promise<void> {
  profileId = m.profileId;
  finished = false;
  titlePrefix = m.titlePrefix;
  failure = undefined;
  queue.length = 0;
  finishing = undefined;
  core ??= newCore(inlineWasmModule());
  // This worker runs anyprof's code as well: its frames fold into
  // "(anyprof)" here too. (No thread CPU clock reaches a chunk converted
  // here: its cpu values are the capped-gap estimates, and it says so.)
  converter = new CpuProfileConverter(core, { intervalMicros: m.intervalMicros, includeIdle: m.includeIdle, ownScriptUrls: ownScriptPrefixes(import.meta.url) ?? [] });
  // The interval can be set only while this session's profiler is idle:
  // enable, set, and only then may the main thread begin a chunk.
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: Math.max(1, Math.round(m.intervalMicros)) });
}

parentPort!.on("message", (m: StartMessage | ChunkMessage | FinishMessage | AbortMessage) => {
  if (m.op === "abort") {
    if (m.profileId !== profileId || finished) return;
    finished = true;
    queue.length = 0;
    finishing = undefined;
    converter = undefined;
    void post("Profiler.disable").catch(() => {});
    return;
  }
  if (m.op === "start") {
    start(m).then(
      () => reply({ op: "started", profileId: m.profileId }),
      (err: unknown) => reply({ op: "started", profileId: m.profileId, error: err instanceof Error ? err.message : String(err) }),
    );
  } else if (m.op === "chunk") {
    entry(m.title).chunk = m;
    pump();
  } else if (m.op === "finish") {
    finishing = m;
    pump();
  }
});

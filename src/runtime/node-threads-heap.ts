// node-threads-heap.ts builds the ThreadHeapSampler for Node's
// worker_threads on the main thread's own inspector session, through the
// NodeWorker domain as node-threads.ts does for CPU: each worker, running or
// started later, gets HeapProfiler.startSampling before its first line, and
// a heap profile write asks each running worker for its sampling profile.
// A worker that ended has no live heap, so nothing is lost with it. This
// file converts nothing (profiles/heap.ts does) and imports no runtime
// module: the adapter passes the Session class in.

import type { HeapProfileShape, ThreadHeapSampler, ThreadPairs } from "../host/host.ts";
import { threadAnswerMillis, threadAttachMillis, threadPairs, workerPairs, type EventSession } from "./node-threads.ts";
import { onEventsSafely } from "./inspector-events.ts";

/** threadHeapAnswerMillis bounds how long a write waits for a worker's
 * heap profile (the worker collects its heap first). */
export const threadHeapAnswerMillis: number = 5 * threadAnswerMillis;

interface Tracked {
  readonly sessionId: string;
  readonly thread: ThreadPairs;
  installed: boolean;
}

/** nodeThreadHeapSampler returns a ThreadHeapSampler on a new Session;
 * ownUrls are the script URL prefixes of anyprof's own workers, which are
 * released unsampled. */
export function nodeThreadHeapSampler(Session: new () => EventSession, ownUrls: readonly string[]): ThreadHeapSampler {
  const session = new Session();
  session.connect();
  const workers = new Map<string, Tracked>();
  const answers = new Map<number, { sessionId: string; resolve: (answer: { result?: unknown; error?: unknown } | undefined) => void }>();
  let nextId = 1;
  let rate = 512 * 1024;
  let closed = false;
  let failed = 0;
  let unanswered = 0;

  const postQuiet = (method: string, params: object): void => {
    try {
      session.post(method, params, () => {});
    } catch {
      // A session already disconnected has nothing left to tell.
    }
  };
  const message = (w: Tracked, id: number, method: string, params: object = {}): void =>
    postQuiet("NodeWorker.sendMessageToWorker", { sessionId: w.sessionId, message: JSON.stringify({ id, method, params }) });
  const send = (w: Tracked, method: string, params: object, timeoutMillis: number, keepAlive: boolean): Promise<{ result?: unknown; error?: unknown } | undefined> => {
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        answers.delete(id);
        resolve(undefined);
      }, timeoutMillis);
      if (!keepAlive) (timer as { unref?: () => void }).unref?.();
      answers.set(id, {
        sessionId: w.sessionId,
        resolve: (answer) => {
          clearTimeout(timer);
          answers.delete(id);
          resolve(answer);
        },
      });
      message(w, id, method, params);
    });
  };
  const release = (w: Tracked): void => message(w, nextId++, "Runtime.runIfWaitingForDebugger");

  const onAttached = (params: unknown): void => {
    const { sessionId, workerInfo, waitingForDebugger } = params as { sessionId: string; workerInfo: { workerId: string; title: string; url: string }; waitingForDebugger: boolean };
    const w: Tracked = { sessionId, thread: workerPairs(workerInfo.title, workerInfo.workerId), installed: false };
    if (closed || ownUrls.some((p) => workerInfo.url.startsWith(p))) {
      if (waitingForDebugger) release(w);
      return;
    }
    workers.set(sessionId, w);
    // Both steps at once, then the release: the worker handles them in order.
    const steps = [send(w, "HeapProfiler.enable", {}, threadAttachMillis, false), send(w, "HeapProfiler.startSampling", { samplingInterval: rate }, threadAttachMillis, false)];
    if (waitingForDebugger) release(w);
    void Promise.all(steps).then((got) => {
      if (got.every((a) => a !== undefined && a.error === undefined)) w.installed = true;
      else if (workers.has(sessionId)) failed++;
    });
  };
  const onDetached = (params: unknown): void => {
    const sessionId = (params as { sessionId: string }).sessionId;
    workers.delete(sessionId);
    for (const a of [...answers.values()]) if (a.sessionId === sessionId) a.resolve(undefined);
  };
  const onMessage = (params: unknown): void => {
    const { message: text } = params as { sessionId: string; message: string };
    let parsed: { id?: number; result?: unknown; error?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      return;
    }
    if (parsed.id !== undefined) answers.get(parsed.id)?.resolve(parsed);
  };
  const events = onEventsSafely(session, {
    "NodeWorker.attachedToWorker": onAttached,
    "NodeWorker.detachedFromWorker": onDetached,
    "NodeWorker.receivedMessageFromWorker": onMessage,
  });

  return {
    mainThread: threadPairs("main", 0),
    async start(rateBytes: number): Promise<void> {
      rate = rateBytes;
      await new Promise<void>((resolve, reject) =>
        session.post("NodeWorker.enable", { waitForDebuggerOnStart: true }, (err) => (err ? reject(new Error(`NodeWorker.enable: ${err.message}`)) : resolve())),
      );
    },
    async profiles(): Promise<Array<{ thread: ThreadPairs; profile: HeapProfileShape }>> {
      const live = [...workers.values()].filter((w) => w.installed);
      const got = await Promise.all(live.map((w) => send(w, "HeapProfiler.getSamplingProfile", {}, threadHeapAnswerMillis, true)));
      const out: Array<{ thread: ThreadPairs; profile: HeapProfileShape }> = [];
      got.forEach((answer, i) => {
        const profile = (answer?.result as { profile?: HeapProfileShape } | undefined)?.profile;
        if (profile !== undefined) out.push({ thread: live[i]!.thread, profile });
        else if (workers.has(live[i]!.sessionId)) unanswered++;
      });
      return out;
    },
    comments(): string[] {
      const out = ["threads: each worker's live heap, sampled by V8 in that worker (its inspector collects the worker's heap first); workers started by workers are not included"];
      if (failed > 0) out.push(`threads: ${failed} worker(s) could not be sampled (ended while being attached, or refused the heap profiler)`);
      if (unanswered > 0) out.push(`threads: ${unanswered} worker heap profile(s) did not arrive within ${threadHeapAnswerMillis} ms and are not included`);
      return out;
    },
    close(): void {
      if (closed) return;
      closed = true;
      // Workers announced but not yet handled (queued for the event loop)
      // may be held for us: with closed set, handling them releases them.
      events.flush();
      for (const w of workers.values()) {
        if (!w.installed) release(w);
        else message(w, nextId++, "HeapProfiler.disable");
      }
      for (const a of [...answers.values()]) a.resolve(undefined);
      postQuiet("NodeWorker.disable", {});
      try {
        session.disconnect();
      } catch {
        // Nothing to release.
      }
      events.close();
    },
  };
}

// node-threads-heap.ts builds the ThreadHeapSampler for Node's
// worker_threads on the main thread's own inspector session, through the
// NodeWorker domain as node-threads.ts does for CPU: each worker, running or
// started later, gets HeapProfiler.startSampling before its first line, and
// a heap profile write asks each running worker for its sampling profile.
// A worker that ended has no live heap, so nothing is lost with it. This
// file converts nothing (profiles/heap.ts does) and imports no runtime
// module: the adapter passes the Session class in.

import type { HeapProfileShape, ThreadHeapSampler, ThreadPairs } from "../host/host.ts";
import { threadAnswerMillis, threadAttachMillis, threadPairs, workerPairs } from "./node-threads.ts";
import { nodeWorkerLink, type EventSession, type WorkerInfo } from "./node-worker-link.ts";

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
  const workers = new Map<string, Tracked>();
  let rate = 512 * 1024;
  let closed = false;
  let failed = 0;
  let unanswered = 0;

  const link = nodeWorkerLink(Session, {
    attached(sessionId: string, info: WorkerInfo): void {
      if (closed || ownUrls.some((p) => info.url.startsWith(p))) {
        link.release(sessionId);
        return;
      }
      const w: Tracked = { sessionId, thread: workerPairs(info.title, info.workerId), installed: false };
      workers.set(sessionId, w);
      // Both steps at once, then the release (always: see node-threads.ts's
      // attach): the worker handles them in order.
      const steps = [
        link.send(sessionId, "HeapProfiler.enable", {}, threadAttachMillis, false),
        link.send(sessionId, "HeapProfiler.startSampling", { samplingInterval: rate }, threadAttachMillis, false),
      ];
      link.release(sessionId);
      void Promise.all(steps).then((got) => {
        if (got.every((a) => a !== undefined && a.error === undefined)) w.installed = true;
        else if (workers.has(sessionId)) failed++;
      });
    },
    detached(sessionId: string): void {
      workers.delete(sessionId);
    },
    event(): void {
      // The heap profiler sends no events we use.
    },
  });

  return {
    mainThread: threadPairs("main", 0),
    async start(rateBytes: number): Promise<void> {
      rate = rateBytes;
      await link.enable();
    },
    async profiles(): Promise<Array<{ thread: ThreadPairs; profile: HeapProfileShape }>> {
      const live = [...workers.values()].filter((w) => w.installed);
      const got = await Promise.all(live.map((w) => link.send(w.sessionId, "HeapProfiler.getSamplingProfile", {}, threadHeapAnswerMillis, true)));
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
      // Workers announced but not yet handled (queued for the event loop)
      // may be held for us: with closed set, handling them releases them.
      closed = true;
      link.close(workers.values(), (sessionId) => link.post(sessionId, "HeapProfiler.disable"));
    },
  };
}

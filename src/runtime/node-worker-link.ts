// node-worker-link.ts owns the main thread's line to Node's worker threads:
// one in-process inspector session and its NodeWorker domain. It sends a
// worker protocol messages by the worker's session id and matches the
// answers by message id, each wait bounded in time; it releases a worker
// held for the debugger, hands the sampler each attach, detach and
// non-answer message from the event loop (inspector-events.ts), and closes
// in order. It knows no profiler domain: node-threads.ts (CPU) and
// node-threads-heap.ts (heap) say what to send. It imports no runtime
// module: the adapter passes the Session class in.

import type { SessionLike } from "./inspector.ts";
import { onEventsSafely } from "./inspector-events.ts";

/** EventSession is a node:inspector Session: posts and protocol events. */
export interface EventSession extends SessionLike {
  on(event: string, listener: (message: { params: never }) => void): unknown;
}

/** WorkerAnswer is a worker's answer to one message. */
export interface WorkerAnswer {
  result?: unknown;
  error?: { message: string };
}

/** WorkerInfo is what NodeWorker says of a worker as it attaches. */
export interface WorkerInfo {
  workerId: string;
  title: string;
  url: string;
}

/** WorkerLinkHandlers are the sampler's: a worker attached (waiting: held
 * before its first line until released), detached (its pending answers are
 * already settled), or sent a message that answers nothing (an event). */
export interface WorkerLinkHandlers {
  attached(sessionId: string, info: WorkerInfo, waiting: boolean): void;
  detached(sessionId: string): void;
  event(sessionId: string, message: { method?: string; params?: unknown }): void;
}

/** WorkerLink talks to the workers; see nodeWorkerLink. */
export interface WorkerLink {
  /** post sends a worker a message and expects no answer. */
  post(sessionId: string, method: string, params?: object): void;
  /** send sends a worker a message and resolves to its answer, or to
   * undefined when the worker went away or did not answer within
   * timeoutMillis; keepAlive: the wait holds the process open (a stop
   * waiting for a worker must end, and does so within timeoutMillis). */
  send(sessionId: string, method: string, params: object, timeoutMillis: number, keepAlive: boolean): Promise<WorkerAnswer | undefined>;
  /** release lets a worker held for the debugger run. */
  release(sessionId: string): void;
  /** enable turns NodeWorker on: running workers attach now, later ones
   * attach held before their first line. */
  enable(): Promise<void>;
  /** close runs the events still queued (a handler seeing the sampler
   * closed releases its worker), then, for each worker the sampler tracks,
   * releases it if it is still being attached (it may be held for us) or
   * sends it the sampler's farewell; then detaches from every worker,
   * settles every pending answer and disconnects. */
  close(workers: Iterable<{ readonly sessionId: string; installed: boolean }>, farewell: (sessionId: string) => void): void;
}

/** nodeWorkerLink returns a WorkerLink on a new Session. */
export function nodeWorkerLink(Session: new () => EventSession, handlers: WorkerLinkHandlers): WorkerLink {
  const session = new Session();
  session.connect();
  // answers holds, by message id, the worker asked and who waits for it.
  const answers = new Map<number, { sessionId: string; resolve: (answer: WorkerAnswer | undefined) => void }>();
  // attachedIds holds every worker session NodeWorker gave us and has not
  // taken back, tracked by the sampler or not: close detaches each.
  const attachedIds = new Set<string>();
  let nextId = 1;

  const postQuiet = (method: string, params: object): void => {
    try {
      session.post(method, params, () => {});
    } catch {
      // A session already disconnected has nothing left to tell.
    }
  };
  const post = (sessionId: string, method: string, params: object = {}): void =>
    postQuiet("NodeWorker.sendMessageToWorker", { sessionId, message: JSON.stringify({ id: nextId++, method, params }) });

  const events = onEventsSafely(session, {
    "NodeWorker.attachedToWorker": (params: unknown) => {
      const { sessionId, workerInfo, waitingForDebugger } = params as { sessionId: string; workerInfo: WorkerInfo; waitingForDebugger: boolean };
      attachedIds.add(sessionId);
      handlers.attached(sessionId, workerInfo, waitingForDebugger);
    },
    "NodeWorker.detachedFromWorker": (params: unknown) => {
      const sessionId = (params as { sessionId: string }).sessionId;
      attachedIds.delete(sessionId);
      for (const a of [...answers.values()]) if (a.sessionId === sessionId) a.resolve(undefined);
      handlers.detached(sessionId);
    },
    "NodeWorker.receivedMessageFromWorker": (params: unknown) => {
      const { sessionId, message: text } = params as { sessionId: string; message: string };
      let m: { id?: number; method?: string; params?: unknown } & WorkerAnswer;
      try {
        m = JSON.parse(text) as typeof m;
      } catch {
        return;
      }
      if (m.id !== undefined) answers.get(m.id)?.resolve(m);
      else handlers.event(sessionId, m);
    },
  });

  return {
    post,
    send(sessionId, method, params, timeoutMillis, keepAlive) {
      const id = nextId++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          answers.delete(id);
          resolve(undefined);
        }, timeoutMillis);
        if (!keepAlive) (timer as { unref?: () => void }).unref?.();
        answers.set(id, {
          sessionId,
          resolve: (answer) => {
            clearTimeout(timer);
            answers.delete(id);
            resolve(answer);
          },
        });
        postQuiet("NodeWorker.sendMessageToWorker", { sessionId, message: JSON.stringify({ id, method, params }) });
      });
    },
    release: (sessionId) => post(sessionId, "Runtime.runIfWaitingForDebugger"),
    enable: () =>
      new Promise<void>((resolve, reject) =>
        session.post("NodeWorker.enable", { waitForDebuggerOnStart: true }, (err) => (err ? reject(new Error(`NodeWorker.enable: ${err.message}`)) : resolve())),
      ),
    close(workers, farewell) {
      events.flush();
      for (const w of workers) {
        if (!w.installed) post(w.sessionId, "Runtime.runIfWaitingForDebugger");
        else farewell(w.sessionId);
      }
      // Detach from every worker, after the messages above (the worker
      // handles them in order): disconnecting the session alone leaves
      // each worker's end of it alive for the worker's life (Node 20-26,
      // measured: one more profiler thread left running in a long-lived
      // worker every profile or two, each starting again at every
      // console.profile the next profile's agent makes).
      for (const sessionId of attachedIds) postQuiet("NodeWorker.detach", { sessionId });
      attachedIds.clear();
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

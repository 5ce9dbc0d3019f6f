// inspector-events.ts hands an in-process inspector session's events to
// their handlers from a safe point of the event loop. Node delivers the
// events of other threads (NodeWorker.*) to the main thread's session in a
// V8 interrupt, that is, in the middle of whatever JavaScript runs then,
// Node's own timer code included: a handler that touched timers there
// corrupted Node's timer queue (measured: "Cannot read properties of
// undefined (reading 'expiry')" in node:internal/timers, a spinning main
// thread, once a segfault, under a pool of short-lived workers). So the
// listener only queues the event and rings a MessageChannel doorbell (a
// native post); the handlers run when the port's message is delivered.
// This file imports no runtime module; MessageChannel is a global.

/** EventSource is the part of node:inspector's Session that emits events. */
export interface EventSource {
  on(event: string, listener: (message: { params: never }) => void): unknown;
}

/** maxQueuedEvents bounds the events waiting for the doorbell; past it
 * they are dropped (an answer dropped is a timeout, a chunk dropped is lost). */
export const maxQueuedEvents = 65_536;

/** onEventsSafely subscribes each handler to its event on session and runs
 * it from the event loop, never inside the interrupt that delivered it. A
 * handler that throws is ignored. close stops delivery. */
export function onEventsSafely(session: EventSource, handlers: Record<string, (params: never) => void>): { flush(): void; close(): void } {
  const queue: Array<[string, unknown]> = [];
  const { port1, port2 } = new MessageChannel();
  let rung = false;
  let closed = false;
  const flush = (): void => {
    rung = false;
    for (const [event, params] of queue.splice(0)) {
      try {
        handlers[event]!(params as never);
      } catch {
        // A handler of ours must never throw into the event loop.
      }
    }
  };
  port2.onmessage = flush;
  // The doorbell keeps no process alive (Node's ports have unref).
  (port1 as { unref?: () => void }).unref?.();
  (port2 as { unref?: () => void }).unref?.();
  for (const event of Object.keys(handlers)) {
    session.on(event, (message) => {
      // Interrupt context: plain array work and one native post only.
      if (closed || queue.length >= maxQueuedEvents) return;
      // (A worker held for us must be released: close flushes first.)
      queue.push([event, message.params]);
      if (!rung) {
        rung = true;
        port1.postMessage(0);
      }
    });
  }
  return {
    /** flush runs the queued handlers now (from a safe point: the caller's). */
    flush,
    /** close drops what is still queued and stops delivery: flush first. */
    close(): void {
      closed = true;
      queue.length = 0;
      port1.close();
      port2.close();
    },
  };
}

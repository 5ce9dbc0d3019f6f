// writer.ts owns delivering bytes to whatever the caller gave as `w`: a
// WritableStream, a Node-style stream, anything with write(chunk), or
// nothing. Whatever the writer does (throws, reports an error, emits
// 'error', never answers) the caller gets one rejection "pprof: write
// failed: …" and the host nothing: no unhandled 'error' event, no
// unhandled rejection, no promise that never settles.

import { own } from "./own.ts";
import { checkNumber, shown } from "./validate.ts";

/** ProfileWriter is where writeTo sends a profile. */
export type ProfileWriter =
  | WritableStream<Uint8Array>
  | { write(chunk: Uint8Array, callback?: (err?: Error | null) => void): unknown };

/** WriteOptions bounds a write. */
export interface WriteOptions {
  /** timeoutMillis is how long the writer may take to accept the bytes
   * before the write fails (default defaultWriteTimeoutMillis). */
  timeoutMillis?: number;
}

/** defaultWriteTimeoutMillis bounds a write unless told otherwise: long
 * enough for a slow disk or pipe, short enough that a writer that never
 * calls back cannot hold a profile (and its caller) forever. */
export const defaultWriteTimeoutMillis: number = 30_000;

// setTimeout cannot wait longer than 2^31 − 1 ms.
const maxTimeoutMillis = 2_147_483_647;

interface Emitter {
  on(event: "error", listener: (err: unknown) => void): unknown;
  removeListener(event: "error", listener: (err: unknown) => void): unknown;
}

/** checkWriter throws unless w is absent or something writeAll can write
 * to, so that a bad writer is reported where it is given (for a CPU
 * profile: at start, not when it stops). */
export function checkWriter(w: unknown): void {
  if (w === undefined || w === null) return;
  try {
    const o = w as { getWriter?: unknown; write?: unknown };
    if ((typeof w === "object" || typeof w === "function") && (typeof o.getWriter === "function" || typeof o.write === "function")) return;
  } catch {
    // A writer whose properties throw is no writer.
  }
  throw new Error(`pprof: writer must be a WritableStream or have a write method, got ${shown(w)}`);
}

// early holds, per writer given ahead of its write (a CPU profile's, at
// start), the listener that keeps its 'error' events until the write.
const early = new WeakMap<object, { failed: boolean; error: unknown; off: () => void }>();

/** guardWriter listens for w's 'error' events from now until writeAll
 * writes to it: a Node stream that fails before the
 * profile is written (a file that cannot be opened says so a tick after it
 * is created, long before a 30 s profile stops) then fails that write,
 * "pprof: write failed: …", instead of ending the process. One listener
 * per writer, however many profiles are given it. */
export function guardWriter(w: unknown): void {
  if (w === null || (typeof w !== "object" && typeof w !== "function")) return;
  const e = w as Partial<Emitter>;
  try {
    if (typeof e.on !== "function" || typeof e.removeListener !== "function" || early.has(w)) return;
    const entry = { failed: false, error: undefined as unknown, off: () => {} };
    const onError = (err: unknown) => {
      if (entry.failed) return;
      entry.failed = true;
      entry.error = err;
    };
    e.on.call(w, "error", onError);
    entry.off = () => {
      try {
        e.removeListener!.call(w, "error", onError);
      } catch {
        // A stream that cannot unlisten keeps a no-op listener.
      }
    };
    early.set(w, entry);
  } catch {
    // A writer whose on() throws reports its errors another way, or not.
  }
}

/** checkTimeoutMillis returns the write timeout from options, checked. */
export function checkTimeoutMillis(name: string, value: unknown): number {
  return checkNumber(name, value, 1, maxTimeoutMillis) ?? defaultWriteTimeoutMillis;
}

/** writeAll writes bytes to w and resolves when w accepted them. A writer
 * that throws, reports an error through its callback, emits 'error', or
 * takes longer than timeoutMillis rejects with "pprof: write failed: …" and
 * the writer's error as cause; the error is never swallowed, and never
 * reaches the host as an unhandled event. */
export async function writeAll(w: ProfileWriter | undefined, bytes: Uint8Array, timeoutMillis: number = defaultWriteTimeoutMillis): Promise<void> {
  if (w === undefined || w === null) return;
  checkWriter(w);
  const guarded = early.get(w);
  early.delete(w);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let detach = (_failed: boolean): void => {};
  try {
    // An error the writer reported before its write is this write's.
    if (guarded?.failed === true) throw guarded.error;
    const timedOut = new Promise<never>((_, reject) => {
      timer = own(() => setTimeout(() => reject(new Error(`the writer did not finish within ${timeoutMillis} ms`)), timeoutMillis));
    });
    timedOut.catch(() => {});
    // A Node stream reports some failures (a file that cannot be opened)
    // only as an 'error' event, which ends the process when nobody
    // listens: listen while the write is ours.
    const emitted = new Promise<never>((_, reject) => {
      const e = w as unknown as Partial<Emitter>;
      if (typeof e.on !== "function" || typeof e.removeListener !== "function") return;
      const onError = (err: unknown) => reject(err);
      e.on.call(w, "error", onError);
      detach = (failed) => {
        // After a failure Node emits 'error' a few ticks later: keep
        // listening a moment longer so that it finds us.
        const off = () => {
          try {
            e.removeListener!.call(w, "error", onError);
          } catch {
            // A stream that cannot unlisten keeps a no-op listener.
          }
        };
        if (failed) own(() => setTimeout(off, 100));
        else off();
      };
    });
    emitted.catch(() => {});
    await Promise.race([write(w, bytes), timedOut, emitted]);
    detach(false);
  } catch (err) {
    detach(true);
    throw new Error(`pprof: write failed: ${err instanceof Error ? err.message : shown(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
    // The write's own listener is on by now (or the write is over): the
    // early one can go, after a moment if the writer failed, as above.
    if (guarded !== undefined) {
      if (guarded.failed) own(() => setTimeout(guarded.off, 100));
      else guarded.off();
    }
  }
}

async function write(w: ProfileWriter, bytes: Uint8Array): Promise<void> {
  if (typeof (w as WritableStream).getWriter === "function") {
    const writer = (w as WritableStream<Uint8Array>).getWriter();
    // A stream that errors rejects closed too: that is this write's error.
    writer.closed.catch(() => {});
    try {
      await writer.write(bytes);
    } finally {
      try {
        writer.releaseLock();
      } catch {
        // Released already, or the stream is gone: nothing to give back.
      }
    }
    return;
  }
  const sink = w as { write(chunk: Uint8Array, callback?: (err?: Error | null) => void): unknown };
  if (sink.write.length >= 2) {
    // Node streams report errors through the write callback, not a throw.
    await new Promise<void>((resolve, reject) => {
      const r = sink.write(bytes, (err) => (err ? reject(err) : resolve()));
      // A write that returns a promise may reject instead of calling back.
      if (r instanceof Promise) r.catch(reject);
    });
    return;
  }
  await sink.write(bytes);
}

// writer.ts owns delivering bytes to whatever the caller gave as `w`: a
// WritableStream, a Node-style stream, anything with write(chunk), or nothing.

/** ProfileWriter is where writeTo sends a profile. */
export type ProfileWriter =
  | WritableStream<Uint8Array>
  | { write(chunk: Uint8Array, callback?: (err?: Error | null) => void): unknown };

/** writeAll writes bytes to w and resolves when w accepted them. A writer
 * that throws or reports an error rejects with "pprof: write failed: …" and
 * the writer's error as cause; the error is never swallowed. */
export async function writeAll(w: ProfileWriter | undefined, bytes: Uint8Array): Promise<void> {
  if (w === undefined || w === null) return;
  try {
    if (typeof (w as WritableStream).getWriter === "function") {
      const writer = (w as WritableStream<Uint8Array>).getWriter();
      try {
        await writer.write(bytes);
      } finally {
        writer.releaseLock();
      }
      return;
    }
    const sink = w as { write(chunk: Uint8Array, callback?: (err?: Error | null) => void): unknown };
    if (typeof sink.write !== "function") throw new TypeError("writer has neither getWriter() nor write()");
    if (sink.write.length >= 2) {
      // Node streams report errors through the write callback, not a throw.
      await new Promise<void>((resolve, reject) => {
        sink.write(bytes, (err) => (err ? reject(err) : resolve()));
      });
      return;
    }
    await sink.write(bytes);
  } catch (err) {
    throw new Error(`pprof: write failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

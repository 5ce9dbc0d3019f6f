// heaptext.ts owns the heap profiles' legacy text form (debug >= 1), in the
// shape of Go's writeHeapInternal: a "heap profile:" header with totals,
// one "inuse: bytes [alloc: bytes] @ ids" line per record, most bytes
// first, with its frames, then the runtime's own memory figures where Go
// prints runtime.MemStats. It does not encode protobuf.

import type { Frame } from "../host/stack.ts";
import { tabAlign } from "./text.ts";

/** HeapTextRecord is one record of the text form. A column the profile does
 * not measure is 0 (the notes say why). */
export interface HeapTextRecord {
  readonly inuseObjects: number;
  readonly inuseBytes: number;
  readonly allocObjects: number;
  readonly allocBytes: number;
  /** ids are the record's location ids, the same as in the protobuf form. */
  readonly ids: ArrayLike<number>;
  readonly frames: readonly Frame[];
}

const hex = (n: number): string => "0x" + n.toString(16);
const int = (n: number): string => Math.round(n).toString();

/** formatHeapProfile returns Go's heap text form. Go prints raw sampled
 * counts with `@ heap/<2 × rate>`, and readers (google/pprof's legacy
 * parser) scale them by the rate; our values are V8's, already scaled, so
 * the header says rate 1 (`heap/2`), which readers leave unscaled, and a
 * note gives the real sampling rate (rateBytes). Notes are
 * printed as "# " lines before the memory figures, which come grouped by the
 * call that gave them; memory undefined says the runtime has none. */
export function formatHeapProfile(
  records: readonly HeapTextRecord[],
  rateBytes: number,
  notes: readonly string[],
  memory: Record<string, object> | undefined,
  runtime: string,
): string {
  const keyed = records.map((r) => {
    let key = "@";
    for (let i = 0; i < r.ids.length; i++) key += " " + hex(r.ids[i]!);
    return { r, key };
  });
  // Go sorts by in-use bytes; a profile without them sorts by allocated bytes.
  keyed.sort((a, b) => b.r.inuseBytes - a.r.inuseBytes || b.r.allocBytes - a.r.allocBytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let io = 0;
  let ib = 0;
  let ao = 0;
  let ab = 0;
  for (const { r } of keyed) {
    io += r.inuseObjects;
    ib += r.inuseBytes;
    ao += r.allocObjects;
    ab += r.allocBytes;
  }
  let out = `heap profile: ${int(io)}: ${int(ib)} [${int(ao)}: ${int(ab)}] @ heap/2\n`;
  for (const { r, key } of keyed) {
    out += `${int(r.inuseObjects)}: ${int(r.inuseBytes)} [${int(r.allocObjects)}: ${int(r.allocBytes)}] ${key}\n`;
    out += tabAlign(r.frames.map((f, i) => `#\t${hex(r.ids[i]!)}\t${f.functionName}\t${f.url}:${f.line}:${f.column}`)) + "\n";
  }
  if (records.length > 0) notes = [`heap: sampled one object per ${int(rateBytes)} bytes allocated on average; values are already scaled to estimates`, ...notes];
  if (notes.length > 0) {
    out += "\n";
    for (const n of notes) out += `# ${n}\n`;
  }
  if (memory === undefined) {
    out += `\n# memory: ${runtime} reports no memory figures\n`;
    return out;
  }
  for (const [source, figures] of Object.entries(memory)) {
    out += `\n# ${source}\n`;
    for (const [name, value] of Object.entries(figures)) {
      if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") out += `# ${name} = ${value}\n`;
    }
  }
  return out;
}

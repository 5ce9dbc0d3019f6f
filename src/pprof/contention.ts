// contention.ts owns the shape Go gives its block and mutex profiles, which
// both predefined profiles here share: sample types contentions/count and
// delay/nanoseconds, period type contentions/count, period 1 (Go's
// printCountCycleProfile), and the legacy text form of writeProfileInternal.
// It does not measure anything.

import { encodeProfile, type Snapshot } from "./encode.ts";
import { gzip } from "../host/gzip.ts";
import { host } from "../host/host.ts";
import type { Frame } from "../host/stack.ts";
import { tabAlign } from "./text.ts";

/** ContentionRecord is one stack with its contentions and total delay. */
export interface ContentionRecord {
  readonly frames: readonly Frame[];
  readonly count: number;
  readonly delayNanos: number;
}

const textEncoder = new TextEncoder();
const hex = (n: number): string => "0x" + n.toString(16);

/** contentionSnapshot is records as Go's block and mutex profiles hold
 * them, before encoding (also what HTTP ?seconds= deltas subtract). */
export function contentionSnapshot(records: readonly ContentionRecord[], comments: readonly string[]): Snapshot {
  return {
    spec: {
      sampleTypes: [
        ["contentions", "count"],
        ["delay", "nanoseconds"],
      ],
      periodType: ["contentions", "count"],
      period: 1,
      timeNanos: host.nowNanos(),
      comments,
    },
    samples: records.map((r) => ({ frames: r.frames, values: [r.count, r.delayNanos] })),
  };
}

/** writeContention writes records as Go writes its block ("contention" in
 * the text header) or mutex profile: debug <= 0 gzip pprof, debug >= 1 the
 * text form, `--- <header>:`, `cycles/second=1000000000` (our cycles are
 * nanoseconds), Go's `sampling period=` line for mutex, then per record,
 * largest delay first, `<delay> <count> @ <location ids>` and one
 * `#\t0xID\tfunction\tfile:line:column` line per frame. Comments go into
 * the protobuf form only, since the text form has no place for them. */
export function writeContention(header: "contention" | "mutex", records: readonly ContentionRecord[], comments: readonly string[], debug: number): Uint8Array {
  const sorted = [...records].sort((a, b) => b.delayNanos - a.delayNanos);
  const snap = contentionSnapshot(sorted, comments);
  const { proto, locationIds } = encodeProfile(snap.spec, snap.samples);
  if (debug <= 0) return gzip(proto);
  let out = `--- ${header}:\ncycles/second=1000000000\n`;
  if (header === "mutex") out += "sampling period=0\n";
  sorted.forEach((r, i) => {
    const ids = locationIds[i]!;
    out += `${r.delayNanos} ${r.count} @${[...ids].map((id) => " " + hex(id)).join("")}\n`;
    out += tabAlign(r.frames.map((f, j) => `#\t${hex(ids[j]!)}\t${f.functionName}\t${f.url}:${f.line}:${f.column}`)) + "\n";
  });
  return textEncoder.encode(out);
}

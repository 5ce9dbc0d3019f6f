// delta.ts owns delta profiles, as net/http/pprof's ?seconds=N serves them
// for non-CPU profiles: p1 − p0 over two snapshots, stack by stack. It does
// not wait or schedule; http.ts takes the snapshots.

import { encodeProfile, type Label, type Snapshot, type StackSample } from "./encode.ts";
import { gzip } from "../host/gzip.ts";

// sampleKey identifies a sample by its frames and labels, whatever ids an
// encoding gave them.
function sampleKey(s: StackSample): string {
  return JSON.stringify([s.frames.map((f) => [f.functionName, f.url, f.line, f.column, f.startLine]), s.labels ?? []]);
}

/** deltaProfile returns gzip pprof of p1 − p0: each distinct stack's values
 * in p1 minus those in p0, stacks whose values all come to zero left out
 * (Go's profile.Merge with p0 scaled by −1 does the same). time_nanos is
 * p1's, duration_nanos the time between the snapshots. */
export function deltaProfile(p0: Snapshot, p1: Snapshot): Uint8Array {
  const k = p1.spec.sampleTypes.length;
  const sums = new Map<string, { sample: StackSample; values: number[] }>();
  const add = (snap: Snapshot, sign: number) => {
    for (const s of snap.samples) {
      const key = sampleKey(s);
      let e = sums.get(key);
      if (e === undefined) sums.set(key, (e = { sample: s, values: new Array<number>(k).fill(0) }));
      for (let i = 0; i < k; i++) e.values[i]! += sign * (s.values[i] ?? 0);
    }
  };
  add(p1, 1);
  add(p0, -1);
  const samples: StackSample[] = [];
  for (const { sample, values } of sums.values()) {
    if (values.every((v) => v === 0)) continue;
    samples.push({ frames: sample.frames, values, labels: sample.labels as readonly Label[] | undefined });
  }
  const t0 = p0.spec.timeNanos ?? 0n;
  const t1 = p1.spec.timeNanos ?? 0n;
  return gzip(encodeProfile({ ...p1.spec, timeNanos: t1, durationNanos: t1 > t0 ? t1 - t0 : 0n }, samples).proto);
}

// bun-deltas.ts repairs the timestamps of Bun's CPU profiles (used by
// bun.ts; its own file so that it can be tested alone). It imports no runtime module.

import type { CpuProfileShape, CpuSampler } from "../host/host.ts";

/** spreadTruncatedDeltas repairs Bun's CPU profile timestamps. Bun's
 * Profiler.stop truncates every timeDelta to whole µs but takes endTime from
 * the last sample's exact time, so lost = endTime − (startTime + Σ deltas)
 * is what truncation dropped: ~0.4 µs per sample, 3–4 ms over a 10 s chunk
 * at 1 kHz, all of it making later samples look early and taking the labels
 * of the work before them (a sampler comparison measured 13–43 % of a 2 ms
 * labeled window right late in a chunk before, 100 % after). Each delta gets
 * its share back in whole µs, since the converter sums deltas onto an
 * epoch-µs startTime (~1.8e15) where a double resolves only 0.25 µs. Only
 * for Bun: V8's endTime is the stop time, not the last sample's. */
export function spreadTruncatedDeltas(sampler: CpuSampler): CpuSampler {
  const fix = (p: CpuProfileShape): CpuProfileShape => {
    const deltas = p.timeDeltas;
    const n = deltas?.length ?? 0;
    if (deltas === undefined || n === 0) return p;
    let sum = 0;
    for (const d of deltas) sum += d;
    const lost = p.endTime - p.startTime - sum;
    // Anything else is not the signature of truncation: leave it alone.
    if (!(lost >= 1 && lost < n)) return p;
    let given = 0;
    const timeDeltas = deltas.map((d, i) => {
      const upTo = Math.floor((lost * (i + 1)) / n);
      const add = upTo - given;
      given = upTo;
      return d + add;
    });
    return { ...p, timeDeltas };
  };
  return {
    start: (intervalMicros) => sampler.start(intervalMicros),
    stop: () => {
      const r = sampler.stop();
      return r instanceof Promise ? r.then(fix) : fix(r);
    },
    close: () => sampler.close(),
  };
}

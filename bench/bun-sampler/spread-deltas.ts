// spread-deltas.ts is the proposed fix for anyprof's Bun CPU sampler, kept
// here (bench/ only) until it moves into src/runtime/bun.ts. It wraps the
// node:inspector sampler and repairs Bun's Profiler.stop timestamps; it does
// not touch Node's or Deno's profiles (V8's endTime is the stop time, not the
// last sample's, so the same arithmetic would be wrong there).
//
// Evidence (bench/bun-sampler/results.json, e2e.ts): uncorrected, samples
// drift early by ≈0.37 µs per sample (−559 µs over a 1.5 s, 1 kHz profile;
// 3–4 ms at the end of a 10 s chunk), so a 2 ms labelled window gets 13–43%
// of its samples labelled and 61–80% of the next function's samples take its
// label; corrected, 100% and 0–2%.

import type { CpuProfileShape, CpuSampler } from "../../src/host.ts";

/** spreadTruncatedDeltas: Bun's Profiler.stop truncates every timeDelta to
 * whole µs but takes endTime from the exact last sample time, so
 * lost = endTime − (startTime + Σ timeDeltas) is what the truncation lost
 * (≈0.4 µs per sample: 3–4 ms over a 10 s chunk at 1 kHz, all of it making
 * later samples look early). Each delta gets its share back, in whole µs
 * (error diffusion): the converter sums deltas onto an epoch-µs startTime
 * (~1.8e15, where a double's step is 0.25 µs), and fractional deltas would
 * be rounded at every step, by as much as 0.125 µs each time. */
export function spreadTruncatedDeltas(sampler: CpuSampler): CpuSampler {
  const fix = (p: CpuProfileShape): CpuProfileShape => {
    const deltas: number[] | undefined = p.timeDeltas;
    const n = deltas?.length ?? 0;
    if (n === 0) return p;
    let sum = 0;
    for (const d of deltas!) sum += d;
    const lost = p.endTime - p.startTime - sum;
    if (!(lost >= 1 && lost < n)) return p; // not the signature of truncation
    let given = 0;
    const fixed = deltas!.map((d, i) => {
      const upTo = Math.floor((lost * (i + 1)) / n);
      const add = upTo - given;
      given = upTo;
      return d + add;
    });
    return { ...p, timeDeltas: fixed };
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


// handle-sampler.ts builds a CpuSampler on Node's v8.startCpuProfile()
// (Node >= 24.12): V8's CPU profiler driven without the inspector, so no
// other inspector session (node --cpu-prof, DevTools) hears of its profiles,
// and no profile is serialized into a protocol message. Like
// overlapping-sampler.ts, a stop starts the next chunk's profile before
// ending the current one, so V8's sampler never stops between chunks and
// never logs all compiled code again. It does not pick when to be used
// (node.ts does) and imports no runtime module: the adapter passes
// startCpuProfile in.
//
// Node 26 takes the interval as `sampleInterval`, in milliseconds (measured
// on 26.10: 10 asked, samples 10.6 ms apart); Node 24 takes no options and
// samples every ~1.1 ms whatever is asked (24.21). Samples closer than the
// interval are thinned either way: a kept sample's delta spans the samples
// dropped before it, as if the sampler had run at the interval (on Node 26
// that drops nothing but V8's early ones).

import type { CpuProfileShape, CpuSampler } from "../host/host.ts";
import { parseHandleProfile } from "./handle-json.ts";

/** CpuProfileHandle is what v8.startCpuProfile() returns. */
export interface CpuProfileHandle {
  /** stop ends the profile and returns it as .cpuprofile JSON text. */
  stop(): string;
}

/** StartCpuProfile is v8.startCpuProfile; Node 26 reads sampleInterval
 * (milliseconds), Node 24 no options. */
export type StartCpuProfile = (options?: { sampleInterval?: number }) => CpuProfileHandle;

/** wrapMicros: Node's v8.startCpuProfile writes startTime and endTime
 * modulo 2^32 µs (measured on Node 26.10 with 7.2 h of uptime: hrtime
 * 26,029,913,451 µs, startTime 260,109,922, six wraps of 71.6 minutes
 * short of it plus 247 µs). The samples' deltas are whole. */
export const wrapMicros: number = 2 ** 32;

/** clockOffsetOf returns the profile's timestamps minus nowMicros's, given
 * the read taken as the chunk began: a whole number of wraps (0 when
 * startTime is not wrapped), or undefined when startTime is not within a
 * second of that read after unwrapping (another clock). Why not startTime
 * minus the read: V8 stamps startTime a dispatch after it (tens to
 * hundreds of µs), so every sample would be dated that much early, and a
 * sample just after a label change would get the labels before it
 * (measured: 2–8 % of a route's samples under the other route). */
export function clockOffsetOf(startTimeMicros: number, clockMicros: number): number | undefined {
  const wraps = Math.round((clockMicros - startTimeMicros) / wrapMicros);
  return Math.abs(startTimeMicros + wraps * wrapMicros - clockMicros) < 1e6 ? -wraps * wrapMicros + 0 : undefined;
}

/** handleCpuSampler returns a CpuSampler on startCpuProfile whose stop()
 * starts the next chunk before ending the current one, and whose next
 * start() adopts that running chunk. nowMicros must read the clock V8
 * stamps samples with (Node's hrtime): the profiles carry
 * clockOffsetMicros (clockOffsetOf). */
export function handleCpuSampler(startCpuProfile: StartCpuProfile, nowMicros: () => number): CpuSampler {
  let intervalMicros = 1000;
  let current: { handle: CpuProfileHandle; clock: number; overlapped: boolean } | undefined;
  let reserve: typeof current;
  const begin = (overlapped: boolean): NonNullable<typeof current> => {
    const clock = nowMicros();
    const handle = startCpuProfile({ sampleInterval: Math.max(1, Math.round(intervalMicros)) / 1000 });
    return { handle, clock, overlapped };
  };
  // end stops the chunk now and returns the parse of its JSON text, the
  // second half, which stopThen's caller may run later.
  const end = (chunk: NonNullable<typeof current>): (() => CpuProfileShape) => {
    const json = chunk.handle.stop();
    const interval = intervalMicros;
    return () => {
      const p = parseHandleProfile(json);
      const out = thin(p, interval, chunk.overlapped);
      const offset = clockOffsetOf(p.startTime, chunk.clock);
      if (offset !== undefined) out.clockOffsetMicros = offset;
      return out;
    };
  };
  const stopThen = (): (() => CpuProfileShape) => {
    if (current === undefined) throw new Error("Profiler is not started");
    const ending = current;
    current = undefined;
    reserve = begin(true);
    return end(ending);
  };
  return {
    start(interval: number): number {
      if (reserve !== undefined) {
        current = reserve;
        reserve = undefined;
        return current.clock;
      }
      intervalMicros = interval;
      current = begin(false);
      return current.clock;
    },
    stop(): CpuProfileShape {
      return stopThen()();
    },
    stopThen,
    close(): void {
      for (const chunk of [current, reserve]) {
        try {
          chunk?.handle.stop();
        } catch {
          // Already stopped: nothing to release.
        }
      }
      current = undefined;
      reserve = undefined;
    },
  };
}

/** thin drops samples closer than intervalMicros to the last one kept
 * (keeping timestamps: a kept sample's delta spans the dropped ones) and,
 * when overlapped, the first sample, which V8 takes of the stack that
 * started the profile (ours) when its sampler was already running. */
export function thin(p: CpuProfileShape, intervalMicros: number, overlapped: boolean): CpuProfileShape {
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  const keptSamples: number[] = [];
  const keptDeltas: number[] = [];
  // Sampling by due time, not by gaps, keeps the kept rate at the interval
  // when V8's samples come a little late or early.
  let due = p.startTime + intervalMicros / 2;
  let t = p.startTime;
  let last = p.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    if (i === 0 && overlapped) continue;
    if (t < due) continue;
    keptSamples.push(samples[i]!);
    keptDeltas.push(t - last);
    last = t;
    due = Math.max(due + intervalMicros, t + intervalMicros / 2);
  }
  return { nodes: p.nodes, samples: keptSamples, timeDeltas: keptDeltas, startTime: p.startTime, endTime: p.endTime };
}

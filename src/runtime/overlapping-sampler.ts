// overlapping-sampler.ts builds CPU samplers for V8 (Node, Deno) on an
// in-process inspector session of their own, for profilers that drain their
// samples every so often (the block profiler, and startCPUProfile's chunks):
// stopping and restarting V8's profiler for that costs a pause the
// application feels (V8 tears down its sampler and logs every
// compiled function again: 100–200 ms in a large application, measured by
// test/runtimes/predefined-cost.mjs). Here a drain never lets V8's sampler
// stop: each chunk is a console.profile() profile of this session, and the
// next chunk starts before the current one ends. This file imports no
// runtime module; the adapter passes Session and console in.

import type { CpuProfileShape, CpuSampler } from "../host/host.ts";

/** EventSessionLike is the part of node:inspector's Session used here. */
export interface EventSessionLike {
  connect(): void;
  disconnect(): void;
  post(method: string, params: object, callback: (err: Error | null, result: unknown) => void): void;
  on(event: string, listener: (message: { params: { title?: string; profile: CpuProfileShape } }) => void): unknown;
}

/** ConsoleProfiler is console.profile and console.profileEnd. */
export interface ConsoleProfiler {
  profile(title: string): void;
  profileEnd(title: string): void;
}

type Answer<T> = T | Promise<T>;

// post sends method, answering at once where the session does (Node).
function post(session: EventSessionLike, method: string, params: object = {}): Answer<void> {
  let done = false;
  let error: Error | null = null;
  let settle: ((err: Error | null) => void) | undefined;
  session.post(method, params, (err) => {
    done = true;
    error = err;
    settle?.(err);
  });
  if (done) {
    if (error) throw new Error(`${method}: ${(error as Error).message}`);
    return;
  }
  return new Promise((resolve, reject) => {
    settle = (err) => (err ? reject(new Error(`${method}: ${err.message}`)) : resolve());
  });
}

let sequence = 0;

/** SamplerClock says how V8's profile timestamps relate to nowMicros:
 * "host" where they are the same clock (Node: V8's TimeTicks and
 * process.hrtime both read the OS monotonic clock), "measure" where only
 * the difference can be measured (Deno, whose clocks count from its start). */
export type SamplerClock = "host" | "measure";

/** overlappingCpuSampler returns a CpuSampler whose stop() starts the next
 * chunk's profile before ending the current one, and whose next start()
 * adopts that running profile: a stop followed by a start never stops V8's
 * sampler. Chunks are console profiles titled `<titlePrefix><n>`, so V8 also
 * delivers them to any other session with the Profiler domain enabled
 * (DevTools, the other anyprof sampler), which ignore them. nowMicros is
 * read just before each chunk begins; the profiles it returns carry
 * clockOffsetMicros, found as clock says.
 *
 * Why not startTime minus that read: V8 stamps startTime tens of µs after
 * it, so every sample would be dated that much early, and a sample taken
 * just after a label change would get the labels before it (measured: in
 * one run of 15, a third of a 2 ms timer callback's samples). With "host"
 * the offset is 0. With "measure", once, a tiny calibration profile runs
 * inside the first chunk (overlapping, so V8 logs no code for it), between
 * two reads of nowMicros: its startTime is stamped a dispatch after the
 * first read and its endTime a dispatch before the second, so the mean of
 * the two differences cancels the dispatch. */
export function overlappingCpuSampler(
  Session: new () => EventSessionLike,
  console: ConsoleProfiler,
  nowMicros: () => number,
  titlePrefix: string = "anyprof-block-",
  clock?: SamplerClock,
): CpuSampler {
  const session = new Session();
  session.connect();
  // Finished chunks arrive as events: at once in Node, later in Deno.
  const arrived = new Map<string, CpuProfileShape>();
  const waiting = new Map<string, (profile: CpuProfileShape) => void>();
  let closed = false;
  session.on("Profiler.consoleProfileFinished", ({ params }) => {
    const title = params.title ?? "";
    if (closed) return;
    const wake = waiting.get(title);
    if (wake !== undefined) {
      waiting.delete(title);
      wake(params.profile);
    } else if (title.startsWith(titlePrefix)) {
      arrived.set(title, params.profile);
    }
  });
  let enabled = false;
  let current: string | undefined;
  let reserve: { title: string; clock: number } | undefined;

  // Chunks begun while another ran: V8 records the current stack (ours, in
  // begin) as their first sample, which is not the application's.
  const overlapped = new Set<string>();
  // The host clock read as each chunk began, by title, for its offset.
  const clockAt = new Map<string, number>();
  const begin = (): { title: string; clock: number } => {
    const title = `${titlePrefix}${++sequence}`;
    if (current !== undefined) overlapped.add(title);
    const at = nowMicros();
    console.profile(title);
    clockAt.set(title, at);
    return { title, clock: at };
  };

  // measured is the offset calibrate found ("measure" only).
  let measured: number | undefined;
  const calibrate = (): Answer<void> => {
    const title = `${titlePrefix}clock-${++sequence}`;
    const before = nowMicros();
    console.profile(title);
    console.profileEnd(title);
    const after = nowMicros();
    const got = arrived.get(title);
    const use = (p: CpuProfileShape): void => {
      // A session closed before the profile came back wakes us with nothing.
      if (p.startTime === 0 && p.endTime === 0) return;
      const startSide = p.startTime - before;
      const endSide = p.endTime - after;
      // The two sides bracket the true offset; a wide bracket (the thread
      // was descheduled in between) is no better than a chunk's own read.
      if (startSide >= endSide && startSide - endSide < 1000) measured = (startSide + endSide) / 2;
    };
    if (got !== undefined) {
      arrived.delete(title);
      return use(got);
    }
    return new Promise<void>((resolve) =>
      waiting.set(title, (p) => {
        use(p);
        resolve();
      }),
    );
  };
  const offsetOf = (title: string, p: CpuProfileShape): number | undefined => {
    const at = clockAt.get(title);
    clockAt.delete(title);
    if (clock === "measure") return measured;
    // One clock: a difference of a second or more would mean it is not.
    if (clock === "host" && at !== undefined && Math.abs(p.startTime - at) < 1e6) return 0;
    return undefined;
  };
  const trim = (title: string, p: CpuProfileShape): CpuProfileShape => {
    const clockOffsetMicros = offsetOf(title, p);
    const out = clockOffsetMicros === undefined ? p : { ...p, clockOffsetMicros };
    if (!overlapped.delete(title)) return out;
    const samples = p.samples ?? [];
    const deltas = p.timeDeltas ?? [];
    if (samples.length === 0) return out;
    // The second sample's delta absorbs the first's, keeping timestamps.
    const timeDeltas = deltas.slice(1);
    if (timeDeltas.length > 0) timeDeltas[0] = timeDeltas[0]! + (deltas[0] ?? 0);
    return { ...out, samples: samples.slice(1), timeDeltas };
  };
  const end = (title: string): Answer<CpuProfileShape> => {
    console.profileEnd(title);
    const got = arrived.get(title);
    if (got !== undefined) {
      arrived.delete(title);
      return trim(title, got);
    }
    return new Promise((resolve) => waiting.set(title, (p) => resolve(trim(title, p))));
  };

  return {
    start(intervalMicros: number): Answer<number> {
      if (reserve !== undefined) {
        current = reserve.title;
        const clock = reserve.clock;
        reserve = undefined;
        return clock;
      }
      const go = (): Answer<number> => {
        const chunk = begin();
        current = chunk.title;
        if (clock !== "measure" || measured !== undefined) return chunk.clock;
        const calibrated = calibrate();
        return calibrated instanceof Promise ? calibrated.then(() => chunk.clock) : chunk.clock;
      };
      if (enabled) return go();
      enabled = true;
      // The interval can be set only while this session's profiler is idle.
      const enable = post(session, "Profiler.enable");
      const interval = () => post(session, "Profiler.setSamplingInterval", { interval: Math.max(1, Math.round(intervalMicros)) });
      if (enable instanceof Promise) return enable.then(interval).then(go);
      const set = interval();
      return set instanceof Promise ? set.then(go) : go();
    },
    stop(): Answer<CpuProfileShape> {
      if (current === undefined) throw new Error("Profiler is not started");
      const ending = current;
      current = undefined;
      reserve = begin();
      return end(ending);
    },
    close(): void {
      closed = true;
      // Ending every chunk, then disabling, leaves V8's profiler as found.
      for (const title of [current, reserve?.title]) if (title !== undefined) console.profileEnd(title);
      current = undefined;
      reserve = undefined;
      clockAt.clear();
      for (const wake of waiting.values()) wake({ nodes: [], startTime: 0, endTime: 0 });
      waiting.clear();
      arrived.clear();
      try {
        const disabled = post(session, "Profiler.disable");
        if (disabled instanceof Promise) disabled.catch(() => {});
      } catch {
        // Nothing to release.
      }
      session.disconnect();
    },
  };
}

// cpu.ts owns Go's StartCPUProfile/StopCPUProfile: one CPU profile at a
// time, fed by the adapter's sampler in chunks (so that a long profile keeps
// V8's sample buffer and the label timeline bounded), converted into a core
// of its own and written as gzip pprof. It never throws into the host's code
// paths: a sampler failure is kept and reported by stopCPUProfile.

import { newCore, type Core } from "../pprof/core.ts";
import { CpuProfileConverter } from "../pprof/cpuprofile.ts";
import { gzip } from "../host/gzip.ts";
import { host, type CpuProfileShape, type CpuRecorder, type CpuSampler, type ThreadSampler } from "../host/host.ts";
import { startTimeline, takeTimeline, timelineRecording } from "./labels.ts";
import { checkTimeoutMillis, checkWriter, guardWriter, writeAll, type ProfileWriter } from "../host/writer.ts";
import { checkBoolean, checkNumber, checkOptions, given, shown } from "../host/validate.ts";
import { own } from "../host/own.ts";
import { ThreadCpuReadings, cpuWindowMillis } from "./cpu-clock.ts";
import { addThreadChunks, newThreadSampler } from "./cpu-threads.ts";

/** CpuProfileOptions tunes a CPU profile. */
export interface CpuProfileOptions {
  /** hz is the sampling rate (default 100, like Go). */
  hz?: number;
  /** intervalMicros is the sampling interval; it overrides hz. */
  intervalMicros?: number;
  /** includeIdle keeps "(idle)" samples, for a wall-clock view. */
  includeIdle?: boolean;
  /** chunkSeconds is how often the sampler's buffer is drained into the
   * profile (default 10): it bounds memory for long profiles. */
  chunkSeconds?: number;
  /** writeTimeoutMillis bounds the write to w at stop (default 30 s): a
   * writer that takes longer fails stopCPUProfile with "pprof: write
   * failed: …" instead of holding it forever. */
  writeTimeoutMillis?: number;
  /** offThread converts each chunk off the application's thread where the
   * runtime can (Node: a worker thread; see docs/app-thread-cost.md): the
   * application is held only while V8 hands a chunk over. Sampling then
   * begins once the worker is ready (the first time, a fraction of a
   * second), which the returned promise waits for. Elsewhere, and on Node
   * while another inspector session may hear console profiles (--cpu-prof,
   * an open inspector port), the profile runs in-thread as without it. */
  offThread?: boolean;
  /** cpuWindowMillis is how often the thread's CPU clock is read, where the
   * runtime has one (default 100): each window's CPU time is shared among
   * its samples. */
  cpuWindowMillis?: number;
  /** lines splits each leaf's samples across the source lines the engine
   * saw them on (default true); false keeps every frame at its function's
   * line, for smaller profiles. */
  lines?: boolean;
  /** threads profiles the application's other threads too (Node's
   * worker_threads, including those that start and end meanwhile), each
   * sample labelled with its thread (thread="pool (#3)", thread_name="pool";
   * the main thread's "main (#0)"); default false. See docs/threads.md.
   * A runtime that cannot fails startCPUProfile with "pprof: threads: …".
   * It runs the in-thread sampler (offThread is ignored). */
  threads?: boolean;
}

/** labelTimelineCap bounds the label changes kept per chunk (12 bytes each);
 * past it, samples keep the last label set seen and the profile says so. */
export const labelTimelineCap: number = 1 << 20;

let active: ActiveProfile | undefined;
// One CPU profile runs at a time, so one core instance serves them all.
let cpuCore: Core | undefined;

class ActiveProfile {
  readonly writer: ProfileWriter | undefined;
  writeTimeoutMillis = 0;
  readonly #sampler: CpuSampler | undefined;
  // #converter is replaced at each cut (continuous profiling's windows).
  #converter: CpuProfileConverter | undefined;
  readonly #core: Core | undefined;
  // #recorder, when the host offers one, samples and converts elsewhere
  // (Node: a worker thread); then #sampler and #converter are unused.
  readonly #recorder: CpuRecorder | undefined;
  readonly #includeIdle: boolean;
  readonly #lines: boolean;
  readonly #intervalMicros: number;
  #startNanos: bigint;
  #timer: ReturnType<typeof setInterval> | undefined;
  // Sampler calls are serialized so that a chunk drain and stop never
  // overlap: #queued counts unfinished steps, #tail is the last one.
  #queued = 0;
  #tail: Promise<void> = Promise.resolve();
  // #inStep is true while a step runs synchronously: an interrupt (anyprof
  // record's rescue of a busy program) that lands then must not re-enter
  // the sampler and the core.
  #inStep = false;
  #clockAtStart = 0;
  // #calledMicros is when startCPUProfile was called; #startDelayMillis how
  // long an asynchronous sampler took to begin (undefined: synchronous).
  #calledMicros: number;
  #startDelayMillis: number | undefined;
  // #notBeforeMicros (host clock), set when this profile adopted a spare
  // sampler, drops the samples its first chunk took before this profile
  // began: they belong to no profile.
  #notBeforeMicros: number | undefined;
  // #pending is the second half of the last drain (the chunk's parse and
  // conversion), left for a later turn of the event loop so that the
  // application runs between the halves; every later step runs it first.
  #pending: (() => void) | undefined;
  #failure: Error | undefined;
  #labelsTruncated = false;
  readonly #cpuClock: ThreadCpuReadings;
  readonly #cpuWindowMillis: number;
  // #threads, when the profile asked for threads, samples the other threads.
  readonly #threads: ThreadSampler | undefined;
  #threadsSkipped = false;
  readonly started: Promise<void>;
  /** stopping is the stop under way, which a second stopCPUProfile waits for. */
  stopping: Promise<Uint8Array | undefined> | undefined;

  constructor(sampler: CpuSampler | CpuRecorder, core: Core | undefined, w: ProfileWriter | undefined, intervalMicros: number, options: CpuProfileOptions, adopted = false, threads?: ThreadSampler) {
    this.writer = w;
    this.#threads = threads;
    if (adopted) this.#notBeforeMicros = host.nowMicros();
    this.#intervalMicros = intervalMicros;
    this.#includeIdle = options.includeIdle ?? false;
    this.#core = core;
    this.#lines = options.lines ?? true;
    if ("cut" in sampler) {
      this.#recorder = sampler;
    } else {
      this.#sampler = sampler;
      this.#converter = new CpuProfileConverter(core!, { intervalMicros, includeIdle: this.#includeIdle, lineLevel: this.#lines });
    }
    this.#startNanos = host.nowNanos();
    this.#calledMicros = host.nowMicros();
    this.#cpuWindowMillis = options.cpuWindowMillis ?? cpuWindowMillis;
    this.#cpuClock = new ThreadCpuReadings(this.#cpuWindowMillis);
    startTimeline(labelTimelineCap);
    this.started = this.#run(() => {
      const began = this.#start();
      if (threads === undefined) return began;
      return began instanceof Promise ? began.then(() => threads.start(intervalMicros)) : threads.start(intervalMicros);
    });
    // chunkSeconds was checked by startCPUProfile; Infinity means no drains.
    const chunkSeconds = options.chunkSeconds ?? 10;
    if (Number.isFinite(chunkSeconds)) {
      this.#timer = own(() => setInterval(() => void this.#run(() => this.#drain(true, true)).catch(() => {}), chunkSeconds * 1000));
      host.unrefTimer(this.#timer);
    }
  }

  // #run runs step now when nothing is queued (so that on Node, whose
  // sampler answers synchronously, sampling starts before start returns),
  // else after the queued steps. A failure is kept for stop.
  #run(step: () => void | Promise<void>): Promise<void> {
    const exec = (): void | Promise<void> => (this.#failure === undefined ? step() : undefined);
    let out: Promise<void>;
    if (this.#queued === 0) {
      try {
        this.#inStep = true;
        let result: void | Promise<void>;
        try {
          result = exec();
        } finally {
          this.#inStep = false;
        }
        if (!(result instanceof Promise)) return Promise.resolve();
        out = result;
      } catch (err) {
        this.#fail(err);
        return handledRejection(err);
      }
    } else {
      out = this.#tail.then(exec);
    }
    this.#queued++;
    const settled = out.then(
      () => void this.#queued--,
      (err: unknown) => {
        this.#queued--;
        this.#fail(err);
        throw err;
      },
    );
    this.#tail = settled.catch(() => {});
    return settled;
  }

  #fail(err: unknown): void {
    this.#failure ??= err instanceof Error ? err : new Error(String(err));
  }

  #start(): void | Promise<void> {
    if (this.#recorder !== undefined) {
      return this.#recorder.start(this.#intervalMicros, this.#includeIdle).then((clockMicros) => void (this.#clockAtStart = clockMicros));
    }
    const began = this.#sampler!.start(this.#intervalMicros);
    if (began instanceof Promise) {
      return began.then((clockMicros) => {
        this.#clockAtStart = clockMicros;
        this.#startDelayMillis ??= (host.nowMicros() - this.#calledMicros) / 1000;
        this.#cpuClock.read();
      });
    }
    this.#clockAtStart = began;
    this.#cpuClock.read();
  }

  // #flush runs the pending second half of a drain, if any; a failure is
  // kept for stop.
  #flush(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) return;
    try {
      pending();
    } catch (err) {
      this.#fail(err);
    }
  }

  // #drain stops the sampler, adds what it recorded, and restarts it unless
  // this is the final drain. With split, a sampler that can hand its chunk
  // over in two halves (stopThen) has only the first run now: the parse and
  // conversion wait for a later turn (#pending, flushed by a timer or by
  // the next step), so the application's longest block is the larger half,
  // not their sum. Without split (an exit handler's synchronous stop) all
  // runs now, and the other threads' chunks, which take a round trip, are
  // left out.
  #drain(restart: boolean, split = false): void | Promise<void> {
    this.#flush();
    if (this.#recorder !== undefined) {
      // The split is one synchronous moment: labels taken, chunk cut.
      const timeline = takeTimeline(!restart);
      if (timeline.overflowed) this.#labelsTruncated = true;
      return this.#recorder.cut(timeline, restart);
    }
    // The chunk's last CPU reading (and the next chunk's first): just
    // before the sampler stops.
    this.#cpuClock.read();
    const cpu = this.#cpuClock.take();
    const sampler = this.#sampler!;
    // add converts a chunk with what was true when it ended: the label
    // timeline and clock reading taken at the stop, this converter (a
    // window cut replaces it).
    const add = (profile: CpuProfileShape, timeline: ReturnType<typeof takeTimeline>, clockAtStart: number, notBefore: number | undefined, converter: CpuProfileConverter): void => {
      // The sampler's clock and ours differ by a constant: the profile's
      // start is when sampling began, which is when we read our clock.
      const offsetMicros = profile.clockOffsetMicros ?? profile.startTime - clockAtStart;
      converter.add(notBefore === undefined ? profile : dropBefore(profile, notBefore + offsetMicros), { timeline, offsetMicros, thread: this.#threads?.mainThread }, cpu !== undefined ? { ...cpu, offsetMicros } : undefined);
    };
    const cutNow = () => {
      const timeline = takeTimeline(!restart);
      if (timeline.overflowed) this.#labelsTruncated = true;
      const notBefore = this.#notBeforeMicros;
      this.#notBeforeMicros = undefined;
      return { timeline, clockAtStart: this.#clockAtStart, notBefore, converter: this.#converter! };
    };
    // withThreads asks for the other threads' chunks after the main
    // thread's (the app runs meanwhile) and adds them to the same window's
    // converter, after the main chunk (the same order every time).
    const withThreads = (restarted: void | Promise<void>, converter: CpuProfileConverter): void | Promise<void> => {
      const threads = this.#threads;
      if (threads === undefined) return restarted;
      if (!split) {
        this.#threadsSkipped = true;
        return restarted;
      }
      const addThreads = (): Promise<void> =>
        threads.cut(restart).then((chunks) => {
          this.#flush();
          addThreadChunks(converter, chunks);
        });
      return restarted instanceof Promise ? restarted.then(addThreads) : addThreads();
    };
    // A sampler answering at once without stopThen (Node's inspector ones)
    // has parsed the chunk already: its conversion still waits.
    const stopped = split && sampler.stopThen !== undefined ? sampler.stopThen() : sampler.stop();
    if (split && !(stopped instanceof Promise)) {
      const build = typeof stopped === "function" ? stopped : () => stopped;
      const { timeline, clockAtStart, notBefore, converter } = cutNow();
      this.#pending = () => add(build(), timeline, clockAtStart, notBefore, converter);
      own(() => later(() => this.#flush()));
      return withThreads(restart ? this.#start() : undefined, converter);
    }
    const take = (profile: CpuProfileShape) => {
      const { timeline, clockAtStart, notBefore, converter } = cutNow();
      add(profile, timeline, clockAtStart, notBefore, converter);
      return withThreads(restart ? this.#start() : undefined, converter);
    };
    return stopped instanceof Promise ? stopped.then(take) : take(stopped as CpuProfileShape);
  }

  /** stop drains the last chunk and returns the gzip-compressed profile. */
  async stop(): Promise<Uint8Array> {
    clearInterval(this.#timer);
    let bytes: Uint8Array | undefined;
    // The application runs between the stop's steps (a turn of the event
    // loop each): the chunk's end, its parse and conversion (split where the
    // sampler can), then encode + gzip. Its longest block is the longest
    // step, not their sum (stopCPUProfileSync runs them at once).
    await this.#run(() => {
      // The profile ends when its last chunk does, not when it is encoded.
      const endNanos = host.nowNanos();
      const drained = this.#drain(false, true);
      if (this.#recorder !== undefined) return this.#recorder.finish(...this.#finishArgs()).then((b) => void (bytes = b));
      const finish = async (): Promise<void> => {
        if (this.#pending !== undefined) {
          await nextTurn();
          this.#flush();
        }
        await nextTurn();
        bytes = this.#finish(endNanos);
      };
      return drained instanceof Promise ? drained.then(finish) : finish();
    }).catch(() => {});
    return this.#close(bytes, true);
  }

  /** cut drains the current chunk and returns the profile of the window
   * since the previous cut (or the start), then begins the next window on
   * the same running sampler: no V8 restart, windows contiguous (the next
   * one's start is this one's end, to the nanosecond). */
  async cut(): Promise<CpuWindow> {
    // The off-thread recorder converts every chunk into one profile in its
    // worker and has no window boundary yet: continuous profiling runs the
    // in-thread sampler (which it never restarts either).
    if (this.#recorder !== undefined) throw new Error("pprof: a CPU profile started with offThread cannot be cut into windows");
    let out: CpuWindow | undefined;
    await this.#run(() => {
      // The boundary is the moment the drain begins: the sampler's next
      // chunk starts there.
      const endNanos = host.nowNanos();
      const finishWindow = async (): Promise<void> => {
        // The chunk's conversion and the encode each wait a turn of the
        // event loop: the application runs between the drain and them, so
        // that a cycle's longest block is the largest step, not their sum.
        if (this.#pending !== undefined) {
          await nextTurn();
          this.#flush();
        }
        await nextTurn();
        const startNanos = this.#startNanos;
        out = { bytes: this.#finish(endNanos), startNanos, endNanos };
        this.#startNanos = endNanos;
        this.#labelsTruncated = false;
        this.#converter = new CpuProfileConverter(this.#core!, { intervalMicros: this.#intervalMicros, includeIdle: this.#includeIdle, lineLevel: this.#lines });
      };
      const drained = this.#drain(true, true);
      return drained instanceof Promise ? drained.then(finishWindow) : finishWindow();
    });
    return out!;
  }

  /** stopSync is stop for a sampler that answers synchronously (Node's), for
   * exit handlers, which cannot wait; undefined when it cannot. */
  stopSync(): Uint8Array | undefined {
    if (!this.canStopSync()) return undefined;
    clearInterval(this.#timer);
    let bytes: Uint8Array | undefined;
    void this.#run(() => {
      const drained = this.#drain(false);
      if (drained instanceof Promise) throw new Error("the sampler answers asynchronously");
      bytes = this.#recorder !== undefined ? this.#recorder.finishSync(...this.#finishArgs()) : this.#finish();
    }).catch(() => {});
    return this.#close(bytes, false);
  }

  /** sampleCount is the number of samples drained so far. */
  get sampleCount(): number {
    return this.#recorder?.sampleCount ?? this.#converter!.sampleCount;
  }

  /** canStopSync reports whether stopSync can run now: no step is queued
   * and none is running (it may be called from an interrupt). */
  canStopSync(): boolean {
    return this.#queued === 0 && !this.#inStep;
  }

  #finishArgs(endNanos: bigint = host.nowNanos()): [bigint, bigint, string[]] {
    const comments = this.#labelsTruncated ? [`labels: more than ${labelTimelineCap} label changes in a chunk; later samples keep the last labels seen`] : [];
    // Deno and Bun start their sampler asynchronously: a program that does
    // not await startCPUProfile() and then runs synchronously has nothing
    // sampled, and the profile must not look like an idle program's.
    if (this.#startDelayMillis !== undefined && this.#startDelayMillis >= 10) {
      comments.push(`cpu: the sampler started ${this.#startDelayMillis.toFixed(1)} ms after startCPUProfile() was called (${host.runtime} starts it asynchronously); work before then is not in this profile: await startCPUProfile() before the work to profile`);
    }
    if (this.#converter !== undefined) comments.push(this.#cpuComment());
    if (this.#threads !== undefined) comments.push(...this.#threads.comments());
    if (this.#threadsSkipped) comments.push("threads: the profile was stopped synchronously (an exit handler): the workers' samples since the last chunk cut are not in it");
    return [this.#startNanos, endNanos - this.#startNanos, comments];
  }

  #finish(endNanos?: bigint): Uint8Array {
    return gzip(this.#converter!.finish(...this.#finishArgs(endNanos)));
  }

  // #cpuComment says where cpu/nanoseconds comes from.
  #cpuComment(): string {
    if (this.#cpuClock.available) {
      const unsampled = this.#converter!.cpuUnsampledMicros;
      return `cpu/nanoseconds: the sampled thread's CPU time (${host.threadCpuClock ?? "thread CPU clock"}), read every ${this.#cpuWindowMillis} ms and shared among each window's samples${unsampled > 0 ? `; ${(unsampled / 1000).toFixed(1)} ms ran where no sample fell and is not in the profile` : ""}`;
    }
    // The converter explains what cpu/nanoseconds is then.
    return `anyprof: ${host.runtime} has no thread CPU clock`;
  }

  // #close releases the sampler; keep (an asynchronous stop that worked)
  // leaves an in-thread sampler running for spareMillis instead, for the
  // next startCPUProfile to adopt.
  #close(bytes: Uint8Array | undefined, keep: boolean): Uint8Array {
    // A failed profile never drained its last chunk: end the label log
    // (and its async hooks) here, whatever happened.
    if (timelineRecording()) takeTimeline(true);
    this.#cpuClock.close();
    try {
      this.#threads?.close();
    } catch {
      // A thread sampler that cannot close has nothing left to give us.
    }
    try {
      if (keep && this.#failure === undefined && this.#sampler !== undefined) spareSampler(this.#sampler, this.#intervalMicros);
      else (this.#recorder ?? this.#sampler)!.close();
    } catch {
      // A sampler that cannot close has nothing left to give us.
    }
    if (this.#failure !== undefined) throw new Error(`pprof: cpu sampler failed: ${this.#failure.message}`, { cause: this.#failure });
    return bytes!;
  }
}

// later runs fn in a later turn of the event loop: after the I/O callbacks
// ready now where the runtime has setImmediate (Node, Bun), else after a
// timer. (A 0 ms timer set in a timer callback may run in the same timers
// phase, before any I/O.)
const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
function later(fn: () => void): void {
  if (typeof immediate === "function") immediate(fn);
  else setTimeout(fn, 0);
}

// nextTurn resolves in a later turn of the event loop, letting the
// application run first.
function nextTurn(): Promise<void> {
  return own(() => new Promise<void>((resolve) => later(resolve)));
}

/** spareMillis is how long a stopped profile's sampler keeps running for a
 * start that follows (back-to-back profiles, a continuous profiler's next
 * period, the next /debug/pprof/profile scrape): adopting it, the next
 * profile begins without stopping V8's sampler, which would log all
 * compiled code again (13-70 ms in a large application). Short, because
 * ending the spare unused builds a profile nobody reads. */
export const spareMillis = 250;

// spare.factory is the host.newCpuSampler that made it: a host whose
// sampler factory was replaced since gets a sampler from the new one.
let spare: { sampler: CpuSampler; intervalMicros: number; factory: unknown; timer: ReturnType<typeof setTimeout> } | undefined;

function spareSampler(sampler: CpuSampler, intervalMicros: number): void {
  closeSpare();
  const timer = own(() => setTimeout(closeSpare, spareMillis));
  host.unrefTimer(timer);
  spare = { sampler, intervalMicros, factory: host.newCpuSampler, timer };
}

function closeSpare(): void {
  const s = spare;
  spare = undefined;
  if (s === undefined) return;
  clearTimeout(s.timer);
  try {
    s.sampler.close();
  } catch {
    // A sampler that cannot close has nothing left to give us.
  }
}

// takeSpare returns the spare sampler when it runs at intervalMicros.
function takeSpare(intervalMicros: number): CpuSampler | undefined {
  if (spare === undefined || spare.intervalMicros !== intervalMicros || spare.factory !== host.newCpuSampler) {
    closeSpare();
    return undefined;
  }
  const { sampler, timer } = spare;
  clearTimeout(timer);
  spare = undefined;
  return sampler;
}

/** dropBefore drops the samples taken before atMicros (on the profile's
 * clock), keeping the timestamps of the rest: the first kept sample's delta
 * absorbs the dropped ones'. */
function dropBefore(p: Awaited<ReturnType<CpuSampler["stop"]>>, atMicros: number): Awaited<ReturnType<CpuSampler["stop"]>> {
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  let t = p.startTime;
  let i = 0;
  let skipped = 0;
  for (; i < samples.length; i++) {
    const next = t + (deltas[i] ?? 0);
    if (next >= atMicros) break;
    t = next;
    skipped += deltas[i] ?? 0;
  }
  if (i === 0) return p;
  const timeDeltas = deltas.slice(i);
  if (timeDeltas.length > 0) timeDeltas[0] = timeDeltas[0]! + skipped;
  return { ...p, samples: samples.slice(i), timeDeltas };
}

// handledRejection is a rejected promise that does not count as unhandled:
// a caller who ignores it must not have its process taken down.
function handledRejection(err: unknown): Promise<never> {
  const p = Promise.reject(err);
  p.catch(() => {});
  return p;
}

// heldBy names who runs the current CPU profile when it is not the caller's
// own code (`anyprof record`), so that a second start says so.
let heldBy: string | undefined;

/** holdCPUProfile marks the running CPU profile as started on the caller's
 * behalf by `by` (e.g. "anyprof record, writing ./x/cpu.pb.gz"): a second
 * startCPUProfile then throws "cpu profiling already in use (by …)". */
export function holdCPUProfile(by: string): void {
  heldBy = by;
}

/** startCPUProfile starts the CPU profile, like Go's StartCPUProfile: it
 * throws "cpu profiling already in use" while one runs. The returned promise
 * resolves once sampling has begun (at once on Node; Deno and Bun answer
 * asynchronously), and rejects if the sampler could not start. */
export function startCPUProfile(w?: ProfileWriter, options: CpuProfileOptions = {}): Promise<void> {
  if (active !== undefined) throw new Error(heldBy === undefined ? "cpu profiling already in use" : `cpu profiling already in use (by ${heldBy})`);
  // Options and writer are checked here, where they are given, not when
  // the profile stops.
  const o = checkOptions("startCPUProfile", options);
  checkWriter(w);
  if (o.hz !== undefined && typeof o.hz !== "number") checkNumber("hz", o.hz, 1, 1e6);
  if (o.intervalMicros !== undefined && typeof o.intervalMicros !== "number") checkNumber("intervalMicros", o.intervalMicros, 1, 1e6);
  const intervalMicros = (o.intervalMicros as number | undefined) ?? 1e6 / ((o.hz as number | undefined) ?? 100);
  if (!Number.isFinite(intervalMicros) || intervalMicros < 1 || intervalMicros > 1e6) {
    const from = o.intervalMicros !== undefined ? "" : ` (hz ${shown(o.hz)})`;
    throw new Error(`pprof: cpu sampling interval must be from 1 µs to 1 s, got ${shown(intervalMicros)} µs${from}`);
  }
  checkBoolean("includeIdle", o.includeIdle);
  checkBoolean("threads", o.threads);
  const writeTimeoutMillis = checkTimeoutMillis("writeTimeoutMillis", o.writeTimeoutMillis);
  const chunkSeconds = given(o.chunkSeconds, 10);
  if (!(chunkSeconds === Infinity || (typeof chunkSeconds === "number" && chunkSeconds >= 0.001 && chunkSeconds <= 2_000_000))) {
    throw new Error(`pprof: chunkSeconds must be from 0.001 to 2e6, or Infinity for no drains, got ${shown(chunkSeconds)}`);
  }
  const windowMillis = options.cpuWindowMillis ?? cpuWindowMillis;
  if (!(windowMillis >= 1 && windowMillis <= 3_600_000)) {
    throw new Error(`pprof: cpuWindowMillis must be from 1 to 3600000, got ${windowMillis}`);
  }
  if (host.newCpuSampler === undefined) {
    throw new Error(`pprof: no in-process CPU sampler in ${host.runtime}; profile it from outside over the inspector protocol (anyprof attach)`);
  }
  let sampler: CpuSampler | CpuRecorder | undefined;
  let adopted = false;
  const threads = o.threads === true ? newThreadSampler() : undefined;
  try {
    sampler = options.offThread === true && threads === undefined ? host.newCpuRecorder?.() : undefined;
    if (sampler === undefined) {
      cpuCore ??= newCore(host.wasmModule());
      sampler = takeSpare(intervalMicros);
      adopted = sampler !== undefined;
      sampler ??= host.newCpuSampler!(intervalMicros);
    }
  } catch (err) {
    threads?.close();
    throw new Error(`pprof: could not start the cpu sampler: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  // The writer waits until the stop: its errors until then are the write's.
  guardWriter(w);
  const profile = new ActiveProfile(sampler, cpuCore, w, intervalMicros, options, adopted, threads);
  profile.writeTimeoutMillis = writeTimeoutMillis;
  active = profile;
  const started = profile.started.catch(async (err: unknown) => {
    // A sampler that failed to start leaves no profile running.
    if (active === profile) {
      active = undefined;
      heldBy = undefined;
      await profile.stop().catch(() => {});
    }
    throw new Error(`pprof: could not start the cpu sampler: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });
  started.catch(() => {});
  return started;
}

/** stopCPUProfile stops the CPU profile and resolves to its gzip pprof
 * bytes, also written to the writer given at start. Without a running
 * profile it is a no-op resolving to undefined, as in Go. */
export async function stopCPUProfile(): Promise<Uint8Array | undefined> {
  const profile = active;
  if (profile === undefined) return undefined;
  // A second stop while one is under way waits for it, as Go's does; the
  // profile goes to the first caller.
  if (profile.stopping !== undefined) {
    await profile.stopping.catch(() => {});
    return undefined;
  }
  profile.stopping = stopActive(profile);
  return profile.stopping;
}

async function stopActive(profile: ActiveProfile): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await profile.stop();
  } catch (err) {
    // The core may hold a half-added chunk: the next profile gets a new one.
    cpuCore = undefined;
    throw err;
  } finally {
    active = undefined;
    heldBy = undefined;
  }
  await writeAll(profile.writer, bytes, profile.writeTimeoutMillis);
  return bytes;
}

/** CpuWindow is one window of a running CPU profile, cut by cutCPUProfile:
 * its gzip pprof (time_nanos = startNanos, duration_nanos = the window) and
 * its bounds on host.nowNanos()'s clock. */
export interface CpuWindow {
  bytes: Uint8Array;
  startNanos: bigint;
  endNanos: bigint;
}

/** cutCPUProfile ends the running CPU profile's current window and begins
 * the next without stopping the sampler (continuous profiling's period
 * boundary). It resolves to the window, or undefined when no profile runs
 * or it is stopping; it rejects when the sampler failed. */
export async function cutCPUProfile(): Promise<CpuWindow | undefined> {
  const profile = active;
  if (profile === undefined || profile.stopping !== undefined) return undefined;
  return profile.cut();
}

/** cpuProfileSampleCount returns the number of samples the running CPU
 * profile has drained so far (V8 hands them over only at each chunk's end),
 * or undefined when none runs: for progress displays. */
export function cpuProfileSampleCount(): number | undefined {
  return active?.sampleCount;
}

/** cpuProfileStoppableSync reports whether stopCPUProfileSync could stop
 * the running CPU profile now (true when none runs): false while one of its
 * steps is queued or in progress, which a caller running in an interrupt
 * must wait out rather than re-enter. */
export function cpuProfileStoppableSync(): boolean {
  return active === undefined || active.canStopSync();
}

/** stopCPUProfileSync stops the CPU profile synchronously where the runtime's
 * sampler answers synchronously (Node), for exit handlers and interrupts,
 * which cannot wait. It returns the gzip pprof bytes, or undefined when no
 * profile runs or the sampler cannot answer at once (then the profile is
 * left running, untouched); it does not write to the writer. */
export function stopCPUProfileSync(): Uint8Array | undefined {
  const profile = active;
  // A step queued or running (this is an interrupt inside it) cannot be
  // re-entered: the profile stays as it is.
  if (profile === undefined || !profile.canStopSync()) return undefined;
  active = undefined;
  heldBy = undefined;
  try {
    return profile.stopSync();
  } catch (err) {
    cpuCore = undefined;
    throw err;
  }
}

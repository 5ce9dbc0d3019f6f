// cpu.ts owns Go's StartCPUProfile/StopCPUProfile: one CPU profile at a
// time, fed by the adapter's sampler in chunks (so that a long profile keeps
// V8's sample buffer and the label timeline bounded), converted into a core
// of its own and written as gzip pprof. It never throws into the host's code
// paths: a sampler failure is kept and reported by stopCPUProfile.

import { newCore, type Core } from "../pprof/core.ts";
import { CpuProfileConverter } from "../pprof/cpuprofile.ts";
import { gzip } from "../host/gzip.ts";
import { host, type CpuSampler } from "../host/host.ts";
import { startTimeline, takeTimeline, timelineRecording } from "./labels.ts";
import { writeAll, type ProfileWriter } from "../host/writer.ts";
import { own } from "../host/own.ts";
import { ThreadCpuReadings, cpuWindowMillis } from "./cpu-clock.ts";

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
  /** cpuWindowMillis is how often the thread's CPU clock is read, where the
   * runtime has one (default 100): each window's CPU time is shared among
   * its samples. */
  cpuWindowMillis?: number;
  /** lines splits each leaf's samples across the source lines the engine
   * saw them on (default true); false keeps every frame at its function's
   * line, for smaller profiles. */
  lines?: boolean;
}

/** labelTimelineCap bounds the label changes kept per chunk (12 bytes each);
 * past it, samples keep the last label set seen and the profile says so. */
export const labelTimelineCap: number = 1 << 20;

let active: ActiveProfile | undefined;
// One CPU profile runs at a time, so one core instance serves them all.
let cpuCore: Core | undefined;

class ActiveProfile {
  readonly writer: ProfileWriter | undefined;
  readonly #sampler: CpuSampler;
  readonly #converter: CpuProfileConverter;
  readonly #intervalMicros: number;
  readonly #startNanos: bigint;
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
  #failure: Error | undefined;
  #labelsTruncated = false;
  readonly #cpuClock: ThreadCpuReadings;
  readonly #cpuWindowMillis: number;
  readonly started: Promise<void>;
  /** stopping is the stop under way, which a second stopCPUProfile waits for. */
  stopping: Promise<Uint8Array | undefined> | undefined;

  constructor(sampler: CpuSampler, core: Core, w: ProfileWriter | undefined, intervalMicros: number, options: CpuProfileOptions) {
    this.writer = w;
    this.#sampler = sampler;
    this.#intervalMicros = intervalMicros;
    this.#converter = new CpuProfileConverter(core, { intervalMicros, includeIdle: options.includeIdle ?? false, lineLevel: options.lines ?? true });
    this.#startNanos = host.nowNanos();
    this.#cpuWindowMillis = options.cpuWindowMillis ?? cpuWindowMillis;
    this.#cpuClock = new ThreadCpuReadings(this.#cpuWindowMillis);
    startTimeline(labelTimelineCap);
    this.started = this.#run(() => this.#start());
    // chunkSeconds was checked by startCPUProfile; Infinity means no drains.
    const chunkSeconds = options.chunkSeconds ?? 10;
    if (Number.isFinite(chunkSeconds)) {
      this.#timer = own(() => setInterval(() => void this.#run(() => this.#drain(true)).catch(() => {}), chunkSeconds * 1000));
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
    const began = this.#sampler.start(this.#intervalMicros);
    if (began instanceof Promise) {
      return began.then((clockMicros) => {
        this.#clockAtStart = clockMicros;
        this.#cpuClock.read();
      });
    }
    this.#clockAtStart = began;
    this.#cpuClock.read();
  }

  // #drain stops the sampler, adds what it recorded, and restarts it unless
  // this is the final drain.
  #drain(restart: boolean): void | Promise<void> {
    // The chunk's last CPU reading (and the next chunk's first): just
    // before the sampler stops.
    this.#cpuClock.read();
    const cpu = this.#cpuClock.take();
    const stopped = this.#sampler.stop();
    const take = (profile: Awaited<ReturnType<CpuSampler["stop"]>>) => {
      const timeline = takeTimeline(!restart);
      if (timeline.overflowed) this.#labelsTruncated = true;
      // The sampler's clock and ours differ by a constant: the profile's
      // start is when sampling began, which is when we read our clock.
      const offsetMicros = profile.clockOffsetMicros ?? profile.startTime - this.#clockAtStart;
      this.#converter.add(profile, { timeline, offsetMicros }, cpu !== undefined ? { ...cpu, offsetMicros } : undefined);
      if (restart) return this.#start();
    };
    return stopped instanceof Promise ? stopped.then(take) : take(stopped);
  }

  /** stop drains the last chunk and returns the gzip-compressed profile. */
  async stop(): Promise<Uint8Array> {
    clearInterval(this.#timer);
    let bytes: Uint8Array | undefined;
    // On Node every step below is synchronous: the pause the application
    // sees is stop + convert + encode + gzip, with no await in between.
    await this.#run(() => {
      const drained = this.#drain(false);
      return drained instanceof Promise ? drained.then(() => void (bytes = this.#finish())) : void (bytes = this.#finish());
    }).catch(() => {});
    return this.#close(bytes);
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
      bytes = this.#finish();
    }).catch(() => {});
    return this.#close(bytes);
  }

  /** sampleCount is the number of samples drained so far. */
  get sampleCount(): number {
    return this.#converter.sampleCount;
  }

  /** canStopSync reports whether stopSync can run now: no step is queued
   * and none is running (it may be called from an interrupt). */
  canStopSync(): boolean {
    return this.#queued === 0 && !this.#inStep;
  }

  #finish(): Uint8Array {
    const comments = this.#labelsTruncated ? [`labels: more than ${labelTimelineCap} label changes in a chunk; later samples keep the last labels seen`] : [];
    comments.push(this.#cpuComment());
    return gzip(this.#converter.finish(this.#startNanos, host.nowNanos() - this.#startNanos, comments));
  }

  // #cpuComment says where cpu/nanoseconds comes from.
  #cpuComment(): string {
    if (this.#cpuClock.available) {
      const unsampled = this.#converter.cpuUnsampledMicros;
      return `cpu/nanoseconds: the sampled thread's CPU time (${host.threadCpuClock ?? "thread CPU clock"}), read every ${this.#cpuWindowMillis} ms and shared among each window's samples${unsampled > 0 ? `; ${(unsampled / 1000).toFixed(1)} ms ran where no sample fell and is not in the profile` : ""}`;
    }
    // The converter explains what cpu/nanoseconds is then.
    return `anyprof: ${host.runtime} has no thread CPU clock`;
  }

  #close(bytes: Uint8Array | undefined): Uint8Array {
    // A failed profile never drained its last chunk: end the label log
    // (and its async hooks) here, whatever happened.
    if (timelineRecording()) takeTimeline(true);
    this.#cpuClock.close();
    try {
      this.#sampler.close();
    } catch {
      // A sampler that cannot close has nothing left to give us.
    }
    if (this.#failure !== undefined) throw new Error(`pprof: cpu sampler failed: ${this.#failure.message}`, { cause: this.#failure });
    return bytes!;
  }
}

// handledRejection is a rejected promise that does not count as unhandled:
// a caller who ignores it must not have its process taken down.
function handledRejection(err: unknown): Promise<never> {
  const p = Promise.reject(err);
  p.catch(() => {});
  return p;
}

/** startCPUProfile starts the CPU profile, like Go's StartCPUProfile: it
 * throws "cpu profiling already in use" while one runs. The returned promise
 * resolves once sampling has begun (at once on Node; Deno and Bun answer
 * asynchronously), and rejects if the sampler could not start. */
export function startCPUProfile(w?: ProfileWriter, options: CpuProfileOptions = {}): Promise<void> {
  if (active !== undefined) throw new Error("cpu profiling already in use");
  const intervalMicros = options.intervalMicros ?? 1e6 / (options.hz ?? 100);
  if (!Number.isFinite(intervalMicros) || intervalMicros < 1 || intervalMicros > 1e6) {
    throw new Error(`pprof: cpu sampling interval must be from 1 µs to 1 s, got ${intervalMicros} µs`);
  }
  const chunkSeconds = options.chunkSeconds ?? 10;
  if (!(chunkSeconds === Infinity || (chunkSeconds >= 0.001 && chunkSeconds <= 2_000_000))) {
    throw new Error(`pprof: chunkSeconds must be from 0.001 to 2e6, or Infinity for no drains, got ${chunkSeconds}`);
  }
  const windowMillis = options.cpuWindowMillis ?? cpuWindowMillis;
  if (!(windowMillis >= 1 && windowMillis <= 3_600_000)) {
    throw new Error(`pprof: cpuWindowMillis must be from 1 to 3600000, got ${windowMillis}`);
  }
  if (host.newCpuSampler === undefined) {
    throw new Error(`pprof: no in-process CPU sampler in ${host.runtime}; profile it from outside over the inspector protocol (anyprof attach)`);
  }
  let sampler: CpuSampler | undefined;
  try {
    cpuCore ??= newCore(host.wasmModule());
    sampler = host.newCpuSampler();
  } catch (err) {
    throw new Error(`pprof: could not start the cpu sampler: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const profile = new ActiveProfile(sampler, cpuCore, w, intervalMicros, options);
  active = profile;
  const started = profile.started.catch(async (err: unknown) => {
    // A sampler that failed to start leaves no profile running.
    if (active === profile) {
      active = undefined;
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
  }
  await writeAll(profile.writer, bytes);
  return bytes;
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
  try {
    return profile.stopSync();
  } catch (err) {
    cpuCore = undefined;
    throw err;
  }
}

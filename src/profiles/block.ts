// block.ts owns the predefined "block" profile: event-loop blocking, the
// JavaScript meaning of Go's "stack traces that led to blocking". While
// startBlockProfiling() is on, two cheap things run: a timer due every few
// milliseconds, whose lateness is the event loop's delay, and a low-rate CPU
// sampler on an inspector session of its own (so it neither disturbs nor is
// disturbed by startCPUProfile). A tick that runs at least thresholdMillis
// late closes a blocked window [when it was due, when it ran]; the CPU samples
// taken in that window say what ran while the loop was blocked, and the
// window's delay is split across their stacks. Nothing runs until started;
// the records are kept after stopping, as Go keeps its block profile.

import { contentionSnapshot, writeContention, type ContentionRecord } from "../pprof/contention.ts";
import { host, type CpuProfileShape, type CpuSampler } from "../host/host.ts";
import { registerBuiltin } from "./profile.ts";
import type { Frame } from "../host/stack.ts";
import { own } from "../host/own.ts";
import { checkOptions, given, shown } from "../host/validate.ts";

/** BlockProfileOptions tunes startBlockProfiling. */
export interface BlockProfileOptions {
  /** thresholdMillis is the shortest event-loop block recorded (default
   * 50): a timer must run at least this late. */
  thresholdMillis?: number;
  /** hz is the rate of the block profiler's own CPU sampler (default 100):
   * it bounds how finely a block is attributed, and its cost. */
  hz?: number;
}

/** defaultBlockThresholdMillis is the default shortest block recorded. */
export const defaultBlockThresholdMillis: number = 50;
const defaultHz = 100;
/** drainMillis is how often the sampler's samples are matched to blocked
 * windows and dropped, bounding memory (writeTo drains too). The block
 * sampler (Host.newBlockSampler) makes a drain cost no pause. */
const drainMillis = 10_000;
/** maxFrames bounds the stack kept per block record, leaf first. */
const maxFrames = 64;

interface BlockRecord {
  readonly frames: readonly Frame[];
  count: number;
  delayNanos: number;
}

// records is the profile: cumulative since the first start, as Go's.
const records = new Map<string, BlockRecord>();
let active: BlockProfiler | undefined;
let settings: { thresholdMillis: number; checkMillis: number; hz: number } | undefined;
let unsampledBlocks = 0;
let lastFailure: Error | undefined;

const unsampled: Frame = { functionName: "(unsampled)", url: "", line: 0, column: 0, startLine: 0 };

function addRecord(frames: readonly Frame[], count: number, delayNanos: number): void {
  if (frames[0] === unsampled) unsampledBlocks++;
  const key = frames.map((f) => `${f.functionName}\n${f.url}\n${f.line}\n${f.column}`).join("\n");
  const seen = records.get(key);
  if (seen !== undefined) {
    seen.count += count;
    seen.delayNanos += delayNanos;
  } else {
    records.set(key, { frames, count, delayNanos });
  }
}

function baseName(url: string): string {
  const i = url.lastIndexOf("/");
  return i >= 0 ? url.slice(i + 1) : url;
}

/** BlockSink receives attributed blocks: a stack, its contentions, its
 * delay in nanoseconds. */
export type BlockSink = (frames: readonly Frame[], count: number, delayNanos: number) => void;

/** attribute matches the blocked windows (triples of start, end and delay,
 * host clock µs) to the samples of profile, whose clock is the host's plus
 * offsetMicros, and gives them to add: each window's delay is split across
 * the stacks sampled in it by sample count, and its one contention goes to
 * the stack sampled most; a window without samples goes to (unsampled).
 * Idle samples are not blocking. */
export function attribute(profile: CpuProfileShape | undefined, offsetMicros: number, windows: readonly number[], add: BlockSink): void {
  if (windows.length === 0) return;
  const nodes = profile?.nodes ?? [];
  const index = new Map<number, number>();
  nodes.forEach((n, i) => index.set(n.id, i));
  const parent = new Int32Array(nodes.length).fill(-1);
  nodes.forEach((n, i) => {
    if (n.parent !== undefined) parent[i] = index.get(n.parent) ?? -1;
    for (const c of n.children ?? []) {
      const ci = index.get(c);
      if (ci !== undefined) parent[ci] = i;
    }
  });
  const frameCache = new Map<number, readonly Frame[]>();
  const framesOf = (node: number): readonly Frame[] => {
    let frames = frameCache.get(node);
    if (frames !== undefined) return frames;
    const out: Frame[] = [];
    for (let i = node; i >= 0 && out.length < maxFrames; i = parent[i]!) {
      const cf = nodes[i]!.callFrame;
      if (cf.functionName === "(root)") break;
      const line = cf.lineNumber >= 0 ? cf.lineNumber + 1 : 0;
      const column = cf.columnNumber >= 0 ? cf.columnNumber + 1 : 0;
      const url = cf.url ?? "";
      const name = cf.functionName !== "" ? cf.functionName : url !== "" ? `(anonymous) ${baseName(url)}:${line}` : "(anonymous)";
      out.push({ functionName: name, url, line, column, startLine: line, engine: true });
    }
    frames = out;
    frameCache.set(node, frames);
    return frames;
  };

  // Sample times on the host clock, in time order (deltas may be negative).
  const samples = profile?.samples ?? [];
  const deltas = profile?.timeDeltas ?? [];
  const times = new Float64Array(samples.length);
  let t = profile?.startTime ?? 0;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    times[i] = t - offsetMicros;
  }
  const order = Array.from(samples.keys()).sort((a, b) => times[a]! - times[b]!);

  let first = 0;
  for (let w = 0; w < windows.length; w += 3) {
    const start = windows[w]!;
    const end = windows[w + 1]!;
    const delayNanos = windows[w + 2]! * 1000;
    while (first < order.length && times[order[first]!]! <= start) first++;
    const counts = new Map<number, number>();
    let n = 0;
    for (let j = first; j < order.length && times[order[j]!]! <= end; j++) {
      const node = index.get(samples[order[j]!]!);
      if (node === undefined || nodes[node]!.callFrame.functionName === "(idle)") continue;
      counts.set(node, (counts.get(node) ?? 0) + 1);
      n++;
    }
    if (n === 0) {
      add([unsampled], 1, delayNanos);
      continue;
    }
    let most = -1;
    let mostCount = 0;
    for (const [node, k] of counts) {
      if (k > mostCount) {
        most = node;
        mostCount = k;
      }
    }
    for (const [node, k] of counts) add(framesOf(node), node === most ? 1 : 0, (delayNanos * k) / n);
  }
}

/** blockedWindow returns the blocked window (start, end, delay; µs) that a
 * detector tick running at ranMicros reveals, when the previous tick ran at
 * lastMicros and ticks are due checkMicros apart; undefined when it ran less
 * than thresholdMicros late. The window starts when the tick was due, not
 * at the previous tick: until then the loop was not late, and the samples
 * of that ordinary work (up to checkMicros of it) would otherwise be blamed
 * for the block. */
export function blockedWindow(lastMicros: number, ranMicros: number, checkMicros: number, thresholdMicros: number): [number, number, number] | undefined {
  const due = lastMicros + checkMicros;
  const late = ranMicros - due;
  return late >= thresholdMicros ? [due, ranMicros, late] : undefined;
}

class BlockProfiler {
  readonly #sampler: CpuSampler;
  readonly #intervalMicros: number;
  readonly #thresholdMicros: number;
  readonly #checkMicros: number;
  readonly #checkTimer: ReturnType<typeof setInterval>;
  readonly #drainTimer: ReturnType<typeof setInterval>;
  #clockAtStart = 0;
  #last: number;
  // Blocked windows since the last drain: start, end, delay (host µs).
  #windows: number[] = [];
  // Sampler calls are serialized; a failure is kept for stop.
  #tail: Promise<void> = Promise.resolve();
  #failure: Error | undefined;
  readonly started: Promise<void>;

  constructor(sampler: CpuSampler, thresholdMillis: number, checkMillis: number, hz: number) {
    this.#sampler = sampler;
    this.#intervalMicros = Math.round(1e6 / hz);
    this.#thresholdMicros = thresholdMillis * 1000;
    this.#checkMicros = checkMillis * 1000;
    this.#last = host.nowMicros();
    this.started = this.#enqueue(async () => {
      this.#clockAtStart = await this.#sampler.start(this.#intervalMicros);
      this.#last = host.nowMicros();
    });
    this.#checkTimer = own(() => setInterval(this.#tick, checkMillis));
    host.unrefTimer(this.#checkTimer);
    this.#drainTimer = own(() => setInterval(() => void this.drain(true).catch(() => {}), drainMillis));
    host.unrefTimer(this.#drainTimer);
  }

  // #tick is the loop-delay detector: it is due every checkMillis after
  // the previous tick ran, so its lateness is how long the loop could not
  // run it.
  #tick = (): void => {
    const now = host.nowMicros();
    const window = blockedWindow(this.#last, now, this.#checkMicros, this.#thresholdMicros);
    if (window !== undefined) this.#windows.push(...window);
    this.#last = now;
  };

  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(() => (this.#failure === undefined ? step() : undefined));
    this.#tail = run.catch((err: unknown) => {
      this.#failure ??= err instanceof Error ? err : new Error(String(err));
      lastFailure = this.#failure;
    });
    return run;
  }

  /** drain takes the sampler's samples, restarts it unless this is the
   * last drain, and adds the blocked windows seen so far to the records. */
  drain(restart: boolean): Promise<void> {
    return this.#enqueue(async () => {
      const drainFrom = host.nowMicros();
      const lastBefore = this.#last;
      const profile = await this.#sampler.stop();
      // Windows closed before stop answered have their samples in profile.
      const windows = this.#windows;
      this.#windows = [];
      const offsetMicros = profile.clockOffsetMicros ?? profile.startTime - this.#clockAtStart;
      if (restart) this.#clockAtStart = await this.#sampler.start(this.#intervalMicros);
      // A sampler that restarts for real pauses the loop (V8 logs all code
      // again): that pause is the profiler's, not the application's, so the
      // next tick's due time moves by it. Lateness from before the drain
      // stays: a drain that runs just after a block, before the detector's
      // tick, must not hide it. (A tick that ran meanwhile, while an
      // asynchronous sampler answered, has moved #last itself.)
      if (this.#last === lastBefore) this.#last += host.nowMicros() - drainFrom;
      attribute(profile, offsetMicros, windows, addRecord);
    });
  }

  /** stop ends the timers and the sampler after a last drain. */
  async stop(): Promise<void> {
    clearInterval(this.#checkTimer);
    clearInterval(this.#drainTimer);
    await this.drain(false).catch(() => {});
    // Windows that could not be matched (the sampler failed) still happened.
    attribute(undefined, 0, this.#windows, addRecord);
    this.#windows = [];
    try {
      this.#sampler.close();
    } catch {
      // A sampler that cannot close has nothing left to give us.
    }
    if (this.#failure !== undefined) throw new Error(`pprof: block profiler's cpu sampler failed: ${this.#failure.message}`, { cause: this.#failure });
  }
}

/** startBlockProfiling starts recording event-loop blocks of at least
 * thresholdMillis into the block profile, with the stacks that ran during
 * them (Go's SetBlockProfileRate). It runs a timer due every
 * min(10, thresholdMillis / 2) ms and a CPU sampler of its own at hz (default
 * 100) on its own inspector session; a startCPUProfile running at the same
 * time is unaffected. It throws synchronously for bad options, while already
 * on ("block profiling already in use"), and where there is no in-process
 * CPU sampler (workerd); the promise resolves once sampling has begun and
 * rejects if the sampler could not start (Deno needs --allow-sys). */
export function startBlockProfiling(options: BlockProfileOptions = {}): Promise<void> {
  if (active !== undefined) throw new Error("block profiling already in use");
  const o = checkOptions("startBlockProfiling", options);
  const thresholdMillis = given(o.thresholdMillis, defaultBlockThresholdMillis);
  if (typeof thresholdMillis !== "number" || !Number.isFinite(thresholdMillis) || thresholdMillis < 1 || thresholdMillis > 60_000) {
    throw new Error(`pprof: block threshold must be from 1 ms to 60 s, got ${shown(thresholdMillis)} ms`);
  }
  const hz = given(o.hz, defaultHz);
  if (typeof hz !== "number" || !Number.isFinite(hz) || hz < 1 || hz > 10_000) throw new Error(`pprof: block sampler rate must be from 1 to 10000 Hz, got ${shown(hz)}`);
  const newSampler = host.newBlockSampler ?? host.newCpuSampler;
  if (newSampler === undefined) {
    throw new Error(`pprof: no in-process CPU sampler in ${host.runtime}: event-loop blocks cannot be attributed to stacks`);
  }
  let sampler: CpuSampler;
  try {
    sampler = newSampler();
  } catch (err) {
    return rejectHandled(new Error(`pprof: could not start the block profiler's cpu sampler: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
  }
  const checkMillis = Math.max(1, Math.min(10, thresholdMillis / 2));
  const profiler = new BlockProfiler(sampler, thresholdMillis, checkMillis, hz);
  active = profiler;
  settings = { thresholdMillis, checkMillis, hz };
  lastFailure = undefined;
  const started = profiler.started.catch(async (err: unknown) => {
    if (active === profiler) {
      active = undefined;
      await profiler.stop().catch(() => {});
    }
    throw new Error(`pprof: could not start the block profiler's cpu sampler: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });
  started.catch(() => {});
  return started;
}

/** stopBlockProfiling stops recording (Go's SetBlockProfileRate(0)); the
 * blocks recorded so far stay in the profile. Without block profiling on it
 * is a no-op. It rejects if the sampler failed meanwhile. */
export async function stopBlockProfiling(): Promise<void> {
  const profiler = active;
  if (profiler === undefined) return;
  active = undefined;
  await profiler.stop();
}

function rejectHandled(err: Error): Promise<never> {
  const p = Promise.reject(err);
  p.catch(() => {});
  return p;
}

function comments(): string[] {
  if (settings === undefined) {
    if (host.newCpuSampler === undefined && host.newBlockSampler === undefined) {
      return [`block: ${host.runtime} has no in-process CPU sampler to attribute event-loop blocks to stacks, so this profile is empty`];
    }
    return ["block: event-loop blocking is not being recorded, so this profile is empty; startBlockProfiling({ thresholdMillis }) records it"];
  }
  const { thresholdMillis, checkMillis, hz } = settings;
  const out = [
    `block: event-loop blocks of at least ${thresholdMillis} ms, found by a timer due every ${checkMillis} ms running that late; delay/nanoseconds is its lateness, split across the stacks a ${hz} Hz CPU sampler saw during the block by sample count; contentions/count is 1 per block, on the stack seen most`,
  ];
  if (active === undefined) out.push("block: recording is stopped; the blocks recorded before stopBlockProfiling() remain");
  if (unsampledBlocks > 0) out.push(`block: ${unsampledBlocks} blocks had no CPU sample and are under (unsampled)`);
  if (lastFailure !== undefined) out.push(`block: the cpu sampler failed: ${lastFailure.message}`);
  return out;
}

// current matches the samples taken so far, so that a block that just
// ended shows, and returns the records.
async function current(): Promise<ContentionRecord[]> {
  if (active !== undefined) await active.drain(true).catch(() => {});
  return [...records.values()].map((r) => ({ frames: r.frames, count: r.count, delayNanos: Math.round(r.delayNanos) }));
}

registerBuiltin("block", {
  count: () => records.size,
  write: async (debug) => writeContention("contention", await current(), comments(), debug),
  snapshot: async () => contentionSnapshot(await current(), comments()),
});

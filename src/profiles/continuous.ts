// continuous.ts owns continuous profiling: every period, one CPU profile of
// exactly that window (cut from a CPU profile that runs throughout, never
// restarted: cpu.ts's cutCPUProfile) and the delta of each other enabled
// profile over the same window (pprof/delta.ts, as /debug/pprof/x?seconds=N
// computes it), handed to exporters. It does not send anything itself: an
// exporter is any object with export(), made by src/export/ or by the
// program. It never throws into the program after start: an exporter's or
// a profile's failure is counted in continuousStats().

import { cutCPUProfile, startCPUProfile, stopCPUProfile, type CpuWindow } from "./cpu.ts";
import { lookup, type Snapshot } from "./profile.ts";
import { deltaProfile } from "../pprof/delta.ts";
import { host } from "../host/host.ts";
import { own } from "../host/own.ts";
import { startSpanLabels, type SpanLabelsOption } from "./spans.ts";

/** PeriodProfile is one profile of a period: "cpu", or the name of the
 * profile whose delta it is ("heap", "allocs", "goroutine", "block", a
 * custom one), as gzip pprof. */
export interface PeriodProfile {
  /** name is "cpu" or the name of the profile whose delta this is. */
  name: string;
  /** bytes is the profile, gzip pprof. */
  bytes: Uint8Array;
  /** sampleRateHz is the CPU sampling rate (cpu only). */
  sampleRateHz?: number;
}

/** ProfilePeriod is what an exporter receives each period: its profiles and
 * the window they cover, on the wall clock (Unix ns). Windows are
 * contiguous: a period's startNanos is the previous one's endNanos. */
export interface ProfilePeriod {
  /** startNanos is when the window began (Unix ns). */
  startNanos: bigint;
  /** endNanos is when it ended: the next window's startNanos. */
  endNanos: bigint;
  /** profiles are the window's profiles. */
  profiles: PeriodProfile[];
}

/** ExporterStats is what an exporter reports about its deliveries. */
export interface ExporterStats {
  /** queued is the number of requests waiting to be sent. */
  queued: number;
  /** queuedBytes is their size. */
  queuedBytes: number;
  /** sent counts requests the backend accepted. */
  sent: number;
  /** sentBytes is their size. */
  sentBytes: number;
  /** dropped counts requests dropped, oldest first, to keep the queue under its cap. */
  dropped: number;
  /** failed counts requests given up on (refused, or out of attempts). */
  failed: number;
  /** retries counts attempts after a first one failed. */
  retries: number;
  /** lastError describes the last failure, if any. */
  lastError?: string;
}

/** ProfileExporter takes each period's profiles. export must return at
 * once (queue, don't send): it runs on the application's thread. */
export interface ProfileExporter {
  /** name identifies the exporter in stats (e.g. "pyroscope"). */
  readonly name: string;
  /** export takes one period's profiles; it must return at once. */
  export(period: ProfilePeriod): void;
  /** flush delivers what is queued, giving up after timeoutMillis. */
  flush?(timeoutMillis: number): Promise<void>;
  /** close releases the exporter; what is still queued is dropped. */
  close?(): void;
  /** stats reports the exporter's deliveries. */
  stats?(): ExporterStats;
}

/** ContinuousProfilingOptions configures startContinuousProfiling. */
export interface ContinuousProfilingOptions {
  /** exporters receive every period (at least one). */
  exporters: ProfileExporter[];
  /** periodSeconds is the window length (default 15, Pyroscope's). */
  periodSeconds?: number;
  /** profiles lists what is pushed each period (default ["cpu"]): "cpu" and
   * the names of other profiles, whose delta over the window is pushed.
   * Their samplers are the program's to start (startHeapProfiling,
   * startBlockProfiling, startGoroutineTracking). */
  profiles?: string[];
  /** hz is the CPU sampling rate (default 100). */
  hz?: number;
  /** threads has the CPU profile cover the application's worker threads
   * too, each sample labelled with its thread (startCPUProfile's threads,
   * docs/threads.md); default false. */
  threads?: boolean;
  /** spanLabels labels CPU samples with the active OpenTelemetry span's
   * span_id (and span_name when the span has one): true loads
   * @opentelemetry/api, or pass that module; off by default. */
  spanLabels?: SpanLabelsOption;
  /** exitFlushMillis bounds the flush at exit (beforeExit, SIGTERM) where
   * the runtime has the hook (default 5 000; 0 turns it off). */
  exitFlushMillis?: number;
}

/** ContinuousStats reports continuous profiling's counters. */
export interface ContinuousStats {
  /** running is true between start and stop. */
  running: boolean;
  /** periods counts periods handed to the exporters. */
  periods: number;
  /** profileErrors counts profiles that could not be taken in a period. */
  profileErrors: number;
  /** exportErrors counts exporter calls that threw. */
  exportErrors: number;
  /** lastError describes the last error counted, if any. */
  lastError?: string;
  /** exporters maps each exporter's name to its stats. */
  exporters: Record<string, ExporterStats | undefined>;
}

interface Running {
  exporters: ProfileExporter[];
  periodMillis: number;
  names: string[];
  hz: number;
  cpu: boolean;
  // startNanos of the next window for the non-CPU-only case.
  windowStartNanos: bigint;
  baselines: Map<string, Snapshot>;
  timer: ReturnType<typeof setTimeout> | undefined;
  // nextTick is the monotonic time (ms) of the next boundary: boundaries
  // are start + k·period, so a slow cycle does not push later ones back.
  nextTickMillis: number;
  cycle: Promise<void> | undefined;
  stopSpans: (() => void) | undefined;
  unregisterExit: (() => void) | undefined;
  stopping: boolean;
}

let running: Running | undefined;
let stats = { periods: 0, profileErrors: 0, exportErrors: 0, lastError: undefined as string | undefined };
let lastExporters: ProfileExporter[] = [];

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** startContinuousProfiling starts pushing profiles every periodSeconds to
 * the exporters. It throws for bad options and "continuous profiling
 * already in use" while it runs; with "cpu" enabled it holds the CPU
 * profile (startCPUProfile throws "cpu profiling already in use" meanwhile).
 * The promise resolves once sampling has begun. */
export async function startContinuousProfiling(options: ContinuousProfilingOptions): Promise<void> {
  if (running !== undefined) throw new Error("pprof: continuous profiling already in use");
  const exporters = options?.exporters;
  if (!Array.isArray(exporters) || exporters.length === 0 || exporters.some((e) => typeof e?.export !== "function")) {
    throw new Error("pprof: continuous profiling needs exporters: a non-empty array of objects with export()");
  }
  const periodSeconds = options.periodSeconds ?? 15;
  if (!Number.isFinite(periodSeconds) || periodSeconds < 0.05 || periodSeconds > 3600) {
    throw new Error(`pprof: periodSeconds must be from 0.05 to 3600, got ${periodSeconds}`);
  }
  const names = [...new Set(options.profiles ?? ["cpu"])];
  for (const name of names) {
    if (name !== "cpu" && lookup(name) === undefined) throw new Error(`pprof: unknown profile ${JSON.stringify(name)} in profiles`);
  }
  const hz = options.hz ?? 100;
  const exitFlushMillis = options.exitFlushMillis ?? 5000;
  if (!Number.isFinite(exitFlushMillis) || exitFlushMillis < 0) throw new Error(`pprof: exitFlushMillis must be ≥ 0, got ${exitFlushMillis}`);
  const cpu = names.includes("cpu");
  const state: Running = {
    exporters: [...exporters],
    periodMillis: periodSeconds * 1000,
    names: names.filter((n) => n !== "cpu"),
    hz,
    cpu,
    windowStartNanos: host.nowNanos(),
    baselines: new Map(),
    timer: undefined,
    nextTickMillis: 0,
    cycle: undefined,
    stopSpans: undefined,
    unregisterExit: undefined,
    stopping: false,
  };
  running = state;
  stats = { periods: 0, profileErrors: 0, exportErrors: 0, lastError: undefined };
  lastExporters = state.exporters;
  try {
    if (options.spanLabels !== undefined && options.spanLabels !== false) state.stopSpans = await startSpanLabels(options.spanLabels);
    // Chunks drain V8's buffer within a long period; a short one is cut
    // before any drain would be due.
    if (cpu) await startCPUProfile(undefined, { hz, chunkSeconds: periodSeconds > 10 ? 10 : Infinity, ...(options.threads === true ? { threads: true } : {}) });
  } catch (err) {
    state.stopSpans?.();
    running = undefined;
    throw err;
  }
  state.windowStartNanos = host.nowNanos();
  for (const name of state.names) await baseline(state, name);
  if (exitFlushMillis > 0 && host.onExit !== undefined) {
    state.unregisterExit = host.onExit(() => stopContinuousProfiling(exitFlushMillis), exitFlushMillis);
  }
  state.nextTickMillis = performance.now() + state.periodMillis;
  schedule(state);
}

async function baseline(state: Running, name: string): Promise<Snapshot | undefined> {
  try {
    const snap = await lookup(name)?.snapshot();
    if (snap === undefined) throw new Error(`profile ${name} has no snapshot`);
    const before = state.baselines.get(name);
    state.baselines.set(name, snap);
    return before;
  } catch (err) {
    stats.profileErrors++;
    stats.lastError = `${name}: ${message(err)}`;
    return undefined;
  }
}

function schedule(state: Running): void {
  const delay = Math.max(0, state.nextTickMillis - performance.now());
  state.timer = own(() =>
    setTimeout(() => {
      state.nextTickMillis += state.periodMillis;
      // A cycle still running (an asynchronous sampler on a busy machine)
      // takes this boundary's work too: the next cut covers both.
      if (state.cycle === undefined) {
        state.cycle = cycle(state, false).finally(() => (state.cycle = undefined));
      }
      if (running === state && !state.stopping) schedule(state);
    }, delay),
  );
  host.unrefTimer(state.timer);
}

// cycle cuts one period and hands it to the exporters; final stops the CPU
// profile instead of cutting it.
async function cycle(state: Running, final: boolean): Promise<void> {
  const profiles: PeriodProfile[] = [];
  let window: { startNanos: bigint; endNanos: bigint } | undefined;
  if (state.cpu) {
    try {
      let cut: CpuWindow | undefined;
      if (final) {
        const startNanos = state.windowStartNanos;
        const bytes = await stopCPUProfile();
        if (bytes !== undefined) cut = { bytes, startNanos, endNanos: host.nowNanos() };
      } else {
        cut = await cutCPUProfile();
      }
      if (cut !== undefined) {
        profiles.push({ name: "cpu", bytes: cut.bytes, sampleRateHz: state.hz });
        window = { startNanos: cut.startNanos, endNanos: cut.endNanos };
      }
    } catch (err) {
      stats.profileErrors++;
      stats.lastError = `cpu: ${message(err)}`;
    }
  }
  window ??= { startNanos: state.windowStartNanos, endNanos: host.nowNanos() };
  // The CPU window's end is the next window's start, to the nanosecond.
  state.windowStartNanos = window.endNanos;
  for (const name of state.names) {
    const p0 = await baseline(state, name);
    const p1 = state.baselines.get(name);
    if (p0 === undefined || p1 === undefined || p1 === p0) continue;
    try {
      profiles.push({ name, bytes: deltaProfile(p0, p1) });
    } catch (err) {
      stats.profileErrors++;
      stats.lastError = `${name}: ${message(err)}`;
    }
  }
  if (profiles.length === 0) return;
  const period: ProfilePeriod = { ...window, profiles };
  stats.periods++;
  for (const exporter of state.exporters) {
    try {
      exporter.export(period);
    } catch (err) {
      stats.exportErrors++;
      stats.lastError = `${exporter.name}: ${message(err)}`;
    }
  }
}

/** stopContinuousProfiling ends continuous profiling: it exports the last
 * (partial) period, stops the CPU profile, and waits at most flushMillis
 * (default 5 000) for the exporters to deliver what they hold. Without
 * continuous profiling running it is a no-op. It never rejects. */
export async function stopContinuousProfiling(flushMillis: number = 5000): Promise<void> {
  const state = running;
  if (state === undefined || state.stopping) return;
  state.stopping = true;
  clearTimeout(state.timer);
  state.unregisterExit?.();
  try {
    await state.cycle?.catch(() => {});
    await cycle(state, true).catch(() => {});
  } finally {
    state.stopSpans?.();
    running = undefined;
  }
  const deadline = Date.now() + flushMillis;
  await Promise.all(
    state.exporters.map(async (e) => {
      try {
        await e.flush?.(Math.max(0, deadline - Date.now()));
      } catch (err) {
        stats.exportErrors++;
        stats.lastError = `${e.name}: ${message(err)}`;
      }
    }),
  );
}

/** continuousStats returns continuous profiling's counters and each
 * exporter's (those of the last run, after it stopped). */
export function continuousStats(): ContinuousStats {
  const exporters: Record<string, ExporterStats | undefined> = {};
  lastExporters.forEach((e, i) => {
    let s: ExporterStats | undefined;
    try {
      s = e.stats?.();
    } catch {
      s = undefined;
    }
    exporters[exporters[e.name] === undefined && !(e.name in exporters) ? e.name : `${e.name}#${i}`] = s;
  });
  return { running: running !== undefined, ...stats, exporters };
}

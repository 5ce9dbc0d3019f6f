// probe.ts runs workload.ts once under one sampler in a fresh Bun process and
// prints one JSON line of measurements. Run by run.mjs; by hand:
//
//   node_modules/.bin/bun bench/bun-sampler/probe.ts <none|truth|inspector|jsc> <hz> [--dump file.json]
//
// ("truth" times every hotA/hotB call itself, without a profiler: the real
// hotA:hotB time ratio, which JIT tiering moves away from exactly 2.)
//
// It measures:
//  - overhead input: hotMillis, the wall time of the fixed-work hot phase;
//  - stopMillis: stop call → profile data in JS (inspector: Profiler.stop's
//    callback incl. its JSON.parse; jsc: samplingProfilerStackTraces() + the
//    pause);
//  - fidelity: hotA:hotB by sample time (each sample weighs the time to the
//    next one) and by count; the line/column each sampler reports for hotA's
//    frame next to hotA's real position in workload.ts; whether the frame of a
//    strict-mode tail caller survives (tailCaller → tailCallee) against a
//    plain caller (plainCaller → plainCallee);
//  - alignment: for each clock (perf = performance.now(), wall =
//    performance.timeOrigin + performance.now(), date = Date.now(), all µs),
//    the constant offset (sampler clock − our clock) that puts the most
//    spinSync/spinOther samples inside their own windows, the fraction inside
//    at that best offset, and for the inspector the fraction at the offset
//    anyprof computes today (profile.startTime − clock read just before
//    Profiler.start). Best offsets are also found per probe block (early =
//    right after start, late = after the ~1.5 s hot phase): their difference
//    is the drift of the sampler's timestamps over the hot phase.
//  - for the inspector, lossMicros = endTime − (startTime + Σ timeDeltas):
//    Bun computes endTime from the exact last sample time but truncates each
//    timeDelta to an integer, so this is the total time the deltas lost; and
//    the same alignment numbers after spreading that loss back evenly
//    ("corrected").

import { readFileSync, writeFileSync } from "node:fs";
import { inspectorSampler, jscSampler, readClocks, type Clocks, type Sample } from "./samplers.ts";
import { hotPhaseTimed, runWorkload, type Window } from "./workload.ts";

const [kind = "inspector", hzArg = "1000"] = process.argv.slice(2);
const dumpAt = process.argv.indexOf("--dump");
const hz = Number(hzArg);
const intervalMicros = Math.round(1e6 / hz);
const ROUNDS = 2700; // ≈1.5 s of hot phase on the reference machine
const N = 100_000;

type ClockName = "perf" | "wall" | "date";

function windowsIn(windows: Window[], clock: ClockName, origin: number): { kind: string; block: string; a: number; b: number }[] {
  return windows.map((w) => {
    const a = clock === "date" ? w.dateStart * 1000 : clock === "perf" ? w.perfStart * 1000 : (origin + w.perfStart) * 1000;
    const b = clock === "date" ? w.dateEnd * 1000 : clock === "perf" ? w.perfEnd * 1000 : (origin + w.perfEnd) * 1000;
    return { kind: w.kind, block: w.block, a, b };
  });
}

function spinKind(s: Sample): string | undefined {
  for (const f of s.stack) if (f.name === "spinSync" || f.name === "spinOther") return f.name;
  return undefined;
}

// score is the fraction of spin samples whose time − offset falls inside a
// window of their own kind (and block, when given).
function score(samples: Sample[], wins: ReturnType<typeof windowsIn>, offset: number): number {
  let hit = 0;
  let n = 0;
  for (const s of samples) {
    const k = spinKind(s)!;
    n++;
    const t = s.t - offset;
    // windows are sorted by time within a block; linear is fine at this size
    for (const w of wins) {
      if (t >= w.a && t < w.b) {
        if (w.kind === k) hit++;
        break;
      }
    }
  }
  return n === 0 ? NaN : hit / n;
}

// best scans offsets around anchor (±rangeMicros, stepMicros) and returns the
// centre of the widest run of best-scoring offsets.
function best(samples: Sample[], wins: ReturnType<typeof windowsIn>, anchor: number, rangeMicros = 15000, stepMicros = 5) {
  let bestScore = -1;
  let runs: [number, number][] = [];
  let runStart: number | undefined;
  for (let off = anchor - rangeMicros; off <= anchor + rangeMicros; off += stepMicros) {
    const sc = score(samples, wins, off);
    if (sc > bestScore + 1e-12) {
      bestScore = sc;
      runs = [];
      runStart = off;
    } else if (Math.abs(sc - bestScore) <= 1e-12) {
      runStart ??= off;
    } else if (runStart !== undefined) {
      runs.push([runStart, off - stepMicros]);
      runStart = undefined;
    }
  }
  if (runStart !== undefined) runs.push([runStart, anchor + rangeMicros]);
  runs.sort((x, y) => y[1] - y[0] - (x[1] - x[0]));
  const [lo, hi] = runs[0] ?? [NaN, NaN];
  return { offset: (lo + hi) / 2, lo, hi, score: bestScore };
}

function sourcePositions() {
  const text = readFileSync(new URL("./workload.ts", import.meta.url), "utf8").split("\n");
  const find = (re: RegExp) => text.findIndex((l) => re.test(l)) + 1; // 1-based
  const hotAFn = find(/^export function hotA\(/);
  return { hotAFunctionLine1: hotAFn, hotALoopBodyLine1: hotAFn + 3, hotAFunctionColumn1: text[hotAFn - 1]!.indexOf("function") + 1 };
}

async function main() {
  if (kind === "truth") {
    const t0 = performance.now();
    const r = hotPhaseTimed(ROUNDS, N);
    console.log(JSON.stringify({ kind, hotMillis: performance.now() - t0, trueRatio: r.aMillis / r.bMillis, checksum: r.checksum }));
    return;
  }
  const sampler = kind === "inspector" ? inspectorSampler() : kind === "jsc" ? jscSampler() : undefined;
  let before: Clocks | undefined;
  if (sampler) before = await sampler.start(intervalMicros);
  const { windows, hotMillis, checksum } = runWorkload(ROUNDS, N);
  const after = readClocks();
  if (!sampler) {
    console.log(JSON.stringify({ kind, hz, hotMillis, checksum }));
    return;
  }
  const stopped = await sampler.stop();
  const samples = stopped.samples;
  if (dumpAt > 0) writeFileSync(process.argv[dumpAt + 1]!, JSON.stringify({ raw: stopped.raw, windows, before, after, timeOrigin: performance.timeOrigin }));

  // Fidelity: hotA:hotB by sample time and count.
  let aT = 0, bT = 0, aN = 0, bN = 0;
  const deltas = samples.map((s, i) => (i + 1 < samples.length ? samples[i + 1]!.t - s.t : 0));
  // The other convention: a sample weighs the time since the previous one.
  let aP = 0, bP = 0;
  for (let i = 1; i < samples.length; i++) {
    const names = samples[i]!.stack.map((f) => f.name);
    if (names.includes("hotA")) aP += samples[i]!.t - samples[i - 1]!.t;
    else if (names.includes("hotB")) bP += samples[i]!.t - samples[i - 1]!.t;
  }
  const hotALines = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const names = s.stack.map((f) => f.name);
    if (names.includes("hotA")) {
      aT += deltas[i]!;
      aN++;
      const f = s.stack.find((f) => f.name === "hotA")!;
      const key = `${f.url.split("/").pop()}:${f.line}:${f.column}`;
      hotALines.set(key, (hotALines.get(key) ?? 0) + 1);
    } else if (names.includes("hotB")) {
      bT += deltas[i]!;
      bN++;
    }
  }
  const topHotALines = [...hotALines].sort((x, y) => y[1] - x[1]).slice(0, 3);

  // Tail calls.
  const withCallee = (callee: string, caller: string) => {
    const xs = samples.filter((s) => s.stack.some((f) => f.name === callee));
    const kept = xs.filter((s) => s.stack.some((f) => f.name === caller)).length;
    const example = xs[Math.floor(xs.length / 2)]?.stack.map((f) => f.name || "(anonymous)").join(" ← ");
    return { samples: xs.length, callerKept: kept, example };
  };
  const tail = { tail: withCallee("tailCallee", "tailCaller"), plain: withCallee("plainCallee", "plainCaller") };

  // Alignment.
  const spin = samples.filter((s) => spinKind(s) !== undefined);
  const origin = performance.timeOrigin;
  const align: Record<string, unknown> = {};
  // The loss Bun's integer timeDeltas leave behind, spread back evenly.
  let corrected: Sample[] | undefined;
  let lossMicros: number | undefined;
  if (stopped.endTime !== undefined) {
    lossMicros = stopped.endTime - samples[samples.length - 1]!.t;
    const n = samples.length;
    corrected = samples.map((s, i) => ({ t: s.t + (lossMicros! * (i + 1)) / n, stack: s.stack }));
  }
  const spinCorrected = corrected?.filter((s) => spinKind(s) !== undefined);
  for (const clock of ["perf", "wall", "date"] as ClockName[]) {
    const wins = windowsIn(windows, clock, origin);
    // Coarse anchor: first spin sample against the first window.
    const firstSpin = spin[0];
    const coarse = firstSpin ? firstSpin.t - wins[0]!.a : NaN;
    const all = best(spin, wins, coarse);
    const early = best(spin.filter((s) => s.t - all.offset < wins[60]!.a), wins.slice(0, 60), all.offset, 4000);
    const late = best(spin.filter((s) => s.t - all.offset >= wins[60]!.a), wins.slice(60), all.offset, 4000);
    const entry: Record<string, unknown> = {
      best: all.offset, plateau: all.hi - all.lo, scoreBest: all.score,
      driftLateMinusEarly: late.offset - early.offset, earlyBest: early.offset, lateBest: late.offset,
    };
    if (stopped.startTime !== undefined) {
      const est = stopped.startTime - before![clock];
      entry.estimate = est;
      entry.estimateMinusBest = est - all.offset;
      entry.scoreAtEstimate = score(spin, wins, est);
      entry.scoreAtEstimateSpinSyncOnly = score(spin.filter((s) => spinKind(s) === "spinSync"), wins, est);
    }
    if (spinCorrected) {
      const c = best(spinCorrected, wins, all.offset, 4000);
      const ce = best(spinCorrected.filter((s) => s.t - c.offset < wins[60]!.a), wins.slice(0, 60), c.offset, 4000);
      const cl = best(spinCorrected.filter((s) => s.t - c.offset >= wins[60]!.a), wins.slice(60), c.offset, 4000);
      entry.corrected = { best: c.offset, scoreBest: c.score, drift: cl.offset - ce.offset };
      if (stopped.startTime !== undefined) {
        const est = stopped.startTime - before![clock];
        entry.corrected = { ...(entry.corrected as object), estimateMinusBest: est - c.offset, scoreAtEstimate: score(spinCorrected, wins, est) };
      }
    }
    align[clock] = entry;
  }
  const spacing = deltas.slice(0, -1).sort((x, y) => x - y);
  console.log(
    JSON.stringify({
      kind, hz, hotMillis, stopMillis: stopped.stopMillis, samples: samples.length,
      medianSpacingMicros: spacing[spacing.length >> 1],
      ratioByTime: aT / bT, ratioByTimeSincePrevious: aP / bP, ratioByCount: aN / bN,
      hotA: { source: sourcePositions(), reported: topHotALines },
      tail, lossMicros, spinSamples: spin.length, align, checksum,
    }),
  );
}

await main();

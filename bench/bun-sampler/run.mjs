// run.mjs drives probe.ts: each round starts one fresh Bun process per
// configuration (none, truth, inspector and jsc at 1 kHz and 100 Hz), in an
// order rotated per round so that no configuration always runs first or
// right after another, and prints medians over the rounds. Overhead is
// paired: each sampler run's hot-phase wall time over the no-profiler run of
// the same round, then the median of those ratios.
//
//   node bench/bun-sampler/run.mjs [rounds=8] > bench/bun-sampler/results.json
//
// Progress goes to stderr; the JSON summary (and every raw line) to stdout.

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const rounds = Number(process.argv[2] ?? 8);
const bun = fileURLToPath(new URL("../../node_modules/.bin/bun", import.meta.url));
const probe = fileURLToPath(new URL("./probe.ts", import.meta.url));
const configs = [
  ["none", 0],
  ["truth", 0],
  ["inspector", 1000],
  ["jsc", 1000],
  ["inspector", 100],
  ["jsc", 100],
];

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const get = (o, path) => path.split(".").reduce((x, k) => x?.[k], o);

const results = [];
for (let r = 0; r < rounds; r++) {
  const order = configs.map((_, i) => configs[(i + r) % configs.length]);
  const round = {};
  for (const [kind, hz] of order) {
    const out = execFileSync(bun, [probe, kind, String(hz)], { encoding: "utf8" });
    const line = JSON.parse(out.trim().split("\n").pop());
    round[`${kind}@${hz}`] = line;
    process.stderr.write(`round ${r} ${kind}@${hz} hot=${line.hotMillis.toFixed(0)}ms\n`);
  }
  results.push(round);
}

const summary = {};
for (const [kind, hz] of configs) {
  const key = `${kind}@${hz}`;
  const xs = results.map((r) => r[key]);
  const m = (path) => median(xs.map((x) => get(x, path)));
  const entry = { hotMillis: m("hotMillis") };
  if (kind === "truth") entry.trueRatio = m("trueRatio");
  if (kind === "inspector" || kind === "jsc") {
    entry.overheadRatio = median(results.map((r) => r[key].hotMillis / r["none@0"].hotMillis));
    Object.assign(entry, {
      stopMillis: m("stopMillis"),
      samples: m("samples"),
      medianSpacingMicros: m("medianSpacingMicros"),
      ratioByTime: m("ratioByTime"),
      ratioByTimeSincePrevious: m("ratioByTimeSincePrevious"),
      ratioByCount: m("ratioByCount"),
      tailCallerKept: `${m("tail.tail.callerKept")}/${m("tail.tail.samples")}`,
      plainCallerKept: `${m("tail.plain.callerKept")}/${m("tail.plain.samples")}`,
      hotAReported: xs[0].hotA.reported,
      hotASource: xs[0].hotA.source,
      tailExample: xs[0].tail.tail.example,
      lossMicros: m("lossMicros"),
      spinSamples: m("spinSamples"),
    });
    for (const clock of ["perf", "wall", "date"]) {
      const a = `align.${clock}`;
      entry[clock] = {
        scoreBest: m(`${a}.scoreBest`),
        plateau: m(`${a}.plateau`),
        driftLateMinusEarly: m(`${a}.driftLateMinusEarly`),
        bestSpreadAcrossRuns: clock === "perf" ? undefined : Math.max(...xs.map((x) => get(x, `${a}.best`))) - Math.min(...xs.map((x) => get(x, `${a}.best`))),
        estimateMinusBest: m(`${a}.estimateMinusBest`),
        scoreAtEstimate: m(`${a}.scoreAtEstimate`),
        scoreAtEstimateSpinSyncOnly: m(`${a}.scoreAtEstimateSpinSyncOnly`),
        corrected: kind === "inspector" ? {
          scoreBest: m(`${a}.corrected.scoreBest`),
          drift: m(`${a}.corrected.drift`),
          estimateMinusBest: m(`${a}.corrected.estimateMinusBest`),
          scoreAtEstimate: m(`${a}.corrected.scoreAtEstimate`),
        } : undefined,
      };
    }
  }
  summary[key] = entry;
}
console.log(JSON.stringify({ bun: execFileSync(bun, ["--version"], { encoding: "utf8" }).trim(), rounds, summary, results }, null, 1));

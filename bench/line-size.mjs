// line-size.mjs measures what line-level attribution costs in profile size:
// gzip bytes per sample of anyprof with and without lines, and of
// @datadog/pprof with lineNumbers true and false (both without contexts and
// CPU time, which lineNumbers rules out), on the cpu-time workload
// (bench/cpu-time-child.mjs) in the same run. Medians of the rounds.
//   node bench/line-size.mjs [rounds=3] [seconds=4] [hz=200]
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fixed, loadAverage, machine, median, table } from "./harness.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [rounds = 3, seconds = 4, hz = 200] = process.argv.slice(2).map(Number);
const child = join(root, "bench/cpu-time-child.mjs");
const candidates = [
  ["anyprof", "0"],
  ["anyprof", "1"],
  ["datadog", "0"],
  ["datadog", "1"],
];
const results = new Map(candidates.map((c) => [c.join(), []]));
const loads = [];
for (let r = 0; r < rounds; r++) {
  for (const [profiler, lines] of candidates) {
    loads.push(Number(loadAverage()));
    const out = spawnSync(process.execPath, [child, profiler, String(seconds), "100", String(hz), lines], { cwd: root, encoding: "utf8", timeout: 120_000 });
    if (out.status !== 0) throw new Error(`${profiler} lines=${lines}: ${out.stderr}`);
    const x = JSON.parse(out.stdout.trim().split("\n").pop());
    results.get(`${profiler},${lines}`).push(x.gzBytes / x.sampleCount);
  }
}
const m = machine();
console.log(`# line-size: ${m.cpuModel}, ${m.cores} cores, node ${process.versions.node}, ${m.date}; load ${fixed(Math.min(...loads))}–${fixed(Math.max(...loads))}; ${rounds} rounds of ${seconds} s at ${hz} Hz\n`);
const per = (k) => median(results.get(k));
console.log(
  table(
    ["profiler", "gz bytes/sample, no lines", "with lines", "lines ÷ no lines"],
    ["anyprof", "datadog"].map((p) => [p, fixed(per(`${p},0`), 2), fixed(per(`${p},1`), 2), fixed(per(`${p},1`) / per(`${p},0`), 2)]),
  ),
);

// continuous.mjs compares continuous profilers side by side in one run:
// anyprof's startContinuousProfiling and @pyroscope/nodejs (the reference
// Node client), each pushing the same workload (bench/continuous-app.mjs,
// one child process per run) to the same Pyroscope-shaped receiver at the
// same period and rate, plus the workload with no profiler. Per cycle: the
// app thread's longest block and total blocked time (gaps ≥ 1 ms between
// the app's 1 ms slices); bytes pushed per minute; RSS over the run.
// Rounds alternate the candidates. Usage:
//   node bench/continuous.mjs [seconds=60] [period=15] [rounds=3] [candidates=anyprof,pyroscope,none]
// Needs dist/ (node scripts/build.mjs).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { fixed, loadAverage, machine, median, table } from "./harness.mjs";

const seconds = Number(process.argv[2] ?? 60);
const periodSeconds = Number(process.argv[3] ?? 15);
const rounds = Number(process.argv[4] ?? 3);
const app = fileURLToPath(new URL("./continuous-app.mjs", import.meta.url));

// The receiver: Pyroscope's /ingest, counting what each candidate pushes.
let bytes = 0;
let requests = 0;
const server = createServer((req, res) => {
  let n = 0;
  req.on("data", (c) => (n += c.length));
  req.on("end", () => {
    bytes += n;
    requests++;
    res.writeHead(200).end();
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}`;

function runApp(candidate) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [app, candidate, url, String(seconds), String(periodSeconds)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop())) : reject(new Error(`${candidate} exited ${code}`))));
  });
}

const candidates = (process.argv[5] ?? "anyprof,pyroscope,none").split(",");
const results = Object.fromEntries(candidates.map((c) => [c, []]));
const loadBefore = loadAverage();
for (let round = 0; round < rounds; round++) {
  for (let j = 0; j < candidates.length; j++) {
    const c = candidates[(round + j) % candidates.length];
    bytes = 0;
    requests = 0;
    const r = await runApp(c);
    r.bytes = bytes;
    r.requests = requests;
    results[c].push(r);
    process.stderr.write(`round ${round + 1} ${c}: ${requests} pushes, ${bytes} bytes\n`);
  }
}
server.close();

const rows = [];
const summary = {};
const rssAt = (r, s) => r.rss[Math.min(s - 1, r.rss.length - 1)] / 2 ** 20;
for (const c of candidates) {
  const runs = results[c];
  const allCycles = runs.flatMap((r) => r.cycles);
  const med = (f) => (allCycles.length ? median(allCycles.map(f)) : 0);
  const perCycleMax = med((g) => g.max);
  const perCycleMaxCpu = med((g) => g.maxCpu);
  const perCycleTotalCpu = med((g) => g.totalCpu);
  const worstCpu = median(runs.map((r) => Math.max(0, ...r.cycles.map((g) => g.maxCpu))));
  const bytesPerMinute = median(runs.map((r) => (r.bytes / seconds) * 60));
  const rssEarly = median(runs.map((r) => rssAt(r, 10)));
  const rssMid = median(runs.map((r) => rssAt(r, Math.ceil(r.rss.length / 2))));
  const rssEnd = median(runs.map((r) => rssAt(r, r.rss.length)));
  const cpuPerSlice = median(runs.map((r) => r.cpuMicrosPerSlice));
  summary[c] = { perCycleMax, perCycleMaxCpu, perCycleTotalCpu, bytesPerMinute, cpuPerSlice };
  rows.push([c, fixed(perCycleMaxCpu, 2), fixed(worstCpu, 2), fixed(perCycleTotalCpu, 2), fixed(perCycleMax, 1), fixed(bytesPerMinute / 1024, 1), `${fixed(rssEarly, 0)} → ${fixed(rssMid, 0)} → ${fixed(rssEnd, 0)}`, fixed(cpuPerSlice, 0)]);
}
const m = machine();
console.log(`# Continuous profiling: ${candidates.join(" vs ")} (same workload, receiver, period ${periodSeconds} s, 100 Hz)\n`);
console.log(`${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; load average before ${loadBefore}, after ${loadAverage()}; ${new Date().toISOString()}; ${rounds} rounds × ${seconds} s per candidate\n`);
console.log(
  table(
    ["candidate", "longest block per cycle, CPU ms (median)", "worst cycle in a run, CPU ms (median)", "blocked per cycle, CPU ms (median)", "longest block per cycle, wall ms (median)", "KiB pushed / min", "RSS MiB at 10 s → half → end", "process CPU µs per unit of app work"],
    rows,
  ),
);
const a = summary.anyprof;
const p = summary.pyroscope;
const n = summary.none;
if (a && p) {
  console.log(`\nper-cycle longest block (CPU), anyprof / @pyroscope/nodejs: ${fixed(a.perCycleMaxCpu / p.perCycleMaxCpu, 2)} (goal ≤ 0.5)`);
  console.log(`bytes pushed, anyprof / @pyroscope/nodejs: ${fixed(a.bytesPerMinute / p.bytesPerMinute, 2)} (goal ≤ 1)`);
}
if (n) for (const [name, s] of [["anyprof", a], ["@pyroscope/nodejs", p]]) if (s) console.log(`CPU per unit of work vs no profiler, ${name}: ${s.cpuPerSlice / n.cpuPerSlice >= 1 ? "+" : ""}${fixed((s.cpuPerSlice / n.cpuPerSlice - 1) * 100, 1)} %`);

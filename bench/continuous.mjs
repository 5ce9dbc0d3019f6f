// continuous.mjs compares continuous profilers side by side in one run:
// anyprof's startContinuousProfiling and @pyroscope/nodejs (the reference
// Node client), each pushing the same workload (bench/continuous-app.mjs,
// one child process per run) to the same Pyroscope-shaped receiver at the
// same period and rate, plus the workload with no profiler. Per cycle: the
// app thread's longest block and total blocked time (gaps ≥ 1 ms between
// the app's 1 ms slices); bytes pushed per minute; RSS over the run.
// Rounds alternate the candidates. Usage:
//   node bench/continuous.mjs [seconds=60] [period=15] [rounds=3]
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

const candidates = ["anyprof", "pyroscope", "none"];
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
for (const c of candidates) {
  const runs = results[c];
  const allCycles = runs.flatMap((r) => r.cycles);
  const longest = median(runs.map((r) => Math.max(0, ...r.cycles.map((g) => g.max))));
  const perCycleMax = median(allCycles.map((g) => g.max).concat(allCycles.length ? [] : [0]));
  const perCycleTotal = median(allCycles.map((g) => g.total).concat(allCycles.length ? [] : [0]));
  const bytesPerMinute = median(runs.map((r) => (r.bytes / seconds) * 60));
  const rssStart = median(runs.map((r) => r.rss[Math.min(2, r.rss.length - 1)] / 2 ** 20));
  const rssEnd = median(runs.map((r) => r.rss[r.rss.length - 1] / 2 ** 20));
  const rssMax = median(runs.map((r) => Math.max(...r.rss) / 2 ** 20));
  const cpuPerSlice = median(runs.map((r) => r.cpuMicrosPerSlice));
  summary[c] = { perCycleMax, perCycleTotal, longest, bytesPerMinute, cpuPerSlice };
  rows.push([c, fixed(perCycleMax, 2), fixed(longest, 2), fixed(perCycleTotal, 2), fixed(bytesPerMinute / 1024, 1), `${fixed(rssStart, 0)} → ${fixed(rssEnd, 0)} (max ${fixed(rssMax, 0)})`, fixed(cpuPerSlice, 0)]);
}
console.log(`# Continuous profiling: anyprof vs @pyroscope/nodejs (same workload, receiver, period ${periodSeconds} s, 100 Hz)\n`);
const m = machine();
console.log(`${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; load average before ${loadBefore}, after ${loadAverage()}; ${new Date().toISOString()}; ${rounds} rounds × ${seconds} s per candidate\n`);
console.log(table(["candidate", "longest block per cycle, median (ms)", "longest block in a run, median (ms)", "blocked per cycle, median (ms)", "KiB pushed / min", "RSS MiB (2 s → end)", "process CPU µs per unit of app work"], rows));
const a = summary.anyprof;
const p = summary.pyroscope;
console.log(`\nper-cycle longest block, anyprof / @pyroscope/nodejs: ${fixed(a.perCycleMax / p.perCycleMax, 2)} (goal ≤ 0.5)`);
console.log(`bytes pushed, anyprof / @pyroscope/nodejs: ${fixed(a.bytesPerMinute / p.bytesPerMinute, 2)} (goal ≤ 1)`);
console.log(`CPU per unit of work vs no profiler: anyprof +${fixed((a.cpuPerSlice / summary.none.cpuPerSlice - 1) * 100, 1)} %, @pyroscope/nodejs +${fixed((p.cpuPerSlice / summary.none.cpuPerSlice - 1) * 100, 1)} %`);

// cpu-time.mjs measures whether anyprof's cpu/nanoseconds is CPU time: per
// runtime and load level, the profile's CPU total ÷ the sampled thread's
// real CPU time (the kernel's schedstat, read by the workload itself), and
// the top-5 functions' share of CPU against @datadog/pprof with
// collectCpuTime (which reads the thread's CPU clock at every sample), on
// the same workload in the same run. "loaded" runs it beside a CPU hog:
// 2 × cores busy processes. Also anyprof's CPU clock window (cpuWindowMillis)
// at 10, 100 and 1000 ms. Rounds alternate the candidates; medians are
// printed. Not a test: goals are printed as met or not.
//   node bench/cpu-time.mjs [rounds=3] [seconds=4] [hz=200]
import { spawn, spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fixed, loadAverage, machine, median, table } from "./harness.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [rounds = 3, seconds = 4, hz = 200] = process.argv.slice(2).map(Number);
const child = join(root, "bench/cpu-time-child.mjs");
const bin = (p) => join(root, p);

const candidates = [
  { runtime: `node ${process.versions.node}`, cmd: process.execPath, args: [child], profiler: "anyprof", window: 100 },
  { runtime: `node ${process.versions.node}`, cmd: process.execPath, args: [child], profiler: "datadog" },
  // Datadog again: the reference's own spread from run to run, the floor
  // under any share delta.
  { runtime: `node ${process.versions.node}`, cmd: process.execPath, args: [child], profiler: "datadog", repeat: true },
  { runtime: `node ${process.versions.node}`, cmd: process.execPath, args: [child], profiler: "anyprof", window: 10 },
  { runtime: `node ${process.versions.node}`, cmd: process.execPath, args: [child], profiler: "anyprof", window: 1000 },
  { runtime: "node 24", cmd: bin("node_modules/node24/bin/node"), args: [child], profiler: "anyprof", window: 100 },
  { runtime: "node 24", cmd: bin("node_modules/node24/bin/node"), args: [child], profiler: "datadog" },
  { runtime: "node 24", cmd: bin("node_modules/node24/bin/node"), args: [child], profiler: "datadog", repeat: true },
  // -A: Deno lets a program read /proc only with every permission.
  { runtime: "deno", cmd: bin("node_modules/.bin/deno"), args: ["run", "-A", child], profiler: "anyprof", window: 100 },
  { runtime: "bun", cmd: bin("node_modules/.bin/bun"), args: [child], profiler: "anyprof", window: 100 },
];
const label = (c) => `${c.runtime} ${c.profiler}${c.window !== undefined ? ` (window ${c.window} ms)` : ""}${c.repeat ? " (again: the reference's own spread)" : ""}`;

function runOnce(c) {
  const r = spawnSync(c.cmd, [...c.args, c.profiler, String(seconds), String(c.window ?? 100), String(hz)], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" }, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${label(c)}: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

// normalize gives V8's and Datadog's names for the same frame one name.
function normalize(name) {
  if (name === "Garbage Collection") return "(garbage collector)";
  let m = /^\(anonymous:L#(\d+):C#\d+\)$/.exec(name);
  if (m) return `(anonymous):${m[1]}`;
  m = /^\(anonymous\) [^:]+:(\d+)$/.exec(name);
  if (m) return `(anonymous):${m[1]}`;
  return name;
}
// Datadog charges other threads' CPU and idle time to pseudo-frames; the
// shares compare the sampled thread's work only.
const notThisThread = new Set(["Non JS threads activity", "(idle)"]);

function shares(result) {
  const out = new Map();
  let total = 0;
  for (const [name, nanos] of Object.entries(result.flat)) {
    if (notThisThread.has(name)) continue;
    out.set(normalize(name), (out.get(normalize(name)) ?? 0) + nanos);
    total += nanos;
  }
  for (const [k, v] of out) out.set(k, total > 0 ? v / total : 0);
  return out;
}

function hogs(n) {
  const procs = [];
  for (let i = 0; i < n; i++) procs.push(spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
  return () => procs.forEach((p) => p.kill("SIGKILL"));
}

const m = machine();
console.log(`# cpu-time: ${m.cpuModel}, ${m.cores} cores, ${m.date}; ${rounds} rounds of ${seconds} s at ${hz} Hz\n`);
for (const level of ["idle", "loaded"]) {
  const stopHogs = level === "loaded" ? hogs(2 * availableParallelism()) : () => {};
  const loads = [];
  const results = new Map(candidates.map((c) => [c, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const c of candidates) {
        loads.push(Number(loadAverage()));
        results.get(c).push(runOnce(c));
      }
    }
  } finally {
    stopHogs();
  }
  console.log(`## ${level}: load average ${fixed(Math.min(...loads))}–${fixed(Math.max(...loads))} (1 min)\n`);
  const rows = [];
  for (const c of candidates) {
    const rs = results.get(c);
    // Datadog's own thread only: it also charges other threads' CPU to a
    // pseudo-frame.
    const ownTotal = (x) => x.total - [...notThisThread].reduce((n, k) => n + (x.flat[k] ?? 0), 0);
    const ratio = median(rs.map((x) => ownTotal(x) / x.threadCpu));
    const wallRatio = median(rs.map((x) => x.threadCpu / x.wallNanos));
    // Top-5 by Datadog's share on the same runtime, where Datadog runs.
    const reference = candidates.find((d) => d.runtime === c.runtime && d.profiler === "datadog" && !d.repeat);
    let deltas = "–";
    if (reference !== undefined && c !== reference) {
      const mine = rs.map(shares);
      const theirs = results.get(reference).map(shares);
      const names = new Set(theirs.flatMap((s) => [...s.keys()]));
      const medianShare = (list, name) => median(list.map((s) => s.get(name) ?? 0));
      const top = [...names].map((n) => [n, medianShare(theirs, n)]).sort((a, b) => b[1] - a[1]).slice(0, 5);
      const d = top.map(([n, s]) => [n, (medianShare(mine, n) - s) * 100]);
      const worst = Math.max(...d.map(([, x]) => Math.abs(x)));
      deltas = `${d.map(([n, x]) => `${n} ${x >= 0 ? "+" : ""}${fixed(x)}`).join(", ")} (worst ${fixed(worst)} pts ${worst <= 3 ? "✓" : "✗"})`;
    }
    rows.push([label(c), `${fixed(ratio, 3)}${c.profiler === "anyprof" ? (Math.abs(ratio - 1) <= 0.1 ? " ✓" : " ✗") : ""}`, fixed(wallRatio, 2), deltas]);
  }
  console.log(table(["candidate", "cpu total ÷ thread CPU", "thread CPU ÷ wall", "top-5 share Δ vs Datadog (points)"], rows));
  console.log();
}

// bench/threads.mjs measures what startCPUProfile's threads option costs
// (docs/threads.md), each configuration in a fresh child process, in
// alternating rounds: N workers (0, 2, 8) each burn in 5 ms tasks while the
// main thread idles (so that its CPU time is the profiler's), under a 4 s
// CPU profile at 100 Hz with 1 s chunks, threads off and on. It prints, per
// configuration, the median of: the main thread's CPU time during the
// profile, the longest event-loop delay (10 ms resolution: how long the
// app's thread was held at once, scheduler waits included), and the
// workers' total work done (iterations, relative to threads off: the cost
// inside the workers).
// Usage: node bench/threads.mjs [--rounds 3] [--workers 0,2,8]
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cpus } from "node:os";
import { loadavg } from "node:os";

const args = process.argv.slice(2);
const opt = (name, d) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : d);
const rounds = Number(opt("rounds", 3));
const counts = opt("workers", "0,2,8").split(",").map(Number);

if (process.env.THREADS_BENCH_CHILD) {
  const { Worker } = await import("node:worker_threads");
  const { monitorEventLoopDelay } = await import("node:perf_hooks");
  const { startCPUProfile, stopCPUProfile } = await import("anyprof");
  const n = Number(process.env.THREADS_BENCH_WORKERS);
  const threads = process.env.THREADS_BENCH_ON === "1";
  const sab = new SharedArrayBuffer(8 * Math.max(1, n));
  const done = new Float64Array(sab);
  const ws = [];
  for (let i = 0; i < n; i++) {
    ws.push(new Worker(`const { workerData } = require("node:worker_threads"); const done = new Float64Array(workerData.sab);
      function benchWork() { let x = 0; const until = Date.now() + 5; while (Date.now() < until) { x = (x * 31 + 7) | 0; done[workerData.i]++; } setImmediate(benchWork); return x; }
      benchWork();`, { eval: true, workerData: { sab, i }, name: `bench-${i}` }));
  }
  await new Promise((r) => setTimeout(r, 300));
  const h = monitorEventLoopDelay({ resolution: 10 });
  const cpu0 = process.threadCpuUsage?.() ?? process.cpuUsage();
  const work0 = done.reduce((a, b) => a + b, 0);
  h.enable();
  await startCPUProfile(undefined, { hz: 100, chunkSeconds: 1, threads });
  await new Promise((r) => setTimeout(r, 4000));
  const bytes = await stopCPUProfile();
  h.disable();
  const cpu1 = process.threadCpuUsage?.() ?? process.cpuUsage();
  const work = done.reduce((a, b) => a + b, 0) - work0;
  for (const w of ws) await w.terminate();
  console.log(JSON.stringify({ mainCpuMillis: (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / 1000, maxDelayMillis: h.max / 1e6, work, bytes: bytes.length }));
  process.exit(0);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = new Map();
for (let r = 0; r < rounds; r++) {
  for (const n of counts) {
    for (const on of ["0", "1"]) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, THREADS_BENCH_CHILD: "1", THREADS_BENCH_WORKERS: String(n), THREADS_BENCH_ON: on }, encoding: "utf8" });
      const key = `${n}/${on}`;
      (results.get(key) ?? results.set(key, []).get(key)).push(JSON.parse(out.trim().split("\n").at(-1)));
    }
  }
}
console.log(`node ${process.version}, ${cpus().length} cpus (${cpus()[0].model}), load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, ${new Date().toISOString()}, ${rounds} rounds, medians`);
console.log("workers | threads | main-thread CPU in 4 s | longest event-loop delay | workers' work vs off | profile bytes");
for (const n of counts) {
  const off = results.get(`${n}/0`);
  for (const on of ["0", "1"]) {
    const xs = results.get(`${n}/${on}`);
    const work = n === 0 ? "-" : (median(xs.map((x) => x.work)) / median(off.map((x) => x.work))).toFixed(2);
    console.log(`${n} | ${on === "1" ? "on" : "off"} | ${median(xs.map((x) => x.mainCpuMillis)).toFixed(1)} ms | ${median(xs.map((x) => x.maxDelayMillis)).toFixed(1)} ms | ${work} | ${median(xs.map((x) => x.bytes))}`);
  }
}

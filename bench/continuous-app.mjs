// continuous-app.mjs is the application bench/continuous.mjs profiles: a
// synthetic service (60 functions on varied call paths, JSON, regexes,
// sorting, allocation) run in slices of fixed work (~1 ms) on the event
// loop, with one
// continuous profiler pushing to the receiver at argv's URL: "anyprof",
// "pyroscope" (@pyroscope/nodejs, wall profiler at the same rate and
// period) or "none". It records the gap between consecutive slices (time
// the app thread spent on anything but the app: the profiler's cycle shows
// up here, as wall time and as the CPU time the process used meanwhile,
// which leaves out the moments the OS ran another process: on a loaded
// machine those dominate the wall gaps), the process's CPU time per slice (what the profiler costs in
// all, its threads included), and RSS every second, and prints one JSON
// line at the end.
import { monitorEventLoopDelay } from "node:perf_hooks";

const [candidate, url, secondsArg, periodArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const periodSeconds = Number(periodArg);

// Sixty named functions, three call levels, so profiles have real breadth.
const fns = [];
for (let i = 0; i < 60; i++) {
  // eslint-disable-next-line no-new-func
  fns.push(new Function("data", "depth", "next", `return function work${i}(data, depth, next) {
    let acc = 0;
    if (${i % 3} === 0) acc += JSON.stringify(data).length;
    else if (${i % 3} === 1) acc += (JSON.stringify(data).match(/[0-9]+/g) || []).length;
    else acc += [...data.items].sort((a, b) => b - a)[0];
    return depth > 0 ? acc + next(data, depth - 1) : acc;
  }`)());
}
const data = { items: Array.from({ length: 200 }, (_, i) => (i * 7919) % 1000), name: "x".repeat(100) };
let seq = 0;
function call(depth) {
  const f = fns[seq++ % fns.length];
  return f(data, depth, (d, dd) => fns[(seq * 7) % fns.length](d, dd, () => 0));
}

if (candidate === "anyprof") {
  const anyprof = await import("../dist/runtime/node.js");
  await anyprof.startContinuousProfiling({ periodSeconds, exporters: [anyprof.pyroscopeExporter({ url, appName: "bench" })] });
} else if (candidate === "pyroscope") {
  const Pyroscope = (await import("@pyroscope/nodejs")).default;
  Pyroscope.init({ serverAddress: url, appName: "bench", flushIntervalMs: periodSeconds * 1000, wall: { samplingDurationMs: periodSeconds * 1000, samplingIntervalMicros: 10_000 } });
  Pyroscope.startWallProfiling();
}

const gapsByCycle = new Map(); // cycle index → { max, total } of gaps ≥ 1 ms
const rss = [];
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();
const t0 = performance.now();
let lastEnd = performance.now();
let lastEndCpu = process.cpuUsage();
let slices = 0;
const cpu0 = process.cpuUsage();
const rssTimer = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
while (performance.now() - t0 < seconds * 1000) {
  const start = performance.now();
  const gap = start - lastEnd;
  if (gap >= 1) {
    const used = process.cpuUsage(lastEndCpu);
    const gapCpu = (used.user + used.system) / 1000;
    const cycle = Math.floor((start - t0) / (periodSeconds * 1000));
    const g = gapsByCycle.get(cycle) ?? { max: 0, total: 0, maxCpu: 0, totalCpu: 0 };
    g.max = Math.max(g.max, gap);
    g.total += gap;
    g.maxCpu = Math.max(g.maxCpu, gapCpu);
    g.totalCpu += gapCpu;
    gapsByCycle.set(cycle, g);
  }
  for (let k = 0; k < 40; k++) call(2);
  slices++;
  lastEnd = performance.now();
  lastEndCpu = process.cpuUsage();
  await new Promise((r) => setImmediate(r));
}
const cpu = process.cpuUsage(cpu0);
clearInterval(rssTimer);
eld.disable();
if (candidate === "anyprof") {
  const anyprof = await import("../dist/runtime/node.js");
  await anyprof.stopContinuousProfiling(5000);
} else if (candidate === "pyroscope") {
  const Pyroscope = (await import("@pyroscope/nodejs")).default;
  await Pyroscope.stop();
}
// Cycles wholly inside the run (not the first, warming up, nor the last).
const cycles = [...gapsByCycle.entries()].filter(([c]) => c > 0 && c < Math.floor(seconds / periodSeconds) - 1).map(([, g]) => g);
console.log(JSON.stringify({ candidate, slices, cpuMicrosPerSlice: (cpu.user + cpu.system) / slices, cycles, rss, eldMaxMillis: eld.max / 1e6 }));
process.exit(0);

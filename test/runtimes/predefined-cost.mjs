// predefined-cost.mjs measures what the opt-in predefined profiles cost
// while on, against the same work with them off, in the same process, in
// alternating rounds (medians). CPU time is the process's, all threads (so
// a sampler thread counts), which other processes on the machine skew less
// than wall time. It reports:
//   - block profiling on CPU-bound work: work per CPU second, on/off;
//   - block profiling on an idle process: CPU ms per second, off and on;
//   - goroutine tracking on async churn: CPU µs per operation, off and on;
//   - goroutine tracking on CPU-bound work: work per CPU second, on/off;
//   - the pause of one block-profile drain (BIG=1: with 50,000 functions).
// It is not a test: run it by hand after `node scripts/build.mjs` with
// `node test/runtimes/predefined-cost.mjs`, `node_modules/.bin/bun …` or
// `node_modules/.bin/deno run --allow-sys --allow-net --allow-read --allow-env …`.
import * as anyprof from "anyprof";

const rounds = Number(globalThis.process?.env?.ROUNDS ?? 8);
const roundMillis = 1000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// compute is CPU-bound work in short synchronous slices between awaits.
async function compute(millis) {
  const end = performance.now() + millis;
  let ops = 0;
  const doc = { a: [1, 2, 3], b: "x".repeat(100), c: { d: true } };
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) ops += JSON.parse(JSON.stringify(doc)).a.length;
    await null;
  }
  return ops;
}

// asyncChurn creates async resources as fast as it can: an immediate and
// promises per operation, a timer every 16.
async function asyncChurn(millis) {
  const end = performance.now() + millis;
  let ops = 0;
  while (performance.now() < end) {
    await new Promise((r) => setImmediate(r));
    if (ops % 16 === 0) await new Promise((r) => setTimeout(r, 0));
    await Promise.all([1, 2, 3].map(async (x) => x));
    ops++;
  }
  return ops;
}

// idle does nothing for a round.
async function idle(millis) {
  await sleep(millis);
  return 1;
}

/** measure runs work for a round: its operations and CPU µs. */
async function measure(work) {
  const before = process.cpuUsage();
  const ops = await work(roundMillis);
  const used = process.cpuUsage(before);
  return { ops, cpuMicros: used.user + used.system };
}

/** compare runs off and on rounds alternately (off-on, on-off, …) and
 * returns the medians of metric for each. */
async function compare(work, on, off, metric) {
  const offs = [];
  const ons = [];
  await work(300); // warm up
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) offs.push(metric(await measure(work)));
    await on();
    ons.push(metric(await measure(work)));
    await off();
    if (i % 2 === 1) offs.push(metric(await measure(work)));
  }
  return { off: median(offs), on: median(ons) };
}

const perCpuSecond = (m) => m.ops / (m.cpuMicros / 1e6);
const cpuMillisPerSecond = (m) => m.cpuMicros / 1000 / (roundMillis / 1000);
const cpuMicrosPerOp = (m) => m.cpuMicros / m.ops;

const runtime = typeof Deno !== "undefined" ? `deno ${Deno.version.deno}` : typeof Bun !== "undefined" ? `bun ${Bun.version}` : `node ${process.versions.node}`;
console.log(`${runtime}, ${rounds} rounds of ${roundMillis} ms per side`);
const blockOn = () => anyprof.startBlockProfiling();
const blockOff = () => anyprof.stopBlockProfiling();

if (rounds > 0) {
  let r = await compare(compute, blockOn, blockOff, perCpuSecond);
  console.log(`block profiling (50 ms, 100 Hz), CPU-bound work: work per CPU second on/off ${(r.on / r.off).toFixed(3)}`);
  r = await compare(idle, blockOn, blockOff, cpuMillisPerSecond);
  console.log(`block profiling, idle process: CPU ${r.off.toFixed(2)} ms/s off, ${r.on.toFixed(2)} ms/s on`);
  const gOn = () => anyprof.startGoroutineTracking();
  const gOff = () => anyprof.stopGoroutineTracking();
  try {
    r = await compare(asyncChurn, gOn, gOff, cpuMicrosPerOp);
    console.log(`goroutine tracking, async churn (1 immediate, 1/16 timer, 10 promises per op): CPU ${r.off.toFixed(1)} µs/op off, ${r.on.toFixed(1)} µs/op on`);
    r = await compare(compute, gOn, gOff, perCpuSecond);
    console.log(`goroutine tracking, CPU-bound work: work per CPU second on/off ${(r.on / r.off).toFixed(3)}`);
  } catch (err) {
    console.log(`goroutine tracking: ${err.message}`);
  }
}

// One drain: writeTo takes the sampler's samples, which needs the sampler
// restarted (V8 would log all compiled code again, but the block sampler
// overlaps its chunks) and matches them to blocked windows. On Node every
// step is synchronous, so its wall time is the loop's pause.
const keep = [];
if (globalThis.process?.env?.BIG === "1") {
  for (let i = 0; i < 50_000; i++) {
    const f = new Function("a", `return a * ${i} + ${i % 7};`);
    f(i);
    keep.push(f);
  }
}
let t0 = performance.now();
await anyprof.startBlockProfiling();
const startMillis = performance.now() - t0;
await compute(300);
const pauses = [];
for (let i = 0; i < 5; i++) {
  t0 = performance.now();
  await anyprof.lookup("block").writeTo();
  pauses.push(performance.now() - t0);
}
await anyprof.stopBlockProfiling();
const extra = keep.length > 0 ? ` with ${keep.length} extra functions compiled` : "";
console.log(`block profiling${extra}: startBlockProfiling ${startMillis.toFixed(1)} ms, a drain (writeTo) median ${median(pauses).toFixed(2)} ms`);

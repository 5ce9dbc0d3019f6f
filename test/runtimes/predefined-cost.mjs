// predefined-cost.mjs measures what the opt-in predefined profiles cost
// while on, as ratios against the same work with them off, in the same
// process, alternating rounds (medians): block profiling (its timer and its
// own CPU sampler), goroutine tracking (a stack per async resource), and the
// pause of one block-profile drain (the sampler restart). It is not a test:
// run it by hand with `node test/runtimes/predefined-cost.mjs` (or bun, or
// `deno run --allow-sys --allow-net`) after `node scripts/build.mjs`.
import * as anyprof from "anyprof";

const rounds = Number(globalThis.process?.env?.ROUNDS ?? 10);
const roundMillis = 1000;

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

// asyncChurn creates async resources as fast as it can (immediates, a
// timer every 16 rounds, promises): the load goroutine tracking pays for.
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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ratio alternates off/on and on/off rounds, so that warm-up and drift
// weigh on both sides alike.
async function ratio(name, work, on, off) {
  const offOps = [];
  const onOps = [];
  await work(300); // warm up
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) offOps.push(await work(roundMillis));
    await on();
    onOps.push(await work(roundMillis));
    await off();
    if (i % 2 === 1) offOps.push(await work(roundMillis));
  }
  const r = median(onOps) / median(offOps);
  console.log(`${name}: throughput on/off ${r.toFixed(3)} (median ops ${median(onOps)} vs ${median(offOps)}, ${rounds} rounds of ${roundMillis} ms each)`);
}

const runtime = typeof Deno !== "undefined" ? `deno ${Deno.version.deno}` : typeof Bun !== "undefined" ? `bun ${Bun.version}` : `node ${process.versions.node}`;
console.log(runtime);
await ratio("block profiling (defaults: 50 ms, 100 Hz), compute", compute, () => anyprof.startBlockProfiling(), () => anyprof.stopBlockProfiling());
await ratio("block profiling (defaults: 50 ms, 100 Hz), async churn", asyncChurn, () => anyprof.startBlockProfiling(), () => anyprof.stopBlockProfiling());
try {
  await ratio("goroutine tracking, async churn", asyncChurn, () => anyprof.startGoroutineTracking(), () => anyprof.stopGoroutineTracking());
  await ratio("goroutine tracking, compute", compute, () => anyprof.startGoroutineTracking(), () => anyprof.stopGoroutineTracking());
} catch (err) {
  console.log(`goroutine tracking: ${err.message}`);
}

// One drain's pause: writeTo stops the sampler, restarts it (V8 logs all
// compiled code again) and matches samples to windows; on Node every step is
// synchronous, so its wall time is the loop's pause. BIG=1 loads the
// TypeScript compiler first, for the code volume of a large application.
if (globalThis.process?.env?.BIG === "1") {
  const ts = (await import("typescript")).default;
  ts.transpileModule("export const x: number = 1; class A { m(): void {} }", { compilerOptions: {} });
}
await anyprof.startBlockProfiling();
await compute(300);
const pauses = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  await anyprof.lookup("block").writeTo();
  pauses.push(performance.now() - t0);
}
await anyprof.stopBlockProfiling();
console.log(`block writeTo (a drain): median ${median(pauses).toFixed(2)} ms`);

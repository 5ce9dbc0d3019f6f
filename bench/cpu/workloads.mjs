// workloads.mjs owns the code the CPU benchmarks profile: a mixed
// application-like chunk (JSON, regex, arithmetic, allocation) for the
// overhead benchmark, and a generated deep recursion for the stop-pause
// benchmark whose V8 call tree has tens of thousands of distinct nodes. It
// knows nothing of profilers.
import { runInThisContext } from "node:vm";

// A mid-sized document (~25 kB of JSON), built once.
const doc = {
  id: "order-4711",
  customer: { name: "Ada Lovelace", email: "ada@example.com", tags: ["vip", "beta", "eu"] },
  items: Array.from({ length: 120 }, (_, i) => ({
    sku: `SKU-${(i * 7919) % 100000}`,
    title: `Item number ${i} with a moderately long title`,
    qty: (i % 5) + 1,
    price: Math.round(((i * 37) % 1000) * 1.17) / 100,
    attrs: { color: ["red", "green", "blue"][i % 3], size: i % 4, fragile: i % 7 === 0 },
  })),
  notes: "lorem ipsum ".repeat(40),
};
const text = Array.from(
  { length: 400 },
  (_, i) => `2024-0${(i % 9) + 1}-1${i % 10} GET /api/v1/orders/${i * 13} 200 ${i % 97}ms user=${i % 31}@example.com ua="Mozilla/5.0"`,
).join("\n");
const lineRe = /^(\d{4})-(\d{2})-(\d{2}) (GET|POST) (\S+) (\d{3}) (\d+)ms user=([^@\s]+)@(\S+)/gm;

function jsonRoundTrip() {
  const parsed = JSON.parse(JSON.stringify(doc));
  let total = 0;
  for (const it of parsed.items) total += it.qty * it.price;
  return total;
}

function scanLog() {
  let n = 0;
  lineRe.lastIndex = 0;
  for (let m = lineRe.exec(text); m !== null; m = lineRe.exec(text)) n += Number(m[7]) + m[8].length;
  return n;
}

function crunch(seed) {
  let x = seed | 0;
  let acc = 0;
  for (let i = 0; i < 20000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    acc += Math.sqrt((x >>> 8) & 0xffff) * 0.5;
  }
  return acc;
}

function allocate(seed) {
  const out = [];
  for (let i = 0; i < 2000; i++) out.push({ k: `k${(seed + i) % 500}`, v: i * 3, next: null });
  const byKey = new Map();
  for (const o of out) byKey.set(o.k, o);
  return byKey.size;
}

/** mixedUnit is one unit of application-like work (~0.5 ms); its result
 * must be consumed so that nothing is optimized away. */
export function mixedUnit(i) {
  return jsonRoundTrip() + scanLog() + crunch(i) + allocate(i);
}

/** runMixed runs units units of mixed work and returns a checksum. */
export function runMixed(units) {
  let sink = 0;
  for (let i = 0; i < units; i++) sink += mixedUnit(i);
  return sink;
}

/** calibrateMixed returns how many units take about targetMillis (the
 * median of three timings, after a warm-up). */
export function calibrateMixed(targetMillis) {
  runMixed(200); // warm the JIT first
  const units = 40;
  const times = [0, 1, 2].map(() => {
    const t0 = performance.now();
    runMixed(units);
    return performance.now() - t0;
  });
  const ms = times.sort((a, b) => a - b)[1];
  return Math.max(1, Math.round((units * targetMillis) / ms));
}

/** DeepShape sizes the deep workload: fnCount distinct generated functions,
 * each path depth calls deep, each level choosing among fanout callees. */
export const deepShape = { fnCount: 600, depth: 36, fanout: 3, leafIters: 400 };

/** makeDeep compiles the deep workload: fnCount named functions in one
 * script (so frames have a url and distinct lines). Each call descends one
 * level, picking its callee from fanout candidates by a pseudo-random
 * state, so that the stacks a sampler sees are mostly new paths: V8's call
 * tree grows by about (depth - log_fanout(samples)) nodes per sample. */
export function makeDeep({ fnCount, depth, fanout, leafIters } = deepShape) {
  const lines = [];
  lines.push("(function () {");
  lines.push("const fns = [];");
  lines.push(`function leaf(s) { let a = s; for (let i = 0; i < ${leafIters}; i++) a = (Math.imul(a, 1664525) + 1013904223) | 0; return a; }`);
  for (let f = 0; f < fnCount; f++) {
    // Callees are chosen from a per-function table of fanout functions.
    const callees = Array.from({ length: fanout }, (_, j) => (f * 131 + j * 977 + 17) % fnCount);
    lines.push(
      `function deep_${f}(d, s) {`,
      `  if (d === 0) return leaf(s);`,
      `  s = (Math.imul(s, 1103515245) + 12345) | 0;`,
      `  switch ((s >>> 16) % ${fanout}) {`,
      ...callees.map((c, j) => `    case ${j}: return fns[${c}](d - 1, s) + ${j};`),
      `  }`,
      `}`,
      `fns.push(deep_${f});`,
    );
  }
  // runDeep also reports the longest time it was held from outside (such as
  // a worker's inspector request served on this thread): every ~1 ms of its
  // clock it reads waitMillis, so that a gap less the run-queue wait inside
  // it is time spent on something else, not time descheduled.
  lines.push(`return function runDeep(millis, seed, waitMillis) {`);
  lines.push(`  let last = performance.now(); const end = last + millis; let s = seed | 0, sink = 0, maxGapMillis = 0, maxHeldMillis = 0;`);
  lines.push(`  let mark = last, markWait = waitMillis();`);
  lines.push(`  while (last < end) {`);
  lines.push(`    for (let k = 0; k < 16; k++) { s = (Math.imul(s, 69069) + 1) | 0; sink ^= fns[(s >>> 8) % ${fnCount}](${depth}, s); }`);
  lines.push(`    const now = performance.now(); if (now - last > maxGapMillis) maxGapMillis = now - last; last = now;`);
  lines.push(`    if (now - mark >= 1) { const w = waitMillis(); if (now - mark - (w - markWait) > maxHeldMillis) maxHeldMillis = now - mark - (w - markWait); mark = now; markWait = w; }`);
  lines.push(`  }`);
  lines.push(`  return { sink, maxGapMillis, maxHeldMillis };`);
  lines.push(`};`);
  lines.push("})()");
  return runInThisContext(lines.join("\n"), { filename: "deep-generated.js" });
}

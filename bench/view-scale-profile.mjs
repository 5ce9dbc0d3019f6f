// view-scale-profile.mjs owns the viewer's scale profile, shared by
// test/view-scale.test.ts (which asserts and prints its numbers) and
// bench/view-scale.mjs (which times it over fresh pages against a baseline
// revision): 1,000,000 samples over 100,000 distinct stacks. The encoder and
// gzip come in as arguments, so the test can pass src/'s and the benchmark
// dist/'s.

/** scaleProfile builds `stacks` distinct stacks of 8–16 frames over 3,000
 * functions (40 modules), skewed towards a few hot ones, each one sample
 * record with a route label, their samples values summing to totalSamples
 * (which must be a multiple of 2 × stacks' per-stack share); the same bytes
 * every run. It returns the gzipped profile and that sum. */
export function scaleProfile({ encodeProfile, gzip }, totalSamples = 1_000_000, stacks = 100_000) {
  const rand = xorshift(7);
  const fnCount = 3000;
  const routes = ["/catalog", "/checkout", "/search"];
  const names = Array.from({ length: fnCount }, (_, i) => `mod${i % 40}.fn${i}`);
  const frameOf = new Map();
  const frame = (id, line) => {
    const key = id * 64 + line;
    let f = frameOf.get(key);
    if (f === undefined) frameOf.set(key, (f = { functionName: names[id], url: `file:///srv/big/mod${id % 40}.js`, line: 10 + line, column: 1, startLine: 10 }));
    return f;
  };
  const seen = new Set();
  const samples = [];
  let sum = 0;
  let spread = 0;
  const per = totalSamples / stacks;
  while (samples.length < stacks) {
    const depth = 8 + Math.floor(rand() * 9);
    const ids = [0];
    for (let d = 1; d < depth; d++) ids.push(1 + Math.floor(rand() ** 3 * Math.min(fnCount - 1, 20 * d * d)));
    const key = ids.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    // Counts come in pairs per − d, per + d (d < per): they vary, and sum
    // to exactly per · stacks.
    if (samples.length % 2 === 0) spread = Math.floor(rand() * per);
    const count = samples.length % 2 === 0 ? per - spread : per + spread;
    sum += count;
    samples.push({ frames: ids.map((id) => frame(id, Math.floor(rand() * 8))).reverse(), values: [count, count * 10_000_000], labels: [["route", routes[samples.length % 3]]] });
  }
  const { proto } = encodeProfile({ sampleTypes: [["samples", "count"], ["cpu", "nanoseconds"]], periodType: ["cpu", "nanoseconds"], period: 10_000_000 }, samples);
  return { bytes: gzip(proto), sum };
}

/** xorshift returns a seeded xorshift32 generator of numbers in [0, 1). */
function xorshift(seed) {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

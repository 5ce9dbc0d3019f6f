// data.mjs owns the benchmarks' synthetic inputs: a seeded PRNG, a Zipf
// sampler, the aggregation workload (flat samples in the core's format) and
// the encoding workload (functions, locations and stacks as a JS profiler
// would hold them). Same seed, same data, on every machine and run; nothing
// here is timed.

/** prng returns a mulberry32 generator of floats in [0, 1) from a 32-bit seed. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** zipf returns a sampler of ranks 0..n-1 with P(rank r) ∝ 1/(r+1)^exponent:
 * a few hot items and a long tail, as in real profiles. */
export function zipf(n, exponent, random) {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cumulative[r] = sum += 1 / (r + 1) ** exponent;
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** shuffle permutes xs in place (Fisher–Yates). */
function shuffle(xs, random) {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = xs[i];
    xs[i] = xs[j];
    xs[j] = t;
  }
  return xs;
}

/** stackMaker returns a maker of distinct stacks of minDepth..maxDepth
 * location ids (1..locationCount), leaf first, shaped like a real call tree:
 * each new stack keeps 50–100% of the root side of an earlier one and grows
 * new frames (hot locations, Zipf, more often) toward the leaf. Shared root
 * paths matter to gzip; the hash tables do not care. */
function stackMaker({ minDepth, maxDepth, locationCount, random }) {
  const pickLocation = zipf(locationCount, 0.8, random);
  const rootFirst = [];
  const seen = new Set();
  return () => {
    for (;;) {
      const depth = minDepth + Math.floor(random() * (maxDepth - minDepth + 1));
      // push, not new Array(depth): packed arrays, as a profiler's would be.
      const path = [];
      if (rootFirst.length > 0) {
        const parent = rootFirst[Math.floor(random() * rootFirst.length)];
        const keep = Math.floor(Math.min(depth, parent.length) * (0.5 + 0.5 * random()));
        for (let i = 0; i < keep; i++) path.push(parent[i]);
      }
      while (path.length < depth) path.push(pickLocation() + 1);
      const key = path.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      rootFirst.push(path);
      return path.slice().reverse();
    }
  };
}

/** aggregationData makes sampleCount samples over exactly uniqueStacks
 * distinct stacks of depth minDepth..maxDepth: every stack once, the rest
 * drawn Zipf-skewed, all in shuffled order so new stacks keep arriving until
 * the end. words is the core's format ([depth, labelSetId=0, ids…] per
 * sample); values holds k=2 values per sample: a count of 1 and a CPU time
 * near 10 ms in nanoseconds (integers, so every sum is exact in a double). */
export function aggregationData({
  sampleCount = 1_000_000,
  uniqueStacks = 50_000,
  minDepth = 10,
  maxDepth = 60,
  locationCount = 30_000,
  seed = 0x5eed,
} = {}) {
  const random = prng(seed);
  const nextStack = stackMaker({ minDepth, maxDepth, locationCount, random });
  const stacks = [];
  while (stacks.length < uniqueStacks) stacks.push(nextStack());
  // order[i] is the stack of sample i: each stack once, the rest by rank,
  // with ranks assigned to stacks at random so the hot stacks are not the
  // first ones created.
  const rankToStack = shuffle(Array.from(stacks, (_, i) => i), random);
  const pickRank = zipf(uniqueStacks, 1.0, random);
  const order = new Uint32Array(sampleCount);
  for (let i = 0; i < sampleCount; i++) order[i] = i < uniqueStacks ? i : rankToStack[pickRank()];
  shuffle(order, random);

  let wordCount = 0;
  for (let i = 0; i < sampleCount; i++) wordCount += 2 + stacks[order[i]].length;
  const words = new Uint32Array(wordCount);
  const values = new Float64Array(sampleCount * 2);
  const sampleStarts = new Uint32Array(sampleCount + 1);
  let w = 0;
  for (let i = 0; i < sampleCount; i++) {
    const ids = stacks[order[i]];
    sampleStarts[i] = w;
    words[w++] = ids.length;
    words[w++] = 0;
    for (let j = 0; j < ids.length; j++) words[w++] = ids[j];
    values[2 * i] = 1;
    values[2 * i + 1] = 9_500_000 + Math.floor(random() * 1_000_000);
  }
  sampleStarts[sampleCount] = w;
  return { words, values, sampleStarts, sampleCount, wordCount, uniqueStacks, locationCount, averageDepth: wordCount / sampleCount - 2 };
}

// Words for realistic names: what a Node service's frames look like.
const verbs = ["handle", "parse", "read", "write", "process", "resolve", "dispatch", "render", "validate", "serialize", "fetch", "compute", "update", "emit", "flush", "decode", "encode", "transform", "schedule", "apply"];
const nouns = ["Request", "Response", "Header", "Body", "Chunk", "Token", "Route", "Middleware", "Session", "Query", "Row", "Buffer", "Stream", "Event", "Promise", "Template", "Schema", "Record", "Batch", "Socket"];
const classes = ["Router", "Layer", "Parser", "Connection", "Pool", "Client", "Server", "Lexer", "Compiler", "Cache", "Queue", "Worker", "Tokenizer", "Serializer", "Scheduler"];
const packages = ["express", "fastify", "pg", "mysql2", "ioredis", "graphql", "lodash", "undici", "ws", "zod", "prisma", "@babel/core", "typescript", "react-dom", "winston"];
const dirs = ["lib", "src", "dist", "lib/router", "src/internal", "dist/cjs", "lib/utils", "src/runtime"];
const appDirs = ["routes", "services", "models", "controllers", "middleware", "lib", "jobs", "utils"];

/** encodingData makes a profile's worth of JS-side data: functionCount
 * functions (name, filename, startLine), locationCount locations (function
 * index, line, column; each function has at least one), and sampleCount
 * distinct samples of 10..50 frames (average 30) whose locationIds are
 * 1-based positions in locations, as pprof ids are, so pprof-format can take
 * them as they are. */
export function encodingData({ sampleCount = 100_000, locationCount = 20_000, functionCount = 10_000, fileCount = 1_000, seed = 0xe7c0de } = {}) {
  const random = prng(seed);
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const files = [];
  for (let i = 0; i < fileCount; i++) {
    const r = random();
    if (r < 0.5) files.push(`file:///srv/app/node_modules/${pick(packages)}/${pick(dirs)}/${pick(nouns).toLowerCase()}-${i}.js`);
    else if (r < 0.9) files.push(`file:///srv/app/src/${pick(appDirs)}/${pick(nouns).toLowerCase()}-${pick(verbs)}-${i}.ts`);
    else files.push(`node:internal/${pick(["streams", "http", "process", "timers", "fs"])}/${pick(nouns).toLowerCase()}_${i}`);
  }
  const functions = [];
  for (let i = 0; i < functionCount; i++) {
    const r = random();
    let name;
    if (r < 0.05) name = "(anonymous)";
    else if (r < 0.55) name = `${pick(classes)}.${pick(verbs)}${pick(nouns)}`;
    else name = `${pick(verbs)}${pick(nouns)}${pick(nouns)}_${i}`;
    functions.push({ name, filename: files[i % fileCount], startLine: 1 + Math.floor(random() * 2000) });
  }
  const locations = [];
  for (let i = 0; i < locationCount; i++) {
    const functionIndex = i < functionCount ? i : Math.floor(random() * functionCount);
    const f = functions[functionIndex];
    // (function, line, column) must be distinct so that every encoder keeps
    // all locations; i breaks any tie.
    locations.push({ functionIndex, line: f.startLine + 1 + (i % 97), column: 1 + (i % 80) + Math.floor(i / 7760) * 80 });
  }
  const nextStack = stackMaker({ minDepth: 10, maxDepth: 50, locationCount, random });
  const samples = [];
  let frameCount = 0;
  while (samples.length < sampleCount) {
    const locationIds = nextStack();
    const count = 1 + Math.floor(random() * 4);
    samples.push({ locationIds, values: [count, count * 10_000_000 + Math.floor(random() * 1_000_000)] });
    frameCount += locationIds.length;
  }
  return { functions, locations, samples, averageDepth: frameCount / sampleCount };
}

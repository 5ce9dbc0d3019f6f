// aggregate.mjs owns the aggregation benchmark: 1,000,000 samples over 50,000
// distinct stacks summed by the WASM stack map, by a plain JS Map keyed by
// ids.join(","), and by the best plain-JS open-addressing table
// (jstable.mjs). It checks that all three agree stack by stack before it
// times anything.
import { aggregationData } from "./data.mjs";
import { StackTable } from "./jstable.mjs";
import { makeCore, decodeProfile, emptyMeta } from "./setup.mjs";
import { timeRounds, median, medianRatio, table, fixed, check, verdict } from "./harness.mjs";

const valueCount = 2;
// batchSamples is how many samples cross into WASM per core.samples call:
// big enough to amortize the call, small enough to stay in cache.
const batchSamples = 8192;

/** locationTable returns the records that make location ids
 * 1..locationCount exist (one function, distinct lines): the core checks
 * every id of a new stack against its location table. */
function locationTable(locationCount) {
  const words = new Uint32Array(3 * locationCount);
  for (let i = 0; i < locationCount; i++) {
    words[3 * i] = 1;
    words[3 * i + 1] = i + 1;
  }
  return words;
}

/** aggregateWasm interns the locations (a profile needs them anyway; they
 * cost about 1% here), feeds every sample to the core in batches (the copy
 * into WASM memory is part of the work) and returns the distinct stack
 * count. */
function aggregateWasm(core, data) {
  const { words, values, sampleStarts, sampleCount, locationWords, locationCount } = data;
  core.reset(valueCount);
  core.functions(new Uint32Array(4), 1);
  core.locations(locationWords, locationCount);
  let distinct = 0;
  for (let s = 0; s < sampleCount; s += batchSamples) {
    const n = Math.min(batchSamples, sampleCount - s);
    const w0 = sampleStarts[s];
    const w1 = sampleStarts[s + n];
    distinct = core.samples(words.subarray(w0, w1), w1 - w0, n, values.subarray(s * valueCount, (s + n) * valueCount), valueCount);
  }
  return distinct;
}

/** aggregateMap is what most JS code would write: a string key per sample. */
function aggregateMap(data) {
  const { words, values, sampleCount } = data;
  const sums = new Map();
  let p = 0;
  for (let s = 0; s < sampleCount; s++) {
    const depth = words[p];
    // The key is the label-set id and the ids, as in the core.
    const key = words.subarray(p + 1, p + 2 + depth).join(",");
    const row = sums.get(key);
    if (row === undefined) sums.set(key, [values[2 * s], values[2 * s + 1]]);
    else {
      row[0] += values[2 * s];
      row[1] += values[2 * s + 1];
    }
    p += depth + 2;
  }
  return sums;
}

/** aggregateTable runs the open-addressing baseline over all samples at once
 * (no batching or copy: its best case). */
function aggregateTable(table, data) {
  table.reset();
  return table.addSamples(data.words, data.wordCount, data.sampleCount, data.values);
}

/** verify checks that the three candidates found the same stacks, in the
 * same first-seen order, with the same sums, and that the sums add up to
 * the input's totals. */
function verify(core, data) {
  const distinct = aggregateWasm(core, data);
  const wasm = decodeProfile(core.build(emptyMeta));
  const map = aggregateMap(data);
  const jsTable = new StackTable(valueCount);
  aggregateTable(jsTable, data);

  check("distinct stacks, WASM", distinct, data.uniqueStacks);
  check("decoded samples, WASM", wasm.sample.length, data.uniqueStacks);
  check("distinct stacks, Map", map.size, data.uniqueStacks);
  check("distinct stacks, JS table", jsTable.count, data.uniqueStacks);

  const wantTotals = [0, 0];
  for (let i = 0; i < data.sampleCount; i++) {
    wantTotals[0] += data.values[2 * i];
    wantTotals[1] += data.values[2 * i + 1];
  }
  const totals = { wasm: [0, 0], map: [0, 0], table: [0, 0] };
  let id = 1;
  for (const [key, row] of map) {
    const sample = wasm.sample[id - 1];
    const tableKey = jsTable.stackWords(id);
    check(`stack ${id} key, WASM vs Map`, "0," + sample.locationId.join(","), key);
    check(`stack ${id} key, JS table vs Map`, tableKey.subarray(1).join(","), key);
    const tableSums = jsTable.stackSums(id);
    for (let j = 0; j < valueCount; j++) {
      check(`stack ${id} value ${j}, WASM vs Map`, sample.value[j], row[j]);
      check(`stack ${id} value ${j}, JS table vs Map`, tableSums[j], row[j]);
      totals.wasm[j] += sample.value[j];
      totals.map[j] += row[j];
      totals.table[j] += tableSums[j];
    }
    id++;
  }
  for (const [name, got] of Object.entries(totals)) {
    for (let j = 0; j < valueCount; j++) check(`value ${j} total, ${name}`, got[j], wantTotals[j]);
  }
}

/** runAggregation generates the workload, verifies, times rounds and
 * returns the markdown section. */
export async function runAggregation({ rounds = 9 } = {}) {
  const data = aggregationData();
  data.locationWords = locationTable(data.locationCount);
  const core = makeCore();
  const jsTable = new StackTable(valueCount);
  verify(core, data);

  const candidates = [
    { name: "WASM core (`core.samples`, 8,192/batch, copy included)", run: () => aggregateWasm(core, data) },
    { name: "JS `Map` keyed by `ids.join(\",\")`", run: () => aggregateMap(data) },
    { name: "best plain-JS open-addressing table", run: () => aggregateTable(jsTable, data) },
  ];
  // One untimed round so every candidate is optimized before timing.
  await timeRounds(candidates, 1);
  const elapsedMillis = await timeRounds(candidates, rounds);
  const [wasm, map, js] = elapsedMillis;
  const samplesPerSecond = (ms) => data.sampleCount / (ms / 1000);
  const wasmSamplesPerSecond = samplesPerSecond(median(wasm));
  const overMap = medianRatio(wasm, map);
  const overTable = medianRatio(wasm, js);

  const rows = candidates.map((c, i) => [
    c.name,
    fixed(median(elapsedMillis[i])),
    fixed(samplesPerSecond(median(elapsedMillis[i])) / 1e6, 2),
    i === 0 ? "1.00×" : `${fixed(medianRatio(wasm, elapsedMillis[i]), 2)}×`,
  ]);
  const lines = [
    `### Aggregation: ${data.sampleCount.toLocaleString("en-US")} samples, ${data.uniqueStacks.toLocaleString("en-US")} distinct stacks, depth 10–60 (average ${fixed(data.averageDepth)}), Zipf-skewed, k=${valueCount}`,
    "",
    table(["candidate", "median ms", "M samples/s", "WASM speed-up (median of per-round ratios)"], rows),
    "",
    `Targets: WASM ≥ 10 M samples/s: ${fixed(wasmSamplesPerSecond / 1e6, 2)} M, ${verdict(wasmSamplesPerSecond / 1e6, 10)}; ` +
      `≥ 30× Map: ${fixed(overMap, 2)}×, ${verdict(overMap, 30)}; ≥ 3× best JS table: ${fixed(overTable, 2)}×, ${verdict(overTable, 3)}.`,
    `Verified: all three found the same ${data.uniqueStacks.toLocaleString("en-US")} stacks in the same order with equal sums, and the sums equal the input totals.`,
  ];
  return { markdown: lines.join("\n"), wasmSamplesPerSecond, overMap, overTable, elapsedMillis };
}

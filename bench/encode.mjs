// encode.mjs owns the encoding benchmark: one profile (100,000 samples,
// 20,000 locations, 10,000 functions, average depth 30) encoded from the
// same JS data by the WASM core, by pprof-format (Datadog's pure-JS
// encoder) and by protobufjs on profile.proto. Each candidate is timed twice:
// the whole encode from JS data (string table, ids, every message) and the
// writer alone on its own ready model. Every output is decoded with
// protobufjs and checked against the input before anything is timed.
import { Function as PfFunction, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from "pprof-format";
import { encodingData } from "./data.mjs";
import { makeCore, ProfileType, decodeProfile } from "./setup.mjs";
import { timeRounds, median, medianRatio, table, fixed, check, verdict } from "./harness.mjs";

// The profile's fixed fields, the same for every candidate.
const sampleTypeNames = [
  ["samples", "count"],
  ["cpu", "nanoseconds"],
];
const periodNanos = 10_000_000;
const timeNanos = 1_700_000_000_000_000_000n;
const durationNanos = 30_000_000_000;

/** encodeWasm is what src/pprof/encode.ts does, minus its Frame objects: strings,
 * functions, locations and samples each cross in one batch, then build. */
function encodeWasm(core, data) {
  const { functions, locations, samples } = data;
  core.reset(sampleTypeNames.length);
  // The core interns and dedups, so names and filenames go as they are.
  const stringList = sampleTypeNames.flat();
  for (const f of functions) stringList.push(f.name, f.filename);
  const stringIndexes = core.strings(stringList);
  const base = 2 * sampleTypeNames.length;

  const functionWords = new Uint32Array(4 * functions.length);
  for (let i = 0; i < functions.length; i++) {
    const name = stringIndexes[base + 2 * i];
    functionWords[4 * i] = name;
    functionWords[4 * i + 1] = name;
    functionWords[4 * i + 2] = stringIndexes[base + 2 * i + 1];
    functionWords[4 * i + 3] = functions[i].startLine;
  }
  const functionIds = core.functions(functionWords, functions.length);

  const locationWords = new Uint32Array(3 * locations.length);
  for (let i = 0; i < locations.length; i++) {
    const l = locations[i];
    locationWords[3 * i] = functionIds[l.functionIndex];
    locationWords[3 * i + 1] = l.line;
    locationWords[3 * i + 2] = l.column;
  }
  const locationIds = core.locations(locationWords, locations.length);

  let wordCount = 0;
  for (const s of samples) wordCount += 2 + s.locationIds.length;
  const sampleWords = new Uint32Array(wordCount);
  const values = new Float64Array(2 * samples.length);
  let w = 0;
  for (let i = 0; i < samples.length; i++) {
    const ids = samples[i].locationIds;
    sampleWords[w++] = ids.length;
    sampleWords[w++] = 0;
    // The core's ids are what it returned, not our positions.
    for (let j = 0; j < ids.length; j++) sampleWords[w++] = locationIds[ids[j] - 1];
    values[2 * i] = samples[i].values[0];
    values[2 * i + 1] = samples[i].values[1];
  }
  core.samples(sampleWords, wordCount, samples.length, values, 2);
  return core.build(wasmMeta(stringIndexes));
}

/** wasmMeta is the build meta block; the sample-type strings were interned
 * first, so their indexes lead stringIndexes. */
function wasmMeta(stringIndexes) {
  return {
    sampleTypes: [
      [stringIndexes[0], stringIndexes[1]],
      [stringIndexes[2], stringIndexes[3]],
    ],
    periodType: [stringIndexes[2], stringIndexes[3]],
    period: BigInt(periodNanos),
    timeNanos,
    durationNanos: BigInt(durationNanos),
    defaultSampleType: 0,
    docUrl: 0,
    mappingFile: 0,
    comments: [],
  };
}

/** pprofFormatProfile builds pprof-format's model the way its README does:
 * a StringTable with dedup, then one object per message. */
function pprofFormatProfile(data) {
  const strings = new StringTable();
  const sampleType = sampleTypeNames.map(([type, unit]) => new ValueType({ type: strings.dedup(type), unit: strings.dedup(unit) }));
  const fns = data.functions.map((f, i) => {
    const name = strings.dedup(f.name);
    return new PfFunction({ id: i + 1, name, systemName: name, filename: strings.dedup(f.filename), startLine: f.startLine });
  });
  const location = data.locations.map(
    (l, i) => new Location({ id: i + 1, mappingId: 1, line: [new Line({ functionId: l.functionIndex + 1, line: l.line, column: l.column })] }),
  );
  // The input already holds pprof ids, so samples take the arrays as they are.
  const sample = data.samples.map((s) => new Sample({ locationId: s.locationIds, value: s.values }));
  return new Profile({
    sampleType,
    sample,
    mapping: [new Mapping({ id: 1, hasFunctions: true, hasFilenames: true, hasLineNumbers: true })],
    location,
    function: fns,
    stringTable: strings,
    timeNanos,
    durationNanos,
    periodType: sampleType[1],
    period: periodNanos,
  });
}

/** protobufjsMessage builds the plain object protobufjs encodes: the string
 * table deduped with a Map, one object per message. */
function protobufjsMessage(data) {
  const stringTable = [""];
  const index = new Map([["", 0]]);
  const str = (s) => {
    let i = index.get(s);
    if (i === undefined) {
      i = stringTable.length;
      index.set(s, i);
      stringTable.push(s);
    }
    return i;
  };
  const sampleType = sampleTypeNames.map(([type, unit]) => ({ type: str(type), unit: str(unit) }));
  const fns = data.functions.map((f, i) => {
    const name = str(f.name);
    return { id: i + 1, name, systemName: name, filename: str(f.filename), startLine: f.startLine };
  });
  const location = data.locations.map((l, i) => ({ id: i + 1, mappingId: 1, line: [{ functionId: l.functionIndex + 1, line: l.line, column: l.column }] }));
  const sample = data.samples.map((s) => ({ locationId: s.locationIds, value: s.values }));
  return {
    sampleType,
    sample,
    mapping: [{ id: 1, hasFunctions: true, hasFilenames: true, hasLineNumbers: true }],
    location,
    function: fns,
    stringTable,
    timeNanos: Number(timeNanos),
    durationNanos,
    periodType: sampleType[1],
    period: periodNanos,
  };
}

/** verify decodes bytes and checks it is the input profile: counts, totals,
 * the set of function names, and every sample's frames resolved to
 * (function name, filename, line, column) against the input's. */
function verify(name, bytes, data) {
  const p = decodeProfile(bytes);
  check(`${name}: samples`, p.sample.length, data.samples.length);
  check(`${name}: locations`, p.location.length, data.locations.length);
  check(`${name}: functions`, p.function.length, data.functions.length);
  check(`${name}: sample types`, p.sampleType.map((t) => `${p.stringTable[t.type]}/${p.stringTable[t.unit]}`).join(","), "samples/count,cpu/nanoseconds");
  check(`${name}: period`, p.period, periodNanos);

  const wantNames = new Set(data.functions.map((f) => f.name));
  const gotNames = new Set(p.function.map((f) => p.stringTable[f.name]));
  check(`${name}: distinct function names`, gotNames.size, wantNames.size);
  for (const n of wantNames) if (!gotNames.has(n)) throw new Error(`bench: ${name}: function name ${JSON.stringify(n)} missing`);

  const functionById = new Map(p.function.map((f) => [f.id, f]));
  const frameKey = (fnName, file, line, column) => `${fnName}\n${file}\n${line}\n${column}`;
  const wantLocation = new Map(data.locations.map((l, i) => [frameKey(data.functions[l.functionIndex].name, data.functions[l.functionIndex].filename, l.line, l.column), i + 1]));
  // inputId maps each decoded location id to the input's id of the same frame.
  const inputId = new Map();
  for (const l of p.location) {
    const f = functionById.get(l.line[0].functionId);
    const id = wantLocation.get(frameKey(p.stringTable[f.name], p.stringTable[f.filename], l.line[0].line, l.line[0].column));
    if (id === undefined) throw new Error(`bench: ${name}: location ${l.id} is not an input frame`);
    inputId.set(l.id, id);
  }
  const totals = [0, 0];
  const wantTotals = [0, 0];
  p.sample.forEach((s, i) => {
    const want = data.samples[i];
    check(`${name}: sample ${i} depth`, s.locationId.length, want.locationIds.length);
    for (let j = 0; j < s.locationId.length; j++) check(`${name}: sample ${i} frame ${j}`, inputId.get(s.locationId[j]), want.locationIds[j]);
    for (let j = 0; j < 2; j++) {
      totals[j] += s.value[j];
      wantTotals[j] += want.values[j];
    }
  });
  for (let j = 0; j < 2; j++) check(`${name}: value ${j} total`, totals[j], wantTotals[j]);
}

/** runEncoding generates the profile, verifies every candidate, times rounds
 * (unless timed is false: gzip only needs the bytes) and returns the markdown
 * section and the WASM output. */
export async function runEncoding({ rounds = 15, timed = true } = {}) {
  const data = encodingData();
  const core = makeCore();
  const wasmProto = encodeWasm(core, data);
  const pfModel = pprofFormatProfile(data);
  const pbMessage = protobufjsMessage(data);
  const pfProto = pfModel.encode();
  const pbProto = ProfileType.encode(pbMessage).finish();
  verify("WASM core", wasmProto, data);
  verify("pprof-format", pfProto, data);
  verify("protobufjs", pbProto, data);
  if (!timed) return { wasmProto };
  // Not required (a different field or string order is still valid), but
  // worth knowing: same field order and first-seen string order make the
  // three writers' bytes equal.
  const identical = Buffer.compare(wasmProto, pfProto) === 0 && Buffer.compare(wasmProto, pbProto) === 0;

  // The core keeps its tables after encodeWasm, so build alone re-writes
  // the same profile; it must come out byte-identical.
  const meta = wasmMeta(core.strings(sampleTypeNames.flat()));
  check("core.build alone: bytes", Buffer.compare(core.build(meta), wasmProto), 0);

  const candidates = [
    { name: "WASM core: whole encode", run: () => encodeWasm(core, data) },
    { name: "pprof-format: whole encode", run: () => pprofFormatProfile(data).encode() },
    { name: "protobufjs: whole encode", run: () => ProfileType.encode(protobufjsMessage(data)).finish() },
    // Writers alone, each on its ready model (the core's: its tables).
    { name: "WASM core: `core.build` alone", run: () => core.build(meta) },
    { name: "pprof-format: `profile.encode()` alone", run: () => pfModel.encode() },
    { name: "protobufjs: `Type.encode().finish()` alone", run: () => ProfileType.encode(pbMessage).finish() },
  ];
  // core.build alone writes whatever tables the core holds: every
  // encodeWasm leaves the same ones (same input, same ids), so it writes the
  // same profile in any rotation order.
  await timeRounds(candidates, 2);
  const elapsedMillis = await timeRounds(candidates, rounds);
  const [wasmWhole, pfWhole, pbWhole, wasmBuild, pfEncode, pbEncode] = elapsedMillis;
  // Each candidate's MB/s is over its own output.
  const outputBytes = [wasmProto, pfProto, pbProto, wasmProto, pfProto, pbProto].map((b) => b.length);
  const mbPerSecond = (i, ms) => outputBytes[i] / 1e6 / (ms / 1000);
  const ratios = [1, medianRatio(wasmWhole, pfWhole), medianRatio(wasmWhole, pbWhole), 1, medianRatio(wasmBuild, pfEncode), medianRatio(wasmBuild, pbEncode)];
  const rows = candidates.map((c, i) => [
    c.name,
    fixed(median(elapsedMillis[i]), 2),
    fixed(mbPerSecond(i, median(elapsedMillis[i])), 0),
    outputBytes[i].toLocaleString("en-US"),
    i % 3 === 0 ? "1.00×" : `${fixed(ratios[i], 2)}×`,
  ]);
  const wholeMBps = mbPerSecond(0, median(wasmWhole));
  const buildMBps = mbPerSecond(3, median(wasmBuild));
  const lines = [
    `### Encoding: ${data.samples.length.toLocaleString("en-US")} samples, ${data.locations.length.toLocaleString("en-US")} locations, ${data.functions.length.toLocaleString("en-US")} functions, average depth ${fixed(data.averageDepth)}`,
    "",
    table(["candidate", "median ms", "MB/s of protobuf out", "bytes out", "WASM speed-up (median of per-round ratios)"], rows),
    "",
    `Whole encode starts from JS objects (functions, locations, samples with \`number[]\` location ids) and ends with the bytes; alone is the writer on its ready model. ` +
      `Targets: ≥ 20× pprof-format (whole encode): ${fixed(ratios[1], 2)}×, ${verdict(ratios[1], 20)}; ` +
      `≥ 300 MB/s: whole encode ${fixed(wholeMBps, 0)} MB/s, ${verdict(wholeMBps, 300)}; \`core.build\` alone ${fixed(buildMBps, 0)} MB/s, ${verdict(buildMBps, 300)}.`,
    `Verified: each output decodes (protobufjs, profile.proto) to the input: sample, location and function counts, value totals, the set of function names, and every sample's frames. ` +
      (identical ? "The three outputs are byte-identical." : "The outputs differ in bytes but decode to the same profile."),
  ];
  return { markdown: lines.join("\n"), wasmProto, ratios, wholeMBps, buildMBps, elapsedMillis };
}

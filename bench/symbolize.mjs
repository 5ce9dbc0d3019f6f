// symbolize.mjs measures what source maps cost when a profile is written:
// a real 10 s CPU profile (V8's inspector, 1 ms interval) of the fixture
// service bundled and minified by esbuild, and one of marked's published
// bundle, each converted by anyprof's CPU converter without maps (the
// baseline), with a fresh mapper (the first profile: maps read and decoded)
// and with a warm one (later profiles: maps cached), and mapped by
// Datadog's SourceMapper (@datadog/pprof) on the same locations. It also
// measures the heap a decoded map holds, against its JSON size (the factor
// src/symbolize/mapper.ts counts its cache with). Every candidate's names
// are checked against each other before anything is timed. Times are the
// process's CPU time (user + system), medians over rounds.
//   node --expose-gc bench/symbolize.mjs [seconds=10] [rounds=7]
import { readFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import "../dist/runtime/node.js";
import { host } from "../dist/host/host.js";
import { CpuProfileConverter } from "../dist/pprof/cpuprofile.js";
import { newCore } from "../dist/pprof/core.js";
import { newSourceMapper } from "../dist/symbolize/sourcemaps.js";
import { buildArtifacts } from "../test/fixtures/symbolize/build.mjs";
import { gc, machine, loadAverage, median, table, fixed, check } from "./harness.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const seconds = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 7);
const artifacts = buildArtifacts(join(root, "test-output/bench-symbolize"));

// CPU time, not wall time: on a shared, loaded machine the process is
// descheduled often, and wall time would bill that to whoever ran then.
const cpuMillis = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const session = new Session();
session.connect();
const post = (method, params = {}) => {
  let out;
  session.post(method, params, (err, r) => {
    if (err) throw err;
    out = r;
  });
  return out;
};

/** profile runs busy for seconds under V8's CPU profiler at a 1 ms interval
 * and returns the .cpuprofile. */
function profile(busy) {
  busy(300);
  post("Profiler.enable");
  post("Profiler.setSamplingInterval", { interval: 1000 });
  post("Profiler.start");
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) busy(50);
  const { profile: p } = post("Profiler.stop");
  post("Profiler.disable");
  return p;
}

const service = await import(pathToFileURL(artifacts.esbuild).href);
const { marked } = await import("marked");
const md = readFileSync(join(root, "node_modules/marked/README.md"), "utf8");
const workloads = [
  { name: "esbuild bundle (fixture service)", script: artifacts.esbuild, dir: join(artifacts.esbuild, ".."), busy: (ms) => service.busyFor(ms) },
  {
    name: "marked.esm.js (published)",
    script: join(root, "node_modules/marked/lib/marked.esm.js"),
    dir: join(root, "node_modules/marked/lib"),
    busy: (ms) => {
      const end = Date.now() + ms;
      while (Date.now() < end) marked.parse(md);
    },
  },
];

// One core for every conversion, as a process has: instantiating one per
// run would cost more than what is measured.
const core = newCore(host.wasmModule());
function convert(p, symbolizer) {
  const c = new CpuProfileConverter(core, { intervalMicros: 1000, symbolizer });
  c.add(p);
  return c.finish(0n, 0n);
}

// Datadog's mapper is loaded once per directory (it reads every map there at
// create) and maps one location per call.
const { SourceMapper: DdSourceMapper } = await import("@datadog/pprof/out/src/sourcemapper/sourcemapper.js");

const rows = [];
const memRows = [];
for (const w of workloads) {
  const p = profile(w.busy);
  const url = pathToFileURL(w.script).href;
  // Distinct frames in the bundle: what a mapper is asked for.
  const frames = new Map();
  for (const n of p.nodes) {
    const cf = n.callFrame;
    if (cf.url === url) frames.set(`${cf.lineNumber}:${cf.columnNumber}`, cf);
  }
  const locations = frames.size;
  const allLocations = new Set(p.nodes.map((n) => `${n.callFrame.url}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`)).size;

  // Check: both mappers agree on every bundle frame's original line.
  const warm = newSourceMapper({ roots: [root] });
  const ours = warm.session();
  const dd = await DdSourceMapper.create([w.dir]);
  let agree = 0;
  for (const cf of frames.values()) {
    const a = ours.frame(cf.functionName, url, cf.lineNumber + 1, cf.columnNumber + 1, true);
    const b = dd.mappingInfo({ file: w.script, name: cf.functionName, line: cf.lineNumber + 1, column: cf.columnNumber + 1 });
    if (a !== undefined && a.line === b.line) agree++;
  }
  check(`${w.name}: frames both mappers place on the same original line (of ${locations})`, agree >= locations * 0.9, true);
  convert(p, warm);

  const times = { base: [], first: [], cached: [], dd: [], ddCreate: [] };
  for (let r = 0; r < rounds; r++) {
    const run = (key, fn) => {
      gc();
      const t0 = cpuMillis();
      fn();
      times[key].push(cpuMillis() - t0);
    };
    run("base", () => convert(p, null));
    run("first", () => convert(p, newSourceMapper({ roots: [root] })));
    run("cached", () => convert(p, warm));
    run("dd", () => {
      for (const cf of frames.values()) dd.mappingInfo({ file: w.script, name: cf.functionName, line: cf.lineNumber + 1, column: cf.columnNumber + 1 });
    });
    gc();
    const t0 = cpuMillis();
    await DdSourceMapper.create([w.dir]);
    times.ddCreate.push(cpuMillis() - t0);
  }
  const base = median(times.base);
  const per1k = (ms) => (ms / locations) * 1000;
  const first = median(times.first.map((t, i) => t - times.base[i]));
  const cached = median(times.cached.map((t, i) => t - times.base[i]));
  rows.push([w.name, `${locations} / ${allLocations}`, fixed(base, 2), fixed(first, 2), fixed(per1k(first), 2), fixed(cached, 2), fixed(per1k(cached), 2), fixed(median(times.ddCreate), 2), fixed(median(times.dd), 2), fixed(per1k(median(times.dd)), 2)]);

  // Memory of one decoded map: heap after gc, with and without a mapper
  // that has mapped this profile.
  const mapBytes = readFileSync(w.script + ".map").length;
  const heapDeltas = [];
  for (let r = 0; r < 5; r++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    globalThis.keep = newSourceMapper({ roots: [root] });
    convert(p, globalThis.keep);
    gc();
    heapDeltas.push(process.memoryUsage().heapUsed - before);
    globalThis.keep = undefined;
  }
  const heap = median(heapDeltas);
  memRows.push([w.name, fixed(mapBytes / 1024, 1), fixed(heap / 1024, 1), fixed(heap / mapBytes, 1), fixed(warm.cachedBytes / 1024, 1)]);
}

// A profile's bundle holds few distinct positions; to price many, every
// call-like position (name followed by "(") in marked's bundle, up to 2,000,
// goes through each mapper alone, without the converter.
{
  const script = join(root, "node_modules/marked/lib/marked.esm.js");
  const url = pathToFileURL(script).href;
  const positions = [];
  readFileSync(script, "utf8")
    .split("\n")
    .forEach((l, i) => {
      for (const m of l.matchAll(/([#\w$]+)\(/g)) if (positions.length < 2000) positions.push([m[1], i + 1, m.index + m[1].length + 1]);
    });
  const dd = await DdSourceMapper.create([join(root, "node_modules/marked/lib")]);
  const times = { first: [], cached: [], dd: [] };
  const warm = newSourceMapper({ roots: [root] });
  for (const [n, l, c] of positions) warm.session().frame(n, url, l, c, true);
  for (let r = 0; r < rounds; r++) {
    const run = (key, fn) => {
      gc();
      const t0 = cpuMillis();
      fn();
      times[key].push(cpuMillis() - t0);
    };
    run("first", () => {
      const s = newSourceMapper({ roots: [root] }).session();
      for (const [n, l, c] of positions) s.frame(n, url, l, c, true);
    });
    run("cached", () => {
      const s = warm.session();
      for (const [n, l, c] of positions) s.frame(n, url, l, c, true);
    });
    run("dd", () => {
      for (const [n, l, c] of positions) dd.mappingInfo({ file: script, name: n, line: l, column: c });
    });
  }
  const per1k = (ms) => (ms / positions.length) * 1000;
  rows.push([`marked.esm.js: ${positions.length} call positions, mapper alone`, `${positions.length}`, "–", fixed(median(times.first), 2), fixed(per1k(median(times.first)), 2), fixed(median(times.cached), 2), fixed(per1k(median(times.cached)), 2), "(above)", fixed(median(times.dd), 2), fixed(per1k(median(times.dd)), 2)]);
}

console.log(`## Source maps: cost of symbolizing a ${seconds} s CPU profile\n`);
console.log(`${JSON.stringify(machine())}, load average ${loadAverage()}, ${rounds} rounds, medians of CPU time\n`);
console.log(
  table(
    ["profile", "bundle locations / all", "convert, no maps (ms)", "first profile: + ms", "ms / 1,000 locations", "cached: + ms", "ms / 1,000 locations", "Datadog SourceMapper.create (ms)", "Datadog mapping (ms)", "ms / 1,000 locations"],
    rows,
  ),
);
console.log("\n### Memory of the map cache\n");
console.log(table(["map", "map JSON (KiB)", "heap held after mapping (KiB)", "heap / JSON byte", "cache's own estimate (KiB)"], memRows));
session.disconnect();

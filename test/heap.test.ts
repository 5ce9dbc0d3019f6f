// heap.test.ts runs the heap conformance workload (test/runtimes/
// heap-conformance.mjs) under Node 20, 22, 24, Deno, Bun and workerd, and
// Deno without --allow-sys, and checks every profile it writes: CheckValid
// and `go tool pprof -raw` for each, empty or not; Go's sample and period
// types; the 3:1 split of live bytes between two call sites (V8) or two
// types (Bun); allocations of collected objects in allocs (V8); Go's text
// form; Go's start/stop rules; the comment of every empty profile; and
// ANYPROF_MEMPROFILERATE, which starts heap profiling at import.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { goPprof, parseRaw } from "./helpers/gotool.ts";
import { resolve, type Resolved } from "./helpers/pprof.ts";
import { bin, node22, node24, node26, root, run, type Run } from "./helpers/spawn.ts";
import { pakoModuleNames, workerdJsFiles } from "./helpers/workerd.ts";
// The workload's constants, so that the expectations follow its edits.
import { churnCount, elements, rateBytes, smallCount } from "./runtimes/heap-conformance.mjs";

const script = join(root, "test/runtimes/heap-conformance.mjs");
const entry = (f: string) => join(root, "test/runtimes", f);

/** arrayBytes is one workload array in V8 (64-bit, no pointer compression):
 * a 32-byte JSArray and its FixedDoubleArray (16-byte header, 8 per element). */
const arrayBytes = 32 + 16 + 8 * elements;

interface Output {
  runtime: string;
  profiles: Record<string, string>;
  texts: Record<string, string>;
  errors: Record<string, string>;
  counts: Record<string, number>;
}

/** output returns the workload's JSON line, failing with stderr otherwise. */
function output(name: string, r: Run): Output {
  const where = () => `${name}: exit ${r.code} ${r.signal ?? ""} after ${Math.round(r.millis)} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  if (r.code !== 0) throw new Error(`heap workload failed: ${where()}`);
  const line = r.stdout.split("\n").find((l) => l.startsWith('{"runtime"'));
  if (line === undefined) throw new Error(`no JSON line: ${where()}`);
  return JSON.parse(line) as Output;
}

/** checked decodes every profile with CheckValid, runs `go tool pprof -raw`
 * on it (whose sample count must match), and returns them resolved. */
function checked(out: Output): Record<string, Resolved & { bytes: Buffer }> {
  const all: Record<string, Resolved & { bytes: Buffer }> = {};
  for (const [key, b64] of Object.entries(out.profiles)) {
    const bytes = Buffer.from(b64, "base64");
    let p: Resolved;
    try {
      p = resolve(bytes);
    } catch (err) {
      throw new Error(`${out.runtime} ${key}: ${(err as Error).message}`);
    }
    const raw = parseRaw(goPprof(bytes, "-raw"));
    expect(raw.samples.length, `${out.runtime} ${key}: go tool pprof -raw samples`).toBe(p.samples.length);
    all[key] = { ...p, bytes };
  }
  return all;
}

const has = (p: Resolved, fn: string) => p.samples.filter((s) => s.frames.some((f) => f.functionName === fn));
/** cum sums value index i over the samples with fn on their stack. */
const cum = (p: Resolved, fn: string, i: number) => has(p, fn).reduce((n, s) => n + s.values[i]!, 0);
const total = (p: Resolved, i: number) => p.samples.reduce((n, s) => n + s.values[i]!, 0);

/** within fails unless got is within ±tolerance of want. */
function within(what: string, got: number, want: number, tolerance: number): void {
  if (!(got >= want * (1 - tolerance) && got <= want * (1 + tolerance))) {
    throw new Error(`${what}: got ${got.toFixed(3)}, want ${want.toFixed(3)} ± ${tolerance * 100}%`);
  }
}

/** declLine is the 1-based line of `function name(` in the workload. */
function declLine(name: string): number {
  const i = readFileSync(script, "utf8").split("\n").findIndex((l) => l.startsWith(`function ${name}(`));
  if (i < 0) throw new Error(`no function ${name} in ${script}`);
  return i + 1;
}

/** firstTopRow is the first row of `go tool pprof -sample_index=… -top`. */
function firstTopRow(bytes: Uint8Array, index: string): string {
  const top = goPprof(bytes, `-sample_index=${index}`, "-top");
  const row = top.split("\n").find((l) => /^\s+[\d.]+[kMG]?B\s/.test(l));
  if (row === undefined) throw new Error(`no rows in go tool pprof -top:\n${top}`);
  return row;
}

function expectEmpty(p: Resolved, what: string, comment: RegExp): void {
  expect(p.samples.length, `${what}: samples`).toBe(0);
  expect(p.comments.join("\n"), `${what}: comment`).toMatch(comment);
}

const heapTypes = ["inuse_objects/count", "inuse_space/bytes"];
const otherOptions = "pprof: heap profiling already started with rateBytes 524288, includeCollected false, bunHeapSnapshot false: call stopHeapProfiling() first";
const allocsTypes = ["alloc_objects/count", "alloc_space/bytes"];

function expectTypes(p: Resolved, name: "heap" | "allocs", period: number): void {
  expect(p.sampleTypes).toEqual(name === "heap" ? heapTypes : allocsTypes);
  expect(p.periodType).toBe("space/bytes");
  expect(p.raw.period).toBe(period);
  expect(p.raw.stringTable[p.raw.defaultSampleType]).toBe(name === "allocs" ? "alloc_space" : "");
  expect(p.raw.timeNanos).toBeGreaterThan(1.7e18);
}

/** checkV8 asserts a Node or Deno run: the sampler's profiles. */
function checkV8(out: Output): string {
  const p = checked(out);
  const notStarted = /has not started: call startHeapProfiling\(\)/;
  expectTypes(p.beforeHeap!, "heap", 512 * 1024);
  expectEmpty(p.beforeHeap!, "heap before start", notStarted);
  expectTypes(p.beforeAllocs!, "allocs", 512 * 1024);
  expectEmpty(p.beforeAllocs!, "allocs before start", notStarted);
  expect(out.texts.beforeHeap).toMatch(/^heap profile: 0: 0 \[0: 0\] @ heap\/2\n/);

  // Go's rules, in Go's words where Go has them.
  expect(out.errors.badRate).toBe("pprof: heap sampling rate must be an integer from 1 to 2^30 bytes, got 0");
  expect(out.errors.start, "startHeapProfiling()").toBe("none");
  expect(out.errors.sameAgain, "start again, same options").toBe("none");
  expect(out.errors.otherOptions).toBe(otherOptions);
  expect(out.errors.stopAgain, "stop without sampling").toBe("none");
  expectTypes(p.defaultRate!, "heap", 512 * 1024);

  // The two sites' live bytes, 3:1, near what they allocated.
  const heap = p.heap!;
  expectTypes(heap, "heap", rateBytes);
  const big = cum(heap, "siteBig", 1);
  const small = cum(heap, "siteSmall", 1);
  within(`${out.runtime}: siteBig:siteSmall inuse_space`, big / small, 3, 0.25);
  within(`${out.runtime}: siteBig inuse_space (MB)`, big / 1e6, (3 * smallCount * arrayBytes) / 1e6, 0.25);
  // Sampled objects: about one per rate bytes.
  within(`${out.runtime}: siteBig inuse_objects (samples)`, cum(heap, "siteBig", 0), (3 * smallCount * arrayBytes) / rateBytes, 0.25);
  expect(cum(heap, "churn", 1), "garbage in the heap profile").toBeLessThan(0.05 * churnCount * arrayBytes);
  for (const fn of ["siteBig", "siteSmall"]) {
    const leaf = has(heap, fn)[0]!.frames.find((f) => f.functionName === fn)!;
    expect(leaf.file, `${fn} file`).toMatch(/\/heap-conformance\.mjs$/);
    expect(leaf.line, `${fn} line`).toBe(declLine(fn));
    expect(leaf.startLine, `${fn} start line`).toBe(declLine(fn));
  }
  expect(firstTopRow(heap.bytes, "inuse_space"), "go tool pprof -sample_index=inuse_space -top").toMatch(/\ssiteBig$/);
  // The bytes label: numeric, only where a sample tells the object's size
  // (the 3N-element result array is one), and consistent with the values.
  const labeled = heap.samples.filter((s) => "bytes" in s.labels);
  expect(labeled.length, "samples with a bytes label").toBeGreaterThan(0);
  for (const s of labeled) {
    const size = s.labels.bytes as number;
    expect(typeof size, "bytes label is numeric").toBe("number");
    expect(size).toBeGreaterThan(2.2 * rateBytes);
    expect(s.values[1]).toBe(s.values[0]! * size);
  }
  expect(out.counts.heap, "heap count()").toBeGreaterThan(0);

  // Go's text form, with the same location ids as the protobuf form.
  const text = out.texts.heap!;
  const header = /^heap profile: (\d+): (\d+) \[0: 0\] @ heap\/(\d+)\n/.exec(text);
  expect(header, `text header:\n${text.slice(0, 300)}`).not.toBeNull();
  // Values are V8's, already scaled: the header says rate 1 (heap/2), so
  // readers do not scale them again, and a note gives the real rate.
  expect(Number(header![3])).toBe(2);
  expect(text).toContain(`# heap: sampled one object per ${rateBytes} bytes allocated on average`);
  within("text total inuse bytes vs protobuf", Number(header![2]), total(heap, 1), 0.1);
  // A record's first location id is its leaf's, on the first frame line.
  expect(text).toMatch(new RegExp(`\\n\\d+: \\d+ \\[0: 0\\] @ (0x[0-9a-f]+)( 0x[0-9a-f]+)*\\n#\\t\\1\\tsiteBig\\t+\\S*heap-conformance\\.mjs:${declLine("siteBig")}:\\d+\\n`));
  expect(text).toMatch(/\n# process\.memoryUsage\(\)\n# rss = \d+\n/);
  expect(text).toMatch(/\n# v8\.getHeapStatistics\(\)\n# total_heap_size = \d+\n/);

  // Live mode: allocs cannot be told; includeCollected: heap cannot.
  expectEmpty(p.allocsLive!, "allocs without includeCollected", /startHeapProfiling\(\{ includeCollected: true \}\) keeps them/);
  expect(out.texts.allocsLive).toMatch(/^heap profile: 0: 0 \[0: 0\] @ heap\/2\n/);
  expectEmpty(p.heapCollected!, "heap with includeCollected", /cannot tell which are still live/);
  expectEmpty(p.afterStop!, "heap after stopHeapProfiling", notStarted);

  // Collected objects, summed over the sampler's restarts at each write.
  const churn1 = cum(p.allocs1!, "churn", 1);
  const churn2 = cum(p.allocs2!, "churn", 1);
  expectTypes(p.allocs1!, "allocs", rateBytes);
  within(`${out.runtime}: churn alloc_space, first write (MB)`, churn1 / 1e6, (churnCount * arrayBytes) / 1e6, 0.25);
  within(`${out.runtime}: churn alloc_space, second write (MB)`, churn2 / 1e6, (2 * churnCount * arrayBytes) / 1e6, 0.25);
  expect(firstTopRow(p.allocs2!.bytes, "alloc_space"), "go tool pprof -sample_index=alloc_space -top").toMatch(/\schurn$/);
  expect(out.texts.allocs2).toMatch(/^heap profile: 0: 0 \[\d+: \d+\] @ heap\/2\n/);
  expect(out.counts.allocs, "allocs count()").toBeGreaterThan(0);
  return `siteBig:siteSmall ${(big / small).toFixed(2)}, siteBig ${(big / 1e6).toFixed(1)} MB, churn ${(churn1 / 1e6).toFixed(1)} + ${((churn2 - churn1) / 1e6).toFixed(1)} MB collected`;
}

/** checkBun asserts a Bun run: a census of live objects by type. */
function checkBun(out: Output): string {
  const p = checked(out);
  const byStats = /has no sampling heap profiler: these are the live objects by cell type from bun:jsc heapStats\(\)/;
  const bySnapshot = /has no sampling heap profiler: these are the live objects by type from a heap snapshot/;
  const noAllocs = /has no allocation sampler/;
  const rest = "(heap bytes not attributed to a type)";
  for (const key of ["beforeHeap", "defaultRate", "heap", "heapCollected", "afterStop"]) {
    expectTypes(p[key]!, "heap", 1);
    expect(p[key]!.samples.length, `${key}: types`).toBeGreaterThan(10);
    expect(p[key]!.comments.join("\n"), `${key}: comment`).toMatch(key === "heap" ? bySnapshot : byStats);
  }
  // heapStats() counts by cell type, without bytes: all bytes are the rest.
  for (const key of ["beforeHeap", "heapCollected"]) {
    const stats = p[key]!;
    const restBytes = stats.samples.filter((s) => s.frames[0]!.functionName === rest).reduce((n, s) => n + s.values[1]!, 0);
    expect(restBytes, `${key}: bytes outside the rest`).toBe(total(stats, 1));
    expect(restBytes, `${key}: heap bytes`).toBeGreaterThan(0);
  }
  // The sites' objects are still live in phase 4: heapStats() counts them as "Object".
  const objects = p.heapCollected!.samples.find((s) => s.frames[0]!.functionName === "Object")!;
  expect(objects.values[0], "heapStats() Object count").toBeGreaterThanOrEqual(4 * smallCount);
  for (const key of ["beforeAllocs", "allocsLive", "allocs1", "allocs2"]) expectEmpty(p[key]!, key, noAllocs);
  // A census samples nothing; starting chooses its kind, with Go's rules.
  for (const key of ["start", "sameAgain", "stopAgain"]) expect(out.errors[key], key).toBe("none");
  expect(out.errors.otherOptions).toBe(otherOptions);
  expect(out.errors.badRate).toBe("pprof: heap sampling rate must be an integer from 1 to 2^30 bytes, got 0");

  const heap = p.heap!;
  const type = (name: string) => {
    const found = heap.samples.filter((s) => s.frames[0]!.functionName === name);
    expect(found.length, `samples of type ${name}`).toBe(1);
    expect(found[0]!.frames[1]!.functionName).toBe("(live objects by type: no allocation stacks)");
    return found[0]!;
  };
  const big = type("BigSiteObject");
  const small = type("SmallSiteObject");
  // A census counts every object.
  expect(big.values[0], "BigSiteObject objects").toBe(3 * smallCount);
  expect(small.values[0], "SmallSiteObject objects").toBe(smallCount);
  expect(big.values[1]! / small.values[1]!, "BigSiteObject:SmallSiteObject bytes").toBe(3);
  expect(big.labels.bytes, "bytes label: the average object size").toBe(big.values[1]! / big.values[0]!);
  expect(firstTopRow(heap.bytes, "inuse_space"), "go tool pprof -sample_index=inuse_space -top").toMatch(/\sBigSiteObject$/);
  expect(out.texts.heap).toMatch(/^heap profile: \d+: \d+ \[0: 0\] @ heap\/2\n/);
  expect(out.texts.heap).toMatch(new RegExp(`\\n${3 * smallCount}: ${big.values[1]} \\[0: 0\\] @ 0x[0-9a-f]+ 0x[0-9a-f]+\\n#\\t0x[0-9a-f]+\\tBigSiteObject\\t`));
  expect(out.texts.heap).toMatch(/\n# process\.memoryUsage\(\)\n# rss = \d+\n/);
  return `BigSiteObject ${big.values[0]} objects ${big.values[1]} B, SmallSiteObject ${small.values[0]} objects ${small.values[1]} B`;
}

/** checkNoSampler asserts a run that cannot sample: workerd, Deno without
 * --allow-sys. Its profiles are still valid and say why they are empty. */
function checkNoSampler(out: Output, startError: RegExp, comment: RegExp): void {
  const p = checked(out);
  expect(Object.keys(p).sort()).toEqual(["beforeAllocs", "beforeHeap"]);
  expectTypes(p.beforeHeap!, "heap", 512 * 1024);
  expectTypes(p.beforeAllocs!, "allocs", 512 * 1024);
  expectEmpty(p.beforeHeap!, "heap", comment);
  expectEmpty(p.beforeAllocs!, "allocs", comment);
  expect(out.errors.start).toMatch(startError);
  expect(out.texts.beforeHeap).toMatch(/^heap profile: 0: 0 \[0: 0\] @ heap\/2\n/);
}

/** workerdConfig writes a `workerd test` config running heap-workerd.mjs
 * on the package's dist/ files, laid out as runtimes.test.ts lays out the
 * smoke run's (workerd resolves specifiers against the importer's
 * directory and resolves no npm package), and returns its path. */
function workerdConfig(): string {
  const dist = join(root, "dist");
  const outDir = join(root, "test-output/workerd-heap");
  mkdirSync(outDir, { recursive: true });
  const embed = (file: string) => JSON.stringify(relative(outDir, file));
  const jsFiles = workerdJsFiles(dist);
  if (!jsFiles.includes("runtime/workerd.js")) throw new Error("dist/runtime/workerd.js is missing: run node scripts/build.mjs");
  const modules = [
    `(name = "heap-workerd.mjs", esModule = embed ${embed(entry("heap-workerd.mjs"))})`,
    `(name = "heap-conformance.mjs", esModule = embed ${embed(script)})`,
    ...jsFiles.sort().map((f) => `(name = ${JSON.stringify(f)}, esModule = embed ${embed(join(dist, f))})`),
    `(name = "wasm/anyprof.wasm", wasm = embed ${embed(join(dist, "wasm/anyprof.wasm"))})`,
    ...pakoModuleNames(dist, jsFiles).map((name) => `(name = ${JSON.stringify(name)}, esModule = embed ${embed(join(root, "node_modules/pako/dist/pako.mjs"))})`),
  ];
  const file = join(outDir, "config.capnp");
  writeFileSync(
    file,
    `# Generated by test/heap.test.ts for \`workerd test\`; do not edit.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ( name = "heap",
      worker = (
        modules = [
          ${modules.join(",\n          ")},
        ],
        compatibilityDate = "2026-11-01",
      )
    ),
  ],
);
`,
  );
  return file;
}

interface Case {
  name: string;
  cmd: string;
  args: () => string[];
  check: (out: Output) => string;
}

const denoNoSys = /^pprof: could not start the heap sampler: Requires sys access to "inspector"/;
const cases: Case[] = [
  { name: `node ${process.versions.node}`, cmd: process.execPath, args: () => [entry("heap-npm.mjs")], check: checkV8 },
  { name: "node 22", cmd: node22, args: () => [entry("heap-npm.mjs")], check: checkV8 },
  { name: "node 24", cmd: node24, args: () => [entry("heap-npm.mjs")], check: checkV8 },
  { name: "node 26", cmd: node26, args: () => [entry("heap-npm.mjs")], check: checkV8 },
  { name: "deno", cmd: bin("deno"), args: () => ["run", "--allow-sys", entry("heap-deno.mjs")], check: checkV8 },
  { name: "bun", cmd: bin("bun"), args: () => [entry("heap-npm.mjs")], check: checkBun },
  {
    name: "workerd",
    cmd: bin("workerd"),
    args: () => ["test", workerdConfig()],
    check: (out) => {
      checkNoSampler(out, /^pprof: no in-process heap sampler in workerd; profile it from outside/, /no in-process heap sampler in workerd/);
      expect(out.texts.beforeHeap).toMatch(/\n# memory: workerd reports no memory figures\n$/);
      return "empty profiles, with their reason";
    },
  },
  {
    // Without --allow-sys the profiles still load and say sampling never began.
    name: "deno without --allow-sys",
    cmd: bin("deno"),
    args: () => ["run", entry("heap-deno.mjs")],
    check: (out) => {
      checkNoSampler(out, denoNoSys, /has not started/);
      return "start refused, empty profiles";
    },
  },
];

describe("ANYPROF_MEMPROFILERATE: heap profiling from import", () => {
  interface EnvOut {
    heap: string;
    startAgain: string;
  }
  const envRun = async (cmd: string, value: string, args: string[] = [entry("heap-env.mjs")]) => {
    const r = await run(cmd, args, { ANYPROF_MEMPROFILERATE: value, DENO_NO_UPDATE_CHECK: "1" });
    if (r.code !== 0) throw new Error(`heap-env.mjs: exit ${r.code}\n${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as EnvOut;
    return { ...out, p: resolve(Buffer.from(out.heap, "base64")), stderr: r.stderr };
  };

  test.concurrent("node: samples from import at the rate given", async () => {
    const { p, startAgain } = await envRun(process.execPath, "4096");
    expect(p.raw.period).toBe(4096);
    const kept = cum(p, "keepArrays", 1);
    within("keepArrays inuse_space (MB)", kept / 1e6, (10_000 * arrayBytes) / 1e6, 0.25);
    expect(startAgain).toBe("pprof: heap profiling already started with rateBytes 4096, includeCollected false, bunHeapSnapshot false: call stopHeapProfiling() first");
  });

  test.concurrent("node: a bad value warns and leaves sampling off, without failing the import", async () => {
    const { p, startAgain, stderr } = await envRun(process.execPath, "lots");
    expect(stderr).toContain("anyprof: ANYPROF_MEMPROFILERATE=lots: pprof: heap sampling rate must be an integer from 1 to 2^30 bytes, got NaN");
    expectEmpty(p, "heap", /has not started/);
    expect(startAgain).toBe("none");
  });

  test.concurrent("deno: samples from import where the variable may be read, and asks nothing where it may not", async () => {
    const allowed = await envRun(bin("deno"), "4096", ["run", "--allow-sys", "--allow-read", "--allow-env=ANYPROF_MEMPROFILERATE", entry("heap-env-deno.mjs")]);
    expect(allowed.p.raw.period).toBe(4096);
    within("keepArrays inuse_space (MB)", cum(allowed.p, "keepArrays", 1) / 1e6, (10_000 * arrayBytes) / 1e6, 0.25);
    expect(allowed.startAgain).toMatch(/^pprof: heap profiling already started with rateBytes 4096/);
    // Without --allow-env the variable is not read (no prompt, no error):
    // sampling waits for startHeapProfiling, as if it were unset.
    const denied = await envRun(bin("deno"), "4096", ["run", "--allow-sys", "--allow-read", entry("heap-env-deno.mjs")]);
    expectEmpty(denied.p, "heap", /has not started/);
    expect(denied.startAgain).toBe("none");
    expect(denied.stderr).not.toMatch(/anyprof:|PermissionDenied|Requires env access/);
  });

  test.concurrent("bun: the census kind is chosen at import", async () => {
    const { p, startAgain } = await envRun(bin("bun"), "4096");
    expect(p.raw.period).toBe(1);
    expect(p.comments.join("\n")).toMatch(/bun:jsc heapStats\(\)/);
    expect(startAgain).toMatch(/^pprof: heap profiling already started with rateBytes 4096/);
  });
});

describe("heap and allocs conformance", () => {
  for (const c of cases) {
    test.concurrent(c.name, async () => {
      const r = await run(c.cmd, c.args(), { DENO_NO_UPDATE_CHECK: "1" });
      const out = output(c.name, r);
      console.log(`${out.runtime}: ${c.check(out)} (${Math.round(r.millis)} ms)`);
    });
  }
});

// symbolize.test.ts checks the source-map layer in-process (Node's adapter
// gives it files): a real esbuild bundle's frames map through the CPU
// converter and the encoder, the generated name stays as the system name,
// and every way a map can be unusable — broken, for another file, 50 MB,
// outside the roots, missing, on a web server — still writes the profile,
// with generated positions and a comment, fetches nothing, and keeps memory
// bounded. The expected positions are found in the bundle's and sources'
// text, not computed by the mapper under test.
import { createServer } from "node:http";
import { mkdirSync, readFileSync, rmSync, writeFileSync, openSync, closeSync, ftruncateSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { host } from "../src/host/host.ts";
import "../src/runtime/node.ts";
import { CpuProfileConverter } from "../src/pprof/cpuprofile.ts";
import { newCore } from "../src/pprof/core.ts";
import { encodeProfile } from "../src/pprof/encode.ts";
import type { CpuProfileShape } from "../src/host/host.ts";
import type { Symbolizer } from "../src/pprof/symbolizer.ts";
import { newSourceMapper, setSourceMaps } from "../src/symbolize/sourcemaps.ts";
import { decodedBytesPerMapByte, setDecoder } from "../src/symbolize/mapper.ts";
import * as traceMapping from "@jridgewell/trace-mapping";
import { mapReference } from "../src/symbolize/find.ts";
import { decodeProto, resolve } from "./helpers/pprof.ts";
import { root } from "./helpers/spawn.ts";
import { buildArtifacts, serviceSrc } from "./fixtures/symbolize/build.mjs";

const outDir = join(root, "test-output/symbolize-unit");
let bundle: string;
let bundleText: string;
beforeAll(() => {
  bundle = buildArtifacts(join(outDir, "artifacts")).esbuild;
  bundleText = readFileSync(bundle, "utf8");
}, 60_000);

const checksumDecl = () => readFileSync(join(serviceSrc, "checksum.ts"), "utf8").split("\n").findIndex((l) => l.includes("export function checksumRounds(")) + 1;

/** position finds text in source and returns V8's 0-based line and column
 * of its end: give it up to the function's name, since V8's position for a
 * function is its parameter list's "(". */
function position(source: string, text: string): { lineNumber: number; columnNumber: number } {
  const at = source.indexOf(text);
  if (at < 0) throw new Error(`no ${text} in the script`);
  const before = source.slice(0, at + text.length);
  const lineNumber = before.split("\n").length - 1;
  return { lineNumber, columnNumber: before.length - (before.lastIndexOf("\n") + 1) };
}

/** cpuProfile is a two-frame .cpuprofile: fn at pos in url, called from
 * (root), with 10 samples. */
function cpuProfile(fn: string, url: string, pos: { lineNumber: number; columnNumber: number }): CpuProfileShape {
  return {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1, columnNumber: -1, scriptId: "0" }, children: [2] },
      { id: 2, callFrame: { functionName: fn, url, ...pos, scriptId: "7" } },
    ],
    samples: Array(10).fill(2),
    timeDeltas: Array(10).fill(1000),
    startTime: 0,
    endTime: 10_000,
  };
}

interface Leaf {
  name: string;
  systemName: string;
  file: string;
  line: number;
  comments: string[];
}

function leafOf(proto: Uint8Array): Leaf {
  const p = decodeProto(proto);
  const s = p.stringTable;
  const loc = p.location.find((l) => l.id === p.sample[0]!.locationId[0])!;
  const fn = p.function.find((f) => f.id === loc.line[0]!.functionId)!;
  // Only the symbolizer's comments: the CPU converter adds its own (where
  // cpu/nanoseconds comes from).
  return { name: s[fn.name]!, systemName: s[fn.systemName]!, file: s[fn.filename]!, line: loc.line[0]!.line, comments: p.comment.map((c) => s[c]!).filter((c) => c.startsWith("symbolize")) };
}

function convert(profile: CpuProfileShape, symbolizer: Symbolizer | null): Uint8Array {
  const c = new CpuProfileConverter(newCore(host.wasmModule()), { intervalMicros: 1000, symbolizer });
  c.add(profile);
  const proto = c.finish(1n, 1n);
  // The profile is valid whatever the maps did.
  expect(() => resolve(proto)).not.toThrow();
  return proto;
}

describe("a real esbuild bundle", () => {
  test("the CPU converter maps a minified function to its name, file and line, keeping the generated ones as the system name", () => {
    const url = pathToFileURL(bundle).href;
    const pos = position(bundleText, "function c");
    const leaf = leafOf(convert(cpuProfile("c", url, pos), newSourceMapper({ roots: [outDir] })));
    expect(leaf.name).toBe("checksumRounds");
    expect(leaf.file).toBe(join(serviceSrc, "checksum.ts"));
    expect(leaf.line).toBe(checksumDecl());
    expect(leaf.systemName).toBe(`c ${url}:${pos.lineNumber + 1}:${pos.columnNumber + 1}`);
    expect(leaf.comments).toEqual([]);
  });

  test("the encoder (heap, custom, goroutine, block profiles) maps frames the same way, by path or URL", () => {
    const pos = position(bundleText, "function c");
    for (const url of [bundle, pathToFileURL(bundle).href]) {
      const frame = { functionName: "c", url, line: pos.lineNumber + 1, column: pos.columnNumber + 1, startLine: pos.lineNumber + 1 };
      const { proto } = encodeProfile({ sampleTypes: [["x", "count"]], periodType: ["x", "count"], period: 1 }, [{ frames: [frame], values: [1] }], newSourceMapper({ roots: [outDir] }));
      const leaf = leafOf(proto);
      expect([leaf.name, leaf.file, leaf.line]).toEqual(["checksumRounds", join(serviceSrc, "checksum.ts"), checksumDecl()]);
    }
  });

  test("symbolizer null and setSourceMaps({ enabled: false }) keep generated positions", () => {
    const url = pathToFileURL(bundle).href;
    const pos = position(bundleText, "function c");
    expect(leafOf(convert(cpuProfile("c", url, pos), null)).name).toBe("c");
    setSourceMaps({ enabled: false });
    try {
      const c = new CpuProfileConverter(newCore(host.wasmModule()), { intervalMicros: 1000 });
      c.add(cpuProfile("c", url, pos));
      expect(leafOf(c.finish(1n, 1n)).name).toBe("c");
    } finally {
      setSourceMaps();
    }
    // The default mapper (the working directory is the repo) maps it.
    const c = new CpuProfileConverter(newCore(host.wasmModule()), { intervalMicros: 1000 });
    c.add(cpuProfile("c", url, pos));
    expect(leafOf(c.finish(1n, 1n)).name).toBe("checksumRounds");
  });

  test("same input, byte-identical profile", () => {
    const profile = cpuProfile("c", pathToFileURL(bundle).href, position(bundleText, "function c"));
    const a = convert(profile, newSourceMapper({ roots: [outDir] }));
    const b = convert(profile, newSourceMapper({ roots: [outDir] }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

/** scriptCase writes dir/gen.js: a one-function script whose last line is
 * mapComment, and returns its URL and the function's position. */
function scriptCase(name: string, mapComment: string): { dir: string; url: string; pos: { lineNumber: number; columnNumber: number } } {
  const dir = join(outDir, "cases", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const text = `function hot(n){let x=0;for(let i=0;i<n;i++)x+=i;return x}\n${mapComment}\n`;
  writeFileSync(join(dir, "gen.js"), text);
  return { dir, url: pathToFileURL(join(dir, "gen.js")).href, pos: position(text, "function hot") };
}

/** validMap is a map of gen.js's line 1 to orig.ts line 5, named "original". */
const validMap = (file = "gen.js") => JSON.stringify({ version: 3, file, sources: ["orig.ts"], names: ["original"], mappings: "AAIA,SAAAA" });

/** expectGenerated asserts that the profile kept hot's generated frame and
 * says why in one comment naming the script. */
function expectGenerated(c: { url: string; pos: { lineNumber: number; columnNumber: number } }, mapper: Symbolizer, why: RegExp): void {
  const leaf = leafOf(convert(cpuProfile("hot", c.url, c.pos), mapper));
  expect([leaf.name, leaf.file, leaf.line]).toEqual(["hot", c.url, c.pos.lineNumber + 1]);
  const notes = leaf.comments.filter((x) => x.startsWith("symbolize:"));
  expect(notes.length, `comments: ${JSON.stringify(leaf.comments)}`).toBe(1);
  expect(notes[0]).toContain(c.url);
  expect(notes[0]).toMatch(why);
}

describe("unusable maps: the profile is written with generated positions and a comment", () => {
  test("a valid map next to it is used (the control case)", () => {
    const c = scriptCase("valid", "//# sourceMappingURL=gen.js.map");
    writeFileSync(join(c.dir, "gen.js.map"), validMap());
    const leaf = leafOf(convert(cpuProfile("hot", c.url, c.pos), newSourceMapper({ roots: [c.dir] })));
    expect([leaf.name, leaf.file, leaf.line]).toEqual(["original", join(c.dir, "orig.ts"), 5]);
  });

  test("a broken map (not JSON, bad mappings)", () => {
    const c = scriptCase("broken", "//# sourceMappingURL=gen.js.map");
    writeFileSync(join(c.dir, "gen.js.map"), '{"version":3,"sources":["orig.ts"],"mappings":"AAIA,SAA');
    expectGenerated(c, newSourceMapper({ roots: [c.dir] }), /is broken/);
    writeFileSync(join(c.dir, "gen.js.map"), JSON.stringify({ version: 3, sources: ["orig.ts"], names: [], mappings: "!!!!" }));
    expectGenerated(c, newSourceMapper({ roots: [c.dir] }), /is broken|covers none/);
  });

  test("a map for another file", () => {
    const c = scriptCase("other-file", "//# sourceMappingURL=gen.js.map");
    writeFileSync(join(c.dir, "gen.js.map"), validMap("vendor.js"));
    expectGenerated(c, newSourceMapper({ roots: [c.dir] }), /is for vendor\.js, not gen\.js/);
  });

  test("a map that covers none of the script's positions (another build's)", () => {
    const c = scriptCase("uncovered", "//# sourceMappingURL=gen.js.map");
    writeFileSync(join(c.dir, "gen.js.map"), JSON.stringify({ version: 3, sources: ["orig.ts"], names: [], mappings: ";;;AAAA" }));
    expectGenerated(c, newSourceMapper({ roots: [c.dir] }), /covers none of the profile's positions/);
  });

  test("a missing map file", () => {
    const c = scriptCase("missing", "//# sourceMappingURL=nowhere.js.map");
    expectGenerated(c, newSourceMapper({ roots: [c.dir] }), /nowhere\.js\.map: no such file/);
  });

  test("a 50 MB map: refused by size before it is read, memory stays flat", () => {
    const c = scriptCase("huge", "//# sourceMappingURL=gen.js.map");
    // A sparse 50 MB file: its size is what the cap checks.
    const fd = openSync(join(c.dir, "gen.js.map"), "w");
    writeSync(fd, '{"version":3,"sources":["orig.ts"],"names":[],"mappings":"');
    ftruncateSync(fd, 50 * 1024 * 1024);
    closeSync(fd);
    const before = process.memoryUsage().rss;
    expectGenerated(c, newSourceMapper({ roots: [c.dir] }), /larger than 33554432 bytes \(52428800\)/);
    const grewBytes = process.memoryUsage().rss - before;
    expect(grewBytes, "RSS growth while refusing the 50 MB map").toBeLessThan(20 * 1024 * 1024);
    // An inline map over the cap is refused the same way.
    const big = "A".repeat(2 * 1024 * 1024);
    const inline = scriptCase("huge-inline", `//# sourceMappingURL=data:application/json;base64,${big}`);
    expectGenerated(inline, newSourceMapper({ roots: [inline.dir], maxMapBytes: 1024 * 1024 }), /inline map is larger than 1048576 bytes/);
  });

  test("a map URL outside the allowed roots is never read", () => {
    const outside = join(outDir, "cases", "outside-target");
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, "gen.js.map"), validMap());
    const c = scriptCase("outside", "//# sourceMappingURL=../outside-target/gen.js.map");
    expectGenerated(c, newSourceMapper({ roots: [c.dir] }), /outside the allowed roots/);
    const abs = scriptCase("outside-abs", `//# sourceMappingURL=${pathToFileURL(join(outside, "gen.js.map")).href}`);
    expectGenerated(abs, newSourceMapper({ roots: [abs.dir] }), /outside the allowed roots/);
  });

  test("a map on a web server is never fetched", async () => {
    let requests = 0;
    const server = createServer((_, res) => {
      requests++;
      res.end(validMap());
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    try {
      const port = (server.address() as { port: number }).port;
      const c = scriptCase("http", `//# sourceMappingURL=http://127.0.0.1:${port}/gen.js.map`);
      expectGenerated(c, newSourceMapper({ roots: [c.dir] }), /is not a local file \(maps are never fetched\)/);
      await new Promise((done) => setTimeout(done, 100));
      expect(requests, "requests to the map server").toBe(0);
    } finally {
      server.close();
    }
  });

  test("no decoder (a runtime that could not load trace-mapping): generated positions and a comment", () => {
    const c = scriptCase("no-decoder", "//# sourceMappingURL=gen.js.map");
    writeFileSync(join(c.dir, "gen.js.map"), validMap());
    setDecoder(new Error('Import "@jridgewell/trace-mapping" not a dependency'));
    try {
      expectGenerated(c, newSourceMapper({ roots: [c.dir] }), /the source map decoder \(@jridgewell\/trace-mapping\) is unavailable: it could not be loaded: Import "@jridgewell\/trace-mapping" not a dependency/);
    } finally {
      setDecoder(traceMapping);
    }
  });

  test("a script without any map is left alone, without a comment", () => {
    const c = scriptCase("none", "// no map here");
    const leaf = leafOf(convert(cpuProfile("hot", c.url, c.pos), newSourceMapper({ roots: [c.dir] })));
    expect([leaf.name, leaf.comments]).toEqual(["hot", []]);
  });

  test("the comment names at most 20 scripts per reason", () => {
    const mapper = newSourceMapper({ roots: [join(outDir, "cases")] });
    const nodes: CpuProfileShape["nodes"] = [{ id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1, columnNumber: -1 }, children: [] }];
    for (let i = 0; i < 25; i++) {
      const c = scriptCase(`many-${i}`, "//# sourceMappingURL=http://127.0.0.1:9/gone.js.map");
      nodes.push({ id: i + 2, parent: 1, callFrame: { functionName: "hot", url: c.url, ...c.pos, scriptId: String(i + 10) } });
    }
    const leaf = leafOf(convert({ nodes, samples: nodes.slice(1).map((n) => n.id), timeDeltas: nodes.slice(1).map(() => 1000), startTime: 0, endTime: 30_000 }, mapper));
    const notes = leaf.comments.filter((x) => x.startsWith("symbolize:"));
    // One line for the one reason, naming 20 of the 25 scripts.
    expect(notes.length, JSON.stringify(notes)).toBe(1);
    expect(notes[0]!.split("file://").length - 1).toBe(20);
    expect(notes[0]).toMatch(/ and 5 more: map http:\/\/127\.0\.0\.1:9\/gone\.js\.map is not a local file \(maps are never fetched\)$/);
  });
});

describe("bounds and options", () => {
  test("the cache keeps to cacheBytes, dropping the least recently used maps", () => {
    const mapBytes = validMap().length;
    const perMap = 256 + mapBytes * decodedBytesPerMapByte;
    const mapper = newSourceMapper({ roots: [join(outDir, "cases")], cacheBytes: perMap * 2 + 10 });
    const session = mapper.session();
    for (let i = 0; i < 5; i++) {
      const c = scriptCase(`cache-${i}`, "//# sourceMappingURL=gen.js.map");
      writeFileSync(join(c.dir, "gen.js.map"), validMap());
      expect(session.frame("hot", c.url, c.pos.lineNumber + 1, c.pos.columnNumber + 1, true)?.name).toBe("original");
    }
    expect(mapper.cachedScripts).toBe(2);
    expect(mapper.cachedBytes).toBeLessThanOrEqual(perMap * 2 + 10);
  });

  test("bad options fail where they are given, with pprof: and the value", () => {
    expect(() => setSourceMaps({ roots: ["relative/dir"] })).toThrow(/^pprof: source map roots entry must be an absolute path or file: URL, got "relative\/dir"$/);
    expect(() => setSourceMaps({ dirs: "x" as unknown as string[] })).toThrow(/^pprof: source map dirs must be an array of directories, got x$/);
    expect(() => setSourceMaps({ maxMapBytes: -1 })).toThrow(/^pprof: source map maxMapBytes must be a positive integer, got -1$/);
    expect(() => setSourceMaps({ cacheBytes: 1.5 })).toThrow(/^pprof: source map cacheBytes must be a positive integer, got 1.5$/);
    expect(() => setSourceMaps({ resolve: 3 as unknown as () => undefined })).toThrow(/^pprof: source map resolve must be a function, got number$/);
  });

  test("a resolver that throws or a user directory: the profile is still written", () => {
    const c = scriptCase("resolver", "// deployed without a map");
    const leaf = leafOf(
      convert(
        cpuProfile("hot", c.url, c.pos),
        newSourceMapper({
          roots: [c.dir],
          resolve: () => {
            throw new Error("resolver bug");
          },
        }),
      ),
    );
    expect(leaf.name).toBe("hot");
    expect(leaf.comments.join("\n")).toMatch(/resolver bug/);
    const maps = join(outDir, "cases", "resolver-maps");
    mkdirSync(maps, { recursive: true });
    writeFileSync(join(maps, "gen.js.map"), validMap());
    expect(leafOf(convert(cpuProfile("hot", c.url, c.pos), newSourceMapper({ roots: [c.dir], dirs: [maps] }))).name).toBe("original");
  });

  test("mapReference reads the last sourceMappingURL comment line only", () => {
    expect(mapReference("x\n//# sourceMappingURL=a.map\n")).toBe("a.map");
    expect(mapReference("//@ sourceMappingURL=old.map")).toBe("old.map");
    expect(mapReference('const s = "//# sourceMappingURL=no.map";\n')).toBeUndefined();
    expect(mapReference("//# sourceMappingURL=a.map\n//# sourceMappingURL=b.map")).toBe("b.map");
  });
});

// symbolize-runtimes.test.ts profiles real artifacts under Node, Deno and
// Bun and checks that the profiles name the code people wrote: the fixture
// service compiled by tsc (external maps), bundled and minified by esbuild
// (external and inline maps), run as TypeScript by the runtime itself (Deno,
// Bun, Node 24's type stripping), and the published marked package through
// its own map. The expected lines come from the sources' text (and marked's
// from its map's sourcesContent), never from the mapper under test.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { goPprof } from "./helpers/gotool.ts";
import { decodeProfile } from "./helpers/pprof.ts";
import { bin, node24, root, run } from "./helpers/spawn.ts";
import { buildArtifacts, serviceSrc } from "./fixtures/symbolize/build.mjs";

const outDir = join(root, "test-output/symbolize-runtimes");
let artifacts: ReturnType<typeof buildArtifacts>;
beforeAll(() => {
  artifacts = buildArtifacts(outDir);
}, 60_000);

/** declLine is the 1-based line of the first line of file containing text. */
function declLine(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`fixture has no ${needle}`);
  return i + 1;
}
const src = (f: string) => readFileSync(join(serviceSrc, f), "utf8");

interface Frame {
  name: string;
  systemName: string;
  file: string;
  line: number;
}
interface Decoded {
  comments: string[];
  /** self is each frame's own value (last sample value), by "name file:line". */
  frames: Array<Frame & { self: number; total: number }>;
}

function decode(b64: string): Decoded {
  const p = decodeProfile(new Uint8Array(Buffer.from(b64, "base64")));
  const s = p.stringTable;
  const fns = new Map(p.function.map((f) => [f.id, f]));
  const locs = new Map(p.location.map((l) => [l.id, l]));
  const byKey = new Map<string, Frame & { self: number; total: number }>();
  const vi = p.sampleType.length - 1;
  for (const smp of p.sample) {
    const seen = new Set<string>();
    smp.locationId.forEach((id, depth) => {
      const line = locs.get(id)!.line[0]!;
      const f = fns.get(line.functionId)!;
      const frame = { name: s[f.name]!, systemName: s[f.systemName]!, file: s[f.filename]!, line: line.line };
      const key = `${frame.name} ${frame.file}:${frame.line}`;
      let e = byKey.get(key);
      if (e === undefined) byKey.set(key, (e = { ...frame, self: 0, total: 0 }));
      if (depth === 0) e.self += smp.value[vi]!;
      if (!seen.has(key)) e.total += smp.value[vi]!;
      seen.add(key);
    });
  }
  return { comments: p.comment.map((c) => s[c]!), frames: [...byKey.values()] };
}

const show = (fs: readonly Frame[]) => fs.map((f) => `${f.name} ${f.file}:${f.line} [${f.systemName}]`).join("\n  ");

type Kind = "tsc" | "esbuild" | "esbuildInline" | "ts";

/** checkService checks a profile of the service: its hot functions appear
 * under their original names, at their declarations' lines in the
 * TypeScript sources, and no frame is left in the generated artifact. */
function checkService(d: Decoded, kind: Kind, what: "cpu" | "heap", artifact: string): void {
  const inSrc = d.frames.filter((f) => f.file.replace(/^file:\/\//, "").startsWith(serviceSrc + "/"));
  const generatedDir = artifact.slice(0, artifact.lastIndexOf("/") + 1);
  const leftGenerated = kind === "ts" ? [] : d.frames.filter((f) => f.file.includes(generatedDir));
  expect(leftGenerated, `${what}: frames still in the generated ${kind} output:\n  ${show(leftGenerated)}`).toEqual([]);
  expect(d.comments.filter((c) => c.startsWith("symbolize:")), `${what}: symbolize comments`).toEqual([]);
  const want =
    what === "cpu"
      ? [
          ["checksumRounds", "checksum.ts", declLine(src("checksum.ts"), "export function checksumRounds(")],
          ["tokenize", "tokenizer.ts", declLine(src("tokenizer.ts"), "  tokenize(): Token[]")],
        ]
      : [["buildIndex", "service.ts", declLine(src("service.ts"), "export function buildIndex(")]];
  for (const [name, file, line] of want as Array<[string, string, number]>) {
    const got = inSrc.filter((f) => f.name === name);
    expect(got.length, `${what}: ${name} among the source frames:\n  ${show(inSrc)}`).toBeGreaterThan(0);
    // A leaf may stand at a line of the function's body (line-level leaves,
    // where the positions were not mapped: TypeScript run directly); the
    // frame at the declaration, or one in the body, names the right source.
    const text = src(file).split("\n");
    const indent = /^\s*/.exec(text[line - 1]!)![0];
    let end = line;
    while (end < text.length && text[end] !== `${indent}}`) end++;
    const places = got.map((f) => `${f.file.slice(f.file.lastIndexOf("/") + 1)}:${f.line}`);
    const inBody = got.some((f) => f.file.endsWith(`/${file}`) && f.line >= line && f.line <= end + 1);
    expect(inBody, `${what}: ${name}'s file:line: got ${places.join(", ")}, want ${file}:${line}..${end + 1}`).toBe(true);
    if (kind !== "ts" || what !== "cpu") expect(places, `${what}: ${name}'s file:line`).toContain(`${file}:${line}`);
    // A minified bundle renamed it: the generated name and position stay
    // visible as the system name.
    if (kind === "esbuild" || kind === "esbuildInline") {
      expect(got[0]!.systemName, `${what}: ${name}'s system name`).toMatch(/^\S+ file:\/\/\S+\/service\.min\.js:\d+:\d+$/);
    }
  }
  if (what === "cpu") {
    // The heaviest frame of the service's own code by self time has a name
    // its sources declare (not a minified one).
    const top = [...inSrc].sort((a, b) => b.self - a.self)[0]!;
    const declared = ["checksumRounds", "tokenize", "#scanToken", "classify", "handleRequest", "busyFor"];
    expect(declared, `top source frame by self time: ${top.name}; all:\n  ${show(inSrc)}`).toContain(top.name);
  }
}

/** checkMarked checks a profile of marked: frames in its bundle map to its
 * TypeScript sources, with the private methods' names given back. */
function checkMarked(d: Decoded, what: "cpu" | "heap"): void {
  const map = JSON.parse(readFileSync(join(root, "node_modules/marked/lib/marked.esm.js.map"), "utf8")) as { sources: string[]; sourcesContent: string[] };
  const lexer = map.sourcesContent[map.sources.findIndex((s) => s.endsWith("/Lexer.ts"))]!;
  const left = d.frames.filter((f) => f.file.includes("marked/lib/"));
  expect(left, `${what}: frames still in marked's bundle:\n  ${show(left)}`).toEqual([]);
  const inSrc = d.frames.filter((f) => f.file.startsWith(join(root, "node_modules/marked/src") + "/"));
  const tok = inSrc.filter((f) => f.name === "#tokenizeInlines");
  expect(tok.length, `${what}: #tokenizeInlines among marked's frames:\n  ${show(inSrc)}`).toBeGreaterThan(0);
  expect(tok[0]!.file.endsWith("/Lexer.ts")).toBe(true);
  expect(tok[0]!.line, "#tokenizeInlines's line in Lexer.ts").toBe(declLine(lexer, "  #tokenizeInlines("));
  expect(tok[0]!.systemName, "the minified name stays visible").toMatch(/^#\w+ file:\/\/\S+\/marked\.esm\.js:\d+:\d+$/);
}

const entry = (f: string) => join(root, "test/runtimes", f);
const runtimes = {
  node: { cmd: process.execPath, args: [entry("symbolize-npm.mjs")], heap: true },
  deno: { cmd: bin("deno"), args: ["run", "--allow-read", "--allow-sys", "--allow-env", entry("symbolize-deno.mjs")], heap: true },
  bun: { cmd: bin("bun"), args: [entry("symbolize-npm.mjs")], heap: false },
  node24: { cmd: node24, args: [entry("symbolize-npm.mjs")], heap: true },
};
const cpuMillis = "600";

async function profileWith(runtime: keyof typeof runtimes, kind: string, target: string, via = "api"): Promise<{ cpu: Decoded; heap?: Decoded; raw: { cpu: string } }> {
  const r = runtimes[runtime];
  const got = await run(r.cmd, [...r.args, kind, target, cpuMillis, via], {}, 60_000);
  expect(got.code, `${runtime} exit code; stderr:\n${got.stderr}`).toBe(0);
  const j = JSON.parse(got.stdout.trim().split("\n").pop()!) as { cpu: string; heap?: string };
  if (r.heap) expect(j.heap, `${runtime} heap profile; stderr:\n${got.stderr}`).toBeDefined();
  return { cpu: decode(j.cpu), heap: j.heap !== undefined && r.heap ? decode(j.heap) : undefined, raw: j };
}

const cases: Array<[keyof typeof runtimes, Kind | "marked"]> = [
  ["node", "tsc"],
  ["node", "esbuild"],
  ["node", "esbuildInline"],
  ["node", "marked"],
  ["deno", "tsc"],
  ["deno", "esbuild"],
  ["deno", "esbuildInline"],
  ["deno", "ts"],
  ["deno", "marked"],
  ["bun", "tsc"],
  ["bun", "esbuild"],
  ["bun", "esbuildInline"],
  ["bun", "ts"],
  ["bun", "marked"],
  ["node24", "ts"],
];

describe("Node's own maps (--enable-source-maps, module.findSourceMap)", () => {
  test("a CommonJS bundle whose map file is gone after loading is mapped from Node's copy", async () => {
    const build = (dir: string) => {
      const out = join(outDir, dir, "svc.cjs");
      execFileSync(bin("esbuild"), [join(serviceSrc, "service.ts"), "--bundle", "--minify", "--format=cjs", "--sourcemap", `--outfile=${out}`, "--log-level=warning"]);
      return out;
    };
    const script = entry("symbolize-findsourcemap.mjs");
    const withNode = build("cjs-node-maps");
    const on = await run(process.execPath, ["--enable-source-maps", script, withNode], {}, 60_000);
    expect(on.code, on.stderr).toBe(0);
    const mapped = decode(on.stdout.trim());
    expect(mapped.frames.filter((f) => f.file.endsWith("/svc.cjs")), "frames left in the bundle").toEqual([]);
    expect(mapped.frames.map((f) => `${f.name} ${f.file.slice(f.file.lastIndexOf("/") + 1)}:${f.line}`)).toContain(`checksumRounds checksum.ts:${declLine(src("checksum.ts"), "export function checksumRounds(")}`);
    // The control: without Node's copy, the deleted map cannot be read.
    const without = build("cjs-no-maps");
    const off = await run(process.execPath, [script, without], {}, 60_000);
    expect(off.code, off.stderr).toBe(0);
    const plain = decode(off.stdout.trim());
    expect(plain.frames.map((f) => f.name)).not.toContain("checksumRounds");
    expect(plain.comments.join("\n")).toMatch(/svc\.cjs\.map: no such file/);
  }, 90_000);
});

describe.concurrent("the HTTP handler's profiles are mapped too", () => {
  for (const runtime of ["node", "deno"] as const) {
    test(`${runtime}: esbuild, /debug/pprof/profile and /debug/pprof/heap`, async () => {
      const p = await profileWith(runtime, "service", artifacts.esbuild, "http");
      checkService(p.cpu, "esbuild", "cpu", artifacts.esbuild);
      checkService(p.heap!, "esbuild", "heap", artifacts.esbuild);
    }, 90_000);
  }
});

describe.concurrent("original names and TypeScript file:line in CPU and heap profiles", () => {
  for (const [runtime, kind] of cases) {
    test(`${runtime}: ${kind}`, async () => {
      if (kind === "marked") {
        const p = await profileWith(runtime, "marked", "marked");
        checkMarked(p.cpu, "cpu");
        if (p.heap !== undefined) checkMarked(p.heap, "heap");
        return;
      }
      const artifact = artifacts[kind];
      const p = await profileWith(runtime, "service", artifact);
      checkService(p.cpu, kind, "cpu", artifact);
      if (p.heap !== undefined) checkService(p.heap, kind, "heap", artifact);
      if (runtime === "node" && kind === "tsc") {
        // go tool pprof -list opens the original file and shows its lines.
        const listing = goPprof(new Uint8Array(Buffer.from(p.raw.cpu, "base64")), "-list", "^checksumRounds$");
        expect(listing).toContain(`ROUTINE ======================== checksumRounds in ${join(serviceSrc, "checksum.ts")}`);
        expect(listing).toMatch(/\d+:\s+for \(let r = 0; r < options\.rounds; r\+\+\) \{/);
      }
    }, 90_000);
  }
});

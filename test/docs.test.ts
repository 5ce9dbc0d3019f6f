// docs.test.ts runs every code block of README.md and docs/*.md, so that no
// example can rot. A block's info string says how: the language picks the
// runner (js: Node; ts: Deno; sh: bash), and attributes after it refine it:
//   runtime=deno|bun|node|node22|node24|node26   run the block there instead
//   server=PORT     the block serves until killed: the test waits for
//                   http://127.0.0.1:PORT/debug/pprof/ to answer 200, then ends it
//   file=NAME       the block is not run but saved as NAME in its document's
//                   directory, where the document's later blocks run
//   norun="why"     the block cannot run here (a registry install of an
//                   unpublished package, the test command itself); the reason
//                   is required and every such block is listed in the output
// Output and data blocks are text (also a block with no language), markdown,
// json (parsed) and yaml (a Collector's configuration, which needs a
// Collector); any other language fails the test. The blocks of one document
// run in order, in one directory, so that a block can use what an earlier
// one wrote.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { bin, node22, node24, root } from "./helpers/spawn.ts";

/** Block is one fenced code block of a Markdown file. */
interface Block {
  file: string;
  line: number;
  lang: string;
  attrs: Record<string, string>;
  code: string;
}

function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})([^`\s]*)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    const close = new RegExp(`^\\s*${open[2]}\\s*$`);
    for (i++; i < lines.length && !close.test(lines[i]!); i++) body.push(lines[i]!.slice(open[1]!.length));
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: unclosed code block`);
    const attrs: Record<string, string> = {};
    for (const m of open[4]!.matchAll(/(\w+)=(?:"([^"]*)"|(\S+))/g)) attrs[m[1]!] = m[2] ?? m[3]!;
    out.push({ file, line: start + 1, lang: open[3]! === "" ? "text" : open[3]!, attrs, code: body.join("\n") + "\n" });
  }
  return out;
}

const docFiles = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const blocks = docFiles.flatMap(blocksOf);
const scratch = mkdtempSync(join(tmpdir(), "anyprof-docs-"));
// "anyprof" resolves to this checkout, as an installed package would.
mkdirSync(join(scratch, "node_modules"), { recursive: true });
symlinkSync(root, join(scratch, "node_modules", "anyprof"));
// The packages the docs use beside anyprof (@opentelemetry/api, …) resolve
// as they would in an application that installed them.
for (const name of readdirSync(join(root, "node_modules"))) {
  if (name.startsWith(".") || name === "anyprof") continue;
  symlinkSync(join(root, "node_modules", name), join(scratch, "node_modules", name));
}
// …and its bin, as npm links it: `npx anyprof` finds it without a download.
mkdirSync(join(scratch, "node_modules", ".bin"));
writeFileSync(join(scratch, "node_modules", ".bin", "anyprof"), `#!/bin/sh\nexec "${process.execPath}" "${join(root, "dist/cli/main.js")}" "$@"\n`, { mode: 0o755 });
const importMap = join(scratch, "import_map.json");
writeFileSync(importMap, JSON.stringify({ imports: { anyprof: join(root, "dist/runtime/deno.js"), "jsr:@anyprof/anyprof": join(root, "src/runtime/deno.ts") } }));

const nodeBins: Record<string, string> = { node: process.execPath, node22, node24, node26: join(root, "node_modules/node26/bin/node") };

function command(b: Block, file: string): [string, string[]] {
  const runtime = b.attrs.runtime ?? (b.lang === "ts" ? "deno" : "node");
  if (b.lang === "sh" || b.lang === "bash") return ["bash", ["-euo", "pipefail", file]];
  if (runtime === "deno") return [bin("deno"), ["run", "-A", "--quiet", `--import-map=${importMap}`, file]];
  if (runtime === "bun") return [bin("bun"), [file]];
  const node = nodeBins[runtime];
  if (node === undefined) throw new Error(`${b.file}:${b.line}: unknown runtime=${runtime}`);
  return [node, [file]];
}

interface Ran {
  code: number | null;
  out: string;
  served?: number;
}

// docDir returns the directory a document's blocks run in, made once.
function docDir(doc: string): string {
  const dir = join(scratch, doc.replace(/[/.]/g, "_"));
  if (!existsSync(dir)) {
    mkdirSync(dir);
    symlinkSync(join(scratch, "node_modules"), join(dir, "node_modules"));
  }
  return dir;
}

async function runBlock(b: Block, index: number): Promise<Ran> {
  const dir = docDir(b.file);
  const ext = b.lang === "sh" || b.lang === "bash" ? "sh" : b.lang === "ts" ? "ts" : "mjs";
  const file = join(dir, `block-${index}.${ext}`);
  writeFileSync(file, b.code);
  const [cmd, args] = command(b, file);
  const env = { ...process.env, NO_COLOR: "1", PATH: `${join(scratch, "node_modules/.bin")}:${join(root, "node_modules/.bin")}:${process.env.PATH}`, npm_config_offline: "true" };
  const child = spawn(cmd, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
  const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  const limit = setTimeout(() => child.kill("SIGKILL"), 90_000);
  try {
    if (b.attrs.server === undefined) return { code: await exited, out };
    const url = `http://127.0.0.1:${b.attrs.server}/debug/pprof/`;
    for (let tries = 0; tries < 200; tries++) {
      const status = await fetch(url).then((r) => r.status, () => 0);
      if (status !== 0) {
        child.kill("SIGTERM");
        return { code: await exited, out, served: status };
      }
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGKILL");
    return { code: await exited, out, served: 0 };
  } finally {
    clearTimeout(limit);
  }
}

const runnable = new Set(["js", "mjs", "ts", "sh", "bash"]);

// dedicated lists documents whose JavaScript blocks a test of their own runs,
// with the backend URLs pointed at a receiver on 127.0.0.1.
const dedicated: Record<string, string> = { "docs/continuous-profiling.md": "test/continuous-docs.test.ts" };

// remoteHosts returns the hosts other than this machine's that a block names
// in a URL: such a block is never run here (the network is loopback only, and
// even a DNS lookup leaves the machine).
function remoteHosts(code: string): string[] {
  const hosts = [...code.matchAll(/\b(?:https?|wss?):\/\/(\[[^\]]+\]|[^/:"'`\s)]+)/g)].map((m) => m[1]!);
  return hosts.filter((h) => !["127.0.0.1", "localhost", "[::1]"].includes(h) && !h.startsWith("${"));
}
const data = new Set(["text", "markdown", "json", "yaml"]);

describe("every code block of the README and docs/", () => {
  test("has a known language, and blocks that cannot run say why", () => {
    expect(blocks.length, "code blocks found").toBeGreaterThan(5);
    const bad = blocks.filter((b) => !runnable.has(b.lang) && !data.has(b.lang)).map((b) => `${b.file}:${b.line}: \`\`\`${b.lang}`);
    expect(bad, "blocks without a runner (use js, ts, sh, or text for output)").toEqual([]);
    const notRun = blocks.filter((b) => b.attrs.norun !== undefined);
    for (const b of notRun) expect(b.attrs.norun!.length, `${b.file}:${b.line}: norun needs a reason`).toBeGreaterThan(10);
    console.log(`docs: ${blocks.length} blocks; not run here:\n${notRun.map((b) => `  ${b.file}:${b.line}: ${b.attrs.norun}`).join("\n")}`);
  });

  for (const [i, b] of blocks.entries()) {
    if (b.lang === "json") {
      test(`${b.file}:${b.line} parses as JSON`, () => void JSON.parse(b.code));
      continue;
    }
    if (b.attrs.file !== undefined) {
      test(`${b.file}:${b.line} is saved as ${b.attrs.file}`, () => writeFileSync(join(docDir(b.file), b.attrs.file!), b.code));
      continue;
    }
    if (!runnable.has(b.lang) || b.attrs.norun !== undefined) continue;
    const runner = dedicated[b.file];
    if (runner !== undefined && (b.lang === "js" || b.lang === "mjs")) {
      test(`${b.file}:${b.line} is run by ${runner}`, () => {
        expect(readFileSync(join(root, runner), "utf8"), `${runner} reads ${b.file}`).toContain(b.file);
      });
      continue;
    }
    test(`${b.file}:${b.line} (${b.lang}${b.attrs.runtime ? `, ${b.attrs.runtime}` : ""}) runs`, async () => {
      expect(remoteHosts(b.code), `${b.file}:${b.line} names hosts beyond this machine: mark it norun, or point it at 127.0.0.1`).toEqual([]);
      const r = await runBlock(b, i);
      if (b.attrs.server !== undefined) expect(r.served, `${b.file}:${b.line}: GET /debug/pprof/ on port ${b.attrs.server}\n${r.out}`).toBe(200);
      else expect(r.code, `${b.file}:${b.line} exited ${r.code}\n${r.out}`).toBe(0);
    }, 120_000);
  }
});

// runtimes.test.ts owns the per-runtime smoke tests: it runs
// test/runtimes/smoke.mjs under Node 20 (this process's node), Node 22,
// Node 24, Bun, Deno and workerd, each importing anyprof the way that
// runtime's users do, and checks the profile each one writes. It does not
// check determinism across runtimes (file URLs and time_nanos differ) and
// does not unit-test the library; a missing runtime binary fails, never skips.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, test } from "vitest";
import { resolve, type Resolved } from "./helpers/pprof.ts";
import { bin, node22, node24, node26, root, run, spawnTimeoutMillis, type Run } from "./helpers/spawn.ts";
import { writeWorkerdConfig } from "./helpers/workerd.ts";

const smokeDir = join(root, "test/runtimes");
const smokeFile = join(smokeDir, "smoke.mjs");

/** addLine returns the 1-based line of the p.add call inside function fn of
 * smoke.mjs, so that editing the script never leaves a stale expectation. */
function addLine(fn: string): number {
  const lines = readFileSync(smokeFile, "utf8").split("\n");
  const start = lines.findIndex((l) => l.includes(`function ${fn}(`));
  if (start < 0) throw new Error(`smoke.mjs has no function ${fn}`);
  const at = lines.findIndex((l, i) => i > start && l.includes("p.add("));
  if (at < 0) throw new Error(`smoke.mjs: no p.add( call after function ${fn}`);
  return at + 1;
}

interface SmokeLine {
  runtime: string;
  entry?: string;
  pprof: string;
  text: string;
  /** predefined holds every other registered profile's gzip pprof. */
  predefined: Record<string, string>;
}

/** predefinedNames are the profiles Go's scrapers ask for by name, which
 * every runtime must write (valid, empty or not). */
const predefinedNames = ["allocs", "block", "goroutine", "heap", "mutex", "threadcreate"];

/** smokeLine returns the JSON line smoke.mjs printed, failing with the
 * process's stderr when the run failed or printed none. */
function smokeLine(name: string, r: Run): SmokeLine {
  const how = r.signal !== null && r.millis >= spawnTimeoutMillis ? `timed out (${r.signal})` : r.signal !== null ? `signal ${r.signal}` : `exit ${r.code}`;
  const where = () => `${name}: ${how} after ${Math.round(r.millis)} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  if (r.code !== 0) throw new Error(`smoke run failed: ${where()}`);
  for (const l of r.stdout.split("\n").reverse()) {
    if (!l.startsWith("{")) continue;
    try {
      const v = JSON.parse(l) as SmokeLine;
      if (typeof v.pprof === "string" && typeof v.text === "string") return v;
    } catch {
      // Not our line; keep looking.
    }
  }
  throw new Error(`no smoke JSON line on stdout: ${where()}`);
}

const baseName = (file: string) => file.replace(/^.*[/\\]/, "");

/** checkSmoke asserts the profile smoke.mjs wrote, reporting `got X, want Y`. */
function checkSmoke(out: SmokeLine, stderr: string): void {
  const errors: string[] = [];
  let p: Resolved;
  try {
    p = resolve(Buffer.from(out.pprof, "base64"));
  } catch (err) {
    throw new Error(`${out.runtime}: profile does not decode: ${(err as Error).message}\n--- stderr\n${stderr}`);
  }
  const want = (what: string, got: unknown, wanted: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(wanted)) errors.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(wanted)}`);
  };
  want("sample types", p.sampleTypes, ["smoke/count"]);
  want("period type", p.periodType, "smoke/count");
  want("total count", p.samples.reduce((n, s) => n + (s.values[0] ?? 0), 0), 3);
  for (const [fn, count] of [["smokeAlpha", 2], ["smokeBeta", 1]] as const) {
    const leaves = p.samples.filter((s) => s.frames[0]?.functionName === fn);
    want(`count of samples with leaf ${fn}`, leaves.reduce((n, s) => n + (s.values[0] ?? 0), 0), count);
    const line = addLine(fn);
    for (const s of leaves) {
      const leaf = s.frames[0]!;
      want(`${fn} leaf file name (${leaf.file})`, baseName(leaf.file), "smoke.mjs");
      want(`${fn} leaf line`, leaf.line, line);
    }
    // The text form prints the same frame as `fn <tabs> <file>:<line>:<col>`.
    if (!new RegExp(`\\t${fn}\\t+\\S*smoke\\.mjs:${line}:\\d+\\n`).test(out.text)) {
      errors.push(`text form: got no frame line "${fn} …smoke.mjs:${line}:…", want one`);
    }
  }
  // Every registered profile decodes and passes CheckValid, in every runtime.
  for (const name of predefinedNames) if (!(name in out.predefined)) errors.push(`predefined profile ${name}: missing`);
  for (const [name, b64] of Object.entries(out.predefined)) {
    try {
      resolve(Buffer.from(b64, "base64"));
    } catch (err) {
      errors.push(`predefined profile ${name}: ${(err as Error).message}`);
    }
  }
  const header = out.text.split("\n")[0];
  if (!out.text.startsWith("smoke profile: total 3\n")) errors.push(`text header: got ${JSON.stringify(header)}, want "smoke profile: total 3"`);
  if (errors.length > 0) {
    throw new Error(`${out.runtime}:\n${errors.join("\n")}\n--- text\n${out.text}\n--- stderr\n${stderr}`);
  }
}

/** smokeWorkerdConfig generates the `workerd test` config under
 * test-output/workerd/ for the smoke entry and script, and returns its path. */
function smokeWorkerdConfig(): string {
  return writeWorkerdConfig({
    outDir: join(root, "test-output/workerd"),
    generatedBy: "test/runtimes.test.ts for `workerd test`",
    service: "smoke",
    entries: [
      ["workerd.mjs", join(smokeDir, "workerd.mjs")],
      ["smoke.mjs", smokeFile],
    ],
  });
}

interface RuntimeCase {
  name: string;
  bin: string;
  args: () => string[];
  /** runtime is what smoke.mjs must report, as a prefix: proof that the
   * binary we meant ran, not some other node on PATH. */
  runtime: string;
  /** entry is the file the package's export conditions must resolve to. */
  entry?: string;
}

const npmEntry = join(smokeDir, "npm.mjs");
const distEntry = (name: string) => pathToFileURL(join(root, "dist/runtime", name)).href;

const runtimes: RuntimeCase[] = [
  // Node 20 is the node running vitest (the engines floor).
  { name: `node ${process.versions.node}`, bin: process.execPath, args: () => [npmEntry], runtime: `node ${process.versions.node}`, entry: distEntry("node.js") },
  { name: "node 22", bin: node22, args: () => [npmEntry], runtime: "node 22.", entry: distEntry("node.js") },
  { name: "node 24", bin: node24, args: () => [npmEntry], runtime: "node 24.", entry: distEntry("node.js") },
  { name: "node 26", bin: node26, args: () => [npmEntry], runtime: "node 26.", entry: distEntry("node.js") },
  { name: "bun", bin: bin("bun"), args: () => [npmEntry], runtime: "bun ", entry: distEntry("bun.js") },
  // No --allow-* flag: the library must need no permission in Deno.
  { name: "deno", bin: bin("deno"), args: () => ["run", join(smokeDir, "deno.mjs")], runtime: "deno " },
  { name: "workerd", bin: bin("workerd"), args: () => ["test", smokeWorkerdConfig()], runtime: "workerd" },
];

describe("smoke in every runtime", () => {
  for (const rt of runtimes) {
    test(rt.name, async () => {
      const r = await run(rt.bin, rt.args(), { DENO_NO_UPDATE_CHECK: "1" });
      const out = smokeLine(rt.name, r);
      console.log(`${rt.name}: ${out.runtime}, ${Math.round(r.millis)} ms`);
      if (!out.runtime.startsWith(rt.runtime)) throw new Error(`${rt.name}: runtime: got ${JSON.stringify(out.runtime)}, want ${JSON.stringify(rt.runtime)}…`);
      if (rt.entry !== undefined && out.entry !== rt.entry) {
        throw new Error(`${rt.name}: "anyprof" resolved to: got ${out.entry}, want ${rt.entry}`);
      }
      checkSmoke(out, r.stderr);
    });
  }
});

// newcomer.test.ts owns what a new user trips over first: the CLI's
// defaults (record always writes CPU, into a fresh directory, never
// overwriting), go tool pprof's answer to an empty file, one name for a
// module's top level on every runtime, the labels-after-await warning on
// Deno and Bun, and a Deno profile whose sampler started late saying so.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolve } from "./helpers/pprof.ts";
import { bin, root } from "./helpers/spawn.ts";

const cli = join(root, "dist/cli/main.js");
const scratch = mkdtempSync(join(tmpdir(), "anyprof-newcomer-"));

function anyprof(args: string[], cwd = scratch) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const spin = join(scratch, "spin.mjs");
// The module's top level does the work itself: its frame is what is named.
writeFileSync(spin, "const end = performance.now() + 300;\nlet x = 0;\nwhile (performance.now() < end) x += Math.sqrt(x + 1);\nif (x < 0) console.log(x);\n");

const runtimes = [["node", "node"], ["deno", bin("deno")], ["bun", bin("bun")]] as const;

describe("anyprof record's defaults", () => {
  it("writes cpu.pb.gz with --heap too, as its usage says", () => {
    const dir = join(scratch, "with-heap");
    const r = anyprof(["record", "--heap", "-o", dir, "--", "node", spin]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["cpu.pb.gz", "heap.pb.gz"]);
    expect(resolve(readFileSync(join(dir, "cpu.pb.gz"))).sampleTypes).toEqual(["samples/count", "cpu/nanoseconds", "wall/nanoseconds"]);
  });

  it("without -o writes into a new directory named after the program, and says where", () => {
    const cwd = join(scratch, "fresh");
    mkdirSync(cwd);
    writeFileSync(join(cwd, "cpu.pb.gz"), "a user's own file");
    const first = anyprof(["record", "--", "node", spin], cwd);
    const second = anyprof(["record", "--", "node", spin], cwd);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    // The file in the current directory is untouched.
    expect(readFileSync(join(cwd, "cpu.pb.gz"), "utf8")).toBe("a user's own file");
    const made = readdirSync(cwd).filter((f) => f.startsWith("anyprof-spin-")).sort();
    expect(made.length, `directories made: ${made.join(", ")}`).toBe(2);
    for (const [r, d] of [[first, made[0]!], [second, made[1]!]] as const) {
      expect(statSync(join(cwd, d)).isDirectory()).toBe(true);
      expect(existsSync(join(cwd, d, "cpu.pb.gz"))).toBe(true);
      expect(r.stderr).toContain(`into ${join(cwd, d)}`);
      expect(r.stdout).toContain(join(cwd, d, "cpu.pb.gz"));
    }
    expect(made[0]).toMatch(/^anyprof-spin-\d{8}-\d{6}(-\d+)?$/);
  });

  it("refuses to overwrite a profile without --force, and overwrites with it", () => {
    const dir = join(scratch, "kept");
    mkdirSync(dir);
    writeFileSync(join(dir, "cpu.pb.gz"), "yesterday's profile");
    const refused = anyprof(["record", "-o", dir, "--", "node", spin]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(`anyprof: ${join(dir, "cpu.pb.gz")} exists: use --force to overwrite it, or another -o directory`);
    expect(readFileSync(join(dir, "cpu.pb.gz"), "utf8")).toBe("yesterday's profile");
    const forced = anyprof(["record", "--force", "-o", dir, "--", "node", spin]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(resolve(readFileSync(join(dir, "cpu.pb.gz"))).samples.length).toBeGreaterThan(0);
  });

  it("tells a program that starts its own CPU profile that record already profiles it", () => {
    const own = join(scratch, "own.mjs");
    writeFileSync(own, 'import { startCPUProfile } from "anyprof";\ntry { await startCPUProfile(); } catch (e) { console.error("ERR " + e.message); }\n');
    // Resolve "anyprof" to this checkout, as an installed package would.
    const linkDir = join(scratch, "node_modules");
    mkdirSync(linkDir, { recursive: true });
    spawnSync("ln", ["-sfn", root, join(linkDir, "anyprof")]);
    const r = anyprof(["record", "-o", join(scratch, "own-out"), "--", "node", own]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ERR cpu profiling already in use \(by anyprof record, which profiles this program into .*own-out\/cpu\.pb\.gz; drop the program's own startCPUProfile or run it without record\)/);
  });
});

describe("anyprof top of an empty file", () => {
  it("fails as go tool pprof does: parsing profile: empty input file", () => {
    const f = join(scratch, "empty.pb.gz");
    writeFileSync(f, "");
    const r = anyprof(["top", f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toMatch(/^anyprof: .*empty\.pb\.gz: (pprof: )?parsing profile: empty input file$/);
  });
});

describe("a module's top level has one name on every runtime", () => {
  for (const [name, runtime] of runtimes) {
    it(`is "(module) spin.mjs" under ${name}`, () => {
      const dir = join(scratch, `module-${name}`);
      const r = anyprof(["record", "-o", dir, "--", runtime, spin]);
      expect(r.code, r.stderr).toBe(0);
      const p = resolve(readFileSync(join(dir, "cpu.pb.gz")));
      const names = new Set(p.samples.flatMap((s) => s.frames.map((f) => f.functionName)));
      expect([...names], `frames under ${name}`).toContain("(module) spin.mjs");
      expect([...names].filter((n) => n.startsWith("(anonymous) spin.mjs") || n === "(module)"), "other names for the top level").toEqual([]);
    });
  }
});

describe("labels across awaits on Deno and Bun", () => {
  const script = join(scratch, "labels-await.mjs");
  writeFileSync(
    script,
    `import { labels, runWithLabels, startCPUProfile, stopCPUProfile } from ${JSON.stringify(join(root, "dist/runtime/" + "RUNTIME.js"))};
await startCPUProfile();
for (let i = 0; i < 3; i++) await runWithLabels(labels("route", "/a"), async () => { await null; });
runWithLabels(labels("route", "/sync"), () => 1);
await stopCPUProfile();
console.log("done");
`,
  );
  for (const [name, runtime, args] of [
    ["node", "node", []],
    ["deno", bin("deno"), ["run", "--allow-sys", "--allow-read"]],
    ["bun", bin("bun"), []],
  ] as const) {
    it(`${name}: ${name === "node" ? "no warning (labels follow awaits)" : "warns once that samples after an await carry no labels"}`, () => {
      const file = script.replace(/\.mjs$/, `-${name}.mjs`);
      writeFileSync(file, readFileSync(script, "utf8").replace("RUNTIME", name));
      const r = spawnSync(runtime, [...args, file], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe("done");
      const warnings = r.stderr.split("\n").filter((l) => l.includes("carry no labels"));
      if (name === "node") expect(warnings).toEqual([]);
      else {
        expect(warnings.length, r.stderr).toBe(1);
        expect(warnings[0]).toMatch(new RegExp(`^pprof: runWithLabels with an async function during a CPU profile: samples after its first await carry no labels here \\(${name} `));
      }
    });
  }
});

describe("Deno: a profile whose sampler started late says so", () => {
  it("records the delay in the profile's comments when startCPUProfile was not awaited", () => {
    const file = join(scratch, "no-await-deno.mjs");
    writeFileSync(
      file,
      `import { startCPUProfile, stopCPUProfile } from ${JSON.stringify(join(root, "dist/runtime/deno.js"))};
startCPUProfile();
const end = performance.now() + 200;
let x = 0;
while (performance.now() < end) x += Math.sqrt(x + 1);
const bytes = await stopCPUProfile();
Deno.stdout.writeSync(bytes);
`,
    );
    const r = spawnSync(bin("deno"), ["run", "--allow-sys", "--allow-read", file], { timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
    expect(r.status, r.stderr.toString()).toBe(0);
    const p = resolve(r.stdout);
    const comment = p.comments.find((c) => c.startsWith("cpu: the sampler started"));
    expect(comment, `comments: ${JSON.stringify(p.comments)}`).toMatch(/^cpu: the sampler started (\d+\.\d) ms after startCPUProfile\(\) was called \(deno [^)]+ starts it asynchronously\); work before then is not in this profile/);
    // The spin ran before the sampler: most of its 200 ms is the delay.
    expect(Number(/started (\d+\.\d) ms/.exec(comment!)![1])).toBeGreaterThan(150);
  });
});

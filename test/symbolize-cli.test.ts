// symbolize-cli.test.ts checks that the CLI applies source maps: `anyprof
// convert --source-maps DIR` on a real node --cpu-prof profile of the
// minified bundle deployed without its map, and `anyprof attach` to a real
// node --inspect process whose bundle exists only in memory (its file is
// deleted after import), so that the only map is the inline one the target
// announces in Debugger.scriptParsed.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { attach } from "../src/cli/attach.ts";
import "../src/runtime/node.ts";
import { resolve, type Resolved } from "./helpers/pprof.ts";
import { LiveProcess } from "./helpers/live.ts";
import { root } from "./helpers/spawn.ts";
import { buildArtifacts, serviceSrc } from "./fixtures/symbolize/build.mjs";

const cli = join(root, "dist/cli/main.js");
const outDir = join(root, "test-output/symbolize-cli");
let artifacts: ReturnType<typeof buildArtifacts>;
const checksumLine = () => readFileSync(join(serviceSrc, "checksum.ts"), "utf8").split("\n").findIndex((l) => l.includes("export function checksumRounds(")) + 1;

beforeAll(() => {
  artifacts = buildArtifacts(join(outDir, "artifacts"));
}, 60_000);

function anyprof(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: outDir, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** names are the profile's function names with their file:line, heaviest
 * cumulative cpu first. */
function names(p: Resolved): Array<{ name: string; where: string }> {
  const total = new Map<string, number>();
  for (const s of p.samples) {
    for (const f of new Set(s.frames.map((f) => `${f.functionName}\t${f.file.slice(f.file.lastIndexOf("/") + 1)}:${f.line}`))) total.set(f, (total.get(f) ?? 0) + s.values[1]!);
  }
  return [...total].sort((a, b) => b[1] - a[1]).map(([k]) => ({ name: k.split("\t")[0]!, where: k.split("\t")[1]! }));
}

describe("anyprof convert --source-maps DIR", () => {
  test("maps a bundle deployed without its map, from a directory of maps", () => {
    // The bundle is deployed without its sourceMappingURL comment; its map
    // goes to maps/, as deep as the build directory, so that its relative
    // sources still lead to the TypeScript.
    const deploy = join(outDir, "deploy");
    const maps = join(outDir, "maps");
    rmSync(deploy, { recursive: true, force: true });
    mkdirSync(deploy, { recursive: true });
    mkdirSync(maps, { recursive: true });
    writeFileSync(join(deploy, "service.min.js"), readFileSync(artifacts.esbuild, "utf8").replace(/\n\/\/# sourceMappingURL=.*\n?$/, "\n"));
    writeFileSync(join(deploy, "package.json"), '{ "type": "module" }\n');
    copyFileSync(artifacts.esbuild + ".map", join(maps, "service.min.js.map"));
    const profDir = join(outDir, "prof");
    rmSync(profDir, { recursive: true, force: true });
    const ran = spawnSync(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${profDir}`, "--cpu-prof-interval=500", "-e", `import(${JSON.stringify(join(deploy, "service.min.js"))}).then((m) => m.busyFor(1000))`], { encoding: "utf8", timeout: 60_000 });
    expect(ran.status, ran.stderr).toBe(0);
    const prof = join(profDir, readdirSync(profDir)[0]!);

    const plain = anyprof(["convert", prof, "-o", join(outDir, "plain.pb.gz")]);
    expect(plain.code, plain.stderr).toBe(0);
    const without = names(resolve(readFileSync(join(outDir, "plain.pb.gz"))));
    expect(without.map((n) => n.name), "without maps: the minified names").not.toContain("checksumRounds");
    expect(without.some((n) => n.where.startsWith("service.min.js:"))).toBe(true);

    const mapped = anyprof(["convert", prof, "--source-maps", maps, "-o", join(outDir, "mapped.pb.gz")]);
    expect(mapped.code, mapped.stderr).toBe(0);
    const p = resolve(readFileSync(join(outDir, "mapped.pb.gz")));
    const withMaps = names(p);
    expect(withMaps.filter((n) => n.where.startsWith("service.min.js:")), "frames left in the bundle").toEqual([]);
    expect(withMaps.map((n) => `${n.name} ${n.where}`)).toContain(`checksumRounds checksum.ts:${checksumLine()}`);
    expect(p.comments.filter((c) => c.startsWith("symbolize:"))).toEqual([]);

    const off = anyprof(["convert", prof, "--no-source-maps", "-o", join(outDir, "off.pb.gz")]);
    expect(off.code, off.stderr).toBe(0);
    expect(names(resolve(readFileSync(join(outDir, "off.pb.gz")))).map((n) => n.name)).not.toContain("checksumRounds");
  });

  test("a --source-maps directory that does not exist, or both flags, is a usage error", () => {
    const r = anyprof(["convert", "x.cpuprofile", "--source-maps", "no/such/dir", "-o", "y.pb.gz"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('anyprof convert: --source-maps wants a directory, got "no/such/dir": no such directory');
    const both = anyprof(["convert", "x.cpuprofile", "--source-maps", ".", "--no-source-maps", "-o", "y.pb.gz"]);
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe("anyprof convert: --source-maps and --no-source-maps contradict each other");
  });
});

describe("anyprof record", () => {
  test("the profile record writes names the bundle's original functions", () => {
    const program = join(outDir, "record.mjs");
    writeFileSync(program, `const m = await import(${JSON.stringify(artifacts.esbuild)});\nm.busyFor(1200);\n`);
    const r = anyprof(["record", "--force", "-o", join(outDir, "rec"), "--", "node", program]);
    expect(r.code, r.stderr).toBe(0);
    const got = names(resolve(readFileSync(join(outDir, "rec", "cpu.pb.gz"))));
    expect(got.filter((n) => n.where.startsWith("service.min.js:")), "frames left in the bundle").toEqual([]);
    expect(got.map((n) => `${n.name} ${n.where}`)).toContain(`checksumRounds checksum.ts:${checksumLine()}`);
    // The printed top is the mapped profile's.
    expect(r.stdout).toMatch(/\b(checksumRounds|tokenize|handleRequest|busyFor)\n/);
  });
});

describe("anyprof attach", () => {
  let target: LiveProcess | undefined;
  afterAll(() => target?.kill());

  test("maps the target's frames with the inline map it announces in Debugger.scriptParsed", async () => {
    // The target imports a copy of the inline-map bundle and deletes it:
    // nothing on disk can give the map away.
    const copy = join(outDir, "attach", "service.min.js");
    mkdirSync(join(outDir, "attach"), { recursive: true });
    const script = `
      import { copyFileSync, rmSync } from "node:fs";
      copyFileSync(${JSON.stringify(artifacts.esbuildInline)}, ${JSON.stringify(copy)});
      const m = await import(${JSON.stringify(copy)});
      rmSync(${JSON.stringify(copy)});
      const tick = () => { m.busyFor(20); setImmediate(tick); };
      tick();
    `;
    writeFileSync(join(outDir, "attach", "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(outDir, "attach", "target.mjs"), script);
    target = new LiveProcess(process.execPath, ["--inspect=127.0.0.1:0", join(outDir, "attach", "target.mjs")]);
    const m = await target.find("node inspector", /ws:\/\/(127\.0\.0\.1:\d+)\/[\w-]+/, 20_000);
    const hostPort = m[1]!;
    const mapped = names(resolve(await attach(hostPort, { seconds: 1.5, heap: false, hz: 500 })));
    expect(mapped.filter((n) => n.where.startsWith("service.min.js:")), "frames left in the bundle").toEqual([]);
    expect(mapped.map((n) => `${n.name} ${n.where}`)).toContain(`checksumRounds checksum.ts:${checksumLine()}`);
    const heap = resolve(await attach(hostPort, { seconds: 1, heap: true, heapRateBytes: 16 * 1024 }));
    expect(heap.samples.flatMap((s) => s.frames).filter((f) => f.file.endsWith("/service.min.js")), "heap frames left in the bundle").toEqual([]);
    const plain = names(resolve(await attach(hostPort, { seconds: 1, heap: false, hz: 500, sourceMaps: false })));
    expect(plain.map((n) => n.name)).not.toContain("checksumRounds");
    expect(plain.some((n) => n.where.startsWith("service.min.js:"))).toBe(true);
  }, 60_000);
});

// cpu-prof-flag.test.ts runs a program that profiles itself with anyprof
// under `node --cpu-prof` on every Node version: anyprof must not disturb
// --cpu-prof's own inspector session (V8 hands console.profile() profiles
// to every session with the Profiler domain on, and Node's prints each one
// to stderr), both profiles must be valid and find the program's hot
// function, and anyprof's stop must not get slower for the flag.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkValid, decodeProfile, resolve } from "./helpers/pprof.ts";
import { node22, node24, node26, root, run } from "./helpers/spawn.ts";

const program = join(root, "test/runtimes/cpu-prof-flag.mjs");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Out {
  stopWallMillis: number;
  stopCpuMillis: number;
  profile: string;
}

async function profiled(cmd: string, flags: string[]): Promise<{ out: Out; stderr: string }> {
  const r = await run(cmd, [...flags, program, "1000"], {}, 60_000);
  expect(r.code, `exit code; stderr:\n${r.stderr.slice(0, 2000)}`).toBe(0);
  const line = r.stdout.trim().split("\n").at(-1)!;
  return { out: JSON.parse(line) as Out, stderr: r.stderr };
}

function hotIn(bytes: Uint8Array): number {
  const raw = decodeProfile(bytes);
  expect(checkValid(raw)).toEqual([]);
  const p = resolve(bytes);
  return p.samples.filter((s) => s.frames.some((f) => f.functionName === "flagHotLoop")).reduce((n, s) => n + s.values[0]!, 0);
}

const versions = [
  { name: "node 20", cmd: process.execPath },
  { name: "node 22", cmd: node22 },
  { name: "node 24", cmd: node24 },
  { name: "node 26", cmd: node26 },
];

describe("anyprof under node --cpu-prof", () => {
  it.each(versions)("$name: no stderr noise, both profiles valid, stop no slower", async ({ cmd }) => {
    const dir = mkdtempSync(join(tmpdir(), "anyprof-cpu-prof-"));
    dirs.push(dir);
    // Alternating rounds, medians: the machine is shared.
    const plain: Out[] = [];
    const flagged: Out[] = [];
    for (let round = 0; round < 2; round++) {
      const a = await profiled(cmd, []);
      expect(a.stderr).toBe("");
      plain.push(a.out);
      const b = await profiled(cmd, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
      expect(b.stderr, "stderr under --cpu-prof").toBe("");
      flagged.push(b.out);
    }
    for (const o of [...plain, ...flagged]) expect(hotIn(Buffer.from(o.profile, "base64"))).toBeGreaterThan(20);
    // --cpu-prof's profiles: one per run, valid .cpuprofile JSON with the hot function.
    const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
    expect(files.length).toBe(2);
    for (const f of files) {
      const cp = JSON.parse(readFileSync(join(dir, f), "utf8")) as { nodes: Array<{ id: number; callFrame: { functionName: string } }>; samples: number[]; timeDeltas: number[] };
      expect(cp.samples.length).toBe(cp.timeDeltas.length);
      const hot = new Set(cp.nodes.filter((n) => n.callFrame.functionName === "flagHotLoop").map((n) => n.id));
      expect(hot.size).toBeGreaterThan(0);
      expect(cp.samples.length).toBeGreaterThan(20);
    }
    const cpu = (xs: Out[]) => Math.min(...xs.map((o) => o.stopCpuMillis));
    const wall = (xs: Out[]) => Math.min(...xs.map((o) => o.stopWallMillis));
    console.log(`stop without/with --cpu-prof: cpu ${cpu(plain).toFixed(1)}/${cpu(flagged).toFixed(1)} ms, wall ${wall(plain).toFixed(1)}/${wall(flagged).toFixed(1)} ms`);
    // Before the fix a stop under the flag took seconds; noise on a shared
    // machine is a few ms to 2x.
    expect(cpu(flagged)).toBeLessThan(2.5 * cpu(plain) + 30);
    expect(wall(flagged)).toBeLessThan(2.5 * wall(plain) + 60);
  }, 120_000);
});

describe("thin (v8.startCpuProfile samples at ~1 kHz whatever the interval)", () => {
  it("keeps one sample per interval, each kept delta spanning the dropped ones", async () => {
    const { thin } = await import("../src/runtime/handle-sampler.ts");
    // 100 samples 1.1 ms apart, node ids 1..100.
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    const timeDeltas = samples.map(() => 1100);
    const p = { nodes: [], samples, timeDeltas, startTime: 1_000_000, endTime: 1_000_000 + 110_000 };
    const t = thin(p, 10_000, false);
    // 110 ms at a 10 ms interval: 11 samples, timestamps kept exactly.
    expect(t.samples!.length).toBe(11);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    let at = p.startTime;
    const kept = t.samples!.map((id, i) => ((at += t.timeDeltas![i]!), [id, at]));
    for (const [id, when] of kept) expect(when).toBe(p.startTime + 1100 * id!);
    expect(sum(t.timeDeltas!)).toBeLessThanOrEqual(110_000);
    for (const d of t.timeDeltas!.slice(1)) expect(d).toBeGreaterThanOrEqual(8_800);
    // At the sampler's own rate nothing is dropped; an overlapped chunk loses its first sample only.
    expect(thin(p, 1000, false).samples!.length).toBe(100);
    const o = thin(p, 1000, true);
    expect(o.samples!.length).toBe(99);
    expect(o.samples![0]).toBe(2);
    expect(o.timeDeltas![0]).toBe(2200);
  });
});

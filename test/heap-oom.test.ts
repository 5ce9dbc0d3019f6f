// heap-oom.test.ts runs a Node 26 process into heap exhaustion with
// anyprof's heap profiling armed (nearHeapLimitProfiles) and finds the
// leaking function in the profile left behind, converted by
// `anyprof convert`; Node 20-24, which cannot write one, refuse the option
// with an error naming what they offer instead.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkValid, decodeProfile, resolve } from "./helpers/pprof.ts";
import { node22, node24, node26, root, run } from "./helpers/spawn.ts";

const program = join(root, "test/runtimes/heap-oom.mjs");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("a process that exits with heap profiling on", () => {
  // Node 26.10 crashed with SIGSEGV in 5 of 20 such exits (2 of 20 without
  // nearHeapLimitProfiles) before anyprof stopped its sampler on the way out.
  it("node 26: exits cleanly, every time of 24", async () => {
    const program = join(root, "test/runtimes/heap-exit.mjs");
    const runs = await Promise.all(Array.from({ length: 24 }, (_, i) => run(node26, [program, i % 2 === 0 ? "near" : "plain"], {}, 60_000)));
    const bad = runs.filter((r) => r.code !== 0 || r.signal !== null).map((r) => `code ${r.code} signal ${r.signal}: ${r.stderr.slice(0, 200)}`);
    expect(bad, "exits that were not clean").toEqual([]);
  });
});

describe("a heap profile left behind by an out-of-memory crash", () => {
  it("node 26: the profile written near the heap limit names the leak", async () => {
    const dir = mkdtempSync(join(tmpdir(), "anyprof-oom-"));
    dirs.push(dir);
    // A small old space and young generation reach the limit in seconds.
    const r = await run(node26, ["--max-old-space-size=24", "--max-semi-space-size=1", `--diagnostic-dir=${dir}`, program], {}, 60_000);
    expect(r.code === 0 && r.signal === null, "the process must die of heap exhaustion").toBe(false);
    expect(r.stderr).toMatch(/heap out of memory/);
    expect(r.stderr).toMatch(/Wrote heap profile to .*\.heapprofile/);
    const files = readdirSync(dir).filter((f) => f.endsWith(".heapprofile"));
    expect(files.length).toBe(1);
    const input = join(dir, files[0]!);
    const out = join(dir, "oom.pb.gz");
    const c = await run(process.execPath, [join(root, "dist/cli/main.js"), "convert", input, "-o", out, "--heap-rate", String(64 * 1024)]);
    expect(c.code, c.stderr).toBe(0);
    const bytes = readFileSync(out);
    expect(checkValid(decodeProfile(bytes))).toEqual([]);
    const p = resolve(bytes);
    const total = p.samples.reduce((n, s) => n + s.values[1]!, 0);
    const leak = p.samples.filter((s) => s.frames.some((f) => f.functionName === "leakySessionCache")).reduce((n, s) => n + s.values[1]!, 0);
    const churn = p.samples.filter((s) => s.frames.some((f) => f.functionName === "churnRequests")).reduce((n, s) => n + s.values[1]!, 0);
    console.log(`oom profile: ${(total / 1e6).toFixed(1)} MB sampled live, leakySessionCache ${(leak / 1e6).toFixed(1)} MB, churnRequests ${(churn / 1e6).toFixed(1)} MB`);
    // The leak is nearly all of a heap that is nearly full (24 MB old space).
    expect(leak / total).toBeGreaterThan(0.6);
    expect(leak / 1e6).toBeGreaterThan(8);
    expect(leak).toBeGreaterThan(5 * churn);
  }, 90_000);

  it.each([
    { name: "node 20", cmd: process.execPath, error: /^pprof: nearHeapLimitProfiles needs Node 26 .*not node 20\..*--heapsnapshot-near-heap-limit/ },
    { name: "node 22", cmd: node22, error: /^pprof: nearHeapLimitProfiles needs Node 26 .*not node 22\./ },
    { name: "node 24", cmd: node24, error: /^pprof: nearHeapLimitProfiles needs Node 26 .*not node 24\./ },
    { name: "node 26", cmd: node26, error: /^none$/ },
  ])("$name: what startHeapProfiling says about nearHeapLimitProfiles", async ({ cmd, error }) => {
    const r = await run(cmd, [program, "probe"]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout.trim()) as { error: string }).error).toMatch(error);
  });
});

// threads.test.ts checks startCPUProfile's threads option (docs/threads.md).
// On Node 20, 22, 24 and 26, a program runs a pool of worker_threads under
// one profile (two long-lived workers, six started and ended during it,
// some by process.exit(), one terminated), each burning its own named
// function: each worker's function must be under its own thread label and
// under no other, the main thread's under "main (#0)", and go tool pprof
// must read the labels. A second program runs 16 short-lived workers under
// back-to-back profiles cut every 50 ms: every worker must end with its own
// exit code and the process must not crash or hang; a third runs a
// long-lived worker under 12 back-to-back profiles, after each of which no
// V8 profiler thread may still run. A heap profile with
// threads has each worker's live heap under its label. Deno and Bun cannot
// reach their workers from the main thread: threads fails there with a
// "pprof: threads:" error, and a worker profiling itself works.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolve, type Resolved } from "./helpers/pprof.ts";
import { goPprof } from "./helpers/gotool.ts";
import { bin, node22, node24, node26, root, run } from "./helpers/spawn.ts";

const versions = [
  { name: "node 20", cmd: process.execPath },
  { name: "node 22", cmd: node22 },
  { name: "node 24", cmd: node24 },
  { name: "node 26", cmd: node26 },
];

interface WorkerInfo {
  name: string;
  fn: string;
  threadId: number;
  how: string;
  exitCode?: number;
}

// threadsOf maps each function name to the thread labels its samples
// (as a leaf or anywhere in the stack) carry, with sample counts.
function threadsOf(p: Resolved): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const s of p.samples) {
    const thread = String(s.labels["thread"] ?? "(none)");
    for (const name of new Set(s.frames.map((f) => f.functionName))) {
      const m = out.get(name) ?? new Map<string, number>();
      m.set(thread, (m.get(thread) ?? 0) + s.values[0]!);
      out.set(name, m);
    }
  }
  return out;
}

describe("startCPUProfile({ threads: true }) on Node", () => {
  it.each(versions)("$name: each worker's hot function under its own thread label", async ({ name, cmd }) => {
    const r = await run(cmd, [join(root, "test/runtimes/threads-node.mjs"), "200"], {}, 60_000);
    expect(r.code, `exit code; stderr:\n${r.stderr.slice(0, 2000)}`).toBe(0);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { profile: string; workers: WorkerInfo[] };
    const bytes = Buffer.from(out.profile, "base64");
    const p = resolve(bytes);
    const byFn = threadsOf(p);
    // Every sample names its thread, and thread_name agrees with it.
    for (const s of p.samples) {
      expect(typeof s.labels["thread"]).toBe("string");
      expect(String(s.labels["thread"]).startsWith(`${String(s.labels["thread_name"])} (#`)).toBe(true);
    }
    const threadSamples = new Map<string, number>();
    for (const s of p.samples) threadSamples.set(String(s.labels["thread"]), (threadSamples.get(String(s.labels["thread"])) ?? 0) + s.values[0]!);
    const main = byFn.get("mainHot");
    expect(main, "mainHot sampled").toBeDefined();
    expect([...main!.keys()]).toEqual(["main (#0)"]);
    const summary: string[] = [];
    for (const w of out.workers) {
      const label = `${w.name} (#${w.threadId})`;
      const seen = byFn.get(w.fn);
      summary.push(`${label}: ${seen?.get(label) ?? 0}`);
      // The terminated worker's chunks before its end are in (cut every
      // 300 ms), but on a busy machine it may not have run before a cut.
      if (w.how !== "terminate") expect(w.exitCode, `${w.name} exit code`).toBe(0);
      if (w.name.startsWith("short-")) {
        expect(seen?.get(label) ?? 0, `${w.fn} under thread="${label}"; seen under ${JSON.stringify(seen ? [...seen] : [])}`).toBeGreaterThan(0);
      } else if (w.name.startsWith("long-")) {
        // A worker already running when the profile began is sampled too;
        // its hot function, compiled before, may be charged to its caller
        // on Node 24 (V8 does not name code it compiled before its
        // profiler started there; docs/threads.md), so only the thread is
        // asserted here.
        expect(threadSamples.get(label) ?? 0, `samples under thread="${label}"`).toBeGreaterThan(0);
      }
      // Never under another thread.
      expect([...(seen?.keys() ?? [])].filter((t) => t !== label), `${w.fn} under other threads`).toEqual([]);
    }
    console.log(`${name}: samples per worker hot function: ${summary.join(", ")}`);
    expect(p.comments.some((c) => c.startsWith("threads: "))).toBe(true);
    if (name === "node 26" || name === "node 20") {
      // go tool pprof reads the labels: -tags lists each thread, and
      // -tagfocus keeps one worker's samples only.
      const tags = goPprof(bytes, "-tags");
      expect(tags).toMatch(/thread: Total/);
      expect(tags).toContain("main (#0)");
      const short0 = out.workers.find((w) => w.name === "short-0")!;
      expect(tags).toContain(`short-0 (#${short0.threadId})`);
      const top = goPprof(bytes, "-top", "-tagfocus=thread_name=^short-0$");
      expect(top).toContain("burnShort0");
      expect(top).not.toContain("mainHot");
      expect(top).not.toContain("burnShort1");
    }
  }, 90_000);

  it.each(versions)("$name: a pool of short-lived workers under cut profiles neither crashes nor hangs", async ({ cmd }) => {
    const r = await run(cmd, [join(root, "test/runtimes/threads-pool.mjs"), "16"], {}, 60_000);
    expect(r.code, `exit code; stderr:\n${r.stderr.slice(0, 2000)}`).toBe(0);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { results: Array<{ i: number; how: string; code: number }>; profiles: string[] };
    expect(out.results.length).toBe(16);
    for (const w of out.results) expect(w.code, `worker ${w.i} (${w.how})`).toBe(w.how === "exit" ? 7 : w.how === "terminate" ? 1 : 0);
    expect(out.profiles.length).toBeGreaterThan(0);
    const threads = new Set<string>();
    for (const b64 of out.profiles) {
      for (const s of resolve(Buffer.from(b64, "base64")).samples) threads.add(String(s.labels["thread_name"]));
    }
    // Some pool workers were caught by the profiles (each runs 5-30 ms).
    expect([...threads].filter((t) => t.startsWith("pool-")).length).toBeGreaterThan(0);
  }, 90_000);
});

describe("a stopped threads profile leaves nothing running", () => {
  it.each(versions)("$name: no profiler left in a worker that outlives 12 back-to-back profiles", async ({ cmd }) => {
    const r = await run(cmd, [join(root, "test/runtimes/threads-linger.mjs"), "12"], {}, 60_000);
    expect(r.code, `exit code; stderr:\n${r.stderr.slice(0, 2000)}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { left: number[]; code: number };
    // Before close detached from each worker: [0, 2, 0, 4, 0, 6, 0, 8, 0, 9, 10, 1] on Node 24.
    expect(out.left, "V8 profiler threads still running after each stop").toEqual(Array(12).fill(0));
    expect(out.code).toBe(0);
  }, 60_000);
});

describe("startHeapProfiling({ threads: true }) on Node", () => {
  it.each(versions)("$name: each worker's live heap under its own thread label", async ({ cmd }) => {
    const r = await run(cmd, [join(root, "test/runtimes/threads-heap.mjs")], {}, 60_000);
    expect(r.code, `exit code; stderr:\n${r.stderr.slice(0, 2000)}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { profile: string; workers: Array<{ name: string; threadId: number }> };
    const p = resolve(Buffer.from(out.profile, "base64"));
    // inuse_space by function and thread.
    const space = p.sampleTypes.indexOf("inuse_space/bytes");
    const byFn = new Map<string, Map<string, number>>();
    for (const s of p.samples) {
      const thread = String(s.labels["thread"] ?? "(none)");
      for (const f of new Set(s.frames.map((x) => x.functionName))) {
        const m = byFn.get(f) ?? byFn.set(f, new Map()).get(f)!;
        m.set(thread, (m.get(thread) ?? 0) + s.values[space]!);
      }
    }
    for (const [fn, name] of [["heapKeepA", "keeper-a"], ["heapKeepB", "keeper-b"]] as const) {
      const w = out.workers.find((x) => x.name === name)!;
      const seen = byFn.get(fn);
      expect([...(seen?.keys() ?? [])], `${fn}'s threads`).toEqual([`${name} (#${w.threadId})`]);
      // 20,000 small objects and their strings: well over 100 kB.
      expect(seen!.get(`${name} (#${w.threadId})`)!).toBeGreaterThan(100_000);
    }
    expect([...(byFn.get("mainKeeps")?.keys() ?? [])]).toEqual(["main (#0)"]);
    expect(p.comments.some((c) => c.startsWith("threads: each worker's live heap"))).toBe(true);
  }, 60_000);
});

describe("threads beside another inspector session", () => {
  it("node --cpu-prof: threads fails with a pprof: threads: error where it is given", async () => {
    const dir = mkdtempSync(join(tmpdir(), "anyprof-threads-cpu-prof-"));
    try {
      const r = await run(node26, ["--cpu-prof", `--cpu-prof-dir=${dir}`, join(root, "test/runtimes/threads-cpu-prof.mjs")], {}, 60_000);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe("pprof: threads: not while another inspector session may hear console profiles (node --cpu-prof, an open inspector port)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

// workerThreads checks one profile of threads-work.mjs: workA only under
// busy-a's label, workB only under busy-b's, mainWork only under main.
function workerThreads(bytes: Uint8Array, workers: Array<{ name: string; threadId: number }>): void {
  const byFn = threadsOf(resolve(bytes));
  for (const [fn, name] of [["workA", "busy-a"], ["workB", "busy-b"]] as const) {
    const w = workers.find((x) => x.name === name)!;
    const seen = byFn.get(fn);
    expect([...(seen?.keys() ?? [])], `${fn}'s threads`).toEqual([`${name} (#${w.threadId})`]);
  }
  expect([...(byFn.get("mainWork")?.keys() ?? [])]).toEqual(["main (#0)"]);
}

// The other ways in, on the current Node (each is the same sampler).
describe("threads through the HTTP handler, continuous profiling and anyprof record", () => {
  it("GET /debug/pprof/profile?seconds=2&threads=1 and /debug/pprof/heap from servePprof({ threads: true })", async () => {
    const r = await run(node26, [join(root, "test/runtimes/threads-paths.mjs"), "http"], {}, 60_000);
    expect(r.code, `exit code; stderr:\n${r.stderr.slice(0, 2000)}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { workers: Array<{ name: string; threadId: number }>; profiles: string[] };
    workerThreads(Buffer.from(out.profiles[0]!, "base64"), out.workers);
    // The heap sampling the handler started runs with threads: every
    // sample names its thread (the main thread keeps 100,000 objects; the
    // workers keep little, so their presence is test/runtimes/threads-heap.mjs's).
    const heap = resolve(Buffer.from(out.profiles[1]!, "base64"));
    expect(heap.samples.length).toBeGreaterThan(0);
    for (const s of heap.samples) expect(typeof s.labels["thread"]).toBe("string");
    expect(heap.samples.some((s) => s.labels["thread"] === "main (#0)")).toBe(true);
  }, 60_000);

  it("startContinuousProfiling({ threads: true }): every window labelled", async () => {
    const r = await run(node26, [join(root, "test/runtimes/threads-paths.mjs"), "continuous"], {}, 60_000);
    expect(r.code, `exit code; stderr:\n${r.stderr.slice(0, 2000)}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { workers: Array<{ name: string; threadId: number }>; profiles: string[] };
    expect(out.profiles.length).toBeGreaterThanOrEqual(2);
    // Windows are cut every 0.5 s; together they hold every thread.
    const all = out.profiles.map((b) => Buffer.from(b, "base64"));
    for (const b of all) for (const s of resolve(b).samples) expect(typeof s.labels["thread"]).toBe("string");
    const merged = new Map<string, Set<string>>();
    for (const b of all) for (const [fn, m] of threadsOf(resolve(b))) for (const t of m.keys()) (merged.get(fn) ?? merged.set(fn, new Set()).get(fn)!).add(t);
    const a = out.workers.find((w) => w.name === "busy-a")!;
    const b = out.workers.find((w) => w.name === "busy-b")!;
    expect([...(merged.get("workA") ?? [])]).toEqual([`busy-a (#${a.threadId})`]);
    expect([...(merged.get("workB") ?? [])]).toEqual([`busy-b (#${b.threadId})`]);
  }, 60_000);

  it("anyprof record --threads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "anyprof-threads-"));
    try {
      const r = await run(process.execPath, [join(root, "dist/cli/main.js"), "record", "--threads", "-o", dir, "--", node26, join(root, "test/runtimes/threads-work.mjs"), "1200"], {}, 60_000);
      expect(r.code, `exit code; stderr:\n${r.stderr.slice(0, 2000)}`).toBe(0);
      const bytes = readFileSync(join(dir, "cpu.pb.gz"));
      const p = resolve(bytes);
      const names = new Set(p.samples.map((s) => String(s.labels["thread_name"])));
      expect(names.has("main")).toBe(true);
      expect(names.has("busy-a")).toBe(true);
      expect(names.has("busy-b")).toBe(true);
      // record's own rescue worker is anyprof's: not profiled.
      expect([...names].filter((n) => n !== "main" && !n.startsWith("busy-"))).toEqual([]);
      const byFn = threadsOf(p);
      expect([...(byFn.get("workA")?.keys() ?? [])].map((t) => t.replace(/ \(#\d+\)$/, ""))).toEqual(["busy-a"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("threads in Deno and Bun", () => {
  const runtimes = [
    { name: "deno", cmd: bin("deno"), args: ["run", "-A", join(root, "test/runtimes/threads-self.mjs")] },
    { name: "bun", cmd: bin("bun"), args: [join(root, "test/runtimes/threads-self.mjs")] },
  ];
  it.each(runtimes)("$name: threads fails with pprof: threads:, a worker profiling itself works", async ({ name, cmd, args }) => {
    const r = await run(cmd, args, {}, 60_000);
    expect(r.code, `exit code; stderr:\n${r.stderr.slice(0, 2000)}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { mainError: string; workerError: string; profile: string };
    // The main thread cannot reach its workers: a clear error where threads is given.
    expect(out.mainError).toMatch(new RegExp(`^pprof: threads: ${name} .*cannot reach its workers`));
    expect(out.workerError).toMatch(/^pprof: threads: /);
    // The worker's own profile has the worker's hot function.
    const p = resolve(Buffer.from(out.profile, "base64"));
    const hot = p.samples.filter((s) => s.frames.some((f) => f.functionName === "burnInSelf")).reduce((n, s) => n + s.values[0]!, 0);
    expect(hot).toBeGreaterThan(5);
  }, 60_000);
});

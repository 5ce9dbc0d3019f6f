// heap-gc-free.test.ts checks which Node versions write a heap profile
// without a full collection: Node 26 samples with v8.startHeapProfile and
// reads without forcing one (anyprof's Node 26 path), Node 20-24 have only
// the inspector's sampler, which forces one per read. Both ways are
// asserted, and the retaining function is found either way.
import { describe, expect, it } from "vitest";
import { resolve } from "./helpers/pprof.ts";
import { node22, node24, node26, root, run } from "./helpers/spawn.ts";

interface Out {
  node: string;
  heapMB: number;
  writes: Array<{ holdMillis: number; majorGcs: number }>;
  last: string;
}

async function writes(cmd: string): Promise<Out> {
  const r = await run(cmd, [`${root}/test/runtimes/heap-gc-free.mjs`]);
  expect(r.code, `exit code; stderr:\n${r.stderr}`).toBe(0);
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Out;
  // The profile is right either way: the retained records are its top site.
  const p = resolve(Buffer.from(out.last, "base64"));
  const retained = p.samples.filter((s) => s.frames.some((f) => f.functionName === "retainRecords")).reduce((n, s) => n + s.values[1]!, 0);
  expect(retained / 1e6, "retainRecords inuse MB").toBeGreaterThan(15);
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

describe("heap profile writes and full collections", () => {
  it("Node 26 writes with no full collection, and holds the thread far less than Node 20, which forces one", async () => {
    const forced = await writes(process.execPath);
    const free = await writes(node26);
    console.log(`heap ~${free.heapMB.toFixed(0)} MB: hold node ${forced.node} ${forced.writes.map((w) => w.holdMillis.toFixed(1)).join("/")} ms, node ${free.node} ${free.writes.map((w) => w.holdMillis.toFixed(1)).join("/")} ms`);
    for (const w of free.writes) expect(w.majorGcs, "full collections in a Node 26 write").toBe(0);
    for (const w of forced.writes) expect(w.majorGcs, "full collections in a Node 20 write").toBeGreaterThanOrEqual(1);
    // Measured 3-20 ms vs 200-800 ms: a loaded machine stretches both.
    expect(3 * median(free.writes.map((w) => w.holdMillis))).toBeLessThan(median(forced.writes.map((w) => w.holdMillis)));
  }, 60_000);

  it.each([
    { name: "node 22", cmd: node22 },
    { name: "node 24", cmd: node24 },
  ])("$name still forces a full collection per write (no GC-free sampler there)", async ({ cmd }) => {
    const out = await writes(cmd);
    for (const w of out.writes) expect(w.majorGcs).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

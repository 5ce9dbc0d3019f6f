// cpuprofile.test.ts tests the .cpuprofile converter on hand-made trees:
// time from timeDeltas, which frames stay, names for anonymous functions,
// both tree shapes (children and DevTools' parent), chunks adding up, and
// clear errors on malformed input.
import { describe, expect, it } from "vitest";
import { CpuProfileConverter, type ChunkCpu } from "../src/pprof/cpuprofile.ts";
import { ownScriptPrefixes } from "../src/host/own.ts";
import { LabelSet } from "../src/pprof/labelset.ts";
import type { CpuProfileNode, CpuProfileShape } from "../src/host/host.ts";
import { freshCore } from "./helpers/core.ts";
import { resolve } from "./helpers/pprof.ts";

const frame = (functionName: string, line = 0, url = "file:///app/main.js") => ({ functionName, url, lineNumber: line, columnNumber: 4, scriptId: "1" });

// (root) → main → { work → leaf, (idle), (program), (garbage collector), "" }
function tree(): CpuProfileNode[] {
  return [
    { id: 1, callFrame: frame("(root)", -1, ""), children: [2, 5, 6, 7] },
    { id: 2, callFrame: frame("main", 0), children: [3, 8] },
    { id: 3, callFrame: frame("work", 9), children: [4] },
    { id: 4, callFrame: frame("leaf", 19) },
    { id: 5, callFrame: frame("(idle)", -1, "") },
    { id: 6, callFrame: frame("(program)", -1, "") },
    { id: 7, callFrame: frame("(garbage collector)", -1, "") },
    { id: 8, callFrame: frame("", 29) },
  ];
}

function convert(profiles: CpuProfileShape[], includeIdle = false, cpu?: ChunkCpu) {
  const conv = new CpuProfileConverter(freshCore(), { intervalMicros: 1000, includeIdle, ownScriptUrls: ["file:///app/node_modules/anyprof/dist/"] });
  for (const p of profiles) conv.add(p, undefined, cpu);
  return resolve(conv.finish(1_000n, 2_000n));
}

const stack = (s: { frames: { functionName: string }[] }) => s.frames.map((f) => f.functionName).join(" < ");

describe("CpuProfileConverter", () => {
  it("charges each sample the time until the next one, never the nominal interval", () => {
    const p = convert([{ nodes: tree(), samples: [4, 4, 3, 6, 7], timeDeltas: [100, 1000, 3000, 500, 250], startTime: 0, endTime: 5000 }]);
    expect(p.sampleTypes).toEqual(["samples/count", "cpu/nanoseconds", "wall/nanoseconds"]);
    expect(p.periodType).toBe("cpu/nanoseconds");
    expect(p.raw.period).toBe(1_000_000);
    // Sample times: 100, 1100, 4100, 4600, 4850; end 5000. The 3000 µs gap
    // after the second sample is capped at two 1000 µs intervals: the thread
    // was not running for the rest of it.
    const got = Object.fromEntries(p.samples.map((s) => [stack(s), s.values]));
    expect(got).toEqual({
      "leaf < work < main": [2, 3_000_000, 4_000_000],
      "work < main": [1, 500_000, 500_000],
      "(program)": [1, 250_000, 250_000],
      "(garbage collector)": [1, 150_000, 150_000],
    });
  });

  it("leaves (idle) out by default and keeps it on request", () => {
    const shape = { nodes: tree(), samples: [5, 4], timeDeltas: [0, 1000], startTime: 0, endTime: 2000 };
    expect(convert([shape]).samples.map(stack)).toEqual(["leaf < work < main"]);
    expect(convert([shape], true).samples.map(stack)).toEqual(["(idle)", "leaf < work < main"]);
  });

  it("gives functions 1-based lines, start lines, and anonymous functions a readable name", () => {
    const p = convert([{ nodes: tree(), samples: [4, 8], timeDeltas: [0, 10], startTime: 0, endTime: 20 }]);
    const leaf = p.samples[0]!.frames[0]!;
    expect(leaf).toEqual({ functionName: "leaf", file: "file:///app/main.js", line: 20, column: 5, startLine: 20 });
    expect(p.samples[1]!.frames[0]!.functionName).toBe("(anonymous) main.js:30");
  });

  it("reads DevTools' parent links as well as children", () => {
    const nodes = tree().map(({ children: _children, ...n }) => n as CpuProfileNode);
    const parent: Record<number, number> = { 2: 1, 3: 2, 4: 3, 5: 1, 6: 1, 7: 1, 8: 2 };
    for (const n of nodes) if (parent[n.id] !== undefined) n.parent = parent[n.id];
    const p = convert([{ nodes, samples: [4], timeDeltas: [0], startTime: 0, endTime: 10 }]);
    expect(p.samples.map(stack)).toEqual(["leaf < work < main"]);
  });

  it("adds chunks with different node ids into the same stacks", () => {
    const renumbered = tree().map((n) => ({ ...n, id: n.id + 100, children: n.children?.map((c) => c + 100) }));
    const p = convert([
      { nodes: tree(), samples: [4], timeDeltas: [0], startTime: 0, endTime: 1000 },
      { nodes: renumbered, samples: [104], timeDeltas: [0], startTime: 5000, endTime: 7000 },
    ]);
    expect(p.samples.map((s) => [stack(s), s.values])).toEqual([["leaf < work < main", [2, 3_000_000, 3_000_000]]]);
  });

  it("makes cpu the default sample type and keeps wall beside it", () => {
    const p = convert([{ nodes: tree(), samples: [4], timeDeltas: [0], startTime: 0, endTime: 10 }]);
    expect(p.raw.stringTable[p.raw.defaultSampleType]).toBe("cpu");
    // Without clock readings the profile says what its cpu values are.
    expect(p.comments).toContain("cpu/nanoseconds: no thread CPU clock was read: each sample counts the time until the next, capped at 2 intervals, which is wall time while the thread waits for a core");
    const clocked = convert([{ nodes: tree(), samples: [4], timeDeltas: [0], startTime: 0, endTime: 10 }], false, { timesMicros: [0, 10], cpuMicros: [0, 5], offsetMicros: 0 });
    expect(clocked.comments.some((c) => c.startsWith("cpu/nanoseconds: no thread CPU clock"))).toBe(false);
  });

  it("folds anyprof's frames, and the runtime's code they call, into one (anyprof) frame", () => {
    const ours = (name: string, line: number) => frame(name, line, "file:///app/node_modules/anyprof/dist/profiles/labels.js");
    // (root) → main → runWithLabels (ours) → run (node:) → handler (app) → hot
    //                                       → getStore (node:, under ours)
    // (root) → emitHook (node:) → before (ours) → getStore (node:)
    const nodes: CpuProfileNode[] = [
      { id: 1, callFrame: frame("(root)", -1, ""), children: [2, 8] },
      { id: 2, callFrame: frame("main", 0), children: [3] },
      { id: 3, callFrame: ours("runWithLabels", 10), children: [4, 7] },
      { id: 4, callFrame: frame("run", 5, "node:internal/async_local_storage"), children: [5] },
      { id: 5, callFrame: frame("handler", 40), children: [6] },
      { id: 6, callFrame: frame("hot", 50) },
      { id: 7, callFrame: frame("getStore", 9, "node:internal/async_local_storage") },
      { id: 8, callFrame: frame("emitHook", 3, "node:internal/async_hooks"), children: [9] },
      { id: 9, callFrame: ours("before", 20), children: [10] },
      { id: 10, callFrame: frame("getStore", 9, "node:internal/async_local_storage") },
    ];
    const p = convert([{ nodes, samples: [6, 7, 10, 3], timeDeltas: [0, 1000, 1000, 1000], startTime: 0, endTime: 4000 }]);
    expect(p.samples.map(stack).sort()).toEqual(["(anyprof) < emitHook", "(anyprof) < main", "hot < handler < (anyprof) < main"]);
    const anyprof = p.samples.find((s) => stack(s) === "(anyprof) < main")!;
    expect(anyprof.values[0], "runWithLabels and the getStore it calls are one frame").toBe(2);
    expect(anyprof.frames[0]).toMatchObject({ functionName: "(anyprof)", file: "" });
  });

  it("finds anyprof's scripts from the adapter's URL, and says when it cannot (a bundle)", () => {
    expect(ownScriptPrefixes("file:///app/node_modules/anyprof/dist/runtime/node.js")).toEqual([
      "file:///app/node_modules/anyprof/dist/",
      "file:///app/node_modules/anyprof/src/",
      "/app/node_modules/anyprof/dist/",
      "/app/node_modules/anyprof/src/",
    ]);
    expect(ownScriptPrefixes("https://jsr.io/@anyprof/anyprof/0.1.0/src/runtime/deno.ts")).toEqual(["https://jsr.io/@anyprof/anyprof/0.1.0/dist/", "https://jsr.io/@anyprof/anyprof/0.1.0/src/"]);
    expect(ownScriptPrefixes("file:///app/server.bundle.js")).toBeUndefined();
    const conv = new CpuProfileConverter(freshCore(), { intervalMicros: 1000, ownScriptUrls: undefined });
    conv.add({ nodes: tree(), samples: [4], timeDeltas: [0], startTime: 0, endTime: 10 });
    const comments = resolve(conv.finish(1n, 1n)).comments;
    // host.ownScriptUrls is unset here: no adapter was imported.
    expect(comments.join("\n")).toMatch(/not folded into \(anyprof\)/);
  });

  it("splits a leaf's samples across its lines, exactly per line, dealt evenly in time", () => {
    // work (line 10) has 6 samples: positionTicks put 2 on line 12 and 4
    // on line 15 (V8 lists a line once per code object: 1 + 3).
    const nodes = tree();
    nodes[2] = { ...nodes[2]!, hitCount: 6, positionTicks: [{ line: 12, ticks: 2 }, { line: 15, ticks: 1 }, { line: 15, ticks: 3 }] };
    const p = convert([{ nodes, samples: [3, 3, 3, 3, 3, 3], timeDeltas: [0, 1000, 1000, 1000, 1000, 1000], startTime: 0, endTime: 6000 }]);
    const byLine = Object.fromEntries(p.samples.map((s) => [s.frames[0]!.line, s.values[0]]));
    expect(byLine).toEqual({ 12: 2, 15: 4 });
    for (const s of p.samples) {
      expect(s.frames[0]).toMatchObject({ functionName: "work", startLine: 10, column: 0 });
      expect(s.frames[1], "the caller stays at its function's line").toMatchObject({ functionName: "main", line: 1 });
    }
  });

  it("gives every label set and every stretch of time each line's share, not the lines of the time it ran in", () => {
    // work has 12 samples, a third on line 12 and two thirds on line 15;
    // route=/a runs the first half, route=/b the second. Dealt in blocks,
    // /a got all of line 12 (4 of its 6) and /b none.
    const nodes = tree();
    nodes[2] = { ...nodes[2]!, hitCount: 12, positionTicks: [{ line: 12, ticks: 4 }, { line: 15, ticks: 8 }] };
    const shape = { nodes, samples: Array(12).fill(3), timeDeltas: Array(12).fill(1000), startTime: 0, endTime: 13_000 };
    const sets = [LabelSet.of([]), LabelSet.of([["route", "/a"]]), LabelSet.of([["route", "/b"]])];
    const timeline = { times: Float64Array.of(0, 6500), ids: Uint32Array.of(1, 2), length: 2, sets, overflowed: false };
    const conv = new CpuProfileConverter(freshCore(), { intervalMicros: 1000, ownScriptUrls: [] });
    conv.add(shape, { timeline, offsetMicros: 0 });
    const got: Record<string, number> = {};
    for (const x of resolve(conv.finish(1n, 1n)).samples) {
      const key = `${x.labels.route} line ${x.frames[0]!.line}`;
      got[key] = (got[key] ?? 0) + x.values[0]!;
    }
    expect(got).toEqual({ "/a line 12": 2, "/a line 15": 4, "/b line 12": 2, "/b line 15": 4 });
  });

  it("keeps every frame at its function's line with lineLevel: false", () => {
    const nodes = tree();
    nodes[2] = { ...nodes[2]!, hitCount: 2, positionTicks: [{ line: 12, ticks: 2 }] };
    const conv = new CpuProfileConverter(freshCore(), { intervalMicros: 1000, lineLevel: false, ownScriptUrls: [] });
    conv.add({ nodes, samples: [3, 3], timeDeltas: [0, 1000], startTime: 0, endTime: 2000 });
    expect(resolve(conv.finish(1n, 1n)).samples.map((s) => s.frames[0]!.line)).toEqual([10]);
  });

  it("leaves ticks the engine placed on no line at the function's line (JSC's optimizing tiers)", () => {
    const nodes = tree();
    nodes[2] = { ...nodes[2]!, hitCount: 4, positionTicks: [{ line: 12, ticks: 1 }] };
    const p = convert([{ nodes, samples: [3, 3, 3, 3], timeDeltas: [0, 1000, 1000, 1000], startTime: 0, endTime: 4000 }]);
    expect(Object.fromEntries(p.samples.map((s) => [s.frames[0]!.line, s.values[0]]))).toEqual({ 10: 3, 12: 1 });
  });

  it("shares each window's measured thread CPU time among its samples", () => {
    // Samples at 1000, 2000, 3000 (leaf) and 4000, 5000 (work); the clock
    // says 1.5 ms of CPU up to 3500 and 0.2 ms after: the thread waited for
    // a core most of the time, which the gaps cannot see.
    const shape = { nodes: tree(), samples: [4, 4, 4, 3, 3], timeDeltas: [1000, 1000, 1000, 1000, 1000], startTime: 0, endTime: 6000 };
    const p = convert([shape], false, { timesMicros: [500, 3500, 6000], cpuMicros: [10_000, 11_500, 11_700], offsetMicros: 0 });
    const got = Object.fromEntries(p.samples.map((s) => [stack(s), s.values]));
    expect(got).toEqual({ "leaf < work < main": [3, 1_500_000, 3_000_000], "work < main": [2, 200_000, 2_000_000] });
  });

  it("writes an empty profile for a profile with no samples", () => {
    const p = convert([{ nodes: tree(), startTime: 0, endTime: 0 }]);
    expect(p.samples).toEqual([]);
  });

  it.each([
    ["a dangling child", { nodes: [{ id: 1, callFrame: frame("(root)"), children: [9] }], samples: [], timeDeltas: [], startTime: 0, endTime: 0 }, /^pprof: cpuprofile node 1 has unknown child 9$/],
    ["an unknown sample node", { nodes: tree(), samples: [42], timeDeltas: [0], startTime: 0, endTime: 1 }, /^pprof: cpuprofile sample 0 has unknown node 42$/],
    ["no nodes", { startTime: 0, endTime: 0 } as unknown as CpuProfileShape, /^pprof: cpuprofile has no nodes$/],
    [
      "a cycle",
      { nodes: [{ id: 1, callFrame: frame("a"), children: [2] }, { id: 2, callFrame: frame("b"), children: [1] }], samples: [1], timeDeltas: [0], startTime: 0, endTime: 1 },
      /^pprof: call tree has a cycle$/,
    ],
  ])("rejects %s with a pprof: error", (_name, shape, want) => {
    expect(() => convert([shape as CpuProfileShape])).toThrow(want);
  });
});

// cpuprofile.test.ts tests the .cpuprofile converter on hand-made trees:
// time from timeDeltas, which frames stay, names for anonymous functions,
// both tree shapes (children and DevTools' parent), chunks adding up, and
// clear errors on malformed input.
import { describe, expect, it } from "vitest";
import { CpuProfileConverter } from "../src/pprof/cpuprofile.ts";
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

function convert(profiles: CpuProfileShape[], includeIdle = false) {
  const conv = new CpuProfileConverter(freshCore(), { intervalMicros: 1000, includeIdle });
  for (const p of profiles) conv.add(p);
  return resolve(conv.finish(1_000n, 2_000n));
}

const stack = (s: { frames: { functionName: string }[] }) => s.frames.map((f) => f.functionName).join(" < ");

describe("CpuProfileConverter", () => {
  it("charges each sample the time until the next one, never the nominal interval", () => {
    const p = convert([{ nodes: tree(), samples: [4, 4, 3, 6, 7], timeDeltas: [100, 1000, 3000, 500, 250], startTime: 0, endTime: 5000 }]);
    expect(p.sampleTypes).toEqual(["samples/count", "cpu/nanoseconds"]);
    expect(p.periodType).toBe("cpu/nanoseconds");
    expect(p.raw.period).toBe(1_000_000);
    // Sample times: 100, 1100, 4100, 4600, 4850; end 5000. The 3000 µs gap
    // after the second sample is capped at two 1000 µs intervals: the thread
    // was not running for the rest of it.
    const got = Object.fromEntries(p.samples.map((s) => [stack(s), s.values]));
    expect(got).toEqual({
      "leaf < work < main": [2, 3_000_000],
      "work < main": [1, 500_000],
      "(program)": [1, 250_000],
      "(garbage collector)": [1, 150_000],
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
    expect(p.samples.map((s) => [stack(s), s.values])).toEqual([["leaf < work < main", [2, 3_000_000]]]);
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

// heap-node.test.ts tests the heap and allocs profiles in-process on Node:
// the conversion of V8's sampling heap profile and of a JSC census into
// records, sums over sampler restarts, Go's heap text form, and Go's
// start/stop rules and failure handling against fake samplers injected
// through the host. The cross-runtime conformance lives in heap.test.ts.
import { afterEach, describe, expect, it } from "vitest";
import { lookup, profiles, startHeapProfiling, stopHeapProfiling, writeHeapProfile } from "../src/runtime/node.ts";
import { heapSamplerIdle, writeHeapProfileSync } from "../src/profiles/heap.ts";
import { host, setHost, type HeapProfileNode, type HeapProfileShape, type HeapSampler } from "../src/host/host.ts";
import { censusRest, censusRoot, HeapSums, jscCensus, knownObjectBytes, recordsFromCensus, recordsFromSamplingProfile } from "../src/pprof/heapprofile.ts";
import { formatHeapProfile } from "../src/pprof/heaptext.ts";
import { deltaProfile } from "../src/pprof/delta.ts";
import { resolve } from "./helpers/pprof.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const saved = { newHeapSampler: host.newHeapSampler, heapCensus: host.heapCensus, memoryStats: host.memoryStats };

afterEach(async () => {
  await stopHeapProfiling();
  setHost(saved);
});

let nextId = 1;
function node(functionName: string, url: string, lineNumber: number, children: HeapProfileNode[] = []): HeapProfileNode {
  return { id: nextId++, callFrame: { functionName, url, lineNumber, columnNumber: 4, scriptId: 1 }, selfSize: 0, children };
}

/** tree is (root) → main → {alloc, (anonymous) at line 9}, as V8 nests it. */
function tree() {
  const alloc = node("alloc", "file:///app/a.js", 19);
  const anon = node("", "file:///app/b.js", 8);
  const main = node("main", "file:///app/a.js", 0, [alloc, anon]);
  const head = node("(root)", "", -1, [main]);
  return { head, main, alloc, anon };
}

describe("V8 sampling heap profile → records", () => {
  it("makes one record per stack, leaf first, summing samples and V8's scaled bytes", () => {
    const { head, main, alloc, anon } = tree();
    const rate = 512 * 1024;
    const profile: HeapProfileShape = {
      head,
      samples: [
        { nodeId: alloc.id, size: 524688, ordinal: 1 },
        { nodeId: alloc.id, size: 524800, ordinal: 2 },
        { nodeId: anon.id, size: 524304, ordinal: 3 },
        { nodeId: main.id, size: 3_000_000, ordinal: 4 },
        // A sample under a node the tree lacks (V8 samples its own
        // allocations while building the tree) and one at the root.
        { nodeId: 999, size: 524304, ordinal: 5 },
        { nodeId: head.id, size: 524304, ordinal: 6 },
      ],
    };
    const records = recordsFromSamplingProfile(profile, rate);
    const byLeaf = Object.fromEntries(records.map((r) => [r.frames[0]!.functionName, r]));
    expect(Object.keys(byLeaf).sort()).toEqual(["(anonymous) b.js:9", "alloc", "main"]);
    expect(byLeaf.alloc!.frames.map((f) => f.functionName)).toEqual(["alloc", "main"]);
    expect(byLeaf.alloc).toMatchObject({ objects: 2, bytes: 524688 + 524800, objectBytes: 0 });
    // 1-based lines; the function's start is the only position V8 records,
    // in the engine's own coordinates (engine: no runtime source-mapped it).
    expect(byLeaf.alloc!.frames[0]).toEqual({ functionName: "alloc", url: "file:///app/a.js", line: 20, column: 5, startLine: 20, engine: true });
    // Over 2.2 × rate, a sample is one object of exactly its size.
    expect(byLeaf.main).toMatchObject({ objects: 1, bytes: 3_000_000, objectBytes: 3_000_000 });
  });

  it("falls back to each node's selfSize when the profile has no samples", () => {
    const { head, alloc } = tree();
    alloc.selfSize = 4096;
    const records = recordsFromSamplingProfile({ head }, 1024);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ objects: 0, bytes: 4096, objectBytes: 0 });
  });

  it("rejects a profile without a head", () => {
    expect(() => recordsFromSamplingProfile({} as HeapProfileShape, 1024)).toThrow(/^pprof: heap profile has no head node$/);
  });

  it("tells an object's size only where V8's scaled size allows one answer", () => {
    const rate = 512 * 1024;
    // V8's ScaleSample: size × (unsigned)(1 / (1 − e^(−size/rate)) + 0.5).
    const scaled = (size: number) => size * Math.trunc(1 / (1 - Math.exp(-size / rate)) + 0.5);
    expect(scaled(816)).toBe(scaled(408)); // 816 × 643 = 408 × 1286
    expect(knownObjectBytes(scaled(816), rate)).toBe(0);
    // Every size the function names is the right one, for every size.
    let known = 0;
    for (let size = 8; size <= 8 * rate; size += size < 65536 ? 8 : 4096) {
      const got = knownObjectBytes(scaled(size), rate);
      if (got !== 0) {
        expect(got).toBe(size);
        known++;
      } else {
        expect(size).toBeLessThanOrEqual(2.2 * rate);
      }
    }
    expect(known).toBeGreaterThan(0);
  });
});

describe("census → records", () => {
  // A JSC "Inspector" snapshot: [id, size, class, flags] per node; node 0 is <root>.
  const snapshot = {
    nodeClassNames: ["<root>", "Object", "Array", "string", "Unused"],
    nodes: [0, 0, 0, 0, 1, 32, 1, 0, 2, 48, 1, 2, 3, 16, 2, 0, 4, 16, 2, 0, 5, 100, 3, 0],
  };

  it("counts a JSC snapshot by class, every object", () => {
    const census = jscCensus(snapshot, 10_000);
    expect(census).toEqual({
      types: [
        { type: "Object", objects: 2, bytes: 80 },
        { type: "Array", objects: 2, bytes: 32 },
        { type: "string", objects: 1, bytes: 100 },
      ],
      heapBytes: 10_000,
    });
    expect(() => jscCensus({ nodes: [0, 0, 0], nodeClassNames: [] }, 0)).toThrow(/^pprof: not a JSC heap snapshot/);
    expect(() => jscCensus({ nodes: [0, 0, 0, 0, 1, 8, 7, 0], nodeClassNames: ["<root>"] }, 0)).toThrow(/unknown class 7/);
  });

  it("makes one record per type, largest first, with the average size and the unattributed rest", () => {
    const records = recordsFromCensus(jscCensus(snapshot, 10_000));
    expect(records.map((r) => [r.frames.map((f) => f.functionName), r.objects, r.bytes, r.objectBytes])).toEqual([
      [["string", censusRoot.functionName], 1, 100, 100],
      [["Object", censusRoot.functionName], 2, 80, 40],
      [["Array", censusRoot.functionName], 2, 32, 16],
      [[censusRest.functionName, censusRoot.functionName], 0, 10_000 - 212, 0],
    ]);
    // A heap no bigger than its types has no rest.
    expect(recordsFromCensus(jscCensus(snapshot, 212)).map((r) => r.frames[0]!.functionName)).toEqual(["string", "Object", "Array"]);
  });
});

describe("HeapSums", () => {
  it("adds records up by stack and object size, whatever their node ids", () => {
    const rate = 1024;
    const sums = new HeapSums();
    for (let round = 0; round < 2; round++) {
      // Each restart of V8's sampler numbers its nodes afresh.
      const { head, alloc } = tree();
      sums.add(recordsFromSamplingProfile({ head, samples: [{ nodeId: alloc.id, size: 1100, ordinal: 1 }, { nodeId: alloc.id, size: 9000, ordinal: 2 }] }, rate));
    }
    const records = sums.records();
    expect(records.map((r) => [r.frames[0]!.functionName, r.objects, r.bytes, r.objectBytes])).toEqual([
      ["alloc", 2, 2200, 0],
      ["alloc", 2, 18000, 9000],
    ]);
  });
});

describe("Go's heap text form", () => {
  it("prints the header, records by bytes, frames, notes and the memory figures", () => {
    const f = (functionName: string, line: number) => ({ functionName, url: "file:///app/a.js", line, column: 3, startLine: line });
    const out = formatHeapProfile(
      [
        { inuseObjects: 1, inuseBytes: 100, allocObjects: 0, allocBytes: 0, ids: [3, 1], frames: [f("small", 7), f("main", 1)] },
        { inuseObjects: 2, inuseBytes: 900, allocObjects: 0, allocBytes: 0, ids: [2, 1], frames: [f("big", 4), f("main", 1)] },
      ],
      512 * 1024,
      ["heap: a note"],
      { "process.memoryUsage()": { rss: 123, heapUsed: 45, name: "skipped" }, "v8.getHeapStatistics()": { total_heap_size: 678n } },
      "node test",
    );
    expect(out).toBe(
      [
        "heap profile: 3: 1000 [0: 0] @ heap/2",
        "2: 900 [0: 0] @ 0x2 0x1",
        "#\t0x2\tbig\tfile:///app/a.js:4:3",
        "#\t0x1\tmain\tfile:///app/a.js:1:3",
        "",
        "1: 100 [0: 0] @ 0x3 0x1",
        "#\t0x3\tsmall\tfile:///app/a.js:7:3",
        "#\t0x1\tmain\tfile:///app/a.js:1:3",
        "",
        "",
        "# heap: sampled one object per 524288 bytes allocated on average; values are already scaled to estimates",
        "# heap: a note",
        "",
        "# process.memoryUsage()",
        "# rss = 123",
        "# heapUsed = 45",
        "",
        "# v8.getHeapStatistics()",
        "# total_heap_size = 678",
        "",
      ].join("\n"),
    );
    expect(formatHeapProfile([], 1, [], undefined, "workerd")).toBe("heap profile: 0: 0 [0: 0] @ heap/2\n\n# memory: workerd reports no memory figures\n");
  });
});

/** FakeSampler records its calls; each answer comes from the test. */
class FakeSampler implements HeapSampler {
  calls: string[] = [];
  profiles: HeapProfileShape[] = [];
  startAnswer: () => void | Promise<void> = () => {};
  start(rateBytes: number, includeCollected: boolean): void | Promise<void> {
    this.calls.push(`start ${rateBytes} ${includeCollected}`);
    return this.startAnswer();
  }
  profile(restart: boolean): HeapProfileShape | Promise<HeapProfileShape> {
    this.calls.push(`profile ${restart}`);
    const p = this.profiles.shift();
    if (p === undefined) throw new Error("no profile queued");
    return p;
  }
  stop(): void {
    this.calls.push("stop");
  }
}

function fake(): FakeSampler {
  const s = new FakeSampler();
  setHost({ newHeapSampler: () => s });
  return s;
}

/** oneSample is a profile with one sample of bytes under alloc. */
function oneSample(bytes: number): HeapProfileShape {
  const { head, alloc } = tree();
  return { head, samples: [{ nodeId: alloc.id, size: bytes, ordinal: 1 }] };
}

describe("startHeapProfiling / stopHeapProfiling", () => {
  it("registers heap and allocs at import, which sample nothing before a start", async () => {
    let made = 0;
    setHost({ newHeapSampler: () => (made++, new FakeSampler()) });
    expect(profiles().map((p) => p.name)).toEqual(expect.arrayContaining(["heap", "allocs"]));
    const p = resolve(await lookup("heap")!.writeTo(undefined, 0));
    expect(p.samples).toHaveLength(0);
    expect(p.comments[0]).toMatch(/^heap: heap profiling has not started/);
    await lookup("allocs")!.writeTo(undefined, 1);
    expect(made, "samplers made before a start").toBe(0);
    expect(lookup("heap")!.count()).toBe(0);
  });

  it("starts at once on a synchronous sampler, and is a no-op when started again alike", async () => {
    const s = fake();
    const started = startHeapProfiling({ rateBytes: 4096 });
    expect(s.calls, "sampling began before startHeapProfiling returned").toEqual(["start 4096 false"]);
    await started;
    await startHeapProfiling({ rateBytes: 4096 });
    expect(() => startHeapProfiling()).toThrow(
      /^pprof: heap profiling already started with rateBytes 4096, includeCollected false, bunHeapSnapshot false: call stopHeapProfiling\(\) first$/,
    );
    expect(() => startHeapProfiling({ rateBytes: 4096, includeCollected: true })).toThrow(/already started/);
    await stopHeapProfiling();
    await stopHeapProfiling();
    expect(s.calls).toEqual(["start 4096 false", "stop"]);
  });

  it("throws for bad rates", () => {
    fake();
    for (const rateBytes of [0, -1, 1.5, 2 ** 30 + 1, Number.NaN]) {
      expect(() => startHeapProfiling({ rateBytes })).toThrow(`pprof: heap sampling rate must be an integer from 1 to 2^30 bytes, got ${rateBytes}`);
    }
  });

  it("writes heap from the sampler's profile, and allocs as empty with its reason", async () => {
    const s = fake();
    await startHeapProfiling({ rateBytes: 1024 });
    s.profiles.push(oneSample(5000), oneSample(7000));
    const heap = resolve(await writeHeapProfile());
    expect(heap.sampleTypes).toEqual(["inuse_objects/count", "inuse_space/bytes"]);
    expect(heap.raw.period).toBe(1024);
    expect(heap.samples.map((x) => [x.frames[0]!.functionName, ...x.values, x.labels.bytes])).toEqual([["alloc", 1, 5000, 5000]]);
    expect(lookup("heap")!.count()).toBe(1);
    const t = text(await lookup("heap")!.writeTo(undefined, 1));
    expect(t).toMatch(/^heap profile: 1: 7000 \[0: 0\] @ heap\/2\n1: 7000 \[0: 0\] @ 0x1 0x2\n#\t0x1\talloc\t/);
    const allocs = resolve(await lookup("allocs")!.writeTo(undefined, 0));
    expect(allocs.samples).toHaveLength(0);
    expect(allocs.comments.join("\n")).toMatch(/includeCollected: true/);
    expect(s.calls).toEqual(["start 1024 false", "profile false", "profile false"]);
  });

  it("with includeCollected, sums allocs over the sampler's restarts and leaves heap empty", async () => {
    const s = fake();
    await startHeapProfiling({ rateBytes: 1024, includeCollected: true });
    s.profiles.push(oneSample(5000), oneSample(7000));
    const first = resolve(await lookup("allocs")!.writeTo(undefined, 0));
    expect(first.raw.stringTable[first.raw.defaultSampleType]).toBe("alloc_space");
    expect(first.samples.map((x) => x.values)).toEqual([[1, 5000]]);
    const second = resolve(await lookup("allocs")!.writeTo(undefined, 0));
    expect(second.samples.map((x) => x.values)).toEqual([[1, 5000], [1, 7000]]);
    const heap = resolve(await lookup("heap")!.writeTo(undefined, 0));
    expect(heap.samples).toHaveLength(0);
    expect(heap.comments.join("\n")).toMatch(/cannot tell which are still live/);
    expect(s.calls).toEqual(["start 1024 true", "profile true", "profile true"]);
  });

  it("rejects a write whose sampler fails, and the next write works", async () => {
    const s = fake();
    await startHeapProfiling();
    await expect(writeHeapProfile()).rejects.toThrow(/^pprof: heap sampler failed: no profile queued$/);
    s.profiles.push(oneSample(100));
    expect(resolve(await writeHeapProfile()).samples).toHaveLength(1);
  });

  it("rejects a start whose sampler fails, leaving no sampling behind", async () => {
    const s = fake();
    s.startAnswer = () => Promise.reject(new Error("inspector gone"));
    await expect(startHeapProfiling()).rejects.toThrow(/^pprof: could not start the heap sampler: inspector gone$/);
    expect(s.calls).toEqual(["start 524288 false", "stop"]);
    const heap = resolve(await writeHeapProfile());
    expect(heap.comments[0]).toMatch(/has not started/);
    setHost({ newHeapSampler: () => { throw new Error("no session"); } });
    expect(() => startHeapProfiling()).toThrow(/^pprof: could not start the heap sampler: no session$/);
  });

  it("writes heap synchronously (exit hooks, interrupts) where the sampler answers at once, and never from inside a sampler call", async () => {
    const s = fake();
    expect(resolve(writeHeapProfileSync()!).comments[0]).toMatch(/has not started/);
    await startHeapProfiling({ rateBytes: 1024 });
    s.profiles.push(oneSample(5000));
    expect(resolve(writeHeapProfileSync()!).samples.map((x) => x.values)).toEqual([[1, 5000]]);
    // An interrupt landing inside a sampler call gets nothing, and the call
    // itself is unharmed.
    let inside: Uint8Array | undefined | string = "not called";
    s.profiles.push(oneSample(6000), oneSample(7000));
    const profile = s.profile.bind(s);
    let idleInside: boolean | undefined;
    s.profile = (restart) => {
      idleInside = heapSamplerIdle();
      inside = writeHeapProfileSync();
      return profile(restart);
    };
    expect(resolve(await writeHeapProfile()).samples.map((x) => x.values)).toEqual([[1, 6000]]);
    expect(inside).toBeUndefined();
    expect(idleInside).toBe(false);
    expect(heapSamplerIdle()).toBe(true);
    // A sampler that answers later (Deno) cannot serve a synchronous write.
    s.profile = () => Promise.resolve(oneSample(1));
    expect(writeHeapProfileSync()).toBeUndefined();
  });

  it("serializes calls on an asynchronous sampler: a write waits for the start", async () => {
    const s = fake();
    let release!: () => void;
    s.startAnswer = () => new Promise<void>((r) => (release = r));
    const started = startHeapProfiling();
    s.profiles.push(oneSample(100));
    const written = writeHeapProfile();
    await new Promise((r) => setTimeout(r, 10));
    expect(s.calls).toEqual(["start 524288 false"]);
    release();
    await started;
    expect(resolve(await written).samples).toHaveLength(1);
    expect(s.calls).toEqual(["start 524288 false", "profile false"]);
  });

  it("throws where the runtime has no heap view, and its profiles say why", async () => {
    setHost({ newHeapSampler: undefined, heapCensus: undefined, memoryStats: undefined });
    expect(() => startHeapProfiling()).toThrow(/^pprof: no in-process heap sampler in node \S+; profile it from outside/);
    const heap = resolve(await writeHeapProfile());
    expect(heap.samples).toHaveLength(0);
    expect(heap.comments[0]).toMatch(/^heap: no in-process heap sampler in node/);
    expect(text(await lookup("heap")!.writeTo(undefined, 1))).toMatch(/\n# memory: node \S+ reports no memory figures\n$/);
  });

  it("takes a census where the runtime has one instead of a sampler (Bun), of the kind asked", async () => {
    const kinds: boolean[] = [];
    setHost({
      newHeapSampler: undefined,
      heapCensus: (snapshot) => {
        kinds.push(snapshot);
        return snapshot ? { types: [{ type: "Widget", objects: 4, bytes: 256 }], heapBytes: 1000 } : { types: [{ type: "Object", objects: 9, bytes: 0 }], heapBytes: 1000 };
      },
      memoryStats: () => {
        throw new Error("figures gone");
      },
    });
    // Without a start: counts by cell type, every byte in the rest.
    const counts = resolve(await writeHeapProfile());
    expect(counts.samples.map((x) => [x.frames[0]!.functionName, ...x.values])).toEqual([
      ["Object", 9, 0],
      [censusRest.functionName, 0, 1000],
    ]);
    expect(counts.comments.join("\n")).toMatch(/bun:jsc heapStats\(\) after a full collection/);
    await startHeapProfiling({ rateBytes: 1 << 20, bunHeapSnapshot: true });
    expect(() => startHeapProfiling()).toThrow(/already started with rateBytes 1048576, includeCollected false, bunHeapSnapshot true/);
    const heap = resolve(await writeHeapProfile());
    expect(heap.raw.period).toBe(1);
    expect(heap.samples.map((x) => [x.frames.map((f) => f.functionName), ...x.values, x.labels.bytes ?? 0])).toEqual([
      [["Widget", censusRoot.functionName], 4, 256, 64],
      [[censusRest.functionName, censusRoot.functionName], 0, 744, 0],
    ]);
    expect(heap.comments[0]).toMatch(/no sampling heap profiler: these are the live objects by type/);
    expect(resolve(await lookup("allocs")!.writeTo(undefined, 0)).comments[0]).toMatch(/has no allocation sampler/);
    expect(text(await lookup("heap")!.writeTo(undefined, 1))).toMatch(/\n# memory figures failed: figures gone\n/);
    expect(kinds).toEqual([false, true, true]);
  });

  it("gives snapshots for delta profiles: allocs between two reads", async () => {
    const s = fake();
    await startHeapProfiling({ rateBytes: 1024, includeCollected: true });
    // Sizes under 2.2 × rate are not told apart: one record per stack.
    s.profiles.push(oneSample(1000), oneSample(2000));
    const allocs = lookup("allocs")!;
    const p0 = (await allocs.snapshot())!;
    const p1 = (await allocs.snapshot())!;
    expect(p1.spec.sampleTypes).toEqual([
      ["alloc_objects", "count"],
      ["alloc_space", "bytes"],
    ]);
    expect(p0.samples.map((x) => x.values)).toEqual([[1, 1000]]);
    expect(p1.samples.map((x) => x.values)).toEqual([[2, 3000]]);
    const delta = resolve(deltaProfile(p0, p1));
    expect(delta.samples.map((x) => [x.frames[0]!.functionName, ...x.values])).toEqual([["alloc", 1, 2000]]);
  });

  it("samples this process with V8's sampler: live objects at their site", async () => {
    await startHeapProfiling({ rateBytes: 16 * 1024 });
    const kept = keepArrays(20_000);
    const p = resolve(await writeHeapProfile());
    const bytes = p.samples.filter((s) => s.frames.some((f) => f.functionName === "keepArrays")).reduce((n, s) => n + s.values[1]!, 0);
    // 20 000 arrays of 64 doubles: 20 000 × (32 + 16 + 512) bytes.
    expect(bytes / (20_000 * 560)).toBeGreaterThan(0.75);
    expect(bytes / (20_000 * 560)).toBeLessThan(1.25);
    expect(kept.length).toBe(20_000);
  });
});

function keepArrays(n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(new Array(64).fill(0.5));
  return out;
}

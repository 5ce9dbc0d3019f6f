// core.test.ts tests the WASM core through src/pprof/core.ts: hashing against the
// XXH32 reference vectors, interning, aggregation against a plain-JS model,
// label sets, the memory cap, and byte-identical output.
import { describe, expect, it } from "vitest";
import { freshCore } from "./helpers/core.ts";
import { checkValid, decodeProto } from "./helpers/pprof.ts";
import type { Meta } from "../src/pprof/core.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("xxh32", () => {
  // Published XXH32 test vectors.
  it.each([
    ["", 0, 0x02cc5d05],
    ["a", 0, 0x550d7456],
    ["abc", 0, 0x32d153ff],
    ["Nobody inspects the spammish repetition", 0, 0xe2293b2f],
    ["abc", 1, 0xaa3da8ff],
  ])("xxh32(%j, %d)", (s, seed, want) => {
    const got = freshCore().hash(utf8(s), seed);
    expect(got.toString(16), `got ${got.toString(16)}, want ${want.toString(16)}`).toBe(want.toString(16));
  });
});

function meta(core: ReturnType<typeof freshCore>, k: number): Meta {
  const [type, unit] = core.strings(["samples", "count"]);
  return {
    sampleTypes: Array.from({ length: k }, () => [type!, unit!] as const),
    periodType: [type!, unit!],
    period: 1n,
    timeNanos: 0n,
    durationNanos: 0n,
    defaultSampleType: 0,
    docUrl: 0,
    mappingFile: 0,
    comments: [],
  };
}

describe("tables", () => {
  it("interns strings with \"\" at index 0, first-seen order, UTF-8", () => {
    const core = freshCore();
    core.reset(1);
    const ids = core.strings(["a", "b", "a", "", "héllo ✓", "b"]);
    expect([...ids]).toEqual([1, 2, 1, 0, 3, 2]);
    const p = decodeProto(core.build(meta(core, 1)));
    expect(p.stringTable).toEqual(["", "a", "b", "héllo ✓", "samples", "count"]);
  });

  it("interns functions and locations to dense 1-based ids", () => {
    const core = freshCore();
    core.reset(1);
    core.strings(["f", "file", "g"]);
    const f = core.functions(Uint32Array.of(1, 1, 2, 10, 3, 3, 2, 20, 1, 1, 2, 10), 3);
    expect([...f]).toEqual([1, 2, 1]);
    const l = core.locations(Uint32Array.of(1, 11, 5, 2, 21, 1, 1, 11, 5), 3);
    expect([...l]).toEqual([1, 2, 1]);
  });

  it("grows every table past its initial size and rehashes correctly", () => {
    const core = freshCore();
    core.reset(1);
    const names = Array.from({ length: 20_000 }, (_, i) => `fn${i}`);
    const a = core.strings(names);
    const b = core.strings(names.slice().reverse());
    expect(new Set(a).size).toBe(20_000);
    expect([...b].reverse()).toEqual([...a]);
  });
});

describe("stack map", () => {
  it("aggregates repeated stacks like a plain-JS Map, in first-seen order", () => {
    const core = freshCore();
    core.reset(2);
    const [fnName] = core.strings(["f"]);
    const [fn] = core.functions(Uint32Array.of(fnName!, fnName!, 0, 0), 1);
    core.locations(Uint32Array.from({ length: 1500 }, (_, i) => (i % 3 === 0 ? fn! : i)), 500);
    const [set] = core.labelSets([[[fnName!, fnName!, 0, 0]]]);
    // Deterministic pseudo-random stacks with many repeats.
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / (1 << 24);
    const stacks = Array.from({ length: 300 }, () => Array.from({ length: 1 + Math.floor(rand() * 40) }, () => 1 + Math.floor(rand() * 500)));
    const model = new Map<string, [number, number]>();
    const records: number[][] = [];
    for (let i = 0; i < 5000; i++) {
      const s = stacks[Math.floor(rand() * rand() * stacks.length)]!;
      const label = i % 3 === 0 ? set! : 0;
      records.push([s.length, label, ...s]);
      const key = `${label}|${s.join(",")}`;
      const v = model.get(key) ?? [0, 0];
      model.set(key, [v[0] + 1, v[1] + i]);
    }
    // Two batches, to check state carries across calls.
    const batch = (from: number, to: number) => {
      const words = Uint32Array.from(records.slice(from, to).flat());
      const values = Float64Array.from(records.slice(from, to).flatMap((_, j) => [1, from + j]));
      return core.samples(words, words.length, to - from, values, 2);
    };
    batch(0, 2500);
    const distinct = batch(2500, 5000);
    const p = decodeProto(core.build(meta(core, 2)));
    expect(checkValid(p)).toEqual([]);
    const got = p.sample.map((s) => `${s.value.join(",")}`);
    const want = [...model.values()].map((v) => v.join(","));
    expect(got).toEqual(want);
    expect(distinct).toBe(model.size);
  });

  it("writes samples that decode to the model's sums", () => {
    const core = freshCore();
    core.reset(1);
    const fn = core.functions(Uint32Array.of(0, 0, 0, 0, 0, 0, 0, 0), 1);
    const loc = core.locations(Uint32Array.of(fn[0]!, 1, 0, fn[0]!, 2, 0, fn[0]!, 3, 0), 3);
    const [a, b, c] = loc;
    const words = Uint32Array.of(2, 0, a!, b!, 1, 0, c!, 2, 0, a!, b!, 3, 0, a!, b!, c!);
    core.samples(words, words.length, 4, Float64Array.of(5, 7, 11, -3), 1);
    const p = decodeProto(core.build(meta(core, 1)));
    expect(checkValid(p)).toEqual([]);
    expect(p.sample.map((s) => [s.locationId, s.value])).toEqual([
      [[a, b], [16]],
      [[c], [7]],
      [[a, b, c], [-3]],
    ]);
  });

  it("attaches label sets (string and numeric) and keeps stacks with different labels apart", () => {
    const core = freshCore();
    core.reset(1);
    const [route, slashA, bytes, unit] = core.strings(["route", "/a", "bytes", "bytes"]);
    const sets = core.labelSets([[], [[route!, slashA!, 0, 0]], [[bytes!, 0, 2 ** 40 + 5, unit!]], [[route!, slashA!, 0, 0]]]);
    expect([...sets]).toEqual([0, 1, 2, 1]);
    const fn = core.functions(Uint32Array.of(route!, route!, 0, 1), 1);
    const [loc] = core.locations(Uint32Array.of(fn[0]!, 1, 1), 1);
    const words = Uint32Array.of(1, 0, loc!, 1, sets[1]!, loc!, 1, sets[2]!, loc!, 1, sets[1]!, loc!);
    core.samples(words, words.length, 4, Float64Array.of(1, 2, 3, 4), 1);
    const p = decodeProto(core.build(meta(core, 1)));
    expect(checkValid(p)).toEqual([]);
    expect(p.sample.map((s) => s.value[0])).toEqual([1, 6, 3]);
    expect(p.sample[1]!.label).toEqual([{ key: route, str: slashA, num: 0, numUnit: 0 }]);
    expect(p.sample[2]!.label).toEqual([{ key: bytes, str: 0, num: 2 ** 40 + 5, numUnit: unit }]);
  });

  it("encodes long packed fields and messages over 127 bytes (multi-byte lengths)", () => {
    const core = freshCore();
    core.reset(1);
    const fn = core.functions(Uint32Array.of(0, 0, 0, 0), 1);
    const recs = new Uint32Array(3000 * 3);
    for (let i = 0; i < 3000; i++) recs.set([fn[0]!, i + 1, 0], i * 3);
    const locs = core.locations(recs, 3000);
    const words = Uint32Array.of(3000, 0, ...locs);
    core.samples(words, words.length, 1, Float64Array.of(2 ** 50), 1);
    const p = decodeProto(core.build(meta(core, 1)));
    expect(checkValid(p)).toEqual([]);
    expect(p.sample[0]!.locationId).toEqual([...locs]);
    expect(p.sample[0]!.value).toEqual([2 ** 50]);
  });
});

describe("output", () => {
  it("is byte-identical for identical input, across instances and resets", () => {
    const build = (core: ReturnType<typeof freshCore>) => {
      core.reset(1);
      const s = core.strings(["main", "file:///x.js"]);
      const f = core.functions(Uint32Array.of(s[0]!, s[0]!, s[1]!, 1), 1);
      const l = core.locations(Uint32Array.of(f[0]!, 3, 4), 1);
      core.samples(Uint32Array.of(1, 0, l[0]!), 3, 1, Float64Array.of(9), 1);
      return core.build({ ...meta(core, 1), timeNanos: 1_700_000_000_000_000_000n, durationNanos: 5n });
    };
    const core = freshCore();
    const a = build(core);
    const b = build(core);
    const c = build(freshCore());
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(c).equals(Buffer.from(a))).toBe(true);
    expect(decodeProto(a).timeNanos).toBe(1_700_000_000_000_000_000);
  });
});

describe("bad input", () => {
  const cases: Array<[string, (core: ReturnType<typeof freshCore>) => void, RegExp]> = [
    ["function with unknown string", (c) => c.functions(Uint32Array.of(99, 0, 0, 0), 1), /unknown string/],
    ["location with unknown function", (c) => c.locations(Uint32Array.of(5, 1, 1), 1), /unknown function id/],
    ["location with function 0", (c) => c.locations(Uint32Array.of(0, 1, 1), 1), /unknown function id/],
    ["label with unknown string", (c) => c.labelSets([[[77, 0, 0, 0]]]), /unknown string/],
    ["sample with unknown location", (c) => c.samples(Uint32Array.of(1, 0, 3), 3, 1, Float64Array.of(1), 1), /unknown location id/],
    ["sample with unknown label set", (c) => c.samples(Uint32Array.of(0, 4), 2, 1, Float64Array.of(1), 1), /unknown label set/],
    ["meta with unknown string", (c) => c.build({ ...meta(c, 1), docUrl: 1000 }), /unknown string/],
    ["meta with wrong sample type count", (c) => c.build(meta(c, 2)), /sample type count/],
  ];
  it.each(cases)("%s is a pprof: error", (_name, bad, want) => {
    const core = freshCore();
    core.reset(1);
    expect(() => bad(core)).toThrow(want);
  });
});

describe("memory cap", () => {
  it("fails with a pprof: error past the cap instead of growing", () => {
    const core = freshCore(8 << 20);
    core.reset(1);
    const big = "x".repeat(1 << 16);
    expect(() => {
      for (let i = 0; i < 1000; i++) core.strings([big + i]);
    }).toThrow(/^pprof: profile exceeds the core's memory cap$/);
  });
});

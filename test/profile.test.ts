// profile.test.ts tests Go's Profile API on Node: the registry, add/remove
// and their panics, writeTo in both forms and to every kind of writer, and
// byte-identical output.
import { PassThrough } from "node:stream";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { newProfile, lookup, profiles } from "../src/runtime/node.ts";
import { registerBuiltin } from "../src/profiles/profile.ts";
import { host, setHost } from "../src/host/host.ts";
import { withCore } from "../src/pprof/core.ts";
import { createRequire } from "node:module";

// The fixture goes through Node's own loader: vitest's transform would move
// its lines and columns.
const { acceptLoop, dialer, openConn, viaHelper } = createRequire(import.meta.url)("./fixtures/stacks.cjs");
import { resolve } from "./helpers/pprof.ts";

let unique = 0;
const fresh = (prefix = "p") => newProfile(`${prefix}-${++unique}`);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

describe("registry", () => {
  it("throws Go's panics for an empty or reused name", () => {
    expect(() => newProfile("")).toThrow(/^pprof: NewProfile with empty name$/);
    const p = fresh();
    expect(() => newProfile(p.name)).toThrow(new RegExp(`^pprof: NewProfile name already in use: ${p.name}$`));
  });

  it("looks profiles up by name and lists them sorted", () => {
    const b = newProfile("zz-sorted-b");
    const a = newProfile("aa-sorted-a");
    expect(lookup("zz-sorted-b")).toBe(b);
    expect(lookup("no-such-profile")).toBeUndefined();
    const names = profiles().map((p) => p.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain(a.name);
  });

  it("rejects a bad maxDepth", () => {
    expect(() => newProfile("bad-depth", { maxDepth: 0 })).toThrow(/^pprof: maxDepth must be a positive integer/);
  });
});

describe("add and remove", () => {
  it("counts values and throws on a duplicate add, as Go does", () => {
    const p = fresh();
    const v = {};
    p.add(v);
    p.add("other");
    expect(p.count()).toBe(2);
    expect(() => p.add(v)).toThrow(/^pprof: Profile\.Add of duplicate value$/);
    p.remove(v);
    p.remove("never added");
    expect(p.count()).toBe(1);
  });

  it("records the caller's stack, and skip moves where it begins", async () => {
    const p = fresh();
    viaHelper(p, "skip0", 0);
    viaHelper(p, "skip1", 1);
    const { samples } = resolve(await p.writeTo());
    const leaves = samples.map((s) => s.frames[0]!.functionName);
    expect(leaves).toEqual(["helper", "viaHelper"]);
    expect(samples[0]!.frames[1]!.functionName).toBe("viaHelper");
  });

  it("bounds the recorded depth by maxDepth", async () => {
    const p = newProfile(`depth-${++unique}`, { maxDepth: 3 });
    const recurse = (n: number): void => (n === 0 ? p.add("deep") : recurse(n - 1));
    recurse(50);
    const { samples } = resolve(await p.writeTo());
    expect(samples[0]!.frames.length).toBe(3);
  });

  it("records Go's placeholder frame when skip leaves no stack", async () => {
    const p = fresh();
    p.add("too far", 10_000);
    const { samples } = resolve(await p.writeTo());
    expect(samples[0]!.frames.map((f) => f.functionName)).toEqual(["lostProfileEvent"]);
  });

  it("throws Go's panics for add and remove on a built-in profile", () => {
    const p = registerBuiltin("builtin-test", { count: () => 0, write: () => new Uint8Array() });
    expect(() => p.add(1)).toThrow(/^pprof: Add called on built-in Profile builtin-test$/);
    expect(() => p.remove(1)).toThrow(/^pprof: Remove called on built-in Profile builtin-test$/);
  });
});

describe("writeTo", () => {
  const clock = host.nowNanos;
  afterEach(() => setHost({ nowNanos: clock }));

  it("writes valid gzip pprof with <name>/count samples aggregated by stack", async () => {
    const p = fresh("conns");
    acceptLoop(p, 3);
    dialer(p);
    const bytes = await p.writeTo();
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const r = resolve(bytes);
    expect(r.sampleTypes).toEqual([`${p.name}/count`]);
    expect(r.periodType).toBe(`${p.name}/count`);
    expect(r.raw.period).toBe(1);
    expect(r.samples.map((s) => s.values[0])).toEqual([3, 1]);
    const leaf = r.samples[0]!.frames[0]!;
    expect(leaf.functionName).toBe("openConn");
    expect(leaf.file).toMatch(/test\/fixtures\/stacks\.cjs$/);
    expect([leaf.line, leaf.column]).toEqual([6, 5]);
    expect(r.samples[1]!.frames.slice(0, 2).map((f) => f.functionName)).toEqual(["dialOut", "dialer"]);
  });

  it("writes the legacy text form at debug=1, matching the golden file", async () => {
    const p = newProfile(`conns-golden-${++unique}`, { maxDepth: 2 });
    acceptLoop(p, 3);
    dialer(p);
    const got = text(await p.writeTo(undefined, 1)).replaceAll(root, "<root>").replaceAll("file://", "").replace(p.name, "conns");
    const want = readFileSync(new URL("./fixtures/golden-conns.txt", import.meta.url), "utf8");
    expect(got).toBe(want);
  });

  it("treats debug like Go: >1 is text, negative is protobuf", async () => {
    const p = fresh();
    openConn(p, 1);
    expect(text(await p.writeTo(undefined, 2))).toBe(text(await p.writeTo(undefined, 1)));
    const neg = await p.writeTo(undefined, -1);
    expect([neg[0], neg[1]]).toEqual([0x1f, 0x8b]);
  });

  it("writes an empty profile that is still valid", async () => {
    const r = resolve(await fresh().writeTo());
    expect(r.samples).toEqual([]);
    expect(r.sampleTypes.length).toBe(1);
  });

  it("is byte-identical for identical input", async () => {
    setHost({ nowNanos: () => 1_234_567_890n });
    const a = fresh();
    const b = fresh();
    for (const p of [a, b]) {
      acceptLoop(p, 2);
      dialer(p);
    }
    const first = await a.writeTo();
    const again = await a.writeTo();
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
    expect(resolve(first).raw.timeNanos).toBe(1_234_567_890);
    // Another profile with the same stacks differs only in its name strings.
    expect(resolve(await b.writeTo()).samples).toEqual(resolve(first).samples);
  });
});

describe("writers", () => {
  const profile = () => {
    const p = fresh();
    openConn(p, 1);
    return p;
  };

  it("writes to a WritableStream", async () => {
    const chunks: Uint8Array[] = [];
    const w = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) });
    const bytes = await profile().writeTo(w);
    expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
  });

  it("writes to anything with write(chunk)", async () => {
    const chunks: Uint8Array[] = [];
    const bytes = await profile().writeTo({ write: (c: Uint8Array) => void chunks.push(c) });
    expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
  });

  it("writes to a Node stream and waits for its callback", async () => {
    const s = new PassThrough();
    const bytes = await profile().writeTo(s);
    expect(Buffer.from(s.read() as Buffer).equals(Buffer.from(bytes))).toBe(true);
  });

  it("reports a writer that throws, with the writer's error as cause", async () => {
    const boom = new Error("disk full");
    const err = await profile()
      .writeTo({ write: () => { throw boom; } })
      .catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe("pprof: write failed: disk full");
    expect(err.cause).toBe(boom);
  });

  it("reports a writer whose promise rejects, and a stream that errors", async () => {
    await expect(profile().writeTo({ write: async () => Promise.reject(new Error("gone")) })).rejects.toThrow(/^pprof: write failed: gone$/);
    const w = new WritableStream<Uint8Array>({ write: () => Promise.reject(new Error("closed")) });
    await expect(profile().writeTo(w)).rejects.toThrow(/^pprof: write failed: closed$/);
  });
});

describe("core recovery", () => {
  it("drops a core whose call failed and serves the next profile from a fresh one", async () => {
    expect(() => withCore(() => { throw new Error("pprof: boom"); })).toThrow(/boom/);
    const p = fresh();
    openConn(p, 1);
    expect(resolve(await p.writeTo()).samples.length).toBe(1);
  });

});

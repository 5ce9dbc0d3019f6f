// gotool.test.ts checks that Go's own pprof reads what we write: the same
// sample counts and values through `go tool pprof -raw`, and the top function.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { newProfile } from "../src/runtime/node.ts";
import { encodeProfile } from "../src/pprof/encode.ts";
import { gzip } from "../src/host/gzip.ts";
import { goPprof, parseRaw } from "./helpers/gotool.ts";
import { resolve } from "./helpers/pprof.ts";

const { acceptLoop, dialer } = createRequire(import.meta.url)("./fixtures/stacks.cjs");

describe("go tool pprof", () => {
  it("reads a custom profile with the same sample counts", async () => {
    const p = newProfile("gotool-conns");
    acceptLoop(p, 5);
    dialer(p);
    const bytes = await p.writeTo();
    const ours = resolve(bytes);
    const raw = parseRaw(goPprof(bytes, "-raw"));
    expect(raw.sampleTypes).toEqual(["gotool-conns/count"]);
    expect(raw.samples.map((s) => s.values)).toEqual(ours.samples.map((s) => s.values));
    expect(raw.samples.reduce((n, s) => n + s.values[0]!, 0)).toBe(6);
    const top = goPprof(bytes, "-top");
    expect(top).toMatch(/Showing nodes accounting for 6, 100% of 6 total/);
    expect(top.split("\n").find((l) => /^\s+\d+\s+\S+%/.test(l))).toMatch(/openConn$/);
  });

  it("reads multi-valued samples with labels, comments and a default sample type", () => {
    const frame = (functionName: string, line: number) => ({ functionName, url: "file:///app/main.js", line, column: 1, startLine: line });
    const proto = encodeProfile(
      {
        sampleTypes: [["alloc_objects", "count"], ["alloc_space", "bytes"]],
        periodType: ["space", "bytes"],
        period: 524288,
        timeNanos: 1_700_000_000_000_000_000n,
        durationNanos: 2_000_000_000n,
        defaultSampleType: "alloc_space",
        comments: ["made by anyprof tests"],
      },
      [
        { frames: [frame("big", 10), frame("main", 1)], values: [3, 3000], labels: [["bytes", 1000, "bytes"]] },
        { frames: [frame("small", 20), frame("main", 1)], values: [1, 1000], labels: [["route", "/a"]] },
        { frames: [frame("big", 10), frame("main", 1)], values: [1, 1000], labels: [["bytes", 1000, "bytes"]] },
      ],
    ).proto;
    const bytes = gzip(proto);
    const raw = parseRaw(goPprof(bytes, "-raw"));
    // Go marks the default sample type.
    expect(raw.sampleTypes).toEqual(["alloc_objects/count", "alloc_space/bytes[dflt]"]);
    expect(raw.samples.map((s) => s.values)).toEqual([[4, 4000], [1, 1000]]);
    const top = goPprof(bytes, "-top");
    // The default sample type is alloc_space: 5000 bytes in all, 4000 in big.
    expect(top).toMatch(/Type: alloc_space/);
    expect(top).toMatch(/of 5000B total/);
    const tagged = goPprof(bytes, "-top", "-tagfocus", "route=/a");
    expect(tagged).toMatch(/accounting for 1000B, 20.00% of 5000B total/);
    expect(tagged).toMatch(/small$/m);
    expect(tagged).not.toMatch(/\bbig$/m);
  });
});

// handle-json.test.ts checks that a CPU profile survives the text Node's
// v8.startCpuProfile() handle writes (Node ≥ 24.12, the sampler anyprof
// uses there): that text leaves call frames' names and urls unescaped, so a
// hot RegExp with a quote or a backslash in its source (marked's rules, any
// /\d/) made it invalid JSON and failed the whole profile. Real runs on
// Node 20, 22 (the inspector's escaped JSON), 24 and 26 (the handle's) must
// name each of three RegExps by its exact source; the parser's repair is
// checked on text as Node writes it.
import { describe, expect, it } from "vitest";
import { parseHandleProfile } from "../src/runtime/handle-json.ts";
import { resolve } from "./helpers/pprof.ts";
import { node22, node24, node26, root, run } from "./helpers/spawn.ts";
import { join } from "node:path";

describe("parseHandleProfile", () => {
  // node writes one node the way Node 24.21 and 26.10 do, raw strings in.
  const node = (id: number, name: string, url: string, tail: string) =>
    `{"id":${id},"hitCount":1,"callFrame":{"functionName":"${name}","lineNumber":-1,"columnNumber":-1,"scriptId":0,"url":"${url}"}${tail}}`;

  it("reads names and urls Node left unescaped, whatever follows the frame", () => {
    const text =
      `{"nodes":[${node(1, "(root)", "", ',"children":[2,3,4]')},` +
      `${node(2, 'RegExp: "(\\d+)"\\s*\\\\', "", ',"positionTicks":[{"line":1,"ticks":1}]')},` +
      `${node(3, "RegExp: ^a\nb[^\"]", "", "")},` +
      `${node(4, "handler", "C:\\app\\srv.js", ',"children":[]')}` +
      `],"startTime":0,"endTime":10,"samples":[2,3,4],"timeDeltas":[1,1,1]}`;
    expect(() => JSON.parse(text)).toThrow();
    const p = parseHandleProfile(text);
    expect(p.nodes.map((n) => [n.id, n.callFrame.functionName, n.callFrame.url])).toEqual([
      [1, "(root)", ""],
      [2, 'RegExp: "(\\d+)"\\s*\\\\', ""],
      // Line breaks as RegExp's source writes them: one line in pprof.
      [3, 'RegExp: ^a\\nb[^"]', ""],
      [4, "handler", "C:\\app\\srv.js"],
    ]);
    expect(p.nodes[1]!.positionTicks).toEqual([{ line: 1, ticks: 1 }]);
    expect(p.samples).toEqual([2, 3, 4]);
  });

  it("parses valid text as JSON does, repairs valid text with a backslash, and throws on text it cannot repair", () => {
    const valid = `{"nodes":[${node(1, "(root)", "", "")}],"startTime":0,"endTime":1,"samples":[],"timeDeltas":[]}`;
    expect(parseHandleProfile(valid)).toEqual(JSON.parse(valid));
    expect(() => parseHandleProfile(valid.slice(0, -2))).toThrow(SyntaxError);
    // Valid JSON that reads a backslash's text wrong is repaired too.
    const tabbed = `{"nodes":[${node(1, "RegExp: \\tword\\b", "", "")}],"startTime":0,"endTime":1,"samples":[],"timeDeltas":[]}`;
    expect(JSON.parse(tabbed).nodes[0].callFrame.functionName).toBe("RegExp: \tword\b");
    expect(parseHandleProfile(tabbed).nodes[0]!.callFrame.functionName).toBe("RegExp: \\tword\\b");
  });
});

describe("a profile whose RegExps are hot", () => {
  const versions = [
    { name: "node 20", cmd: process.execPath },
    { name: "node 22", cmd: node22 },
    { name: "node 24", cmd: node24 },
    { name: "node 26", cmd: node26 },
  ];
  for (const { name, cmd } of versions) {
    it(`${name}: names each RegExp by its source`, async () => {
      const r = await run(cmd, [join(root, "test/runtimes/regexp-names.mjs")], {}, 60_000);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { sources: string[]; profile: string };
      const p = resolve(new Uint8Array(Buffer.from(out.profile, "base64")));
      const names = new Set(p.samples.flatMap((s) => s.frames.map((f) => f.functionName)));
      const regexps = [...names].filter((n) => n.startsWith("RegExp: ")).sort();
      expect(regexps, `RegExp frames among ${p.samples.length} samples`).toEqual(out.sources.map((s) => `RegExp: ${s}`).sort());
    });
  }
});

// layers.test.ts keeps src/ layered (test/helpers/layers.ts has the rule):
// imports point down, runtimes are named only in runtime/ and cli/, every
// folder says its job. It also shows the check failing on wrong imports.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { checkLayers, importsOf, layerRanks, type SourceFile } from "./helpers/layers.ts";

const srcDir = fileURLToPath(new URL("../src", import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const sources: SourceFile[] = walk(srcDir)
  .filter((p) => p.endsWith(".ts") && !p.endsWith(".base64.ts"))
  .map((p) => ({ path: relative(srcDir, p).split("\\").join("/"), text: readFileSync(p, "utf8") }));

describe("src/ layers", () => {
  test("the tree keeps the rule: no import points up or sideways, no runtime outside runtime/ and cli/", () => {
    expect(sources.length, "source files found").toBeGreaterThan(30);
    const problems = checkLayers(sources);
    expect(problems, `got ${problems.length} problems, want 0:\n${problems.join("\n")}`).toEqual([]);
  });

  test("every folder of src/ is a layer and states its job in the first line of its README.md", () => {
    const folders = readdirSync(srcDir).filter((n) => statSync(join(srcDir, n)).isDirectory());
    for (const folder of folders) {
      expect(layerRanks[folder], `folder ${folder}/: got no rank, want one in test/helpers/layers.ts`).toBeTypeOf("number");
      const readme = readFileSync(join(srcDir, folder, "README.md"), "utf8");
      expect(readme.split("\n")[0], `src/${folder}/README.md first line`).toMatch(new RegExp(`^# ${folder}/: \\S.{20,}`));
    }
  });

  test("the import scanner sees every import form", () => {
    const text = [
      'import { a } from "../host/host.ts";',
      'import type { B } from "./b.ts";',
      'import "./side.ts";',
      'export * from "../x/y.ts";',
      'export { c, type D } from "./c.ts";',
      'const m = await import("node:fs");',
      '// import { no } from "../comment.ts";',
    ].join("\n");
    expect(importsOf(text)).toEqual(["../host/host.ts", "./b.ts", "./side.ts", "../x/y.ts", "./c.ts", "node:fs"]);
  });

  // The check must be able to fail: each of these breaks one rule.
  const wrong: Array<[string, SourceFile, RegExp]> = [
    ["an import up a layer", { path: "pprof/x.ts", text: 'import { lookup } from "../profiles/profile.ts";' }, /up from pprof .* to profiles/],
    ["a type-only import up a layer", { path: "host/x.ts", text: 'import type { Core } from "../pprof/core.ts";' }, /up from host/],
    ["a re-export from above", { path: "profiles/x.ts", text: 'export * from "../http/http.ts";' }, /up from profiles/],
    ["a sideways import between siblings", { path: "export/x.ts", text: 'import { pprofHandler } from "../http/http.ts";' }, /sideways from export to http/],
    ["a dynamic import up", { path: "http/x.ts", text: 'const m = await import("../runtime/node.ts");' }, /up from http/],
    ["node:* outside runtime/", { path: "profiles/x.ts", text: 'import { Session } from "node:inspector";' }, /runtime module node:inspector/],
    ["bun:* outside runtime/", { path: "pprof/x.ts", text: 'import { gc } from "bun:jsc";' }, /runtime module bun:jsc/],
    ["the process global outside runtime/", { path: "profiles/x.ts", text: "const t = process.hrtime.bigint();" }, /runtime global process/],
    ["the Deno global outside runtime/", { path: "http/x.ts", text: "Deno.serve(handler);" }, /runtime global Deno/],
    ["a file loose in src/", { path: "loose.ts", text: "" }, /directly in src/],
    ["a folder that is no layer", { path: "misc/x.ts", text: "" }, /not a layer/],
  ];
  for (const [what, file, want] of wrong) {
    test(`fails on ${what}`, () => {
      const problems = checkLayers([file]);
      expect(problems.length, `${what}: got ${JSON.stringify(problems)}, want one problem`).toBe(1);
      expect(problems[0]).toMatch(want);
    });
  }

  test("allows what the rule allows", () => {
    const ok: SourceFile[] = [
      { path: "runtime/x.ts", text: 'import { Session } from "node:inspector";\nimport { setHost } from "../host/host.ts";\nconst p = process.pid;' },
      { path: "profiles/x.ts", text: 'import { encodeProfile } from "../pprof/encode.ts";\nimport { y } from "./y.ts";\n// process.exit() in a comment is not a use\nconst s = "Deno.serve in a string is not a use";' },
      { path: "cli/x.ts", text: 'import "../runtime/node.ts";\nimport { spawn } from "node:child_process";' },
    ];
    expect(checkLayers(ok)).toEqual([]);
  });
});

// package.test.ts owns the packaging checks: what JSR would publish
// (`deno publish --dry-run`, which also runs JSR's slow-types check) and
// what npm would pack (`npm pack --dry-run`). It checks file lists and
// export targets; it does not run the packages (runtimes.test.ts does).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
  types: string;
};
const jsr = JSON.parse(readFileSync(join(root, "jsr.json"), "utf8")) as { exports: string };

/** timeoutMillis bounds each packaging command; both take about 2 s. */
const timeoutMillis = 60_000;

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** run runs cmd in the repo root; a missing binary throws, never skips. */
function run(cmd: string, args: string[], env: Record<string, string> = {}): Ran {
  if (cmd.includes("/") && !existsSync(cmd)) throw new Error(`missing binary ${cmd}: run \`npm ci\``);
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    timeout: timeoutMillis,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** missing returns the members of want absent from have, as "got X, want Y" lines. */
function missing(what: string, have: ReadonlySet<string>, want: readonly string[]): string[] {
  return want.filter((f) => !have.has(f)).map((f) => `${what}: got no ${f}, want it listed`);
}

describe("deno publish --dry-run (JSR)", () => {
  let out: Ran;
  let files: Set<string>;
  beforeAll(() => {
    // No --allow-slow-types: JSR's fast check must pass as is. --allow-dirty
    // because the tree may be uncommitted. --log-level=debug only adds the
    // unfurling lines the pako test reads; it changes no checks.
    out = run(join(root, "node_modules/.bin/deno"), ["publish", "--dry-run", "--allow-dirty", "--log-level=debug"]);
    // The file list goes to stderr as "   file:///abs/path (size)".
    const all = out.stdout + out.stderr;
    const prefix = "file://" + (root.endsWith("/") ? root : root + "/");
    files = new Set(
      [...all.matchAll(/^\s+(file:\/\/\S+) \([\d.]+[KMG]?B\)$/gm)].map((m) => m[1]!).filter((u) => u.startsWith(prefix)).map((u) => u.slice(prefix.length)),
    );
  }, timeoutMillis);

  const failure = () => `exit ${out.status}\n--- stderr (info lines)\n${out.stderr.split("\n").filter((l) => !l.startsWith("DEBUG")).join("\n")}`;

  test("exits 0 without --allow-slow-types", () => {
    if (out.status !== 0) throw new Error(`deno publish --dry-run: got ${failure()}, want exit 0`);
  });

  test("publishes the entry, its sources and the generated (gitignored) WASM bytes", () => {
    const want = [
      jsr.exports.replace(/^\.\//, ""),
      // Generated and gitignored: jsr.json's "!" exclude must re-include it.
      "src/wasm/anyprof.wasm.base64.ts",
      "src/wasm/inline.ts",
      "src/runtime/api.ts",
      "jsr.json",
      "README.md",
    ];
    const errors = missing("published files", files, want);
    // workerd's .wasm-import path cannot be published to JSR (and Deno does
    // not use it); nothing outside src/ but the metadata belongs there.
    for (const f of files) {
      if (f === "src/runtime/workerd.ts" || f === "src/wasm/file.ts") errors.push(`published files: got ${f}, want it excluded`);
      else if (!f.startsWith("src/") && f !== "jsr.json" && f !== "README.md") errors.push(`published files: got ${f}, want only src/, jsr.json and README.md`);
    }
    if (errors.length > 0) throw new Error(`${errors.join("\n")}\n--- listed\n${[...files].join("\n")}\n${failure()}`);
  });

  test('rewrites the bare "pako" import to npm:pako@<package.json version>', () => {
    // JSR has no node_modules: a bare import must be unfurled, which Deno does
    // from package.json "dependencies" (jsr.json takes no imports).
    const want = `npm:pako@${pkg.dependencies["pako"]}`;
    const m = /Unfurled specifier: pako from \S+\/src\/host\/gzip-pako\.ts -> (\S+)/.exec(out.stderr + out.stdout);
    expect(m?.[1], `pako unfurled: got ${m?.[1]}, want ${want}`).toBe(want);
  });
});

describe("ready to publish", () => {
  test("npm publish --dry-run exits 0 and would publish anyprof@<version>", () => {
    // --ignore-scripts: prepack would rebuild dist/ while other files use it.
    const out = run("npm", ["publish", "--dry-run", "--ignore-scripts"]);
    expect(out.status, `npm publish --dry-run: got exit ${out.status}, want 0\n${out.stderr}`).toBe(0);
    const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
    expect(out.stdout + out.stderr).toContain(`+ anyprof@${version}`);
    expect(out.stderr).not.toMatch(/npm error/);
  }, timeoutMillis);

  test("JSR's documentation lint passes: every exported symbol has a doc comment, no private type in a public one", () => {
    const out = run(join(root, "node_modules/.bin/deno"), ["doc", "--lint", jsr.exports]);
    expect(out.status, `deno doc --lint ${jsr.exports}: got exit ${out.status}, want 0\n${out.stderr.split("\n").filter((l) => /error|-->/.test(l)).join("\n")}`).toBe(0);
  }, timeoutMillis);

  test("the shipped package.json has no install-time script (the tarball has no scripts/ to run)", () => {
    const lifecycle = ["preinstall", "install", "postinstall", "prepare"];
    const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(lifecycle.filter((k) => k in scripts), "install-time scripts").toEqual([]);
  });
});

describe("npm pack --dry-run", () => {
  let files: Set<string>;
  beforeAll(() => {
    // --ignore-scripts: pack would run "prepare" (the build), which deletes
    // dist/ while other test files use it. npm test built it already.
    const out = run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"]);
    if (out.status !== 0) throw new Error(`npm pack --dry-run: got exit ${out.status}, want 0\n--- stderr\n${out.stderr}`);
    const report = JSON.parse(out.stdout) as { files: { path: string }[] }[];
    files = new Set(report[0]!.files.map((f) => f.path));
  }, timeoutMillis);

  test("lists the runtime entries, the .wasm, the .d.ts files, README.md and package.json", () => {
    const want = ["package.json", "README.md", "dist/runtime/node.js", "dist/wasm/anyprof.wasm", pkg.types.replace(/^\.\//, "")];
    // Every export target, under every condition, must ship.
    for (const target of Object.values(pkg.exports)) {
      for (const t of typeof target === "string" ? [target] : Object.values(target)) want.push(t.replace(/^\.\//, ""));
    }
    // Every module ships with its declarations.
    for (const f of files) if (f.endsWith(".js")) want.push(f.replace(/\.js$/, ".d.ts"));
    const errors = missing("packed files", files, [...new Set(want)]);
    if (errors.length > 0) throw new Error(`${errors.join("\n")}\n--- packed\n${[...files].join("\n")}`);
  });

  test("lists nothing from sources, tests, benchmarks, build output or node_modules", () => {
    const banned = ["src/", "test/", "test-output/", "bench/", "assembly/", "scripts/", "build/", "node_modules/", "examples/", ".ci/"];
    const bad = [...files].filter((f) => banned.some((b) => f.startsWith(b)) || f.endsWith(".map"));
    expect(bad, `packed files: got ${JSON.stringify(bad)}, want none of ${banned.join(" ")} or *.map`).toEqual([]);
  });
});

describe("the packed package, installed", () => {
  test("imports and runs its bin through npm's symlink, as a user's npx anyprof does", () => {
    const dir = mkdtempSync(join(tmpdir(), "anyprof-install-"));
    const packed = run("npm", ["pack", "--ignore-scripts", "--pack-destination", dir]);
    if (packed.status !== 0) throw new Error(`npm pack: got exit ${packed.status}, want 0\n${packed.stderr}`);
    const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const installed = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", `./${tgz}`], { cwd: dir, encoding: "utf8", timeout: 120_000 });
    if (installed.status !== 0) throw new Error(`npm install: got exit ${installed.status}, want 0\n${installed.stderr}`);
    // A user's install prints no warning about anyprof (an uncovered install
    // script, a missing file).
    expect(installed.stderr.split("\n").filter((l) => /warn/i.test(l) && /anyprof/.test(l)), "npm install warnings about anyprof").toEqual([]);
    const help = spawnSync(join(dir, "node_modules/.bin/anyprof"), ["--help"], { cwd: dir, encoding: "utf8" });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^usage: anyprof <command>/);
    writeFileSync(join(dir, "use.mjs"), 'import { newProfile } from "anyprof";\nconst p = newProfile("installed");\np.add(1);\nprocess.stdout.write(String((await p.writeTo(undefined, 1)).length));\n');
    const used = spawnSync(process.execPath, ["use.mjs"], { cwd: dir, encoding: "utf8" });
    expect(used.status, used.stderr).toBe(0);
    expect(Number(used.stdout)).toBeGreaterThan(0);
  }, 180_000);
});

// fuzz.test.ts runs test/runtimes/fuzz.mjs under Node, Deno and Bun: in
// each, at least 200 seeded random bad inputs per class (label sets,
// profile names, options, writers, HTTP requests to the runtime's own
// server, files for the CLI's top, view and convert). It asserts that the
// process survived and printed its report, that no unhandled rejection or
// uncaught exception reached it, and that no case failed: every error
// starts with "pprof:" (library) or "anyprof:" (CLI) and shows the bad
// value, and no HTTP answer is a 5xx. The seed is fixed (FUZZ_SEED
// overrides it), so a failure replays. guarantees.test.ts has one
// regression test per finding of issue 10.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { bin, root, run } from "./helpers/spawn.ts";

const casesPerClass = 200;
const classes = ["labels", "names", "options", "writers", "http", "files"];
const fuzzMillis = 90_000;

interface ClassReport {
  cases: number;
  failed: number;
  failures: string[];
}

interface FuzzReport {
  runtime: string;
  seed: number;
  casesPerClass: number;
  classes: Record<string, ClassReport>;
  millis: Record<string, number>;
  unhandledRejections: string[];
  uncaughtExceptions: string[];
}

const entries = [
  { name: "node", cmd: process.execPath, args: [join(root, "test/runtimes/fuzz-npm.mjs")], runtime: `node ${process.versions.node}` },
  { name: "deno", cmd: bin("deno"), args: ["run", "-A", join(root, "test/runtimes/fuzz-deno.mjs")], runtime: "deno " },
  { name: "bun", cmd: bin("bun"), args: [join(root, "test/runtimes/fuzz-npm.mjs")], runtime: "bun " },
];

describe("seeded random bad input, per class, in every runtime", () => {
  for (const e of entries) {
    test.concurrent(
      e.name,
      async () => {
        const r = await run(e.cmd, e.args, { FUZZ_CASES: String(casesPerClass), DENO_NO_UPDATE_CHECK: "1" }, fuzzMillis);
        const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
        const where = `${e.name}: exit ${r.code} signal ${r.signal} after ${Math.round(r.millis)} ms\n--- stderr\n${r.stderr.slice(-3000)}`;
        expect(r.code, where).toBe(0);
        expect(line, where).toBeDefined();
        const report = JSON.parse(line!) as FuzzReport;
        console.log(`${report.runtime}: seed ${report.seed}, ms per class ${JSON.stringify(report.millis)}`);
        expect(report.runtime.startsWith(e.runtime), report.runtime).toBe(true);
        expect(report.unhandledRejections).toEqual([]);
        expect(report.uncaughtExceptions).toEqual([]);
        expect(Object.keys(report.classes)).toEqual(classes);
        const failures = Object.entries(report.classes).flatMap(([name, c]) => c.failures.map((f) => `${name}: ${f}`));
        expect(failures, `seed ${report.seed}`).toEqual([]);
        for (const name of classes) {
          expect(report.classes[name]!.failed, name).toBe(0);
          expect(report.classes[name]!.cases, name).toBeGreaterThanOrEqual(casesPerClass);
        }
      },
      fuzzMillis + 10_000,
    );
  }
});

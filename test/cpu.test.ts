// cpu.test.ts runs the CPU conformance workload (test/runtimes/
// cpu-conformance.mjs) under Node 20, 22, 24, Deno and Bun and checks each
// profile: CheckValid, Go's CPU sample and period types, hotA:hotB within
// ±15% of 2:1 with the right file and line, go tool pprof's top, Go's
// start/stop semantics, and labels exactly as the README's matrix claims.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { goPprof } from "./helpers/gotool.ts";
import { resolve, type Resolved } from "./helpers/pprof.ts";
import { bin, node22, node24, node26, root, run } from "./helpers/spawn.ts";

const script = join(root, "test/runtimes/cpu-conformance.mjs");

/** declLine is the 1-based line of `function name(` in the workload. */
function declLine(name: string): number {
  const i = readFileSync(script, "utf8").split("\n").findIndex((l) => l.startsWith(`function ${name}(`));
  if (i < 0) throw new Error(`no function ${name} in ${script}`);
  return i + 1;
}

type Scenario = "sync" | "await" | "timer" | "then";

/** LabelSupport is the README's label support matrix: for each scenario,
 * whether CPU samples carry the labels. The test asserts both ways, so the
 * matrix cannot go stale. */
interface LabelSupport {
  scenarios: Record<Scenario, boolean>;
  /** routes: /a and /b running concurrently with awaits and timers. */
  routes: boolean;
}

const node: LabelSupport = { scenarios: { sync: true, await: true, timer: true, then: true }, routes: true };
// Deno fires async_hooks around timers, not promise continuations: labels follow timers only.
const deno: LabelSupport = { scenarios: { sync: true, await: false, timer: true, then: false }, routes: false };
// Bun's async_hooks are a no-op: labels hold for synchronous code only.
const syncOnly: LabelSupport = { scenarios: { sync: true, await: false, timer: false, then: false }, routes: false };

interface Case {
  name: string;
  cmd: string;
  args: string[];
  labels: LabelSupport;
}

const entry = (f: string) => join(root, "test/runtimes", f);
const cases: Case[] = [
  { name: `node ${process.versions.node}`, cmd: process.execPath, args: [entry("cpu-npm.mjs")], labels: node },
  { name: "node 22", cmd: node22, args: [entry("cpu-npm.mjs")], labels: node },
  { name: "node 24", cmd: node24, args: [entry("cpu-npm.mjs")], labels: node },
  { name: "node 26", cmd: node26, args: [entry("cpu-npm.mjs")], labels: node },
  // Deno's inspector needs --allow-sys; loading anyprof needs no permission.
  { name: "deno", cmd: bin("deno"), args: ["run", "--allow-sys", entry("cpu-deno.mjs")], labels: deno },
  { name: "bun", cmd: bin("bun"), args: [entry("cpu-npm.mjs")], labels: syncOnly },
];

/** flatNanos sums cpu/nanoseconds of samples whose leaf is fn (and which
 * match the label filter, when given). */
function flatNanos(p: Resolved, fn: string, label?: [string, string]): number {
  let sum = 0;
  for (const s of p.samples) {
    if (s.frames[0]?.functionName !== fn) continue;
    if (label !== undefined && s.labels[label[0]] !== label[1]) continue;
    sum += s.values[1]!;
  }
  return sum;
}

const scenarioFn: Record<Scenario, string> = { sync: "spinSync", await: "spinAfterAwait", timer: "spinInTimer", then: "spinInThen" };

describe("CPU profile conformance", () => {
  for (const c of cases) {
    test(c.name, async () => {
      const r = await run(c.cmd, c.args, { DENO_NO_UPDATE_CHECK: "1" }, 60_000);
      if (r.code !== 0) throw new Error(`${c.name}: exit ${r.code} ${r.signal ?? ""}\n${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { runtime: string; secondStart: string; stopWithoutStart: string; pprof: string };
      expect(out.secondStart, "second startCPUProfile").toBe("cpu profiling already in use");
      expect(out.stopWithoutStart, "stopCPUProfile without start").toBe("undefined");

      const bytes = Buffer.from(out.pprof, "base64");
      const p = resolve(bytes);
      expect(p.sampleTypes).toEqual(["samples/count", "cpu/nanoseconds", "wall/nanoseconds"]);
      expect(p.periodType).toBe("cpu/nanoseconds");
      expect(p.raw.period).toBe(1_000_000);
      expect(p.raw.durationNanos).toBeGreaterThan(1e9);
      expect(p.raw.timeNanos).toBeGreaterThan(1.7e18);
      expect(p.samples.some((s) => s.frames.some((f) => f.functionName === "(idle)")), "(idle) samples are left out").toBe(false);

      const a = flatNanos(p, "hotA");
      const b = flatNanos(p, "hotB");
      const ratio = a / b;
      if (!(ratio >= 2 * 0.85 && ratio <= 2 * 1.15)) throw new Error(`${c.name}: hotA:hotB cpu time: got ${ratio.toFixed(3)} (${a} ns : ${b} ns), want 2 ± 15%`);
      for (const fn of ["hotA", "hotB"]) {
        for (const s of p.samples.filter((x) => x.frames[0]?.functionName === fn)) {
          const leaf = s.frames[0]!;
          expect(leaf.file, `${fn} file`).toMatch(/cpu-conformance\.mjs$/);
          expect(leaf.startLine, `${fn} start line`).toBe(declLine(fn));
          // A leaf is at a line of its body (lines 1-3 below the header:
          // the loop, its return), or at the function's line where the
          // engine gave none (JSC's FTL).
          expect([0, 1, 2, 3].map((d) => declLine(fn) + d), `${fn} line`).toContain(leaf.line);
        }
      }

      const top = goPprof(bytes, "-top");
      const firstRow = top.split("\n").find((l) => /^\s*[\d.]+[a-zµ]*\s+[\d.]+%\s/.test(l));
      expect(firstRow, `go tool pprof -top first row:\n${top}`).toMatch(/\shotA$/);

      const got: string[] = [];
      for (const [scenario, fn] of Object.entries(scenarioFn) as [Scenario, string][]) {
        const total = flatNanos(p, fn);
        const labeled = flatNanos(p, fn, ["scenario", scenario]);
        const share = labeled / total;
        got.push(`${scenario}: ${(share * 100).toFixed(0)}% of ${(total / 1e6).toFixed(0)} ms`);
        // Enough samples for a share to say something. A count, not CPU
        // time: with a busy neighbour process Bun's sampler takes a third of
        // its usual samples in timer callbacks (12 of ~35 measured).
        const sampled = p.samples.filter((x) => x.frames[0]?.functionName === fn).reduce((n, x) => n + x.values[0]!, 0);
        expect(sampled, `${fn} samples`).toBeGreaterThanOrEqual(3);
        if (c.labels.scenarios[scenario]) {
          if (!(share >= 0.9)) throw new Error(`${c.name}: scenario ${scenario}: got ${(share * 100).toFixed(1)}% of ${fn} labeled, want ≥ 90% (the README claims support)`);
        } else if (!(share < 0.5)) {
          throw new Error(`${c.name}: scenario ${scenario}: got ${(share * 100).toFixed(1)}% labeled, want < 50% (the README claims no support: update it)`);
        }
      }
      const routeShare = (route: string, fn: string) => flatNanos(p, fn, ["route", route]) / flatNanos(p, fn, undefined) ;
      if (c.labels.routes) {
        // hotA also ran unlabeled in part one: compare within labeled work.
        const aOnA = flatNanos(p, "hotA", ["route", "/a"]);
        const bOnA = flatNanos(p, "hotB", ["route", "/a"]);
        const bOnB = flatNanos(p, "hotB", ["route", "/b"]);
        const aOnB = flatNanos(p, "hotA", ["route", "/b"]);
        expect(aOnA / (aOnA + bOnA), "share of /a's labeled time in hotA").toBeGreaterThan(0.9);
        expect(bOnB / (aOnB + bOnB), "share of /b's labeled time in hotB").toBeGreaterThan(0.9);
        // Go's own tool keeps only /a's work under -tagfocus.
        const focused = goPprof(bytes, "-top", "-tagfocus", "route=/a");
        const rows = focused.split("\n").filter((l) => /^\s*[\d.]+[a-zµ]*\s+[\d.]+%\s/.test(l));
        expect(rows[0], focused).toMatch(/\shotA$/);
      } else {
        expect(routeShare("/a", "hotA"), "routes claimed unsupported").toBeLessThan(0.5);
      }
      console.log(`${out.runtime}: hotA:hotB ${ratio.toFixed(2)}; labels ${got.join(", ")}`);
    }, 90_000);
  }
});

// guarantees.test.ts holds one regression test per finding of issue 10
// ("never take the host down"): label sets that are not LabelSets, failing
// and silent writers, bad profile names and the index page, unbounded CLI
// input, options accepted silently, unbounded handler work, internal
// messages reaching CLI users, and Bun's answer to `CONNECT *`. Crashes are
// tried in a child process (test/runtimes/guard-cases.mjs), everything else
// in this process on the real library, server and CLI. The random inputs of
// every class, in every runtime, are fuzz.test.ts's.
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, writeFileSync, ftruncateSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { lookup, newProfile, pprofHandler, servePprof, startCPUProfile, stopCPUProfile } from "../src/runtime/node.ts";
import { registerBuiltin } from "../src/profiles/profile.ts";
import { LiveProcess } from "./helpers/live.ts";
import { bin, root, run } from "./helpers/spawn.ts";

const cli = join(root, "dist/cli/main.js");
const scratch = mkdtempSync(join(tmpdir(), "anyprof-guard-"));

function anyprof(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: scratch, timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

const errorOf = async (f: () => unknown): Promise<string> => {
  try {
    await f();
    return "accepted";
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
};

interface Cases {
  handler: string;
  unhandled: string[];
  uncaught: string[];
  labels: Record<string, string>;
  cpuAfterBadLabels: string;
  writers: Record<string, string>;
}

let cases: Promise<{ out: Cases | undefined; stderr: string; code: number | null }> | undefined;
/** guardCases runs guard-cases.mjs once for the tests that read it. */
function guardCases() {
  cases ??= run(process.execPath, [join(root, "test/runtimes/guard-cases.mjs")]).then((r) => {
    const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
    return { out: line === undefined ? undefined : (JSON.parse(line) as Cases), stderr: r.stderr, code: r.code };
  });
  return cases;
}

describe("1. label sets that are not LabelSets", () => {
  it("are rejected where given, and a later CPU profile does not take the host down", async () => {
    const { out, stderr, code } = await guardCases();
    expect(code, stderr).toBe(0);
    expect(out!.handler).toBe('pprof: runWithLabels: want a LabelSet from labels(…), got {"route":"/checkout"}');
    expect(out!.labels.runWithLabels).toMatch(/^pprof: runWithLabels: .*\{"route":"\/checkout"\}/);
    expect(out!.labels.withLabels).toMatch(/^pprof: withLabels: .*"x"/);
    expect(out!.labels.setLabels).toMatch(/^pprof: setLabels: .*"x"/);
    expect(out!.cpuAfterBadLabels).toBe("accepted");
    expect(out!.uncaught).toEqual([]);
    expect(out!.unhandled).toEqual([]);
  });
});

describe("2. writers that fail", () => {
  it("reject with pprof: write failed, never an unhandled 'error' event", async () => {
    const { out, stderr, code } = await guardCases();
    expect(code, stderr).toBe(0);
    expect(out!.writers.missingDir).toMatch(/^pprof: write failed: .*nonexistent-dir/);
    expect(out!.writers.callbackError).toBe("pprof: write failed: disk full");
    expect(out!.writers.webStreamError).toBe("pprof: write failed: stream broke");
    expect(out!.writers.cpuMissingDir).toMatch(/^pprof: write failed: .*nonexistent-dir/);
    expect(out!.writers.cpuMissingDirLate).toMatch(/^pprof: write failed: .*nonexistent-dir/);
    expect(out!.uncaught).toEqual([]);
    expect(out!.unhandled).toEqual([]);
  });
});

describe("3. profile names", () => {
  it("must be non-empty strings, and the index survives anything in the registry", async () => {
    for (const [bad, shown] of [[123, "123"], [undefined, "undefined"], [{}, "{}"], [Symbol("s"), "Symbol(s)"]] as const) {
      expect(await errorOf(() => newProfile(bad as unknown as string))).toMatch(new RegExp(`^pprof: NewProfile name must be a non-empty string, got ${shown.replace(/[(){}]/g, "\\$&")}$`));
    }
    expect(await errorOf(() => newProfile(""))).toBe("pprof: NewProfile with empty name");
    // A predefined profile whose count and writer fail: the index still answers.
    registerBuiltin("guard.broken", {
      count: () => {
        throw new Error("count broke");
      },
      write: () => {
        throw new Error("write broke");
      },
    });
    const h = pprofHandler({ heap: false });
    const index = (await h(new Request("http://x/debug/pprof/")))!;
    expect(index.status).toBe(200);
    const html = await index.text();
    expect(html).toContain("<tr><td>?</td><td><a href='guard.broken?debug=1'>guard.broken</a></td></tr>");
    const broken = (await h(new Request("http://x/debug/pprof/guard.broken")))!;
    expect(broken.status).toBe(500);
    expect(await broken.text()).toBe("pprof: write broke\n");
  });
});

describe("4. hangs", () => {
  it("writeTo and stopCPUProfile settle when the writer never calls back", async () => {
    const { out, stderr } = await guardCases();
    expect(out!.writers.neverCallsBack, stderr).toBe("pprof: write failed: the writer did not finish within 200 ms");
    expect(out!.writers.cpuNeverCallsBack).toBe("pprof: write failed: the writer did not finish within 200 ms");
  });

  it("the CLI bounds its input files and their decompressed size, and says so", () => {
    const big = join(scratch, "big.pb.gz");
    const fd = openSync(big, "w");
    ftruncateSync(fd, 256 * 1024 * 1024 + 1);
    closeSync(fd);
    let r = anyprof(["top", big]);
    expect(r.stderr).toBe(`anyprof: ${big}: larger than the 256 MiB limit on input files\n`);
    expect(r.code).toBe(1);
    // /dev/zero never ends: it must stop at the limit, not grow.
    r = anyprof(["top", "/dev/zero"]);
    expect(r.stderr).toBe("anyprof: /dev/zero: larger than the 256 MiB limit on input files\n");
    // A gzip bomb: 17 members of 16 MiB of zeros each, 272 MiB inflated.
    const member = gzipSync(Buffer.alloc(16 * 1024 * 1024));
    const bomb = join(scratch, "bomb.pb.gz");
    writeFileSync(bomb, Buffer.concat(Array.from({ length: 17 }, () => member)));
    r = anyprof(["top", bomb]);
    expect(r.stderr).toBe(`anyprof: ${bomb}: decompressed profile larger than the 256 MiB limit\n`);
    expect(r.code).toBe(1);
  });
});

describe("5. options are checked where they are given", () => {
  it("rejects bad handler, CPU, add and writeTo options with pprof: and the value", async () => {
    expect(await errorOf(() => pprofHandler({ maxSeconds: NaN }))).toBe("pprof: maxSeconds must be a number from 1 to 2147483, got NaN");
    expect(await errorOf(() => pprofHandler({ maxSeconds: 0 }))).toBe("pprof: maxSeconds must be a number from 1 to 2147483, got 0");
    expect(await errorOf(() => pprofHandler({ maxSeconds: -1 }))).toBe("pprof: maxSeconds must be a number from 1 to 2147483, got -1");
    expect(await errorOf(() => pprofHandler({ hz: "100" as unknown as number }))).toBe('pprof: hz must be a number from 1 to 1000000, got "100"');
    expect(await errorOf(() => pprofHandler({ hz: 0 }))).toBe("pprof: hz must be a number from 1 to 1000000, got 0");
    expect(await errorOf(() => startCPUProfile(undefined, { hz: "100" as unknown as number }))).toBe('pprof: hz must be a number from 1 to 1000000, got "100"');
    expect(await errorOf(() => startCPUProfile(undefined, { chunkSeconds: NaN }))).toMatch(/^pprof: chunkSeconds .*NaN$/);
    const p = newProfile("guard.options");
    for (const [skip, shown] of [[NaN, "NaN"], [-1, "-1"], ["x", '"x"']] as const) {
      expect(await errorOf(() => p.add({}, skip as unknown as number))).toBe(`pprof: skip must be a non-negative integer, got ${shown}`);
    }
    expect(p.count()).toBe(0);
    expect(await errorOf(() => p.writeTo(undefined, NaN))).toBe("pprof: debug must be an integer, got NaN");
    expect(await errorOf(() => p.writeTo(undefined, 0, { timeoutMillis: -5 }))).toBe("pprof: timeoutMillis must be a number from 1 to 2147483647, got -5");
    expect(await errorOf(() => p.writeTo(5 as never))).toBe("pprof: writer must be a WritableStream or have a write method, got 5");
  });
});

describe("6. the handler bounds expensive work", () => {
  it("coalesces identical concurrent heap requests into one collection", async () => {
    const h = pprofHandler();
    const heap = lookup("heap")!;
    const writeTo = heap.writeTo;
    let calls = 0;
    heap.writeTo = function (...args: Parameters<typeof writeTo>) {
      calls++;
      return writeTo.apply(this, args);
    };
    try {
      const answers = await Promise.all(Array.from({ length: 200 }, () => h(new Request("http://x/debug/pprof/heap"))));
      expect(answers.map((r) => r!.status)).toEqual(Array(200).fill(200));
      expect(calls).toBe(1);
    } finally {
      heap.writeTo = writeTo;
    }
  });

  it("runs collections one at a time, each followed by a rest as long as it took", async () => {
    let running = 0;
    let most = 0;
    const spans: Array<[number, number]> = [];
    const slow = (name: string) =>
      registerBuiltin(name, {
        count: () => 0,
        write: async () => {
          running++;
          most = Math.max(most, running);
          const start = performance.now();
          // Busy, as a real collection is: the event loop is held.
          while (performance.now() - start < 40);
          await new Promise((r) => setTimeout(r, 10));
          spans.push([start, performance.now()]);
          running--;
          return new Uint8Array([1]);
        },
      });
    slow("guard.slow1");
    slow("guard.slow2");
    slow("guard.slow3");
    const h = pprofHandler({ heap: false });
    const answers = await Promise.all(["guard.slow1", "guard.slow2", "guard.slow3", "guard.slow1"].map((n) => h(new Request(`http://x/debug/pprof/${n}`))));
    expect(answers.map((r) => r!.status)).toEqual([200, 200, 200, 200]);
    // The second request for slow1 joined the queued collection.
    expect(spans.length).toBe(3);
    expect(most).toBe(1);
    for (let i = 1; i < spans.length; i++) {
      const took = spans[i - 1]![1] - spans[i - 1]![0];
      const rest = spans[i]![0] - spans[i - 1]![1];
      expect(rest, `rest before collection ${i}: got ${rest} ms, want ≥ 0.8 × ${took} ms`).toBeGreaterThanOrEqual(0.8 * took);
    }
  });

  it("answers 429 with Retry-After past its concurrency bound, never 500", async () => {
    const h = pprofHandler({ maxConcurrent: 2 });
    const names = ["heap", "allocs", "goroutine", "block", "threadcreate", "mutex"];
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => h(new Request(`http://x/debug/pprof/${names[i % 6]}?debug=${i % 3}`))));
    const statuses = answers.map((r) => r!.status);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    const refused = answers.filter((r) => r!.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.headers.get("retry-after")).toBe("1");
    expect(await refused[0]!.text()).toBe("pprof: too many concurrent profile requests (maxConcurrent 2); retry later\n");
    expect(await errorOf(() => pprofHandler({ maxConcurrent: 0 }))).toBe("pprof: maxConcurrent must be an integer from 1 to 1000, got 0");
  });
});

describe("7. CLI input shape", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["nodes null", { nodes: null, startTime: 0, endTime: 1 }, /"nodes" must be an array, got null/],
    ["callFrame null", { nodes: [{ id: 1, callFrame: null }], startTime: 0, endTime: 1 }, /nodes\[0\]\.callFrame must be an object, got null/],
    ["timeDeltas a string", { nodes: [{ id: 1, callFrame: { functionName: "(root)", url: "" } }], samples: [1], timeDeltas: "abc", startTime: 0, endTime: 1 }, /"timeDeltas" must be an array, got "abc"/],
    ["endTime infinite", { nodes: [{ id: 1, callFrame: { functionName: "(root)", url: "" } }], startTime: 0, endTime: "1e400" }, /"endTime" must be a finite number, got Infinity/],
    [
      "time deltas outside the profile",
      { nodes: [{ id: 1, callFrame: { functionName: "(root)", url: "" } }], samples: [1, 1, 1], timeDeltas: [1000, -100000, 1e12], startTime: 0, endTime: 3000 },
      /timeDeltas\[1\] puts sample 1 at -99000 µs, outside the profile's \[0, 3000\] µs/,
    ],
  ];
  for (const [what, shape, want] of cases) {
    it(`convert says what is wrong with a .cpuprofile: ${what}, with the file named once`, () => {
      const file = join(scratch, `${what.replace(/ /g, "-")}.cpuprofile`);
      writeFileSync(file, JSON.stringify(shape).replace('"1e400"', "1e400"));
      const r = anyprof(["convert", file, "-o", join(scratch, "out.pb.gz")]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^anyprof: ${file.replace(/[.]/g, "\\.")}: not a \\.cpuprofile: `));
      expect(r.stderr).toMatch(want);
      expect(r.stderr.split(file).length - 1).toBe(1);
      expect(r.stderr.split("\n").length).toBe(2);
    });
  }
  it("names a missing file once", () => {
    const missing = join(scratch, "missing.pb.gz");
    for (const cmd of ["top", "view", "convert"]) {
      const r = anyprof(cmd === "convert" ? [cmd, missing, "-o", join(scratch, "o")] : [cmd, missing]);
      expect(r.stderr).toBe(`anyprof: ${missing}: no such file\n`);
    }
  });
});

describe("8. a request the handler cannot route", () => {
  /** rawStatus sends `CONNECT * HTTP/1.1` and returns the status code. */
  function rawStatus(port: number): Promise<number> {
    return new Promise((done, fail) => {
      const s = connect(port, "127.0.0.1", () => s.write("CONNECT * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      let got = "";
      s.setTimeout(10_000, () => s.destroy(new Error(`no answer: ${JSON.stringify(got)}`)));
      s.on("data", (d) => {
        got += d.toString("latin1");
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
        if (m !== null) {
          s.destroy();
          done(Number(m[1]));
        }
      });
      s.on("error", fail);
      s.on("close", () => fail(new Error(`connection closed without a status line: ${JSON.stringify(got)}`)));
    });
  }

  it("is a 4xx on Bun, Deno and Node", async () => {
    const procs: LiveProcess[] = [];
    try {
      const bun = new LiveProcess(bin("bun"), [join(root, "test/runtimes/http-bun.mjs")], { stdin: "pipe", stderr: "apart" });
      const deno = new LiveProcess(bin("deno"), ["run", "--allow-net=127.0.0.1", "--allow-sys", join(root, "test/runtimes/http-deno.mjs")], { stdin: "pipe", stderr: "apart" });
      procs.push(bun, deno);
      for (const p of [bun, deno]) {
        const line = await p.next("server start", (l) => typeof l.open === "string", 20_000);
        const status = await rawStatus(Number(new URL(String(line.open)).port));
        expect(status, String(line.runtime)).toBeGreaterThanOrEqual(400);
        expect(status, String(line.runtime)).toBeLessThan(500);
      }
      const node = await servePprof({ port: 0 });
      try {
        const status = await rawStatus(node.port);
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      } finally {
        await node.close();
      }
    } finally {
      await Promise.all(procs.map((p) => p.kill()));
    }
  });
});

afterAll(async () => {
  await stopCPUProfile().catch(() => {});
});

// continuous-runtimes.test.ts runs continuous profiling in real Node (the
// built package), Deno and Bun processes (test/runtimes/continuous-*.mjs)
// pushing to receivers in this process: every window is a valid profile
// for go tool pprof, windows are contiguous, and the hot function of each
// phase is in the windows of that phase. It also checks that a process
// whose backend stalls still exits on its own after one bounded flush.
import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { Profile as PprofFormatProfile } from "pprof-format";
import { spawn } from "node:child_process";
import { bin, root, run } from "./helpers/spawn.ts";
import { startReceiver, type Receiver } from "./helpers/receivers.ts";
import { goPprof, parseRaw } from "./helpers/gotool.ts";
import { resolve } from "./helpers/pprof.ts";

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});
const scripts = join(root, "test/runtimes");

const runtimes = [
  { name: "node", cmd: process.execPath, args: (url: string) => [join(scripts, "continuous-node.mjs"), url, "node"] },
  { name: "deno", cmd: bin("deno"), args: (url: string) => ["run", "--allow-net=127.0.0.1", "--allow-sys", join(scripts, "continuous-deno.mjs"), url, "deno"] },
  { name: "bun", cmd: bin("bun"), args: (url: string) => [join(scripts, "continuous-bun.mjs"), url, "bun"] },
];

describe("continuous profiling in each runtime", () => {
  for (const rt of runtimes) {
    it(`${rt.name}: contiguous valid windows to Pyroscope and the Collector, each phase's work in its windows`, async () => {
      const rx = await startReceiver();
      receivers.push(rx);
      const r = await run(rt.cmd, rt.args(rx.url), {}, 45_000);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { switchNanos: string; stats: { periods: number; profileErrors: number; exporters: Record<string, { sent: number; dropped: number }> } };
      const switchNanos = BigInt(out.switchNanos);
      const pyro = rx.received.filter((x) => x.kind === "pyroscope");
      const otel = rx.received.filter((x) => x.kind === "otel");
      expect(out.stats.profileErrors).toBe(0);
      expect(pyro.length).toBe(out.stats.periods);
      expect(otel.length).toBe(out.stats.periods);
      expect(pyro.length).toBeGreaterThanOrEqual(6);
      expect(pyro[0]!.query.name).toBe(`rt{runtime=${rt.name}}`);
      const windows = pyro.map((x) => {
        const p = PprofFormatProfile.decode(x.proto);
        return { from: Number(x.query.from), until: Number(x.query.until), t: BigInt(p.timeNanos), d: BigInt(p.durationNanos), bytes: x.profile };
      });
      let before = 0;
      let after = 0;
      for (let i = 0; i < windows.length; i++) {
        const w = windows[i]!;
        if (i > 0) {
          expect(w.from).toBe(windows[i - 1]!.until);
          expect(w.t).toBe(windows[i - 1]!.t + windows[i - 1]!.d);
        }
        expect(parseRaw(goPprof(w.bytes, "-raw")).sampleTypes.join(" ")).toContain("cpu/nanoseconds");
        const names = new Set<string>();
        let count = 0;
        for (const s of resolve(w.bytes).samples) if (s.values[0]! > 0) {
          count += s.values[0]!;
          for (const f of s.frames) names.add(f.functionName);
        }
        // What a failure shows of the window: its span and samples.
        const seen = `${count} samples, ${((Number(w.t) - Number(switchNanos)) / 1e6).toFixed(0)} ms after the switch for ${(Number(w.d) / 1e6).toFixed(0)} ms, functions: ${[...names].slice(0, 12).join(", ")}`;
        // 50 ms of slack each side: a window is "before" only if it ended
        // well before the switch, and the clocks of the two sides agree.
        if (w.t + w.d < switchNanos - 50_000_000n && w.t > windows[0]!.t) {
          before++;
          expect(names.has("hotAlpha"), `${rt.name} window ${i} (before the switch) has hotAlpha (${seen})`).toBe(true);
          expect(names.has("hotBravo"), `${rt.name} window ${i} (before the switch) has no hotBravo (${seen})`).toBe(false);
        } else if (w.t > switchNanos + 50_000_000n && i < windows.length - 1) {
          after++;
          expect(names.has("hotBravo"), `${rt.name} window ${i} (after the switch) has hotBravo (${seen})`).toBe(true);
          expect(names.has("hotAlpha"), `${rt.name} window ${i} (after the switch) has no hotAlpha (${seen})`).toBe(false);
        }
      }
      expect(before).toBeGreaterThanOrEqual(1);
      expect(after).toBeGreaterThanOrEqual(1);
      for (const x of otel) expect(x.path).toBe("/v1/pprof");
    }, 60_000);
  }

  it("node: a process whose backend stalls exits on its own, after one bounded flush", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    rx.fault = { kind: "stall" };
    const r = await run(process.execPath, [join(scripts, "continuous-exit.mjs"), rx.url, "1500"], {}, 30_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.signal).toBe(null);
    const stats = JSON.parse(r.stdout.trim().split("\n").pop()!) as { running: boolean; periods: number; exporters: { pyroscope: { lastError?: string } } };
    // The exit flush ran (continuous profiling stopped, the last window cut).
    expect(stats.running).toBe(false);
    expect(stats.periods).toBeGreaterThanOrEqual(2);
    expect(stats.exporters.pyroscope.lastError).toContain("timeout after 400 ms");
    // 0.5 s of work, then at most the 1.5 s flush and one request timeout,
    // with startup: far below the 30 s it would take if anything held on.
    expect(r.millis).toBeLessThan(15_000);
    expect(rx.attempts).toBeGreaterThan(0);
  }, 40_000);

  it("node: a push in flight to a stalled backend does not keep the process alive (no exit flush, 60 s timeout)", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    rx.fault = { kind: "stall" };
    const r = await run(process.execPath, [join(scripts, "continuous-exit.mjs"), rx.url, "0", "60000"], {}, 30_000);
    expect(r.code, r.stderr).toBe(0);
    const stats = JSON.parse(r.stdout.trim().split("\n").pop()!) as { running: boolean; exporters: { pyroscope: { queued: number } } };
    // Still running and a request on the wire, yet the process ended.
    expect(stats.running).toBe(true);
    expect(rx.attempts).toBeGreaterThan(0);
    expect(stats.exporters.pyroscope.queued).toBeGreaterThan(0);
    expect(r.millis).toBeLessThan(15_000);
  }, 40_000);

  it("node: on SIGTERM the last window is pushed, and the process still dies of SIGTERM", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    const child = spawn(process.execPath, [join(scripts, "continuous-sigterm.mjs"), rx.url], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    await new Promise<void>((ready, fail) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && ready());
      child.on("exit", () => fail(new Error(`exited before ready: ${stderr}`)));
    });
    expect(rx.received.length).toBe(0); // the 60 s period has not ended
    child.kill("SIGTERM");
    const [code, signal] = await new Promise<[number | null, string | null]>((done) => child.on("exit", (c, s) => done([c, s])));
    expect(signal, stderr).toBe("SIGTERM");
    expect(code).toBe(null);
    expect(rx.received.length).toBe(1);
    const top = goPprof(rx.received[0]!.profile, "-top", "-nodecount=200");
    expect(top).toContain("serverWork");
  }, 30_000);
});

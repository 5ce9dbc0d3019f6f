// continuous-node.test.ts tests continuous profiling on Node against real
// HTTP receivers on 127.0.0.1 (test/helpers/receivers.ts): every pushed
// profile is read by `go tool pprof -raw` and pprof-format, windows are
// contiguous, a hot function moved between windows is found in the right
// one, the request shape equals @pyroscope/nodejs's, and the files exporter
// rotates.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Profile as PprofFormatProfile } from "pprof-format";
import { gunzipSync } from "node:zlib";
import {
  continuousStats,
  filesExporter,
  otelCollectorExporter,
  pyroscopeExporter,
  startContinuousProfiling,
  startCPUProfile,
  stopContinuousProfiling,
  type ProfilePeriod,
} from "../src/runtime/node.ts";
import { goPprof, parseRaw } from "./helpers/gotool.ts";
import { resolve } from "./helpers/pprof.ts";
import { startReceiver, type Receiver } from "./helpers/receivers.ts";

const receivers: Receiver[] = [];
afterEach(async () => {
  await stopContinuousProfiling(1000);
  for (const r of receivers.splice(0)) await r.close();
});

// hotAlpha and hotBravo burn CPU in slices, yielding so timers run.
function hotAlpha(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = (x + Math.sqrt(x + 1)) % 1e6;
  return x;
}
function hotBravo(ms: number): number {
  const end = performance.now() + ms;
  let x = 1;
  while (performance.now() < end) x = (x * 1.000001 + Math.cbrt(x)) % 1e6;
  return x;
}
const tick = () => new Promise((r) => setImmediate(r));
async function runFor(fn: (ms: number) => number, totalMs: number): Promise<void> {
  const end = performance.now() + totalMs;
  while (performance.now() < end) {
    fn(8);
    await tick();
  }
}

// functionsIn returns the function names with CPU samples in a profile, as
// go tool pprof reads them, and checks the profile with pprof-format.
function functionsIn(bytes: Uint8Array): Set<string> {
  const decoded = PprofFormatProfile.decode(gunzipSync(bytes));
  expect(decoded.sampleType.length).toBe(3); // samples, cpu, wall
  const out = goPprof(bytes, "-raw");
  const raw = parseRaw(out);
  expect(raw.sampleTypes.join(" ")).toContain("samples/count");
  const r = resolve(bytes);
  const names = new Set<string>();
  for (const s of r.samples) if (s.values[0]! > 0) for (const f of s.frames) names.add(f.functionName);
  return names;
}

describe("continuous profiling on Node", () => {
  it("pushes contiguous windows to Pyroscope and the Collector, each holding its own window's work", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    await startContinuousProfiling({
      periodSeconds: 0.5,
      exporters: [pyroscopeExporter({ url: rx.url, appName: "anyprof-test", tags: { env: "ci", "region.zone": "a1" } }), otelCollectorExporter({ url: rx.url })],
      exitFlushMillis: 0,
    });
    await runFor(hotAlpha, 1600);
    const switchNanos = BigInt(Date.now()) * 1_000_000n;
    await runFor(hotBravo, 1600);
    await stopContinuousProfiling(5000);

    const pyro = rx.received.filter((r) => r.kind === "pyroscope");
    const otel = rx.received.filter((r) => r.kind === "otel");
    expect(pyro.length).toBeGreaterThanOrEqual(5);
    expect(otel.length).toBe(pyro.length);
    for (const r of pyro) {
      expect(r.path).toBe("/ingest");
      expect(r.query.name).toBe("anyprof-test{env=ci,region.zone=a1}");
      expect(r.query.format).toBe("pprof");
      expect(r.query.sampleRate).toBe("100");
    }
    // Contiguous: from = previous until (seconds), and to the nanosecond in
    // the profiles themselves.
    const windows = pyro.map((r) => {
      const p = PprofFormatProfile.decode(r.proto);
      return { from: Number(r.query.from), until: Number(r.query.until), t: BigInt(p.timeNanos), d: BigInt(p.durationNanos), bytes: r.profile };
    });
    for (let i = 1; i < windows.length; i++) {
      expect(windows[i]!.from, `window ${i} from`).toBe(windows[i - 1]!.until);
      expect(windows[i]!.t, `window ${i} time_nanos`).toBe(windows[i - 1]!.t + windows[i - 1]!.d);
    }
    // The hot function of each phase is in the windows wholly inside it,
    // and the other phase's is not.
    let alphaOnly = 0;
    let bravoOnly = 0;
    for (const w of windows) {
      const names = functionsIn(w.bytes);
      if (w.t + w.d < switchNanos - 20_000_000n) {
        alphaOnly++;
        expect(names.has("hotAlpha"), `window ${w.t}+${w.d} before the switch ${switchNanos} has hotAlpha: ${[...names].join(",")}`).toBe(true);
        expect(names.has("hotBravo"), `window before the switch has no hotBravo`).toBe(false);
      } else if (w.t > switchNanos + 20_000_000n) {
        bravoOnly++;
        expect(names.has("hotBravo"), `window after the switch has hotBravo`).toBe(true);
        expect(names.has("hotAlpha"), `window after the switch has no hotAlpha`).toBe(false);
      }
    }
    expect(alphaOnly).toBeGreaterThanOrEqual(1);
    expect(bravoOnly).toBeGreaterThanOrEqual(1);
    // The Collector got the same profiles, valid for Go too.
    for (const r of otel) {
      expect(r.path).toBe("/v1/pprof");
      expect(parseRaw(goPprof(r.profile, "-raw")).sampleTypes.join(" ")).toContain("cpu/nanoseconds");
    }
    const stats = continuousStats();
    expect(stats.running).toBe(false);
    expect(stats.exporters.pyroscope?.sent).toBe(pyro.length);
    expect(stats.exporters["otel-collector"]?.dropped).toBe(0);
  });

  it("holds the CPU profile while it runs and pushes heap deltas too", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    const { startHeapProfiling, stopHeapProfiling } = await import("../src/runtime/node.ts");
    await startHeapProfiling({ rateBytes: 4096 });
    try {
      await startContinuousProfiling({ periodSeconds: 0.3, profiles: ["cpu", "heap"], exporters: [pyroscopeExporter({ url: rx.url, appName: "heapy" })], exitFlushMillis: 0 });
      expect(() => startCPUProfile()).toThrow("cpu profiling already in use");
      const keep: unknown[] = [];
      const end = performance.now() + 1000;
      while (performance.now() < end) {
        keep.push(new Array(500).fill({ at: performance.now() }));
        await tick();
      }
      await stopContinuousProfiling(3000);
      expect(keep.length).toBeGreaterThan(0);
    } finally {
      stopHeapProfiling();
    }
    const heap = rx.received.filter((r) => r.query.sampleRate === undefined);
    const cpu = rx.received.filter((r) => r.query.sampleRate !== undefined);
    expect(heap.length).toBeGreaterThanOrEqual(2);
    expect(cpu.length).toBe(heap.length);
    const types = parseRaw(goPprof(heap[0]!.profile, "-raw")).sampleTypes.join(" ");
    expect(types).toContain("inuse_space/bytes");
    // Same window for both profiles of a period.
    expect(heap.map((r) => r.query.from)).toEqual(cpu.map((r) => r.query.from));
  });

  it("matches @pyroscope/nodejs's request shape: path, query keys, content type, auth and tenant headers", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    await startContinuousProfiling({
      periodSeconds: 0.3,
      exporters: [pyroscopeExporter({ url: rx.url, appName: "shape", authToken: "tok", tenantID: "t1" })],
      exitFlushMillis: 0,
    });
    await runFor(hotAlpha, 700);
    await stopContinuousProfiling(3000);
    const ours = rx.received.filter((r) => r.kind === "pyroscope");
    expect(ours.length).toBeGreaterThan(0);

    const ref = await startReceiver();
    receivers.push(ref);
    const Pyroscope = (await import("@pyroscope/nodejs")).default;
    Pyroscope.init({ serverAddress: ref.url, appName: "shape", authToken: "tok", tenantID: "t1", flushIntervalMs: 300, wall: { samplingDurationMs: 300 } });
    Pyroscope.start();
    await runFor(hotAlpha, 900);
    await Pyroscope.stop();
    const theirs = ref.received;
    expect(theirs.length).toBeGreaterThan(0);
    // The reference's CPU (wall) pushes carry sampleRate; its heap pushes do not.
    const theirCpu = theirs.find((r) => r.query.sampleRate !== undefined)!;
    expect(theirCpu).toBeDefined();
    const mine = ours[0]!;
    expect(mine.path).toBe(theirCpu.path);
    expect([...mine.queryKeys].sort()).toEqual([...theirCpu.queryKeys].sort());
    expect(mine.queryKeys).toEqual(theirCpu.queryKeys); // same order too
    expect(mine.contentType).toBe(theirCpu.contentType);
    expect(mine.parts).toEqual(theirCpu.parts);
    expect(mine.headers.authorization).toBe(theirCpu.headers.authorization);
    expect(mine.headers["x-scope-orgid"]).toBe(theirCpu.headers["x-scope-orgid"]);
    expect(mine.query.format).toBe(theirCpu.query.format);
    // Both name the series app{tags}, in whole Unix seconds.
    expect(theirCpu.query.name).toMatch(/^shape\{.*\}$/);
    expect(mine.query.name).toBe("shape{}");
    for (const r of [mine, theirCpu]) expect(r.query.from).toMatch(/^\d{10}$/);
    // Both bodies are gzip pprof that Go reads.
    for (const r of [mine, theirCpu]) expect(parseRaw(goPprof(r.profile, "-raw")).samples.length).toBeGreaterThan(0);
  }, 60_000);

  it("sends Basic auth as the reference does", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    const e = pyroscopeExporter({ url: rx.url, appName: "b", basicAuthUser: "123", basicAuthPassword: "glc_x" });
    e.export({ startNanos: 1_000_000_000n, endNanos: 2_000_000_000n, profiles: [{ name: "cpu", bytes: new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }] });
    await e.flush!(3000);
    expect(rx.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from("123:glc_x").toString("base64")}`);
    expect(rx.received[0]!.query.from).toBe("1");
    expect(rx.received[0]!.query.until).toBe("2");
  });

  it("refuses bad options where they are given, naming the bad value", async () => {
    expect(() => pyroscopeExporter({ url: "http://127.0.0.1:1", appName: "a", tags: { "bad-key": "x" } })).toThrow('pprof: pyroscope tag key "bad-key"');
    expect(() => pyroscopeExporter({ url: "http://127.0.0.1:1", appName: "a", tags: { k: "a,b" } })).toThrow("pprof: pyroscope tag k value");
    expect(() => pyroscopeExporter({ url: "ftp://x", appName: "a" })).toThrow('pprof: pyroscope url "ftp://x" must be http: or https:');
    expect(() => otelCollectorExporter({ url: "nope" })).toThrow('pprof: otel collector url "nope" is not a URL');
    expect(() => pyroscopeExporter({ url: "http://x", appName: "a", maxItems: 0 })).toThrow("pprof: maxItems must be a number ≥ 1, got 0");
    await expect(startContinuousProfiling({ exporters: [] })).rejects.toThrow("pprof: continuous profiling needs exporters");
    const e = { name: "x", export() {} };
    await expect(startContinuousProfiling({ exporters: [e], periodSeconds: 0 })).rejects.toThrow("pprof: periodSeconds must be from 0.05 to 3600, got 0");
    await expect(startContinuousProfiling({ exporters: [e], profiles: ["nosuch"] })).rejects.toThrow('pprof: unknown profile "nosuch"');
  });

  it("an exporter that throws is counted, never thrown into the program", async () => {
    const got: ProfilePeriod[] = [];
    await startContinuousProfiling({
      periodSeconds: 0.2,
      exporters: [{ name: "bad", export: () => { throw new Error("boom"); } }, { name: "good", export: (p) => void got.push(p) }],
      exitFlushMillis: 0,
    });
    await runFor(hotAlpha, 700);
    await stopContinuousProfiling(1000);
    expect(got.length).toBeGreaterThanOrEqual(2);
    const s = continuousStats();
    expect(s.exportErrors).toBe(got.length);
    expect(s.lastError).toBe("bad: boom");
  });

  it("the files exporter writes whole gzip pprof files and keeps only the newest", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "anyprof-files-")), "profiles");
    const files = filesExporter({ dir, keepFiles: 3 });
    await startContinuousProfiling({ periodSeconds: 0.15, exporters: [files], exitFlushMillis: 0 });
    await runFor(hotAlpha, 1400);
    await stopContinuousProfiling(3000);
    const names = readdirSync(dir).sort();
    expect(names.length).toBe(3);
    expect(files.stats!().sent).toBeGreaterThan(3);
    for (const n of names) {
      expect(n).toMatch(/^anyprof-cpu-\d+-\d+\.pb\.gz$/);
      expect(parseRaw(goPprof(readFileSync(join(dir, n)), "-raw")).sampleTypes.join(" ")).toContain("cpu/nanoseconds");
    }
    // The newest were kept: the last until is the largest of all written.
    const untils = names.map((n) => Number(/-(\d+)\.pb\.gz$/.exec(n)![1]));
    expect(Math.max(...untils)).toBe(untils[untils.length - 1]);
  });
});

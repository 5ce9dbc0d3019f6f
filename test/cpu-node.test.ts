// cpu-node.test.ts tests CPU profiling in-process on Node: chunked draining
// of long profiles, writers, options, and failure handling (a sampler that
// fails must never take the application down, and must leave the profiler
// usable). The cross-runtime conformance lives in cpu.test.ts.
import { afterEach, describe, expect, it } from "vitest";
import { startCPUProfile, stopCPUProfile, runWithLabels, labels } from "../src/runtime/node.ts";
import { host, setHost, type CpuSampler } from "../src/host/host.ts";
import { cpuProfileStoppableSync, stopCPUProfileSync } from "../src/profiles/cpu.ts";
import { resolve } from "./helpers/pprof.ts";
import { clockOffsetOf, wrapMicros } from "../src/runtime/handle-sampler.ts";

/** burnCpu runs burn until the process has used cpuMillis of CPU: on a busy
 * machine a wall-time burn may get too little CPU for a sample to land. */
function burnCpu(cpuMillis: number): void {
  const before = process.cpuUsage();
  for (;;) {
    burn(5);
    const used = process.cpuUsage(before);
    if (used.user + used.system >= cpuMillis * 1000) return;
  }
}

function burn(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = (x + Math.sqrt(x + 1)) % 1e6;
  return x;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const saved = host.newCpuSampler;

afterEach(async () => {
  setHost({ newCpuSampler: saved });
  await stopCPUProfile().catch(() => {});
});

describe("startCPUProfile / stopCPUProfile on Node", () => {
  it("drains in chunks and adds them up into one profile, labels included", async () => {
    await startCPUProfile(undefined, { hz: 1000, chunkSeconds: 0.1 });
    const started = performance.now();
    // The CPU time burn really got, so that a loaded machine (less CPU than
    // wall time) does not look like samples lost in the drains.
    let burnCpuMicros = 0;
    await runWithLabels(labels("phase", "chunked"), async () => {
      while (performance.now() - started < 700) {
        // The main thread's own CPU clock (the kernel's schedstat or
        // threadCpuUsage): process CPU also counts V8's helper threads.
        const before = host.threadCpuMicros!();
        burn(20);
        burnCpuMicros += host.threadCpuMicros!() - before;
        await sleep(5);
      }
    });
    const p = resolve((await stopCPUProfile())!);
    // burn's leaf is often performance.now: count every sample under burn.
    const inBurn = (s: (typeof p.samples)[number]) => s.frames.some((f) => f.functionName === "burn");
    const burnNanos = p.samples.filter(inBurn).reduce((n, s) => n + s.values[1]!, 0);
    // About 560 ms of burn over ~7 chunks: most of it must survive the drains.
    console.log(`chunked: burn ${(burnNanos / 1e6).toFixed(0)} ms in the profile, ${(burnCpuMicros / 1e3).toFixed(0)} ms of thread cpu`);
    expect(burnNanos).toBeGreaterThan(0.75 * burnCpuMicros * 1000);
    // cpu/nanoseconds is the thread's CPU time, shared among each 100 ms
    // window's samples: not the wall time, which on a busy machine is more.
    expect(burnNanos).toBeLessThan(1.25 * burnCpuMicros * 1000);
    const labeled = p.samples.filter((s) => inBurn(s) && s.labels.phase === "chunked").reduce((n, s) => n + s.values[1]!, 0);
    expect(labeled / burnNanos).toBeGreaterThan(0.9);
    // One entry per distinct stack, however many chunks saw it.
    const keys = p.samples.map((s) => JSON.stringify([s.frames, s.labels]));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("reads the main thread's own CPU clock: a busy worker does not move it", async () => {
    expect(host.threadCpuClock).toBe(typeof process.threadCpuUsage === "function" ? "process.threadCpuUsage()" : "/proc/thread-self/schedstat");
    const { Worker } = await import("node:worker_threads");
    const worker = new Worker("const end = Date.now() + 400; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);", { eval: true });
    try {
      const before = host.threadCpuMicros!();
      const processBefore = process.cpuUsage();
      await sleep(300);
      const idleMicros = host.threadCpuMicros!() - before;
      const used = process.cpuUsage(processBefore);
      // The main thread slept: its clock barely moved while the worker
      // (and the process's total) ran.
      expect(idleMicros).toBeLessThan(50_000);
      expect(used.user + used.system).toBeGreaterThan(idleMicros);
    } finally {
      await worker.terminate();
    }
    // With the worker gone, the process's CPU is (nearly all) this thread's.
    const busyBefore = host.threadCpuMicros!();
    burnCpu(50);
    expect(host.threadCpuMicros!() - busyBefore).toBeGreaterThan(30_000);
  });

  it("writes to the writer given at start and returns the same bytes", async () => {
    const chunks: Uint8Array[] = [];
    await startCPUProfile({ write: (c: Uint8Array) => void chunks.push(c) });
    burn(30);
    const bytes = (await stopCPUProfile())!;
    expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
  });

  it("keeps (idle) samples when asked, for a wall-clock view", async () => {
    await startCPUProfile(undefined, { hz: 1000, includeIdle: true });
    await sleep(100);
    const p = resolve((await stopCPUProfile())!);
    expect(p.samples.some((s) => s.frames[0]?.functionName === "(idle)")).toBe(true);
  });

  it("rejects a bad interval with a pprof: error", () => {
    expect(() => startCPUProfile(undefined, { hz: 0 })).toThrow(/^pprof: cpu sampling interval must be from 1 µs to 1 s/);
    expect(() => startCPUProfile(undefined, { intervalMicros: Number.NaN })).toThrow(/^pprof: cpu sampling interval/);
  });

  it("says what is missing where the runtime has no in-process sampler", () => {
    setHost({ newCpuSampler: undefined });
    expect(() => startCPUProfile()).toThrow(/^pprof: no in-process CPU sampler in node/);
  });

  it("reports a sampler that fails to start and stays usable", async () => {
    const failing: CpuSampler = {
      start: () => {
        throw new Error("Profiler.start: boom");
      },
      stop: () => ({ nodes: [], startTime: 0, endTime: 0 }),
      close: () => {},
    };
    setHost({ newCpuSampler: () => failing });
    // The promise is handled inside the library too: ignoring it must not
    // raise an unhandled rejection in the host.
    await expect(startCPUProfile()).rejects.toThrow(/^pprof: could not start the cpu sampler: Profiler\.start: boom$/);
    setHost({ newCpuSampler: saved });
    await startCPUProfile();
    expect((await stopCPUProfile())!.length).toBeGreaterThan(0);
  });

  it("reports a sampler that fails mid-profile from stop, and the app keeps running", async () => {
    let calls = 0;
    const real = saved!();
    const flaky: CpuSampler = {
      start: (us) => real.start(us),
      stop: () => {
        if (++calls === 1) throw new Error("Profiler.stop: session lost");
        return real.stop();
      },
      close: () => real.close(),
    };
    setHost({ newCpuSampler: () => flaky });
    await startCPUProfile(undefined, { chunkSeconds: 0.05 });
    await sleep(150); // a chunk drain fails inside a timer: nothing may throw here
    burn(10);
    await expect(stopCPUProfile()).rejects.toThrow(/^pprof: cpu sampler failed: Profiler\.stop: session lost$/);
    setHost({ newCpuSampler: saved });
    await startCPUProfile();
    expect(resolve((await stopCPUProfile())!).sampleTypes).toEqual(["samples/count", "cpu/nanoseconds", "wall/nanoseconds"]);
  });

  it("cannot be stopped synchronously from inside one of its own steps (an interrupt there must wait)", async () => {
    const real = saved!();
    const seen: string[] = [];
    const watching: CpuSampler = {
      start: (us) => real.start(us),
      stop: () => {
        // A rescue interrupt landing here, mid-drain, must not re-enter.
        seen.push(`in step: ${cpuProfileStoppableSync()} ${stopCPUProfileSync()}`);
        return real.stop();
      },
      close: () => real.close(),
    };
    setHost({ newCpuSampler: () => watching });
    expect(cpuProfileStoppableSync()).toBe(true);
    await startCPUProfile(undefined, { chunkSeconds: 0.05 });
    await sleep(80);
    // 60 ms of CPU: about 6 samples at 100 Hz however busy the machine.
    burnCpu(60);
    expect(cpuProfileStoppableSync()).toBe(true);
    const bytes = stopCPUProfileSync();
    expect(seen[0]).toBe("in step: false undefined");
    // burn, optimized by the tests before, may be inlined into burnCpu:
    // V8 records inlining only for code compiled while it profiles.
    expect(resolve(bytes!).samples.some((x) => x.frames.some((f) => f.functionName === "burn" || f.functionName === "burnCpu"))).toBe(true);
    expect(await stopCPUProfile()).toBeUndefined();
  });

  it("reports a writer that fails, with the profile still returned to nobody but the error", async () => {
    await startCPUProfile({ write: () => { throw new Error("disk full"); } });
    burn(5);
    await expect(stopCPUProfile()).rejects.toThrow(/^pprof: write failed: disk full$/);
    // The profiler is free again.
    await startCPUProfile();
    await stopCPUProfile();
  });
});

describe("v8.startCpuProfile's clock (handle-sampler.ts)", () => {
  it("unwraps startTime written modulo 2^32 µs, and takes no other clock", () => {
    // Node 26.10 after 7.2 h of uptime: hrtime read just before the start,
    // startTime 247 µs later but six wraps short.
    const clock = 26_029_913_451;
    const startTime = clock + 247 - 6 * wrapMicros;
    expect(clockOffsetOf(startTime, clock)).toBe(-6 * wrapMicros);
    // The profile's times minus the offset land on the host's clock.
    expect(startTime - clockOffsetOf(startTime, clock)! - clock).toBe(247);
    // Not wrapped (a machine up for less than 71.6 minutes): offset 0.
    expect(clockOffsetOf(1_000_050, 1_000_000)).toBe(0);
    expect(Object.is(clockOffsetOf(1_000_050, 1_000_000), -0)).toBe(false);
    // A remainder of a second or more: another clock, no offset.
    expect(clockOffsetOf(5_000_000 + 2 * wrapMicros, 1_000_000)).toBeUndefined();
  });
});

// cpu-steps.test.ts tests that a CPU profile's stop and chunk drains hold the
// application's thread in steps (src/profiles/cpu.ts): the chunk ends at
// once, its parse and conversion wait for a later turn of the event loop,
// so the application runs in between; stopCPUProfileSync (exit handlers)
// still runs every step at once; and the steps do not change the profile:
// the labels logged around the split still follow the samples they belong
// to. It wraps Node's real sampler, giving it a two-step stop
// (stopThen) as v8.startCpuProfile's sampler has, and logs when each step runs.
import { MessageChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { labels, runWithLabels, startCPUProfile, stopCPUProfile } from "../src/runtime/node.ts";
import { host, setHost, type CpuSampler } from "../src/host/host.ts";
import { stopCPUProfileSync } from "../src/profiles/cpu.ts";
import { resolve } from "./helpers/pprof.ts";

function burnCpu(cpuMillis: number): void {
  const before = host.threadCpuMicros!();
  let x = 0;
  while (host.threadCpuMicros!() - before < cpuMillis * 1000) for (let i = 0; i < 1e4; i++) x = (x + Math.sqrt(x + i)) % 1e6;
}

const saved = host.newCpuSampler!;
afterEach(async () => {
  setHost({ newCpuSampler: saved });
  await stopCPUProfile().catch(() => {});
});

// steps wraps the real sampler with a stopThen that logs "end" when the
// chunk ends and "parse" when its second half runs.
function stepped(log: string[]): (intervalMicros?: number) => CpuSampler {
  return (intervalMicros) => {
    const inner = saved(intervalMicros);
    return {
      start: (i) => inner.start(i),
      stop: () => inner.stop(),
      stopThen() {
        const got = inner.stop();
        if (got instanceof Promise) throw new Error("Node's sampler answers at once");
        log.push("end");
        return () => {
          log.push("parse");
          return got;
        };
      },
      close: () => inner.close(),
    };
  };
}

describe("a CPU stop holds the thread in steps", () => {
  it("lets the application run between a chunk's end and its conversion, at a drain and at stop", async () => {
    const log: string[] = [];
    setHost({ newCpuSampler: stepped(log) });
    await startCPUProfile(undefined, { hz: 1000, chunkSeconds: 0.2 });
    await runWithLabels(labels("phase", "one"), async () => {
      const end = performance.now() + 600;
      while (performance.now() < end) {
        burnCpu(10);
        // A timer: a drain that fires here has its conversion wait for a
        // later turn, so an "app" entry lands between its end and parse.
        await new Promise((r) => setTimeout(r, 2));
        log.push("app");
      }
    });
    const stopping = stopCPUProfile();
    // The stop's synchronous part ended the last chunk, not its parse.
    expect(log.at(-1), log.slice(-3).join(" ")).toBe("end");
    // An I/O callback (a port message) ready meanwhile runs before it.
    const { port1, port2 } = new MessageChannel();
    port2.on("message", () => log.push("app after stop"));
    port1.postMessage(1);
    const p = resolve((await stopping)!);
    port2.close();
    const drains = log.flatMap((e, i) => (e === "end" ? [i] : []));
    expect(drains.length, log.join(" ")).toBeGreaterThanOrEqual(2);
    // Each chunk's end is followed by its parse, never at once: something
    // else (the application, or the stop's own steps) ran in between.
    for (const i of drains) expect(log.indexOf("parse", i), log.join(" ")).toBeGreaterThan(i);
    expect(log.filter((e) => e === "parse").length).toBe(drains.length);
    // At the stop, the application's setImmediate ran before the last
    // chunk's parse.
    const last = drains.at(-1)!;
    expect(log.indexOf("app after stop", last), log.slice(last).join(" ")).toBeLessThan(log.indexOf("parse", last));
    // The profile still holds the labelled work.
    const labelled = p.samples.filter((s) => s.labels["phase"] === "one" && s.frames.some((f) => f.functionName === "burnCpu"));
    const all = p.samples.filter((s) => s.frames.some((f) => f.functionName === "burnCpu"));
    // (A loaded machine gives burnCpu few samples: a floor of 3.)
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(labelled.length / all.length, `${labelled.length} of ${all.length}`).toBeGreaterThanOrEqual(0.8);
  });

  it("runs every step at once in stopCPUProfileSync, a pending conversion included", async () => {
    const log: string[] = [];
    setHost({ newCpuSampler: stepped(log) });
    await startCPUProfile(undefined, { hz: 1000, chunkSeconds: 0.05 });
    // Wait for a drain whose conversion is still pending (its timer has
    // not run: this thread is busy).
    const until = performance.now() + 5000;
    while (!log.includes("end") && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
    burnCpu(20);
    const before = log.length;
    const bytes = stopCPUProfileSync();
    expect(bytes).toBeDefined();
    // Synchronously: the final chunk ended and every pending parse ran.
    const ends = log.filter((e) => e === "end").length;
    const parses = log.filter((e) => e === "parse").length;
    expect(parses, log.slice(before).join(" ")).toBe(ends);
    // The final stop's chunk did not go through stopThen's two halves out
    // of order: no "end" is left without its parse.
    const p = resolve(bytes!);
    expect(p.samples.length, "samples").toBeGreaterThan(0);
  });
});

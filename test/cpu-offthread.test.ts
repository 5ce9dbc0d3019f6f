// cpu-offthread.test.ts runs CPU profiles with { offThread: true } on every
// Node version: the chunks are converted by a worker thread, the labels
// logged on the main thread still land on their samples (synchronously
// and after an await), every chunk is counted, and the profile is valid.
import { describe, expect, it } from "vitest";
import { checkValid, decodeProfile, resolve } from "./helpers/pprof.ts";
import { node22, node24, node26, root, run } from "./helpers/spawn.ts";

interface Out {
  workersBefore: number;
  workersDuring: number;
  syncCpu: number;
  asyncCpu: number;
  profile: string;
  syncStop: string;
}

describe("CPU profiles converted off the main thread", () => {
  it.each([
    { name: "node 20", cmd: process.execPath },
    { name: "node 22", cmd: node22 },
    { name: "node 24", cmd: node24 },
    { name: "node 26", cmd: node26 },
  ])("$name: a worker converts, labels and time survive", async ({ cmd }) => {
    const r = await run(cmd, [`${root}/test/runtimes/cpu-offthread.mjs`], {}, 60_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Out;
    expect(out.workersDuring, "worker threads while profiling").toBe(out.workersBefore + 1);
    const bytes = Buffer.from(out.profile, "base64");
    expect(checkValid(decodeProfile(bytes))).toEqual([]);
    const p = resolve(bytes);
    const under = (fn: string) => p.samples.filter((s) => s.frames.some((f) => f.functionName === fn));
    const nanos = (ss: typeof p.samples) => ss.reduce((n, s) => n + s.values[1]!, 0);
    for (const [fn, phase, cpu] of [
      ["offThreadSpin", "sync", out.syncCpu],
      ["offThreadAsyncSpin", "async", out.asyncCpu],
    ] as const) {
      const all = under(fn);
      const labelled = all.filter((s) => s.labels.phase === phase);
      console.log(`${fn}: ${(nanos(all) / 1e6).toFixed(0)} ms in the profile of ${cpu.toFixed(0)} ms cpu, ${((100 * nanos(labelled)) / Math.max(1, nanos(all))).toFixed(0)}% labelled ${phase}`);
      // Most of the CPU the phase used is in the profile, over ~5 chunks.
      expect(nanos(all) / 1e6).toBeGreaterThan(0.6 * cpu);
      expect(nanos(labelled) / nanos(all)).toBeGreaterThan(0.9);
    }
    // stopCPUProfileSync waited for the worker's bytes.
    const syncStop = Buffer.from(out.syncStop, "base64");
    expect(checkValid(decodeProfile(syncStop))).toEqual([]);
    expect(resolve(syncStop).samples.filter((s) => s.frames.some((f) => f.functionName === "offThreadSyncStopSpin")).length).toBeGreaterThan(0);
  }, 90_000);
});

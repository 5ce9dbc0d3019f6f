// cpu-spare.test.ts checks that back-to-back CPU profiles on Node share
// one running sampler: a start right after a stop adopts the stopped
// profile's sampler (V8's profiler never stops, so it does not log all
// compiled code again), drops what was sampled between the two, and a start
// after the spare time makes a fresh sampler.
import { afterEach, describe, expect, it } from "vitest";
import { startCPUProfile, stopCPUProfile } from "../src/runtime/node.ts";
import { host, setHost } from "../src/host/host.ts";
import { spareMillis } from "../src/profiles/cpu.ts";
import { resolve } from "./helpers/pprof.ts";

function spin(ms: number): number {
  const end = performance.now() + ms;
  let x = 1;
  while (performance.now() < end) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
function betweenProfiles(ms: number): number {
  return spin(ms);
}
function inSecondProfile(ms: number): number {
  return spin(ms);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const saved = host.newCpuSampler!;
afterEach(() => setHost({ newCpuSampler: saved }));

describe("back-to-back CPU profiles", () => {
  it("adopt the stopped profile's sampler, without the samples between them", async () => {
    let made = 0;
    setHost({ newCpuSampler: () => (made++, saved()) });
    await startCPUProfile(undefined, { hz: 1000 });
    spin(50);
    await stopCPUProfile();
    // Inside the spare time: sampled by the spare, but by no profile.
    betweenProfiles(60);
    await startCPUProfile(undefined, { hz: 1000 });
    inSecondProfile(120);
    const second = resolve((await stopCPUProfile())!);
    expect(made, "samplers made for two back-to-back profiles").toBe(1);
    const under = (fn: string) => second.samples.filter((s) => s.frames.some((f) => f.functionName === fn)).length;
    expect(under("inSecondProfile")).toBeGreaterThan(0);
    expect(under("betweenProfiles"), "samples taken between the profiles").toBe(0);

    // Past the spare time the sampler is gone: the next start makes one.
    await sleep(spareMillis + 200);
    await startCPUProfile(undefined, { hz: 1000 });
    spin(20);
    await stopCPUProfile();
    expect(made).toBe(2);
    // Another interval does not adopt it either.
    await startCPUProfile(undefined, { hz: 500 });
    spin(20);
    await stopCPUProfile();
    expect(made).toBe(3);
  });
});

// soak.mjs is `npm run soak`: continuous profiling for SOAK_SECONDS (default
// 300) — one-second CPU profiles at 1 kHz back to back, with labels and
// async work, as a scraper would take them — and checks that the heap does
// not grow: the median heap after GC in the last minute may exceed the
// median in the first minute by at most SOAK_MAX_GROWTH_MB (default 4).
// Run with --expose-gc (the npm script does).
import { startCPUProfile, stopCPUProfile, runWithLabels, labels, newProfile } from "anyprof";

const seconds = Number(process.env.SOAK_SECONDS ?? 300);
const maxGrowthMB = Number(process.env.SOAK_MAX_GROWTH_MB ?? 4);
if (typeof globalThis.gc !== "function") throw new Error("soak: run with node --expose-gc");

function work(route) {
  // Distinct functions per route so that the profiles have real trees.
  const o = { route, items: Array.from({ length: 50 }, (_, i) => ({ i, name: `item-${i}` })) };
  return JSON.parse(JSON.stringify(o)).items.length;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const conns = newProfile("soak-conns");

const heapMB = () => {
  globalThis.gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const startedMillis = performance.now();
const samples = []; // [elapsedSeconds, heapMB, rssMB]
let cycles = 0;
let profileBytes = 0;
while (performance.now() - startedMillis < seconds * 1000) {
  await startCPUProfile(undefined, { hz: 1000 });
  const until = performance.now() + 1000;
  let n = 0;
  while (performance.now() < until) {
    const route = `/r${n++ % 20}`;
    await runWithLabels(labels("route", route), async () => {
      work(route);
      await sleep(1);
      work(route);
    });
    const token = {};
    conns.add(token);
    conns.remove(token);
  }
  profileBytes += (await stopCPUProfile()).length;
  await conns.writeTo();
  cycles++;
  const elapsed = (performance.now() - startedMillis) / 1000;
  samples.push([elapsed, heapMB(), process.memoryUsage().rss / 2 ** 20]);
  if (cycles % 30 === 0) console.log(`soak: ${elapsed.toFixed(0)} s, ${cycles} profiles, heap ${samples.at(-1)[1].toFixed(2)} MB, rss ${samples.at(-1)[2].toFixed(1)} MB`);
}

const window = Math.min(60, seconds / 5);
const first = samples.filter(([t]) => t <= window).map((s) => s[1]);
const last = samples.filter(([t]) => t >= seconds - window).map((s) => s[1]);
const growth = median(last) - median(first);
const rssGrowth = median(samples.filter(([t]) => t >= seconds - window).map((s) => s[2])) - median(samples.filter(([t]) => t <= window).map((s) => s[2]));
console.log(`soak: ${cycles} profiles in ${seconds} s (${(profileBytes / cycles / 1024).toFixed(1)} KiB each)`);
console.log(`soak: heap after GC, median first ${window} s ${median(first).toFixed(2)} MB, last ${window} s ${median(last).toFixed(2)} MB: growth ${growth.toFixed(2)} MB (bound ${maxGrowthMB} MB); rss growth ${rssGrowth.toFixed(1)} MB`);
if (!(growth <= maxGrowthMB)) {
  console.error(`soak: FAIL: heap grew ${growth.toFixed(2)} MB, more than ${maxGrowthMB} MB`);
  process.exit(1);
}
console.log("soak: ok");

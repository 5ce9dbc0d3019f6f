import { WorkerSampler } from "./worker-sampler.mjs";
import { makeDeep } from "./workloads.mjs";
import { gc } from "./lib.mjs";
const runDeep = makeDeep();
runDeep(500, 1);
const ws = await WorkerSampler.create();
for (const chunk of [0, 1000, 0, 1000]) {
  await ws.start(1000, chunk);
  const { maxGapMillis } = runDeep(3000, 5);
  gc();
  const gaps = []; let last = performance.now(), on = true;
  const tick = () => { const now = performance.now(); if (now - last > 3) gaps.push([+(last - t0).toFixed(1), +(now - last).toFixed(1)]); last = now; if (on) setImmediate(tick); };
  setImmediate(tick);
  const t0 = performance.now();
  const res = await ws.stop();
  const t1 = performance.now();
  on = false;
  console.log(`chunk ${chunk}: work gap ${maxGapMillis.toFixed(1)} total ${(t1 - t0).toFixed(1)} gaps(at,len) ${JSON.stringify(gaps)} worker stop ${res.stopMillis.toFixed(1)} conv ${res.convertMillis.toFixed(1)} chunks ${res.chunks}`);
}
await ws.terminate();

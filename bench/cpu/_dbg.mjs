import { WorkerSampler } from "./worker-sampler.mjs";
import { makeDeep } from "./workloads.mjs";
import { gc, threadWaitMillis } from "./lib.mjs";
const runDeep = makeDeep();
runDeep(500, 1, threadWaitMillis);
const ws = await WorkerSampler.create();
for (const chunk of [0, 0, 0]) {
  await ws.start(1000, chunk);
  const r = runDeep(3000, 5, threadWaitMillis);
  gc();
  const gaps = []; let last = performance.now(), lw = threadWaitMillis(), on = true;
  const tick = () => { const now = performance.now(), w = threadWaitMillis(); if (now - last > 3) gaps.push([+(last - t0).toFixed(1), +(now - last).toFixed(1), +(now - last - (w - lw)).toFixed(1)]); last = now; lw = w; if (on) setImmediate(tick); };
  setImmediate(tick);
  const t0 = performance.now();
  const res = await ws.stop();
  const t1 = performance.now();
  on = false;
  console.log(`chunk ${chunk}: work gap ${r.maxGapMillis.toFixed(1)}/${r.maxHeldMillis.toFixed(1)} total ${(t1 - t0).toFixed(1)} gaps(at,wall,held) ${JSON.stringify(gaps)} worker stop ${res.stopMillis.toFixed(1)} conv ${res.convertMillis.toFixed(1)} chunks ${res.chunks}`);
}
await ws.terminate();

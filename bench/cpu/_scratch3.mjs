import { WorkerSampler } from "./worker-sampler.mjs";
import { makeDeep } from "./workloads.mjs";
const runDeep = makeDeep();
runDeep(300, 1);
const ws = await WorkerSampler.create();
function probe() {
  let last = performance.now(), max = 0, on = true;
  const tick = () => { const now = performance.now(); max = Math.max(max, now - last); last = now; if (on) setImmediate(tick); };
  setImmediate(tick);
  return () => { on = false; return Math.max(max, performance.now() - last); };
}
for (let r = 0; r < 4; r++) {
  await ws.start(1000);
  runDeep(3000, 2 + r);
  const t0 = performance.now();
  const end = probe();
  const res = await ws.stop();
  const t1 = performance.now();
  const maxGap = end();
  console.log(`worker: main max gap ${maxGap.toFixed(1)} ms, total ${(t1 - t0).toFixed(1)} ms, worker Profiler.stop ${res.stopMillis.toFixed(1)} convert+gzip ${res.convertMillis.toFixed(1)} bytes ${res.bytes.length}`);
}
await ws.terminate();

import v8 from "node:v8";
import { Session } from "node:inspector";
import { makeDeep } from "./workloads.mjs";
import { stopwatch, threadWaitMillis } from "./lib.mjs";
const runDeep = makeDeep();
runDeep(500, 1, threadWaitMillis);
for (let r = 0; r < 3; r++) {
  const h = v8.startCpuProfile({ sampleInterval: 1 });
  runDeep(3000, 2 + r, threadWaitMillis);
  let sw = stopwatch();
  const json = h.stop();
  const a = sw();
  sw = stopwatch();
  const p = JSON.parse(json);
  const b = sw();
  const s = new Session(); s.connect();
  const post = (m, q = {}) => { let o; s.post(m, q, (e, x) => { if (e) throw e; o = x; }); return o; };
  post("Profiler.enable"); post("Profiler.setSamplingInterval", { interval: 1000 }); post("Profiler.start");
  runDeep(3000, 2 + r, threadWaitMillis);
  sw = stopwatch();
  const { profile } = post("Profiler.stop");
  const c = sw();
  s.disconnect();
  console.log(`v8.startCpuProfile: nodes ${p.nodes.length} samples ${p.samples.length} stop ${a.heldMillis.toFixed(1)} + JSON.parse ${b.heldMillis.toFixed(1)} held | inspector: nodes ${profile.nodes.length} samples ${profile.samples.length} Profiler.stop ${c.heldMillis.toFixed(1)} held`);
}

import { Session } from "node:inspector";
import { time } from "@datadog/pprof";
import { makeDeep } from "./workloads.mjs";
const which = process.argv[2];
const runDeep = makeDeep();
runDeep(300, 1);
for (let r = 0; r < 3; r++) {
  if (which === "dd") {
    time.start({ intervalMicros: 1000 });
    runDeep(3000, 2 + r);
    const t0 = performance.now();
    const p = time.stop();
    console.log("dd stop", (performance.now() - t0).toFixed(1));
  } else {
    const s = new Session(); s.connect();
    const post = (m, p = {}) => { let res; s.post(m, p, (e, x) => { if (e) throw e; res = x; }); return res; };
    post("Profiler.enable"); post("Profiler.setSamplingInterval", { interval: 1000 });
    post("Profiler.start");
    runDeep(3000, 2 + r);
    const t0 = performance.now();
    const { profile } = post("Profiler.stop");
    console.log("inspector stop", (performance.now() - t0).toFixed(1), profile.nodes.length);
    s.disconnect();
  }
}

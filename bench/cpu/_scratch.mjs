import { time, encode, encodeSync } from "@datadog/pprof";
import { makeDeep } from "/work/main/bench/cpu/workloads.mjs";
import { startCPUProfile, stopCPUProfile } from "anyprof";
const runDeep = makeDeep();
runDeep(300, 1);
for (let r = 0; r < 3; r++) {
time.start({ intervalMicros: 1000 });
runDeep(3000, 2 + r);
let t0 = performance.now();
const p = time.stop();
let t1 = performance.now();
const buf = encodeSync(p);
let t2 = performance.now();
console.log("dd stop", (t1 - t0).toFixed(1), "encodeSync", (t2 - t1).toFixed(1), "bytes", buf.length, "samples", p.sample.length, "locs", p.location.length);
await startCPUProfile(undefined, { hz: 1000 });
runDeep(3000, 2 + r);
t0 = performance.now();
const pr = stopCPUProfile();
t1 = performance.now();
const b = await pr;
t2 = performance.now();
console.log("anyprof stop sync", (t1 - t0).toFixed(1), "await", (t2 - t0).toFixed(1), "bytes", b.length);
}

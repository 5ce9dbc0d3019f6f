import { startCPUProfile, stopCPUProfile } from "anyprof";
function busy(ms){const e=Date.now()+ms;let x=0;while(Date.now()<e)x++;return x}
await startCPUProfile(undefined, { hz: 1000, chunkSeconds: 0.3 });
busy(1000);
const c0 = process.cpuUsage(); const t = performance.now();
const bytes = await stopCPUProfile();
console.log("stop ms", (performance.now()-t).toFixed(1), "bytes", bytes.length);

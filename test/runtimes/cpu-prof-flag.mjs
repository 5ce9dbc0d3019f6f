// cpu-prof-flag.mjs profiles itself with anyprof, at 1 kHz with short
// chunks, while test/cpu-prof-flag.test.ts may run it under
// `node --cpu-prof`: both profilers must work side by side. It prints one
// JSON line: anyprof's profile (gzip pprof, base64) and how long its stop
// held the thread, in wall and process CPU time.
import { startCPUProfile, stopCPUProfile } from "anyprof";

// A deep, wide call tree, as a real program's profile has: stop's cost
// grows with the tree's node count.
const leaves = [];
for (let i = 0; i < 64; i++) leaves.push(new Function("n", `let x = ${i}; for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff; return x;`));
function descend(depth, fan, n) {
  if (depth === 0) return leaves[fan % leaves.length](n);
  return depth % 2 === 0 ? evenFrame(depth - 1, fan, n) : oddFrame(depth - 1, fan, n);
}
function evenFrame(depth, fan, n) {
  return descend(depth, fan * 3 + (depth & 1), n);
}
function oddFrame(depth, fan, n) {
  return descend(depth, fan * 5 + 1, n);
}
function flagHotLoop(millis) {
  const end = performance.now() + millis;
  let x = 0;
  for (let k = 0; performance.now() < end; k++) x += descend(8 + (k % 16), k, 2000);
  return x;
}

await startCPUProfile(undefined, { hz: 1000, chunkSeconds: 0.4 });
flagHotLoop(Number(process.argv[2] ?? 1500));
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
const bytes = await stopCPUProfile();
const stopWallMillis = performance.now() - wallBefore;
const used = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({ stopWallMillis, stopCpuMillis: (used.user + used.system) / 1000, profile: Buffer.from(bytes).toString("base64") }));

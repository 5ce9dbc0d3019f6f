// cpu-offthread.mjs profiles with { offThread: true } (the chunks convert
// in a worker thread) under labels, synchronously and after awaits, with
// short chunks, and prints one JSON line for test/cpu-offthread.test.ts:
// the profile (gzip pprof, base64), the CPU each labelled phase really
// used, and how many worker threads the process had before and during;
// then a profile stopped synchronously, as an exit handler stops one.
import { labels, runWithLabels, startCPUProfile, stopCPUProfile } from "anyprof";

function offThreadSpin(ms) {
  const end = performance.now() + ms;
  let x = 1;
  while (performance.now() < end) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
function offThreadAsyncSpin(ms) {
  const end = performance.now() + ms;
  let x = 1;
  while (performance.now() < end) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
const cpuMillis = (before) => {
  const u = process.cpuUsage(before);
  return (u.user + u.system) / 1000;
};
const workers = () => process.report.getReport().workers.length;

const workersBefore = workers();
await startCPUProfile(undefined, { hz: 1000, chunkSeconds: 0.2, offThread: true });
const workersDuring = workers();
let syncCpu = 0;
let asyncCpu = 0;
for (let i = 0; i < 6; i++) {
  runWithLabels(labels("phase", "sync"), () => {
    const before = process.cpuUsage();
    offThreadSpin(60);
    syncCpu += cpuMillis(before);
  });
  await runWithLabels(labels("phase", "async"), async () => {
    await new Promise((r) => setTimeout(r, 5));
    const before = process.cpuUsage();
    offThreadAsyncSpin(60);
    asyncCpu += cpuMillis(before);
  });
}
const bytes = await stopCPUProfile();

// An exit handler's synchronous stop (record's): the main thread waits for
// the worker's bytes without running its event loop.
const { stopCPUProfileSync } = await import(new URL("../../dist/profiles/cpu.js", import.meta.url).href);
await startCPUProfile(undefined, { hz: 1000, chunkSeconds: 0.2, offThread: true });
offThreadSyncStopSpin(300);
const syncBytes = stopCPUProfileSync();
function offThreadSyncStopSpin(ms) {
  const end = performance.now() + ms;
  let x = 1;
  while (performance.now() < end) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
console.log(JSON.stringify({ workersBefore, workersDuring, syncCpu, asyncCpu, profile: Buffer.from(bytes).toString("base64"), syncStop: Buffer.from(syncBytes).toString("base64") }));

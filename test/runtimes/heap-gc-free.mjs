// heap-gc-free.mjs writes heap profiles of a ~80 MB heap (400 k small records) and reports how
// many full collections ran inside each write, and how long the write held
// the thread: test/heap-gc-free.test.ts expects none on Node 26, whose
// v8.startHeapProfile samples without forcing one, and one or more before.
import { constants, PerformanceObserver } from "node:perf_hooks";
import { startHeapProfiling, writeHeapProfile } from "anyprof";

const majors = [];
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors.push([e.startTime, e.startTime + e.duration]);
});
observer.observe({ entryTypes: ["gc"] });

await startHeapProfiling({ rateBytes: 64 * 1024 });
const kept = [];
function retainRecords(n) {
  for (let i = 0; i < n; i++) kept.push({ id: i, name: `record-${i}`, tags: [i, i + 1, i + 2] });
}
retainRecords(400_000);
// Let the collections the building itself caused finish and be reported.
await new Promise((r) => setTimeout(r, 200));

const writes = [];
for (let i = 0; i < 3; i++) {
  const before = performance.now();
  const bytes = await writeHeapProfile();
  const after = performance.now();
  writes.push({ before, after, bytes });
  await new Promise((r) => setTimeout(r, 50));
}
await new Promise((r) => setTimeout(r, 100));
observer.disconnect();
const out = writes.map((w) => ({
  holdMillis: w.after - w.before,
  bytes: w.bytes,
  majorGcs: majors.filter(([s, e]) => e >= w.before && s <= w.after).length,
}));
console.log(JSON.stringify({ node: process.versions.node, heapMB: process.memoryUsage().heapUsed / 1e6, kept: kept.length, writes: out, last: Buffer.from(writes.at(-1).bytes).toString("base64") }));

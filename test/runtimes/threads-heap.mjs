// threads-heap.mjs writes a heap profile with startHeapProfiling's threads
// option while two workers ("keeper-a", "keeper-b", started after sampling
// began) each keep objects allocated by their own function, and the main
// thread keeps its own. It prints one JSON line: the profile (base64) and
// the workers' names and threadIds, for test/threads.test.ts.
import { Worker } from "node:worker_threads";
import { startHeapProfiling, writeHeapProfile } from "anyprof";

await startHeapProfiling({ threads: true, rateBytes: 64 * 1024 });
const keepMain = [];
function mainKeeps() {
  for (let i = 0; i < 20000; i++) keepMain.push({ i, s: `m${i}` });
}
mainKeeps();
const source = (fn) => `const keep = [];
  function ${fn}() { for (let i = 0; i < 20000; i++) keep.push({ i, s: "w" + i }); }
  ${fn}();
  require("node:worker_threads").parentPort.postMessage("ready");
  setInterval(() => {}, 1000);`;
const ws = [new Worker(source("heapKeepA"), { eval: true, name: "keeper-a" }), new Worker(source("heapKeepB"), { eval: true, name: "keeper-b" })];
await Promise.all(ws.map((w) => new Promise((resolve) => w.once("message", resolve))));
const workers = ws.map((w, i) => ({ name: i === 0 ? "keeper-a" : "keeper-b", threadId: w.threadId }));
const bytes = await writeHeapProfile();
for (const w of ws) await w.terminate();
console.log(JSON.stringify({ profile: Buffer.from(bytes).toString("base64"), workers, kept: keepMain.length }));

// threads-pool.mjs is the safety check of anyprof's threads option: a pool
// of short-lived workers (4 at a time, 5-30 ms each, some ending with
// process.exit(), some terminated) runs under CPU profiles cut every 50 ms,
// stopped and restarted while workers are starting, attaching and ending.
// Every worker must run to its end with its own exit code, the process
// must not crash or hang, and every profile must be valid. It prints one
// JSON line: the workers' exit codes, the profiles (base64) and counts.
import { Worker } from "node:worker_threads";
import { startCPUProfile, stopCPUProfile } from "anyprof";

const total = Number(process.argv[2] ?? 48);
const results = [];
let started = 0;

function one(i) {
  const how = i % 6 === 5 ? "terminate" : i % 3 === 1 ? "exit" : "return";
  const ms = 5 + (i * 7) % 25;
  const w = new Worker(
    `const { parentPort } = require("node:worker_threads");
     function poolWork${i % 4}(ms) { let x = 0; const end = Date.now() + ms; while (Date.now() < end) x = (x * 31 + 7) | 0; return x; }
     const x = poolWork${i % 4}(${ms});
     parentPort.postMessage(x);
     ${how === "exit" ? "process.exit(7);" : how === "terminate" ? "setInterval(() => {}, 1000);" : ""}`,
    { eval: true, name: `pool-${i}` },
  );
  return new Promise((resolve, reject) => {
    w.on("error", reject);
    w.once("message", () => {
      if (how === "terminate") void w.terminate();
    });
    w.on("exit", (code) => resolve({ i, how, code }));
  });
}

async function pool() {
  const running = new Set();
  while (started < total) {
    const p = one(started++).then((r) => {
      results.push(r);
      running.delete(p);
    });
    running.add(p);
    if (running.size >= 4) await Promise.race(running);
  }
  await Promise.all(running);
}

const profiles = [];
let stopping = false;
// Profiles back to back, each 150 ms with 50 ms chunks, until the pool ends.
async function profiler() {
  while (!stopping) {
    await startCPUProfile(undefined, { hz: 500, threads: process.argv[3] !== "off", chunkSeconds: 0.05 });
    await new Promise((r) => setTimeout(r, 150));
    profiles.push(Buffer.from(await stopCPUProfile()).toString("base64"));
  }
}
// Timer churn on the main thread throughout: Node delivers the workers'
// inspector events in an interrupt, possibly inside its timer code, which
// a handler touching timers there corrupted (docs/threads.md, Safety).
let churning = true;
const tick = setInterval(() => {}, 1);
(function churn() {
  if (churning) setTimeout(churn, Math.floor(Math.random() * 3));
})();
const running = profiler();
await pool();
stopping = true;
await running;
churning = false;
clearInterval(tick);
console.log(JSON.stringify({ results, profiles }));

// threads-linger.mjs checks that a threads profile, once stopped, leaves
// nothing running in a worker that outlives it: a long-lived worker runs
// under back-to-back CPU profiles with threads (cut every 50 ms), and after
// each stop the process's V8 profiler threads ("v8:ProfEvntProc", one per
// running CPU profiler, in /proc/self/task) must all end. Node keeps a
// worker's end of an inspector session after the session disconnects
// (docs/threads.md): each profile then left a profiler in the worker, up
// to 16 after 20 profiles. It prints one JSON line: the threads still
// running after each stop (waited for up to 3 s: a busy machine may be
// slow to run the worker), and the worker's exit code.
import { readdirSync, readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { startCPUProfile, stopCPUProfile } from "anyprof";

const profilerThreads = () =>
  readdirSync("/proc/self/task").filter((t) => {
    try {
      return readFileSync(`/proc/self/task/${t}/comm`, "utf8").startsWith("v8:ProfEvntProc");
    } catch {
      return false; // the thread ended while we looked
    }
  }).length;

const w = new Worker(
  `const { parentPort } = require("node:worker_threads");
   function lingerWork() { let x = 0; for (let i = 0; i < 2e5; i++) x = (x * 31 + i) | 0; return x; }
   const t = setInterval(lingerWork, 5);
   parentPort.on("message", () => { clearInterval(t); parentPort.close(); });`,
  { eval: true, name: "linger" },
);
const exited = new Promise((r) => w.on("exit", r));

const left = [];
for (let i = 0; i < Number(process.argv[2] ?? 12); i++) {
  await startCPUProfile(undefined, { hz: 500, threads: true, chunkSeconds: 0.05 });
  await new Promise((r) => setTimeout(r, 150));
  await stopCPUProfile();
  const until = Date.now() + 3000;
  let n = profilerThreads();
  while (n > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    n = profilerThreads();
  }
  left.push(n);
}
w.postMessage("end");
const code = await exited;
console.log(JSON.stringify({ left, code }));

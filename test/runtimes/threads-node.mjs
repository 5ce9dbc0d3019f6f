// threads-node.mjs profiles itself with anyprof's threads option while a
// pool of worker_threads runs: two long-lived workers, short-lived ones
// started and ended during the profile (some ending with process.exit()),
// and one ended by worker.terminate(). Each worker burns its own distinctly
// named function, 5 ms per task, as a message-driven worker does (a loop already running in optimized code when the profile
// begins may be charged to its caller: V8 logs code as it starts);
// the main thread burns mainHot. It prints one JSON line:
// the profile (gzip pprof, base64) and each worker's name, threadId and
// hot function, for test/threads.test.ts.
import { Worker } from "node:worker_threads";
import { startCPUProfile, stopCPUProfile } from "anyprof";

const burnMillis = Number(process.argv[2] ?? 250);
const workers = [];
const online = [];

// spawn starts a worker named name whose hot function is fn; how says how
// it ends: "return" (its script ends), "exit" (process.exit), "loop" (runs
// until terminated).
// body100 makes each hot function too large for V8 to inline into its
// caller (Node's processImmediate): inlined code compiled before the
// profile began loses its own frame (V8 logs existing code without its
// inlining when the profiler starts), which is not what this test is about.
const body100 = Array.from({ length: 100 }, (_, k) => `x = (x * 31 + i + ${k}) | 0;`).join(" ");

function spawn(name, fn, how, millis = burnMillis) {
  const body =
    how === "loop"
      ? `function ${fn}() { let x = 0; for (;;) x = (x * 31 + 7) | 0; } ${fn}();`
      : `let end = Date.now() + ${millis};
         // "stop" (the long-lived ones) ends the work at the next task.
         require("node:worker_threads").parentPort.once("message", () => (end = 0));
         function ${fn}() {
           let x = 0;
           const until = Date.now() + 5;
           while (Date.now() < until) for (let i = 0; i < 1e3; i++) { ${body100} }
           if (Date.now() < end) setImmediate(${fn});
           else if (${how === "exit"}) process.exit(0);
           else require("node:worker_threads").parentPort.close();
           return x;
         }
         ${fn}();`;
  const w = new Worker(body, { eval: true, name });
  const entry = { name, fn, threadId: w.threadId, how, exitCode: undefined };
  workers.push(entry);
  online.push(new Promise((resolve) => w.once("online", resolve)));
  const ended = new Promise((resolve) => w.on("exit", (code) => resolve((entry.exitCode = code))));
  return Object.assign(ended.then(() => w), { stop: () => w.postMessage("stop") });
}

function mainHot(ms) {
  let x = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) for (let i = 0; i < 1e4; i++) x = (x * 17 + i) | 0;
  return x;
}

// Two long-lived workers run before the profile starts and until told to
// stop near its end (a busy machine may take long to attach them).
const long = [spawn("long-0", "burnLong0", "return", 60_000), spawn("long-1", "burnLong1", "exit", 60_000)];
await Promise.all(online);
await startCPUProfile(undefined, { hz: 1000, threads: true, chunkSeconds: 0.3 });
mainHot(100);
// Short-lived workers, two at a time, started and ended during the profile.
for (let i = 0; i < 3; i++) {
  await Promise.all([spawn(`short-${2 * i}`, `burnShort${2 * i}`, "return"), spawn(`short-${2 * i + 1}`, `burnShort${2 * i + 1}`, i === 1 ? "exit" : "return")]);
  mainHot(30);
}
// One terminated mid-run: its last chunk is lost, the process must not be.
const looping = new Worker(`function burnLoop() { let x = 0; for (;;) x = (x * 31 + 7) | 0; } burnLoop();`, { eval: true, name: "looping" });
workers.push({ name: "looping", fn: "burnLoop", threadId: looping.threadId, how: "terminate" });
await new Promise((r) => setTimeout(r, 400));
await looping.terminate();
for (const l of long) l.stop();
await Promise.all(long);
mainHot(100);
const bytes = await stopCPUProfile();
console.log(JSON.stringify({ profile: Buffer.from(bytes).toString("base64"), workers }));

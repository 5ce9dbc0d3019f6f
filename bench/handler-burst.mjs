// handler-burst.mjs measures what a burst of /debug/pprof/ requests costs
// the application sharing the event loop: how late the application's own
// requests are answered (their latency, and the event loop's longest
// delay) during 200 parallel heap requests, compared with one heap request,
// in the same process and run. With coalescing the burst costs about one
// collection; before it, 200 (issue 10: 1.7 s idle). Run:
// `node scripts/build.mjs && node bench/handler-burst.mjs [rounds]`.
import { createServer, get } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { pprofListener, startHeapProfiling } from "anyprof";
import { loadAverage, machine } from "./harness.mjs";

const rounds = Number(process.argv[2] ?? 5);
await startHeapProfiling();
// Some live objects, so that a heap profile has something to walk.
const keep = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `object ${i}` }));
const pprof = pprofListener();
const server = createServer((req, res) => pprof(req, res, () => res.end("app")));
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;

/** burst fires n heap requests at once and, meanwhile, one application
 * request every 10 ms; it returns the worst application latency and the
 * event loop's longest delay, in ms. */
async function burst(n) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const appLatencies = [];
  let done = false;
  const app = (async () => {
    while (!done) {
      const t = performance.now();
      // A fresh connection each time: a reused one may race the server's
      // keep-alive timeout.
      await new Promise((r, f) => get(`${base}/app`, { agent: false }, (res) => res.resume().on("end", r)).on("error", f));
      appLatencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  // The scraper's side runs in a worker, as it would in another process:
  // its 200 fetches must not load the event loop being measured.
  const client = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     Promise.all(Array.from({ length: workerData.n }, () => fetch(workerData.url).then(async (r) => (await r.arrayBuffer(), r.status))))
       .then((s) => parentPort.postMessage(s));`,
    { eval: true, workerData: { n, url: `${base}/debug/pprof/heap` } },
  );
  const statuses = await new Promise((r) => client.once("message", r));
  await client.terminate();
  done = true;
  await app;
  h.disable();
  return { worstAppMillis: Math.max(...appLatencies), maxLoopDelayMillis: h.max / 1e6, ok: statuses.filter((s) => s === 200).length };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const one = [];
const many = [];
for (let i = 0; i < rounds; i++) {
  one.push(await burst(1));
  many.push(await burst(200));
}
const m = machine();
console.log(`Machine: ${m.cpuModel}, ${m.cores} cores; Node ${m.node}; ${m.date}; load average ${loadAverage()}; ${rounds} rounds, medians.`);
console.log(`| burst | answered 200 | worst app latency (ms) | max event-loop delay (ms) |`);
console.log(`|---|---|---|---|`);
for (const [name, rs] of [["1 heap request", one], ["200 parallel heap requests", many]]) {
  console.log(`| ${name} | ${median(rs.map((r) => r.ok))} | ${median(rs.map((r) => r.worstAppMillis)).toFixed(1)} | ${median(rs.map((r) => r.maxLoopDelayMillis)).toFixed(1)} |`);
}
console.log(`ratio 200/1 of the max event-loop delay: ${(median(many.map((r) => r.maxLoopDelayMillis)) / median(one.map((r) => r.maxLoopDelayMillis))).toFixed(2)}`);
server.close();
keep.length = 0;

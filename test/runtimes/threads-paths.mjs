// threads-paths.mjs takes the threads option through the HTTP handler
// (argv[2] "http": /debug/pprof/profile?seconds=2&threads=1 and
// /debug/pprof/heap from its own servePprof({ threads: true }))
// or continuous profiling ("continuous": threads: true, windows of
// 0.5 s to an exporter kept here), while threads-work.mjs's workers run.
// It prints one JSON line: the workers and the profiles (base64).
import { servePprof, startContinuousProfiling, startCPUProfile, stopContinuousProfiling, stopCPUProfile } from "anyprof";
import { work } from "./threads-work.mjs";

const mode = process.argv[2];
const profiles = [];
let workers;
if (mode === "http") {
  // threads: true makes it the default (heap sampling included); the
  // profile asks with ?threads=1 as well, as a scrape config would.
  const server = await servePprof({ port: 0, threads: true });
  // The probe below holds the profiler for the few turns its stop takes: a
  // request that lands then gets Go's 500 "already in use", and asks again,
  // as a scraper's next scrape would.
  const scrape = async () => {
    for (;;) {
      const r = await fetch(`http://127.0.0.1:${server.port}/debug/pprof/profile?seconds=2&threads=1`);
      if (r.status === 200) return new Uint8Array(await r.arrayBuffer());
      const text = await r.text();
      if (!(r.status === 500 && text.includes("already in use"))) throw new Error(`status ${r.status}: ${text}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  const got = scrape();
  // The workers start once the handler's profile runs (a second start
  // says "cpu profiling already in use"): a worker already running when
  // the profile begins is profiled too, but V8 may charge its functions
  // compiled before to their caller (docs/threads.md).
  for (;;) {
    try {
      await startCPUProfile();
      await stopCPUProfile();
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // The main thread keeps objects, so that its heap has samples of its own.
  const kept = Array.from({ length: 100_000 }, (_, i) => ({ i, s: `kept ${i}` }));
  const running = work(1200);
  await new Promise((r) => setTimeout(r, 600));
  const heap = await fetch(`http://127.0.0.1:${server.port}/debug/pprof/heap`).then((r) => r.arrayBuffer());
  workers = await running;
  if (kept.length !== 100_000) throw new Error("kept");
  profiles.push(Buffer.from(await got).toString("base64"), Buffer.from(heap).toString("base64"));
  await server.close();
} else {
  const exporter = { name: "memory", export: (period) => period.profiles.forEach((p) => p.name === "cpu" && profiles.push(Buffer.from(p.bytes).toString("base64"))) };
  await startContinuousProfiling({ exporters: [exporter], periodSeconds: 0.5, hz: 500, threads: true, exitFlushMillis: 0 });
  workers = await work(1500);
  await stopContinuousProfiling(1000);
}
console.log(JSON.stringify({ workers, profiles }));

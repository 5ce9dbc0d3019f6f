// cycle.mjs measures what continuous CPU profiling costs a server's event
// loop: a real node:http server on 127.0.0.1 answering keep-alive requests
// (JSON bodies, a little CPU per request, a timer hop), profiled at 100 Hz
// in back-to-back 10 s profiles, as a continuous profiler takes them. Each
// mode runs in a fresh process: off; anyprof as shipped (stop, then start
// the next); anyprof { offThread: true }; @datadog/pprof (time.stop(true),
// which starts the next profile first, then await encode()). Reported per
// mode: the longest event-loop block in each cycle (monitorEventLoopDelay's
// max, reset every cycle; the cycle's profile cut falls in it), the p99
// event-loop delay over the whole run, and requests served. Ratios are
// against datadog in the same run.
//
// Usage: node bench/cpu/cycle.mjs [--seconds S] [--cycle S]   (default 40, 10)
import { spawnSync } from "node:child_process";
import http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { PerformanceObserver } from "node:perf_hooks";
import { describeMachine, fixed, isMain, median, table, threadWaitMillis } from "./lib.mjs";

const modes = ["off", "anyprof", "anyprof offThread", "@datadog/pprof"];

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

// renderOrder is the per-request work: build, serialize and checksum a
// JSON document, as a typical API handler does.
function renderOrder(id) {
  const items = [];
  for (let i = 0; i < 40; i++) items.push({ sku: `sku-${id}-${i}`, qty: (id + i) % 7, price: ((id * 31 + i * 17) % 1000) / 10 });
  const doc = { id, customer: `customer-${id % 977}`, items, total: items.reduce((n, x) => n + x.qty * x.price, 0) };
  const body = JSON.stringify(doc);
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum = (sum * 33 + body.charCodeAt(i)) | 0;
  return JSON.stringify({ ...JSON.parse(body), checksum: sum });
}

async function child(mode, seconds, cycleSeconds) {
  const server = http.createServer((req, res) => {
    const id = Number(req.url.slice(1)) || 0;
    setTimeout(() => {
      const body = renderOrder(id);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    }, 0);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  let served = 0;
  let running = true;
  const client = async () => {
    for (let n = 0; running; n++) {
      await new Promise((resolve, reject) => {
        http
          .get({ host: "127.0.0.1", port, path: `/${n}`, agent }, (res) => {
            res.resume();
            res.on("end", () => {
              served++;
              resolve();
            });
          })
          .on("error", reject);
      });
    }
  };
  const clients = Array.from({ length: 8 }, client);

  // Warm up the server's code before anything is measured.
  await new Promise((r) => setTimeout(r, 2000));
  const whole = monitorEventLoopDelay({ resolution: 1 });
  const cycle = monitorEventLoopDelay({ resolution: 1 });
  const cycleMaxMillis = [];
  const cutMillis = [];
  // cutSyncMillis is the longest synchronous call of each cut (stop, or
  // start, or encode's synchronous part): the block it adds by itself.
  const cutSyncMillis = [];
  let profiler;
  if (mode === "anyprof" || mode === "anyprof offThread") {
    const { startCPUProfile, stopCPUProfile } = await import("anyprof");
    const options = { hz: 100, offThread: mode === "anyprof offThread" };
    await startCPUProfile(undefined, options);
    profiler = async () => {
      const t0 = performance.now();
      const stopping = stopCPUProfile();
      const t1 = performance.now();
      await stopping;
      const t2 = performance.now();
      const starting = startCPUProfile(undefined, options);
      const t3 = performance.now();
      await starting;
      cutMillis.push(performance.now() - t0);
      cutSyncMillis.push(Math.max(t1 - t0, t3 - t2));
    };
  } else if (mode === "@datadog/pprof") {
    const { time, encode } = await import("@datadog/pprof");
    time.start({ intervalMicros: 10_000 });
    profiler = async () => {
      const t0 = performance.now();
      const p = time.stop(true);
      const t1 = performance.now();
      const encoding = encode(p);
      const t2 = performance.now();
      await encoding;
      cutMillis.push(performance.now() - t0);
      cutSyncMillis.push(Math.max(t1 - t0, t2 - t1));
    };
  }
  // heldProbe: a 1 ms timer chain; each gap less the thread's run-queue
  // wait inside it (schedstat) is the time the thread was kept busy, so a
  // neighbour taking the core does not count. Per cycle, the longest held
  // gap; with --trace, every gap held ≥ traceMillis, with its time.
  const trace = process.argv.includes("--trace");
  const traceMillis = 4;
  const events = [];
  // blocks are the held gaps of 1 ms or more; cuts the [begin, end] of each
  // cut: a cycle's cut window runs from 300 ms before the cut (the chunk
  // drain timer of a 10 s profile fires just before a 10 s cut) to 50 ms
  // after it.
  const blocks = [];
  const cuts = [];
  let cycleHeldMax = 0;
  const cycleHeldMillis = [];
  let probing = true;
  let lastAt = performance.now();
  let lastWait = threadWaitMillis();
  const tick = () => {
    const now = performance.now();
    const wait = threadWaitMillis();
    const held = now - lastAt - (wait - lastWait);
    if (held > cycleHeldMax) cycleHeldMax = held;
    if (held >= 1) blocks.push({ at: lastAt - started, heldMillis: held });
    if (trace && held >= traceMillis) events.push({ at: lastAt - started, what: "block", heldMillis: held, wallMillis: now - lastAt });
    lastAt = now;
    lastWait = wait;
    if (probing) setTimeout(tick, 1);
  };
  if (trace) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.duration >= 1) events.push({ at: e.startTime - started, what: `gc kind ${e.detail?.kind ?? e.kind}`, wallMillis: e.duration });
    }).observe({ entryTypes: ["gc"] });
  }
  whole.enable();
  cycle.enable();
  const started = performance.now();
  setTimeout(tick, 1);
  const servedAtStart = served;
  while (performance.now() - started < seconds * 1000) {
    await new Promise((r) => setTimeout(r, cycleSeconds * 1000));
    const cutBegins = performance.now() - started;
    if (trace) events.push({ at: cutBegins, what: "cut begins" });
    await profiler?.();
    const cutEnds = performance.now() - started;
    if (trace) events.push({ at: cutEnds, what: "cut ends" });
    cuts.push([cutBegins, cutEnds]);
    // The cut's block shows in this cycle's histogram once the loop turns.
    await new Promise((r) => setTimeout(r, 20));
    cycleMaxMillis.push(cycle.max / 1e6);
    cycle.reset();
    cycleHeldMillis.push(cycleHeldMax);
    cycleHeldMax = 0;
  }
  whole.disable();
  probing = false;
  // The longest held block inside each cycle's cut window.
  const cutWindowHeldMillis = cuts.map(([b, e]) => Math.max(0, ...blocks.filter((x) => x.at >= b - 300 && x.at <= e + 50).map((x) => x.heldMillis)));
  running = false;
  await Promise.allSettled(clients);
  const out = {
    mode,
    node: process.version,
    cycleMaxMillis,
    cycleHeldMillis,
    cutWindowHeldMillis,
    events,
    p99Millis: whole.percentile(99) / 1e6,
    maxMillis: whole.max / 1e6,
    requestsPerSecond: (served - servedAtStart) / ((performance.now() - started) / 1000),
    cutMillis,
    cutSyncMillis,
  };
  agent.destroy();
  server.close();
  return out;
}

if (isMain(import.meta.url)) {
  const seconds = Number(arg("--seconds", "40"));
  const cycleSeconds = Number(arg("--cycle", "10"));
  const mode = arg("--mode", undefined);
  if (mode !== undefined) {
    console.log(JSON.stringify(await child(mode, seconds, cycleSeconds)));
    process.exit(0);
  }
  if (process.env.ANYPROF_BENCH_NO_HEADER !== "1") {
    console.log(describeMachine());
    console.log(`Command: node ${process.argv.slice(1).join(" ")}\n`);
  }
  const results = {};
  const only = arg("--modes", undefined)?.split(",");
  const run = only === undefined ? modes : modes.filter((m) => only.includes(m));
  for (const m of run) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--mode", m, "--seconds", String(seconds), "--cycle", String(cycleSeconds)], { encoding: "utf8" });
    if (r.status !== 0) {
      console.error(`${m} failed:\n${r.stderr}`);
      process.exit(1);
    }
    results[m] = JSON.parse(r.stdout.trim().split("\n").at(-1));
  }
  const dd = results["@datadog/pprof"];
  const ddBlock = median(dd.cycleMaxMillis);
  const ddHeld = median(dd.cycleHeldMillis);
  const ddWindow = median(dd.cutWindowHeldMillis);
  const rows = run.map((m) => {
    const r = results[m];
    const block = median(r.cycleMaxMillis);
    const held = median(r.cycleHeldMillis);
    const win = r.cutWindowHeldMillis.length > 0 ? median(r.cutWindowHeldMillis) : undefined;
    return [
      m,
      `${fixed(block)} (${r.cycleMaxMillis.map((x) => fixed(x, 0)).join(", ")})`,
      m === "off" ? "" : `**${fixed(block / ddBlock, 2)}**`,
      `${fixed(held)} (${r.cycleHeldMillis.map((x) => fixed(x, 0)).join(", ")})`,
      m === "off" ? "" : `**${fixed(held / ddHeld, 2)}**`,
      win === undefined ? "" : `${fixed(win)}${m === "@datadog/pprof" ? "" : ` (**${fixed(win / ddWindow, 2)}**)`}`,
      fixed(r.p99Millis),
      m === "off" ? "" : fixed(r.p99Millis / dd.p99Millis, 2),
      fixed(r.maxMillis),
      fixed(r.requestsPerSecond, 0),
      r.cutMillis.length > 0 ? fixed(median(r.cutMillis)) : "",
      r.cutSyncMillis.length > 0 ? `${fixed(median(r.cutSyncMillis))}${m === "off" || m === "@datadog/pprof" ? "" : ` (**${fixed(median(r.cutSyncMillis) / median(dd.cutSyncMillis), 2)}**)`}` : "",
    ];
  });
  console.log(`### Continuous profiling: event-loop blocks per ${cycleSeconds} s cycle at 100 Hz\n`);
  console.log(
    `A node:http server on 127.0.0.1 serving 8 keep-alive clients in the same process (JSON render per request, a timer hop), ${seconds} s per mode after a 2 s warm-up, each mode in a fresh process, ${Math.floor(seconds / cycleSeconds)} cycles: every ${cycleSeconds} s the profile is cut (anyprof: stop + start; datadog: \`time.stop(true)\` + \`await encode()\`). Event-loop delay from \`monitorEventLoopDelay({ resolution: 1 })\`; the per-cycle max includes the cut. Ratios: ÷ @datadog/pprof in this run. *Held* blocks come from a 1 ms timer chain, each gap less the thread's run-queue wait in it (Linux schedstat): a neighbour taking the core does not count, a GC does. The cut window runs from 300 ms before each cut (a 10 s profile's chunk drain fires just before a 10 s cut) to 50 ms after it. On a loaded machine the per-cycle max is dominated by descheduling and GC (compare the *off* row); the cut's own longest synchronous call is the profiler's block by itself.\n`,
  );
  console.log(table(["mode", "longest block per cycle, median (each) ms", "÷ datadog", "longest held block per cycle, median (each) ms", "÷ datadog", "longest held block in the cut window, median ms (÷ datadog)", "p99 delay ms", "÷ datadog", "max delay ms", "requests/s", "cut, wall ms (median)", "cut's longest synchronous call, ms (÷ datadog)"], rows));
}

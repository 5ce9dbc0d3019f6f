// pause.mjs measures the pause a CPU profile's stop inflicts on the
// application's thread: stop + convert + encode + gzip of a 3 s, 1 kHz
// profile of a deep generated recursion whose V8 call tree has tens of
// thousands of nodes, for anyprof (in-process inspector session, as
// shipped), a prototype that runs anyprof's session from a worker thread
// (worker-sampler.mjs, with and without 1 s chunks), and @datadog/pprof's
// native time profiler (stop, then encodeSync or the async encode). Each
// round profiles the same workload once per candidate, in rotating order;
// ratios are per round, then the median. A raw node:inspector profile in
// every round gives the V8 node count, the floor an in-process session
// cannot go below (Profiler.stop alone) and a breakdown of anyprof's stop.
//
// Pauses are measured twice: wall-clock, and "held" (wall less the main
// thread's run-queue wait, from Linux schedstat), which is the time the
// thread was kept busy; on a machine shared with other work the two differ
// by the time the thread was merely descheduled.
//
// Usage: node bench/cpu/pause.mjs [--rounds N] [--seconds S]
import v8 from "node:v8";
import { gunzipSync, gzipSync } from "node:zlib";
import { Profile } from "pprof-format";
import { time, encode, encodeSync } from "@datadog/pprof";
import { startCPUProfile, stopCPUProfile } from "anyprof";
import { CpuProfileConverter } from "../../dist/pprof/cpuprofile.js";
import { newCore } from "../../dist/pprof/core.js";
import { inlineWasmModule } from "../../dist/wasm/inline.js";
import { gzip } from "../../dist/host/gzip.js";
import { gzip as pakoGzip } from "pako";
import { WorkerSampler } from "./worker-sampler.mjs";
import { deepShape, makeDeep } from "./workloads.mjs";
import { describeMachine, fixed, gc, isMain, loopProbe, median, stopwatch, syncSession, table, threadWaitMillis } from "./lib.mjs";

const intervalMicros = 1000;

// decodeStats counts the samples and locations of gzip pprof bytes.
function decodeStats(gz) {
  const p = Profile.decode(gunzipSync(gz));
  let samples = 0;
  for (const s of p.sample) samples += Number(s.value[0] ?? 0);
  return { samples, locations: p.location.length, bytes: gz.length };
}

// worst combines pauses: the longest wall gap and the longest held gap.
function worst(...pauses) {
  return {
    wallMillis: Math.max(...pauses.map((p) => p.wallMillis)),
    heldMillis: Math.max(...pauses.map((p) => p.heldMillis)),
  };
}

// workPause is what runDeep saw of outside holds while it ran.
const workPause = (r) => ({ wallMillis: r.maxGapMillis, heldMillis: r.maxHeldMillis });

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** runPause runs the benchmark and returns its markdown section. */
export async function runPause({ rounds = 5, seconds = 3 } = {}) {
  const runDeep = makeDeep(deepShape);
  const work = (ms, seed) => workPause(runDeep(ms, seed, threadWaitMillis));
  work(500, 1); // JIT the workload before any profile
  const worker = await WorkerSampler.create();
  const millis = seconds * 1000;
  let seed = 2;

  // Each candidate profiles the workload for ms, then stops. pause is the
  // longest the main thread was held: inside the workload while profiling
  // (a worker's drains are served there), or from the call to stop until
  // the gzip bytes are in hand.
  const candidates = [
    {
      name: "anyprof",
      async run(ms) {
        await startCPUProfile(undefined, { intervalMicros });
        const during = work(ms, seed++);
        gc(); // the workload leaves little garbage; start every stop from the same heap
        const probe = loopProbe();
        const sync = stopwatch();
        const pending = stopCPUProfile();
        const syncPause = sync();
        const bytes = await pending;
        const resolvedMillis = sync().wallMillis;
        const stopPause = probe();
        return { pause: worst(during, stopPause, syncPause), during, stopPause, syncPause, resolvedMillis, stats: decodeStats(bytes) };
      },
    },
    {
      // As shipped, with a drain every second: each drain's hold is one
      // second of tree; the final stop's is the last second's.
      name: "anyprof, 1 s chunks",
      async run(ms) {
        await startCPUProfile(undefined, { intervalMicros, chunkSeconds: 1 });
        const during = work(ms, seed++);
        gc();
        const probe = loopProbe();
        const sync = stopwatch();
        const pending = stopCPUProfile();
        const syncPause = sync();
        const bytes = await pending;
        const stopPause = probe();
        return { pause: worst(during, stopPause, syncPause), during, stopPause, syncPause, stats: decodeStats(bytes) };
      },
    },
    offThreadCandidate("anyprof offThread", Infinity),
    offThreadCandidate("anyprof offThread, 1 s chunks", 1),
    workerCandidate("worker", 0),
    workerCandidate("worker, 1 s chunks", 1000),
    {
      // Node >= 24.12: V8's profiler without the inspector; stop returns the
      // .cpuprofile JSON text, which a worker parses, converts and gzips.
      name: "v8.startCpuProfile",
      skip: typeof v8.startCpuProfile !== "function",
      async run(ms) {
        const startNanos = BigInt(Date.now()) * 1_000_000n;
        const handle = v8.startCpuProfile({ sampleInterval: intervalMicros / 1000 });
        const during = work(ms, seed++);
        gc();
        const probe = loopProbe();
        const t0 = performance.now();
        const stopTimer = stopwatch();
        const json = handle.stop();
        const stopPause = stopTimer();
        const converted = worker.convertJson(json, intervalMicros, startNanos, BigInt(Date.now()) * 1_000_000n - startNanos);
        const handPause = stopTimer();
        const { bytes, parseMillis, convertMillis } = await converted;
        const resolvedMillis = performance.now() - t0;
        const loopPause = probe();
        return { pause: worst(during, loopPause, handPause), jsonMiB: json.length / 2 ** 20, stopPause, handPause, resolvedMillis, parseMillis, convertMillis, stats: decodeStats(bytes) };
      },
    },
    {
      name: "@datadog/pprof",
      async run(ms, round) {
        time.start({ intervalMicros });
        const during = work(ms, seed++);
        gc();
        const stopTimer = stopwatch();
        const profile = time.stop();
        const stopPause = stopTimer();
        // Both encodes of the same Profile; which goes first alternates.
        const sync = () => {
          const timer = stopwatch();
          const bytes = encodeSync(profile);
          return { pause: timer(), bytes };
        };
        const async = async () => {
          const probe = loopProbe();
          const t0 = performance.now();
          const bytes = await encode(profile);
          return { resolvedMillis: performance.now() - t0, pause: probe(), bytes };
        };
        let s, a;
        if (round % 2 === 0) (s = sync()), (a = await async());
        else (a = await async()), (s = sync());
        // stop + encodeSync is one synchronous block.
        const syncBlock = { wallMillis: stopPause.wallMillis + s.pause.wallMillis, heldMillis: stopPause.heldMillis + s.pause.heldMillis };
        return {
          pause: worst(during, syncBlock),
          asyncPause: worst(during, stopPause, a.pause),
          stopPause,
          encodeSyncPause: s.pause,
          encodeAsyncPause: a.pause,
          encodeAsyncMillis: a.resolvedMillis,
          stats: decodeStats(s.bytes),
        };
      },
    },
    {
      // The floor of any in-process inspector design: Profiler.stop alone;
      // then anyprof's remaining steps timed one by one on its answer.
      name: "raw",
      async run(ms) {
        return rawBreakdown(work, ms, seed++);
      },
    },
  ];

  // offThreadCandidate is anyprof as shipped with { offThread: true }: the
  // chunks end on the main thread, the worker converts them.
  function offThreadCandidate(name, chunkSeconds) {
    return {
      name,
      async run(ms) {
        await startCPUProfile(undefined, { intervalMicros, offThread: true, chunkSeconds });
        const during = work(ms, seed++);
        gc();
        const probe = loopProbe();
        const sync = stopwatch();
        const pending = stopCPUProfile();
        const syncPause = sync();
        const bytes = await pending;
        const resolvedMillis = sync().wallMillis;
        const stopPause = probe();
        return { pause: worst(during, stopPause, syncPause), during, syncPause, resolvedMillis, stats: decodeStats(bytes) };
      },
    };
  }

  function workerCandidate(name, chunkMillis) {
    return {
      name,
      async run(ms) {
        await worker.start(intervalMicros, chunkMillis);
        const during = work(ms, seed++);
        gc();
        const probe = loopProbe();
        const t0 = performance.now();
        const { bytes, chunks, stopMillis, convertMillis } = await worker.stop();
        const resolvedMillis = performance.now() - t0;
        const stopPause = probe();
        return { pause: worst(during, stopPause), during, stopPause, resolvedMillis, workerStopMillis: stopMillis, workerConvertMillis: convertMillis, chunks, stats: decodeStats(bytes) };
      },
    };
  }

  // Warm-up: one short profile per candidate (JIT of converters, encoders).
  const live = candidates.filter((c) => !c.skip);
  for (const c of live) await c.run(Math.min(millis, 1000), 0);

  const results = candidates.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < live.length; j++) {
      const c = live[(round + j) % live.length];
      gc();
      results[candidates.indexOf(c)].push(await c.run(millis, round));
    }
  }
  await worker.terminate();
  return { markdown: report(results, { rounds, seconds }), results };
}

function report([any, anyChunked, off, offChunked, wrk, wrkChunked, v8prof, dd, raw], { rounds, seconds }) {
  const med = (rs, f) => median(rs.map(f));
  const held = (r) => r.pause.heldMillis;
  // ratio is the median over rounds of a's pause / b's pause in that round.
  const ratio = (as, bs, f = (r) => r.pause.heldMillis, g = f) => median(as.map((r, i) => f(r) / g(bs[i])));
  const vsSync = (rs) => ratio(rs, dd);
  const vsAsync = (rs) => ratio(rs, dd, held, (r) => r.asyncPause.heldMillis);
  const vsSyncWall = (rs) => ratio(rs, dd, (r) => r.pause.wallMillis);
  const statsCell = (rs) =>
    `${fixed(med(rs, (r) => r.stats.samples), 0)} / ${fixed(med(rs, (r) => r.stats.locations), 0)} / ${fixed(med(rs, (r) => r.stats.bytes) / 1024, 0)} KiB`;
  const row = (label, rs, detail, stats = statsCell(rs)) => [
    label,
    fixed(med(rs, held)),
    fixed(med(rs, (r) => r.pause.wallMillis)),
    `**${fixed(vsSync(rs), 2)}**`,
    fixed(vsAsync(rs), 2),
    fixed(vsSyncWall(rs), 2),
    detail,
    stats,
  ];
  const nodes = med(raw, (r) => r.nodes);
  const md = [];
  md.push(`### CPU profile stop pause\n`);
  md.push(
    `A ${seconds} s profile at 1 kHz of a generated recursion (600 functions, depth 36, fan-out 3) whose V8 call tree had ` +
      `**${fixed(nodes, 0)} nodes** (median; ${fixed(Math.min(...raw.map((r) => r.nodes)), 0)}–${fixed(Math.max(...raw.map((r) => r.nodes)), 0)}) ` +
      `for ${fixed(med(raw, (r) => r.samples), 0)} samples, counted in a raw node:inspector profile taken in every round. ` +
      `${rounds} rounds, candidates in rotating order; medians, and ratios taken within each round. The *pause* is the longest time the main ` +
      `thread was held: from the call to stop until the gzip pprof bytes are in hand (a setImmediate probe), or inside the workload while ` +
      `profiling (its own clock checks). *Held* excludes the time the thread waited for a CPU (Linux schedstat), so neighbours' load does ` +
      `not count; *wall* includes it. Ratios are anyprof's pause / datadog's pause (held unless marked wall).\n`,
  );
  md.push(
    table(
      ["candidate", "pause, held (ms)", "pause, wall (ms)", "÷ datadog stop + encodeSync", "÷ datadog stop + async encode", "÷ datadog, wall", "detail (medians, ms)", "samples / locations / gzip size"],
      [
        row(
          "anyprof `await stopCPUProfile()`",
          any,
          `synchronous part ${fixed(med(any, (r) => r.syncPause.heldMillis))} held / ${fixed(med(any, (r) => r.syncPause.wallMillis))} wall; longest hold after the stop call ${fixed(med(any, (r) => r.stopPause.heldMillis))}, inside the workload ${fixed(med(any, (r) => r.during.heldMillis))}; resolved after ${fixed(med(any, (r) => r.resolvedMillis))}`,
        ),
        row(
          "anyprof `{ chunkSeconds: 1 }`",
          anyChunked,
          `longest hold inside the workload (drains, GC) ${fixed(med(anyChunked, (r) => r.during.heldMillis))}, after the stop call ${fixed(med(anyChunked, (r) => r.stopPause.heldMillis))}`,
        ),
        row(
          "anyprof `{ offThread: true }` (worker converts)",
          off,
          `synchronous part ${fixed(med(off, (r) => r.syncPause.heldMillis))} held; bytes after ${fixed(med(off, (r) => r.resolvedMillis))}`,
        ),
        row(
          "anyprof `{ offThread: true, chunkSeconds: 1 }`",
          offChunked,
          `longest hold by a chunk cut during the workload ${fixed(med(offChunked, (r) => r.during.heldMillis))}, at the final stop ${fixed(med(offChunked, (r) => r.syncPause.heldMillis))}`,
        ),
        row(
          "anyprof, session in a worker (prototype)",
          wrk,
          `bytes after ${fixed(med(wrk, (r) => r.resolvedMillis))}; in the worker: Profiler.stop round trip ${fixed(med(wrk, (r) => r.workerStopMillis))}, convert + encode + gzip ${fixed(med(wrk, (r) => r.workerConvertMillis))}`,
        ),
        row(
          "anyprof, session in a worker, 1 s chunks (prototype)",
          wrkChunked,
          `longest hold by a drain during the workload ${fixed(med(wrkChunked, (r) => r.during.heldMillis))}, at the final stop ${fixed(med(wrkChunked, (r) => r.stopPause.heldMillis))}; ${fixed(med(wrkChunked, (r) => r.chunks), 0)} chunks`,
        ),
        v8prof.length === 0
          ? ["`v8.startCpuProfile()`, parse + convert + gzip in a worker (prototype)", "", "", "", "", "", `needs Node ≥ 24.12 (this is ${process.version})`, ""]
          : row(
              "`v8.startCpuProfile()`, parse + convert + gzip in a worker (prototype)",
              v8prof,
              `main thread: \`handle.stop()\` ${fixed(med(v8prof, (r) => r.stopPause.heldMillis))}, + posting its ${fixed(med(v8prof, (r) => r.jsonMiB), 1)} MiB of JSON ${fixed(med(v8prof, (r) => r.handPause.heldMillis - r.stopPause.heldMillis))}; in the worker: JSON.parse ${fixed(med(v8prof, (r) => r.parseMillis))}, convert + encode + gzip ${fixed(med(v8prof, (r) => r.convertMillis))}; bytes after ${fixed(med(v8prof, (r) => r.resolvedMillis))}`,
            ),
        [
          "@datadog/pprof `time.stop()` + `encodeSync()`",
          fixed(med(dd, held)),
          fixed(med(dd, (r) => r.pause.wallMillis)),
          "1",
          fixed(median(dd.map((r) => r.pause.heldMillis / r.asyncPause.heldMillis)), 2),
          "1",
          `stop ${fixed(med(dd, (r) => r.stopPause.heldMillis))} + encodeSync ${fixed(med(dd, (r) => r.encodeSyncPause.heldMillis))} (held)`,
          statsCell(dd),
        ],
        [
          "@datadog/pprof `time.stop()` + `await encode()`",
          fixed(med(dd, (r) => r.asyncPause.heldMillis)),
          fixed(med(dd, (r) => r.asyncPause.wallMillis)),
          fixed(median(dd.map((r) => r.asyncPause.heldMillis / r.pause.heldMillis)), 2),
          "1",
          fixed(median(dd.map((r) => r.asyncPause.wallMillis / r.pause.wallMillis)), 2),
          `stop, then encode's longest block ${fixed(med(dd, (r) => r.encodeAsyncPause.heldMillis))}; bytes after ${fixed(med(dd, (r) => r.encodeAsyncMillis))}`,
          "",
        ],
        row(
          "raw node:inspector `Profiler.stop` (the floor of an in-process session)",
          raw,
          "no conversion, encode or gzip",
          `${fixed(med(raw, (r) => r.samples), 0)} samples, ${fixed(nodes, 0)} nodes, ${fixed(med(raw, (r) => r.jsonMiB), 1)} MiB JSON`,
        ),
      ],
    ),
  );
  const verdict = (rs) => {
    const a = vsSync(rs);
    const b = vsAsync(rs);
    return `${Math.max(a, b) <= 0.25 ? "met" : Math.min(a, b) <= 0.25 ? "met against one datadog variant only" : "**missed**"} (${fixed(a, 2)} / ${fixed(b, 2)})`;
  };
  md.push("");
  md.push(
    `Target: anyprof's pause ≤ 1/4 of datadog's — ${verdict(any)}; offThread: ${verdict(off)}; offThread with 1 s chunks: ${verdict(offChunked)}. Worker prototype: ${verdict(wrk)}; with 1 s chunks: ${verdict(wrkChunked)}` +
      `${v8prof.length > 0 ? `; v8.startCpuProfile + worker: ${verdict(v8prof)}` : ""}. ` +
      `Even the raw \`Profiler.stop\`, with nothing after it, is ${fixed(vsSync(raw), 2)} of datadog's pause.\n`,
  );
  md.push(
    `Where anyprof's stop goes (medians over the raw runs; anyprof's steps applied one by one to the inspector's answer; held ms): ` +
      `inspector \`Profiler.stop\` ${fixed(med(raw, (r) => r.stopMillis))} (V8 builds the protocol message and serializes it to ` +
      `${fixed(med(raw, (r) => r.jsonMiB), 1)} MiB of JSON; Node parses it: \`JSON.parse\` of the same text alone takes ${fixed(med(raw, (r) => r.parseMillis))}), ` +
      `converter \`add\` (JS loops + WASM tree aggregation) ${fixed(med(raw, (r) => r.addMillis))}, \`finish\` (WASM encode of ` +
      `${fixed(med(raw, (r) => r.rawKiB), 0)} KiB) ${fixed(med(raw, (r) => r.finishMillis))}, gzip as built (dist/host/gzip.js: the adapter's ` +
      `native gzip if it has one, else pako) ${fixed(med(raw, (r) => r.gzipMillis))} — pako alone ${fixed(med(raw, (r) => r.pakoMillis))}, ` +
      `node:zlib \`gzipSync\` alone ${fixed(med(raw, (r) => r.zlibMillis))}.`,
  );
  return md.join("\n");
}

// rawBreakdown profiles the workload through a plain inspector session and
// times the steps anyprof's stop takes, one by one (held time).
function rawBreakdown(work, millis, seed) {
  const { session, post } = syncSession();
  post("Profiler.enable");
  post("Profiler.setSamplingInterval", { interval: intervalMicros });
  gc();
  post("Profiler.start");
  const during = work(millis, seed);
  gc();
  const step = (f) => {
    const timer = stopwatch();
    const out = f();
    return [out, timer()];
  };
  const [{ profile }, stopPause] = step(() => post("Profiler.stop"));
  post("Profiler.disable");
  session.disconnect();
  const converter = new CpuProfileConverter(newCore(inlineWasmModule()), { intervalMicros });
  const [, add] = step(() => converter.add(profile));
  const [raw, finish] = step(() => converter.finish(0n, BigInt(millis) * 1_000_000n));
  const [, shipped] = step(() => gzip(raw));
  const [, pako] = step(() => pakoGzip(raw));
  const [, zlib] = step(() => gzipSync(raw));
  const json = JSON.stringify(profile);
  gc();
  const [, parse] = step(() => JSON.parse(json));
  return {
    pause: worst(during, stopPause),
    nodes: profile.nodes.length,
    samples: profile.samples.length,
    stopMillis: stopPause.heldMillis,
    addMillis: add.heldMillis,
    finishMillis: finish.heldMillis,
    gzipMillis: shipped.heldMillis,
    pakoMillis: pako.heldMillis,
    zlibMillis: zlib.heldMillis,
    parseMillis: parse.heldMillis,
    jsonMiB: json.length / 2 ** 20,
    rawKiB: raw.length / 1024,
  };
}

if (isMain(import.meta.url)) {
  if (process.env.ANYPROF_BENCH_NO_HEADER !== "1") {
    console.log(describeMachine());
    console.log(`Command: node ${process.argv.slice(1).join(" ")}\n`);
  }
  const t0 = performance.now();
  const { markdown } = await runPause({ rounds: arg("--rounds", 5), seconds: arg("--seconds", 3) });
  console.log(markdown);
  console.log(`\n(pause bench took ${fixed((performance.now() - t0) / 1000, 0)} s)`);
}

// stop-breakdown.mjs times, one by one on the main thread, the steps of a
// 3 s / 1 kHz CPU profile's stop on each sampler path anyprof can use:
// the inspector session (Profiler.stop: V8 builds the profile, serializes
// it into a protocol message, Node parses it), v8.startCpuProfile's
// handle.stop() (V8 builds it, Node writes JSON text; Node >= 24.12), the
// JSON.parse of that text, posting it to a worker, and anyprof's convert,
// encode and gzip; beside @datadog/pprof's time.stop() and encodeSync().
// Held times (run-queue waits excluded), medians over rounds. It answers
// "where does the main thread's time at stop go".
//
// Usage: node bench/cpu/stop-breakdown.mjs [--rounds N] [--seconds S]
import v8 from "node:v8";
import { Worker } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import { time, encodeSync } from "@datadog/pprof";
import { CpuProfileConverter } from "../../dist/pprof/cpuprofile.js";
import { newCore } from "../../dist/pprof/core.js";
import { inlineWasmModule } from "../../dist/wasm/inline.js";
import { deepShape, makeDeep } from "./workloads.mjs";
import { describeMachine, fixed, gc, median, stopwatch, syncSession, table, threadWaitMillis } from "./lib.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg("--rounds", 3);
const millis = arg("--seconds", 3) * 1000;
const runDeep = makeDeep(deepShape);
runDeep(500, 1, threadWaitMillis);
const sink = new Worker("const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m.length));", { eval: true });
await new Promise((r) => sink.once("online", r));
const core = newCore(inlineWasmModule());

const step = (f) => {
  const timer = stopwatch();
  const out = f();
  return [out, timer().heldMillis];
};
const rows = new Map();
const put = (k, v) => rows.set(k, [...(rows.get(k) ?? []), v]);
let seed = 2;
for (let round = 0; round < rounds; round++) {
  // Inspector session.
  {
    const { session, post } = syncSession();
    post("Profiler.enable");
    post("Profiler.setSamplingInterval", { interval: 1000 });
    post("Profiler.start");
    runDeep(millis, seed++, threadWaitMillis);
    gc();
    const [{ profile }, stop] = step(() => post("Profiler.stop"));
    post("Profiler.disable");
    session.disconnect();
    put("inspector `Profiler.stop` (build + serialize + Node's parse)", stop);
    put("nodes (inspector)", profile.nodes.length);
    const converter = new CpuProfileConverter(core, { intervalMicros: 1000 });
    const [, add] = step(() => converter.add(profile));
    const [raw, finish] = step(() => converter.finish(0n, BigInt(millis) * 1_000_000n));
    const [, gz] = step(() => gzipSync(raw));
    put("anyprof convert (`add`)", add);
    put("anyprof encode (`finish`)", finish);
    put("gzip (node:zlib)", gz);
  }
  gc();
  // v8.startCpuProfile.
  if (typeof v8.startCpuProfile === "function") {
    const handle = v8.startCpuProfile({ sampleInterval: 1 });
    runDeep(millis, seed++, threadWaitMillis);
    gc();
    const [json, stop] = step(() => handle.stop());
    put("`handle.stop()` (build + Node's JSON writer)", stop);
    put("JSON MiB", json.length / 2 ** 20);
    const [, posted] = step(() => sink.postMessage(json));
    put("postMessage of the JSON text to a worker", posted);
    await new Promise((r) => sink.once("message", r));
    const [p, parse] = step(() => JSON.parse(json));
    put("JSON.parse of that text", parse);
    put("nodes (handle)", p.nodes.length);
  }
  gc();
  {
    time.start({ intervalMicros: 1000 });
    runDeep(millis, seed++, threadWaitMillis);
    gc();
    const [profile, stop] = step(() => time.stop());
    const [, enc] = step(() => encodeSync(profile));
    put("datadog `time.stop()`", stop);
    put("datadog `encodeSync()`", enc);
    put("datadog stop + encodeSync", stop + enc);
  }
}
await sink.terminate();
console.log(describeMachine());
console.log(table(["step", `median of ${rounds} (held ms or count)`, "each"], [...rows].map(([k, v]) => [k, fixed(median(v), 1), v.map((x) => fixed(x, 1)).join(", ")])));

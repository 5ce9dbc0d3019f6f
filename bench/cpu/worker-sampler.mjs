// worker-sampler.mjs is a prototype, for the stop-pause benchmark only: it
// runs anyprof's CPU profile from a worker thread whose inspector session is
// connected to the main thread (Session.connectToMainThread), so that the
// JSON parse of Profiler.stop's answer, the .cpuprofile conversion, the
// WASM encode and the gzip all happen off the main thread. The main thread
// still serves the protocol requests itself (V8 stops its sampler, builds
// the protocol message and serializes it to JSON there), interrupting
// whatever JavaScript runs. With chunkMillis, the worker drains the profile
// every chunk (stop, restart, convert), as cpu.ts does every chunkSeconds,
// so that each request serializes a smaller tree. It does not carry labels
// across (a real version would transfer the label timeline's typed arrays).
// convertJson serves the other design measured: the main thread samples
// with v8.startCpuProfile() (Node >= 24.12, no inspector) and hands the JSON
// text over for the worker to parse, convert, encode and gzip.
import { Worker, isMainThread, parentPort } from "node:worker_threads";

if (!isMainThread) {
  const { Session } = await import("node:inspector");
  await import("anyprof"); // installs the Node host (WASM module, clocks)
  const { CpuProfileConverter } = await import("../../dist/pprof/cpuprofile.js");
  const { newCore } = await import("../../dist/pprof/core.js");
  const { inlineWasmModule } = await import("../../dist/wasm/inline.js");
  const { gzip } = await import("../../dist/host/gzip.js");
  const core = newCore(inlineWasmModule());
  const session = new Session();
  session.connectToMainThread();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));

  let converter;
  let startNanos = 0n;
  let timer;
  let draining = Promise.resolve();
  const drainMillis = [];

  // drain stops the sampler, restarts it at once unless final, and adds the
  // chunk it recorded to the converter.
  const drain = async (final) => {
    const t0 = performance.now();
    const { profile } = await post("Profiler.stop");
    if (!final) await post("Profiler.start");
    const t1 = performance.now();
    converter.add(profile);
    drainMillis.push({ stopMillis: t1 - t0, addMillis: performance.now() - t1 });
  };

  parentPort.on("message", async (msg) => {
    try {
      if (msg.op === "start") {
        converter = new CpuProfileConverter(core, { intervalMicros: msg.intervalMicros });
        drainMillis.length = 0;
        await post("Profiler.enable");
        await post("Profiler.setSamplingInterval", { interval: msg.intervalMicros });
        startNanos = BigInt(Date.now()) * 1_000_000n;
        await post("Profiler.start");
        if (msg.chunkMillis > 0) timer = setInterval(() => (draining = draining.then(() => drain(false))), msg.chunkMillis);
        parentPort.postMessage({ op: "started" });
      } else if (msg.op === "convertJson") {
        // A profile taken on the main thread by v8.startCpuProfile() (Node
        // >= 24.12), handed over as its JSON text.
        const t0 = performance.now();
        const profile = JSON.parse(msg.json);
        const t1 = performance.now();
        const c = new CpuProfileConverter(core, { intervalMicros: msg.intervalMicros });
        c.add(profile);
        const bytes = gzip(c.finish(msg.startNanos, msg.durationNanos));
        // bytes are copied, not transferred: node:zlib's output may sit in an
        // untransferable pool (Node 24).
        parentPort.postMessage({ op: "converted", bytes, parseMillis: t1 - t0, convertMillis: performance.now() - t1 });
      } else if (msg.op === "stop") {
        clearInterval(timer);
        await draining;
        await drain(true);
        const t0 = performance.now();
        const bytes = gzip(converter.finish(startNanos, BigInt(Date.now()) * 1_000_000n - startNanos));
        const finishMillis = performance.now() - t0;
        await post("Profiler.disable");
        const last = drainMillis.at(-1);
        parentPort.postMessage({ op: "stopped", bytes, chunks: drainMillis.length, stopMillis: last.stopMillis, convertMillis: last.addMillis + finishMillis });
      }
    } catch (err) {
      parentPort.postMessage({ op: "error", message: String(err?.stack ?? err) });
    }
  });
  parentPort.postMessage({ op: "ready" });
}

/** WorkerSampler drives the worker: start, then stop for the gzip bytes. */
export class WorkerSampler {
  #worker;
  #waiting = new Map();

  static async create() {
    const ws = new WorkerSampler();
    ws.#worker = new Worker(new URL(import.meta.url));
    ws.#worker.on("message", (msg) => {
      const key = msg.op === "error" ? [...ws.#waiting.keys()][0] : msg.op;
      const w = ws.#waiting.get(key);
      if (w === undefined) return;
      ws.#waiting.delete(key);
      msg.op === "error" ? w.reject(new Error(msg.message)) : w.resolve(msg);
    });
    await ws.#wait("ready");
    return ws;
  }

  #wait(op) {
    return new Promise((resolve, reject) => this.#waiting.set(op, { resolve, reject }));
  }

  /** start begins sampling; with chunkMillis > 0 the worker drains every
   * chunkMillis. */
  async start(intervalMicros, chunkMillis = 0) {
    const started = this.#wait("started");
    this.#worker.postMessage({ op: "start", intervalMicros, chunkMillis });
    await started;
  }

  /** stop resolves to { bytes, chunks, stopMillis, convertMillis }: the
   * last drain's Profiler.stop round trip and its conversion + encode + gzip,
   * as the worker timed them. */
  async stop() {
    const stopped = this.#wait("stopped");
    this.#worker.postMessage({ op: "stop" });
    return stopped;
  }

  /** convertJson sends a .cpuprofile JSON text to the worker, which parses,
   * converts, encodes and gzips it; it resolves to { bytes, parseMillis,
   * convertMillis }. The text is copied into the message synchronously. */
  async convertJson(json, intervalMicros, startNanos, durationNanos) {
    const converted = this.#wait("converted");
    this.#worker.postMessage({ op: "convertJson", json, intervalMicros, startNanos, durationNanos });
    return converted;
  }

  terminate() {
    return this.#worker.terminate();
  }
}

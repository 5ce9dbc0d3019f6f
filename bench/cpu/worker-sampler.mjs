// worker-sampler.mjs is a prototype, for the stop-pause benchmark only: it
// runs anyprof's CPU profile from a worker thread whose inspector session is
// connected to the main thread (Session.connectToMainThread), so that the
// JSON parse of Profiler.stop's answer, the .cpuprofile conversion, the
// WASM encode and the gzip all happen off the main thread. The main thread
// still runs V8's own part of Profiler.stop (stopping the sampler, building
// and serializing the protocol message). It does not carry labels across
// (a real version would transfer the label timeline's typed arrays).
import { Worker, isMainThread, parentPort } from "node:worker_threads";

if (isMainThread) {
  // Nothing here: the main thread uses the exports below.
} else {
  const { Session } = await import("node:inspector");
  await import("anyprof"); // installs the Node host (WASM module, clocks)
  const { CpuProfileConverter } = await import("../../dist/cpuprofile.js");
  const { newCore } = await import("../../dist/core.js");
  const { inlineWasmModule } = await import("../../dist/wasm/inline.js");
  const { gzip } = await import("../../dist/gzip.js");
  const core = newCore(inlineWasmModule());
  const session = new Session();
  session.connectToMainThread();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  let intervalMicros = 1000;
  let startNanos = 0n;
  parentPort.on("message", async (msg) => {
    try {
      if (msg.op === "start") {
        intervalMicros = msg.intervalMicros;
        await post("Profiler.enable");
        await post("Profiler.setSamplingInterval", { interval: intervalMicros });
        startNanos = BigInt(Date.now()) * 1_000_000n;
        await post("Profiler.start");
        parentPort.postMessage({ op: "started" });
      } else if (msg.op === "stop") {
        const t0 = performance.now();
        const { profile } = await post("Profiler.stop");
        const t1 = performance.now();
        const converter = new CpuProfileConverter(core, { intervalMicros });
        converter.add(profile);
        const bytes = gzip(converter.finish(startNanos, BigInt(Date.now()) * 1_000_000n - startNanos));
        const t2 = performance.now();
        await post("Profiler.disable");
        parentPort.postMessage({ op: "stopped", bytes, stopMillis: t1 - t0, convertMillis: t2 - t1 }, [bytes.buffer]);
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

  async start(intervalMicros) {
    const started = this.#wait("started");
    this.#worker.postMessage({ op: "start", intervalMicros });
    await started;
  }

  /** stop resolves to { bytes, stopMillis, convertMillis } (worker times). */
  async stop() {
    const stopped = this.#wait("stopped");
    this.#worker.postMessage({ op: "stop" });
    return stopped;
  }

  terminate() {
    return this.#worker.terminate();
  }
}

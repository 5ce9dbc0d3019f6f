// preload.ts runs inside the program `anyprof record` starts (node --import,
// bun --preload, deno --preload): it starts the profiles the environment asks
// for and writes them when the program ends — normally, on Ctrl-C or
// SIGTERM, or on an uncaught exception — so that the profile is never lost.
// It picks the runtime's entry itself: the CLI is the one place that may.
// Node runs --import preloads in every worker thread too: there it does
// nothing, since the profiles are the main thread's (and a second CPU
// profile per worker would cost as much again and overwrite the files).

import { writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { isMainThread } from "node:worker_threads";

type Api = typeof import("../runtime/node.ts");
const g = globalThis as { Deno?: unknown; Bun?: unknown };

/** progressChunkSeconds is the chunk length while the CLI shows progress:
 * the sample count moves once per chunk. */
const progressChunkSeconds = 2;

if (isMainThread) await record();

/** record starts the profiles the environment asks for and arranges for
 * them to be written however the program ends. */
async function record(): Promise<void> {
  const entry = g.Deno !== undefined ? "../runtime/deno.js" : g.Bun !== undefined ? "../runtime/bun.js" : "../runtime/node.js";
  const api = (await import(new URL(entry, import.meta.url).href)) as Api;
  const { stopCPUProfileSync, cpuProfileStoppableSync, cpuProfileSampleCount, holdCPUProfile } = (await import(new URL("../profiles/cpu.js", import.meta.url).href)) as typeof import("../profiles/cpu.ts");
  const { own } = (await import(new URL("../host/own.js", import.meta.url).href)) as typeof import("../host/own.ts");
  const { writeHeapProfileSync, heapSamplerIdle } = (await import(new URL("../profiles/heap.js", import.meta.url).href)) as typeof import("../profiles/heap.ts");

  const dir = process.env.ANYPROF_RECORD_DIR ?? ".";
  const cpu = process.env.ANYPROF_RECORD_CPU === "1";
  const heap = process.env.ANYPROF_RECORD_HEAP === "1";
  const hz = Number(process.env.ANYPROF_RECORD_HZ ?? 100);
  // --threads: worker threads too, each sample labelled with its thread.
  const threads = process.env.ANYPROF_RECORD_THREADS === "1";
  // progress: the CLI shows a live sample count on its terminal. V8 hands
  // samples over only when a chunk ends, so chunks are shorter then.
  const progress = process.env.ANYPROF_RECORD_PROGRESS === "1";

  if (heap) await api.startHeapProfiling(threads ? { threads } : {});
  // anyprof record --push: the CPU profile is pushed every period instead
  // of written at the end.
  let pushing = false;
  if (cpu && process.env.ANYPROF_PUSH_URL) {
    const { startRecordPush } = (await import(new URL("./push-target.js", import.meta.url).href)) as typeof import("./push-target.ts");
    pushing = await startRecordPush(api, process.env, hz);
  }
  if (cpu && !pushing) await api.startCPUProfile(undefined, { hz, ...(progress ? { chunkSeconds: progressChunkSeconds } : {}), ...(threads ? { threads } : {}) });
  // The program's own startCPUProfile is refused, with the reason: its CPU
  // time is already in record's profile.
  if (cpu) holdCPUProfile(pushing ? `anyprof record --push, which pushes this program's CPU profile to ${process.env.ANYPROF_PUSH_URL}` : `anyprof record, which profiles this program into ${join(dir, "cpu.pb.gz")}; drop the program's own startCPUProfile or run it without record`);

  let written = false;
  const note = (what: string, err: unknown) => process.stderr.write(`anyprof: could not write ${what}: ${err instanceof Error ? err.message : String(err)}\n`);

  /** finish writes every profile, waiting where the runtime needs to. */
  async function finish(): Promise<void> {
    if (written) return;
    written = true;
    if (pushing) {
      // The last window, and a bounded flush of what is queued.
      await api.stopContinuousProfiling(5000);
    } else if (cpu) {
      try {
        const bytes = await api.stopCPUProfile();
        if (bytes !== undefined) writeFileSync(join(dir, "cpu.pb.gz"), bytes);
      } catch (err) {
        note("cpu.pb.gz", err);
      }
    }
    if (heap) {
      try {
        writeFileSync(join(dir, "heap.pb.gz"), await api.writeHeapProfile());
      } catch (err) {
        note("heap.pb.gz", err);
      }
    }
  }

  /** finishSync writes every profile the runtime can give synchronously: for
   * the exit hook and for the rescue, which cannot wait. Node's samplers
   * answer synchronously; Deno's and Bun's CPU samplers, and Deno's heap
   * sampler, do not, and what they hold is lost (said on stderr, with
   * why, the reason nothing can wait). */
  function finishSync(why: string): void {
    written = true;
    if (pushing) {
      note("the last pushed window", `${why}: a push cannot finish synchronously`);
    } else if (cpu && (g.Deno !== undefined || g.Bun !== undefined)) {
      note("cpu.pb.gz", `${why}, and ${g.Deno !== undefined ? "Deno" : "Bun"}'s CPU sampler answers only asynchronously`);
    } else if (cpu) {
      try {
        const bytes = stopCPUProfileSync();
        if (bytes !== undefined) writeFileSync(join(dir, "cpu.pb.gz"), bytes);
      } catch (err) {
        note("cpu.pb.gz", err);
      }
    }
    if (heap) {
      try {
        const bytes = writeHeapProfileSync();
        if (bytes === undefined) throw new Error(`${why}, and the heap sampler answers only asynchronously here (or was still starting)`);
        writeFileSync(join(dir, "heap.pb.gz"), bytes);
      } catch (err) {
        note("heap.pb.gz", err);
      }
    }
  }

  // A natural end: the event loop is empty, waiting is allowed.
  process.once("beforeExit", () => void finish());
  // process.exit() or a crash: only synchronous work runs now. Prepended:
  // it must run before the Node 26 heap sampler's own exit hook, which
  // stops the sampler (see runtime/handle-heap-sampler.ts).
  process.prependOnceListener("exit", () => {
    if (!written) finishSync("the program is ending at once (process.exit())");
  });

  // handled is set once one of the signal handlers below has run: then the
  // main thread is not stuck, and the rescue worker stands back.
  const handled = new Int32Array(new SharedArrayBuffer(4));

  // rescue is what the rescue worker (rescue.ts) has V8 run on the main
  // thread, in an interrupt, when a program stuck in a synchronous loop got
  // Ctrl-C or SIGTERM and could not run the handlers below. Only synchronous
  // work runs in an interrupt. "busy" asks for another try: the interrupt
  // landed inside one of anyprof's own steps, which must not be re-entered.
  const rescueKey = Symbol.for("anyprof.record.rescue");
  (globalThis as Record<symbol, unknown>)[rescueKey] = (): string => {
    if (written) return "written";
    if (!cpuProfileStoppableSync() || !heapSamplerIdle()) return "busy";
    finishSync("the program is stuck in a synchronous loop");
    return "written";
  };

  // The CLI's pipe (fd ANYPROF_RECORD_FD): under Node a rescue worker owns
  // it and passes the sample counts on; Bun writes the counts itself; Deno
  // cannot write to an inherited descriptor, and gets no pipe.
  const pipeFd = Number(process.env.ANYPROF_RECORD_FD);
  let sendSamples: ((samples: number) => void) | undefined;
  if (g.Deno === undefined && g.Bun === undefined && Number.isInteger(pipeFd) && pipeFd > 2) {
    try {
      const { Worker } = await import("node:worker_threads");
      const worker = new Worker(new URL("./rescue.js", import.meta.url), {
        workerData: { fd: pipeFd, handled, graceMillis: 1000 },
        // Not the program's flags (--input-type and others fail a worker;
        // --import would run this preload there).
        execArgv: [],
      });
      // The worker never keeps the program alive, nor takes it down.
      worker.unref();
      worker.on("error", (err) => process.stderr.write(`anyprof: the Ctrl-C rescue worker failed: ${err.message}\n`));
      sendSamples = (samples) => worker.postMessage({ samples });
    } catch (err) {
      process.stderr.write(`anyprof: could not start the Ctrl-C rescue worker: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  } else if (g.Bun !== undefined && Number.isInteger(pipeFd) && pipeFd > 2) {
    sendSamples = (samples) => {
      try {
        writeSync(pipeFd, `samples ${samples}\n`);
      } catch {
        // A CLI that went away reads no progress.
      }
    };
  }
  if (progress && cpu && sendSamples !== undefined) {
    const send = sendSamples;
    let last: number | undefined;
    // own: not one of the program's timers in its goroutine profile.
    const timer = own(() =>
      setInterval(() => {
        const samples = cpuProfileSampleCount();
        if (samples === undefined || samples === 0 || samples === last) return;
        last = samples;
        send(samples);
      }, 500),
    );
    (timer as { unref?: () => void }).unref?.();
  }
  // Ctrl-C, SIGTERM and a crash: write the profiles, then end the way the
  // program would have — unless it has handlers of its own, which then decide
  // (a graceful shutdown, an error handler that keeps running); the exit hook
  // above still writes the CPU profile when they end it.
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.once(signal, () => {
      Atomics.store(handled, 0, 1);
      const theirs = process.listenerCount(signal) > 0;
      void finish().finally(() => {
        if (!theirs) process.exit(code);
      });
    });
  }
  process.once("uncaughtException", (err) => {
    if (process.listenerCount("uncaughtException") > 0) return;
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    void finish().finally(() => process.exit(1));
  });
}

// preload.ts runs inside the program `anyprof record` starts (node --import,
// bun --preload, deno --preload): it starts the profiles the environment asks
// for and writes them when the program ends — normally, on Ctrl-C or
// SIGTERM, or on an uncaught exception — so that the profile is never lost.
// It picks the runtime's entry itself: the CLI is the one place that may.

import { writeFileSync } from "node:fs";
import { join } from "node:path";

type Api = typeof import("../runtime/node.ts");
const g = globalThis as { Deno?: unknown; Bun?: unknown };
const entry = g.Deno !== undefined ? "../runtime/deno.js" : g.Bun !== undefined ? "../runtime/bun.js" : "../runtime/node.js";
const api = (await import(new URL(entry, import.meta.url).href)) as Api;
const { stopCPUProfileSync } = (await import(new URL("../cpu.js", import.meta.url).href)) as typeof import("../cpu.ts");

const dir = process.env.ANYPROF_RECORD_DIR ?? ".";
const cpu = process.env.ANYPROF_RECORD_CPU === "1";
const heap = process.env.ANYPROF_RECORD_HEAP === "1";
const hz = Number(process.env.ANYPROF_RECORD_HZ ?? 100);

if (heap) await api.startHeapProfiling();
if (cpu) await api.startCPUProfile(undefined, { hz });

let written = false;
const note = (what: string, err: unknown) => process.stderr.write(`anyprof: could not write ${what}: ${err instanceof Error ? err.message : String(err)}\n`);

/** finish writes every profile, waiting where the runtime needs to. */
async function finish(): Promise<void> {
  if (written) return;
  written = true;
  if (cpu) {
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

// A natural end: the event loop is empty, waiting is allowed.
process.once("beforeExit", () => void finish());
// process.exit() or a crash: only synchronous work runs now. Node's sampler
// answers synchronously, so the CPU profile is still written.
process.once("exit", () => {
  if (written) return;
  written = true;
  if (!cpu) return;
  try {
    const bytes = stopCPUProfileSync();
    if (bytes !== undefined) writeFileSync(join(dir, "cpu.pb.gz"), bytes);
  } catch (err) {
    note("cpu.pb.gz", err);
  }
});
// Ctrl-C, SIGTERM and a crash: write the profiles, then end the way the
// program would have — unless it has handlers of its own, which then decide
// (a graceful shutdown, an error handler that keeps running); the exit hook
// above still writes the CPU profile when they end it.
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.once(signal, () => {
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

// guard-cases.mjs replays, in one Node process, the cases of issue 10 that
// took a host process down or hung it: label sets that are not LabelSets,
// writers that fail or never call back, for writeTo and for a CPU profile.
// It prints one JSON line with what each call answered ("accepted", "hung",
// or the error message) and every unhandled rejection or uncaught exception
// it saw; test/guarantees.test.ts judges it. A case that hangs is cut off
// after hangMillis, so the script always ends.
import * as fs from "node:fs";
import process from "node:process";
import { Writable } from "node:stream";
import * as anyprof from "anyprof";

const hangMillis = 3000;
const out = { unhandled: [], uncaught: [] };
process.on("unhandledRejection", (err) => out.unhandled.push(String(err?.message ?? err)));
process.on("uncaughtException", (err) => out.uncaught.push(String(err?.message ?? err)));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** outcome runs f and says what happened: "accepted", "hung" or the error message. */
async function outcome(f) {
  try {
    const r = await Promise.race([Promise.resolve().then(f).then(() => "accepted"), sleep(hangMillis).then(() => "hung")]);
    return r;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

// 1. Label sets that are not LabelSets, then a CPU profile whose async
// hooks meet them.
// The case: a request handler runs under a bad set while no
// profile runs; a scrape starts one while the handler awaits, and the
// handler's continuation runs the label hooks.
let handler = "not run";
try {
  handler = anyprof.runWithLabels({ route: "/checkout" }, async () => {
    await sleep(50);
    await sleep(0);
  });
} catch (err) {
  handler = err.message;
}
await anyprof.startCPUProfile();
await sleep(100);
await anyprof.stopCPUProfile();
out.handler = typeof handler === "string" ? handler : "accepted";
out.labels = {
  runWithLabels: await outcome(() => anyprof.runWithLabels({ route: "/checkout" }, () => 1)),
  withLabels: await outcome(() => anyprof.withLabels("x")),
  setLabels: await outcome(() => anyprof.setLabels("x")),
};
out.cpuAfterBadLabels = await outcome(async () => {
  await anyprof.startCPUProfile();
  await sleep(30);
  await anyprof.stopCPUProfile();
});

// 2. Writers that fail, and 4. writers that never call back.
const p = anyprof.newProfile("guard.writers");
const missing = "/nonexistent-dir/guard.pb.gz";
out.writers = {
  missingDir: await outcome(() => p.writeTo(fs.createWriteStream(missing))),
  callbackError: await outcome(() => p.writeTo(new Writable({ write: (_c, _e, cb) => cb(new Error("disk full")) }))),
  webStreamError: await outcome(() => p.writeTo(new WritableStream({ write: () => { throw new Error("stream broke"); } }))),
  neverCallsBack: await outcome(() => p.writeTo({ write(_chunk, _cb) {} }, 0, { timeoutMillis: 200 })),
  cpuMissingDir: await outcome(async () => {
    await anyprof.startCPUProfile(fs.createWriteStream(missing));
    await anyprof.stopCPUProfile();
  }),
  // The file's open fails a tick after the stream is made, long before the
  // profile stops: that error is the stop's write's, not the process's.
  cpuMissingDirLate: await outcome(async () => {
    await anyprof.startCPUProfile(fs.createWriteStream(missing));
    await sleep(150);
    await anyprof.stopCPUProfile();
  }),
  cpuNeverCallsBack: await outcome(async () => {
    await anyprof.startCPUProfile({ write(_chunk, _cb) {} }, { writeTimeoutMillis: 200 });
    await anyprof.stopCPUProfile();
  }),
};
// Late 'error' events and rejections surface within a few ticks.
await sleep(200);
console.log(JSON.stringify(out));
process.exit(0);

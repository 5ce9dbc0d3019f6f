// predefined-conformance.mjs is the workload for the predefined profiles
// (goroutine, threadcreate, block, mutex, and whichever others are
// registered), the same file for Node, Bun (predefined-npm.mjs) and Deno
// (predefined-deno.mjs). It creates pending timers and sockets in named
// functions, a worker, a deliberate 200 ms block (while a CPU profile runs)
// and a stretch of non-blocking work, writes every profile at every debug
// level it supports, and prints one JSON line; test/predefined.test.ts
// checks it. It does no checking itself. Every optional feature is tried and
// its error recorded, since the test asserts which runtime supports what.

import * as net from "node:net";

/** toBase64 encodes bytes with btoa, which every runtime has. */
function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const text = (bytes) => new TextDecoder().decode(bytes);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const errorOf = (err) => (err instanceof Error ? err.message : String(err));

/** runtimeName reports the runtime this script runs under. */
function runtimeName() {
  if (typeof Deno !== "undefined") return `deno ${Deno.version.deno}`;
  if (typeof Bun !== "undefined") return `bun ${Bun.version}`;
  return `node ${process.versions.node}`;
}

// The creators the goroutine profile must name: plain statements, not tail
// calls (Bun drops tail-call frames from strict-mode stacks).
function makeUntrackedTimer() {
  const t = setTimeout(() => {}, 600_000);
  return t;
}
function makeTrackedTimer() {
  const t = setTimeout(() => {}, 600_000);
  return t;
}
function openUntrackedSocket(port) {
  const s = net.connect(port, "127.0.0.1");
  return s;
}
function openTrackedSocket(port) {
  const s = net.connect(port, "127.0.0.1");
  return s;
}

// spawnWorker creates the worker the threadcreate profile must name: a web
// Worker where the runtime has one (Deno, Bun), else node:worker_threads.
async function spawnWorker() {
  const url = new URL("./predefined-worker.mjs", import.meta.url);
  let w;
  if (typeof globalThis.Worker === "function") {
    w = new Worker(url.href, { type: "module" });
  } else {
    const { Worker: NodeWorker } = await import("node:worker_threads");
    w = new NodeWorker(url);
  }
  const done = new Promise((resolve, reject) => {
    if ("onmessage" in w) {
      w.onmessage = () => resolve();
      w.onerror = (e) => reject(new Error(e.message));
    } else {
      w.once("message", () => resolve());
      w.once("error", reject);
    }
  });
  await done;
  await w.terminate();
}

// spawnNodeWorker creates a node:worker_threads Worker where spawnWorker
// made a web Worker (Deno, Bun), to show whether tracking sees that kind.
async function spawnNodeWorker() {
  const { Worker: NodeWorker } = await import("node:worker_threads");
  const w = new NodeWorker(new URL("./predefined-worker.mjs", import.meta.url));
  await new Promise((resolve, reject) => w.once("message", resolve).once("error", reject));
  await w.terminate();
}

// blockFor200ms is the deliberate block the block profile must attribute;
// blockAgain200ms runs after the user's CPU profile stopped.
function blockFor200ms() {
  const end = performance.now() + 200;
  let x = 0;
  while (performance.now() < end) x = (x + Math.sqrt(x + 1)) % 1e6;
  return x;
}
function blockAgain200ms() {
  const end = performance.now() + 200;
  let x = 0;
  while (performance.now() < end) x = (x + Math.sqrt(x + 1)) % 1e6;
  return x;
}
// quietWork keeps the loop busy in short slices (≤ 3 ms), never blocked.
async function quietWork(totalMillis) {
  const end = performance.now() + totalMillis;
  while (performance.now() < end) {
    const slice = performance.now() + 3;
    let x = 0;
    while (performance.now() < slice) x = (x + Math.sqrt(x + 1)) % 1e6;
    await sleep(1);
  }
}

/** writeAll writes profile name at debug 0 and 1 (and 2 for goroutine). */
async function writeAll(p) {
  const out = { pb: toBase64(await p.writeTo(undefined, 0)), text: text(await p.writeTo(undefined, 1)), count: p.count() };
  if (p.name === "goroutine") out.text2 = text(await p.writeTo(undefined, 2));
  return out;
}

/** predefined runs the workload against anyprof and returns the JSON line. */
export async function predefined(anyprof) {
  const { lookup, profiles } = anyprof;
  const out = { runtime: runtimeName(), errors: {} };
  const goroutine = lookup("goroutine");

  const server = net.createServer(() => {});
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  const connected = (s) => new Promise((resolve, reject) => s.once("connect", resolve).once("error", reject));

  // goroutine, untracked: active resources by type.
  const timerA = makeUntrackedTimer();
  const sockA = openUntrackedSocket(port);
  await connected(sockA);
  out.goroutineUntracked = await writeAll(goroutine);

  // goroutine, tracked: creation stacks, and destroyed resources leave.
  try {
    anyprof.startGoroutineTracking();
    const timerB = makeTrackedTimer();
    const sockB = openTrackedSocket(port);
    await connected(sockB);
    out.goroutineTracked = await writeAll(goroutine);
    clearTimeout(timerB);
    sockB.destroy();
    await sleep(50);
    out.goroutineAfterClose = await writeAll(goroutine);
    anyprof.stopGoroutineTracking();
  } catch (err) {
    out.errors.goroutineTracking = errorOf(err);
  }
  clearTimeout(timerA);
  sockA.destroy();
  await new Promise((r) => server.close(r));

  // threadcreate: off, then one worker created while tracking.
  out.threadcreateOff = await writeAll(lookup("threadcreate"));
  try {
    anyprof.startThreadCreateTracking();
    await spawnWorker();
    if (typeof globalThis.Worker === "function") await spawnNodeWorker();
    anyprof.stopThreadCreateTracking();
  } catch (err) {
    out.errors.threadcreate = errorOf(err);
  }
  out.threadcreate = await writeAll(lookup("threadcreate"));

  // block, with the user's CPU profile running alongside: quiet work shows
  // no block; a 200 ms block shows under blockFor200ms; a second block after
  // the CPU profile stopped shows too.
  const block = lookup("block");
  out.blockOff = await writeAll(block);
  try {
    await anyprof.startCPUProfile(undefined, { hz: 1000 });
    await anyprof.startBlockProfiling({ thresholdMillis: 100 });
    await quietWork(400);
    out.blockQuiet = await writeAll(block);
    // Let the detector tick first: its window starts when the next tick is
    // due, and the work since its last tick (the drain above, this
    // function's continuation) blocks the loop as much as the block does.
    // On a busy machine that was three samples, more than the edges allow.
    await sleep(20);
    blockFor200ms();
    await sleep(20);
    out.blockBlocked = await writeAll(block);
    out.cpu = toBase64(await anyprof.stopCPUProfile());
    await sleep(20);
    blockAgain200ms();
    await sleep(20);
    out.blockAfterCpu = await writeAll(block);
    await anyprof.stopBlockProfiling();
  } catch (err) {
    out.errors.block = errorOf(err);
    await anyprof.stopCPUProfile().catch(() => {});
    await anyprof.stopBlockProfiling().catch(() => {});
  }

  // Every registered profile, predefined or not, as a scraper would ask.
  out.profiles = {};
  for (const p of profiles()) out.profiles[p.name] = await writeAll(p);
  return JSON.stringify(out);
}

// cpu-conformance.mjs is the CPU-profile conformance workload, the same file
// for Node, Bun (both import "anyprof") and Deno (the JSR entry). Part one:
// hotA and hotB do identical work in a 2:1 ratio. Part two: label scenarios
// (synchronous, after await, in a timer, in a promise callback), each in its
// own function with its own label value, plus routes /a and /b running
// concurrently with awaits and timers. It returns one JSON line with the
// gzip profile in base64; test/cpu.test.ts checks it.
//
// There is no warm-up before the profile starts on purpose: V8 records
// which functions were inlined only for code compiled while profiling, so
// code optimized earlier reports an inlined hotA as its caller.

// One multiply-add per iteration: both functions run at the same speed, so
// CPU time follows the iteration count.
function hotA(n) {
  let x = 1;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
function hotB(n) {
  let x = 1;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
// Scenario functions: same body, distinct names.
function spinSync(n) {
  let x = 1;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
function spinAfterAwait(n) {
  let x = 1;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
function spinInTimer(n) {
  let x = 1;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
function spinInThen(n) {
  let x = 1;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const chunk = 400_000; // about half a millisecond of work

/** conformance profiles the workload with anyprof and returns the JSON line. */
export async function conformance({ startCPUProfile, stopCPUProfile, runWithLabels, labels }) {
  let secondStart = "none";
  await startCPUProfile(undefined, { hz: 1000 });
  try {
    await startCPUProfile();
  } catch (err) {
    secondStart = err.message;
  }

  const endA = performance.now() + 2500;
  while (performance.now() < endA) {
    hotA(2 * chunk);
    hotB(chunk);
  }

  for (let round = 0; round < 30; round++) {
    runWithLabels(labels("scenario", "sync"), () => spinSync(4 * chunk));
    await runWithLabels(labels("scenario", "await"), async () => {
      await null;
      spinAfterAwait(4 * chunk);
    });
    await runWithLabels(labels("scenario", "timer"), () => new Promise((resolve) => setTimeout(() => resolve(spinInTimer(4 * chunk)), 0)));
    await runWithLabels(labels("scenario", "then"), () => Promise.resolve().then(() => spinInThen(4 * chunk)));
  }

  // Route /a does twice /b's work, so that the whole profile keeps hotA:hotB
  // at 2:1 however much CPU part one got on a loaded machine.
  const route = (name, fn, n) =>
    runWithLabels(labels("route", name), async () => {
      for (let i = 0; i < 25; i++) {
        fn(n);
        await sleep(1);
        fn(n);
        await null;
        fn(n);
      }
    });
  await Promise.all([route("/a", hotA, 2 * chunk), route("/b", hotB, chunk)]);

  const bytes = await stopCPUProfile();
  const again = await stopCPUProfile();
  const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.versions.node}`;
  let b64 = "";
  for (let i = 0; i < bytes.length; i += 0x8000) b64 += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return JSON.stringify({ runtime, secondStart, stopWithoutStart: again === undefined ? "undefined" : typeof again, pprof: btoa(b64) });
}

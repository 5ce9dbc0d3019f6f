// cpu-lines.mjs is the line-level workload, the same file for Node, Bun
// (cpu-lines-npm.mjs imports "anyprof") and Deno (cpu-lines-deno.mjs, the
// JSR entry): twoLoops runs two loops with the same body on different
// lines, the second with twice the iterations, under a label that changes
// every call. It times each loop itself, since the split is only 1:2 once
// both run in the same tier (on a busy machine the JIT's background
// compiles finish late). test/cpu-lines.test.ts reads `go tool pprof -list
// twoLoops` of the profile it returns (one JSON line, base64 gzip).

const spent = [0, 0]; // ms of wall time in loop one and loop two

// The bounds are computed before each loop, so that an unoptimized tier
// (JSC's baseline) does the same work per iteration in both.
function twoLoops(n) {
  let x = 1;
  const m = 2 * n;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff; // loop one
  const t1 = performance.now();
  let y = 1;
  for (let i = 0; i < m; i++) y = (Math.imul(y, 1103515245) + 12345) & 0x7fffffff; // loop two
  spent[1] += performance.now() - t1;
  spent[0] += t1 - t0;
  return x + y;
}

/** linesWorkload profiles twoLoops for about millis of wall time. No
 * warm-up: V8 gives lines only for code compiled while it profiles. */
export async function linesWorkload({ startCPUProfile, stopCPUProfile, runWithLabels, labels }, millis = 1500) {
  let sink = 0;
  await startCPUProfile(undefined, { hz: 1000 });
  const end = performance.now() + millis;
  let calls = 0;
  while (performance.now() < end) {
    runWithLabels(labels("parity", calls % 2 === 0 ? "even" : "odd"), () => (sink += twoLoops(200_000)));
    calls++;
  }
  const bytes = await stopCPUProfile();
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return JSON.stringify({ calls, sink, loopMillis: spent, pprof: btoa(s) });
}

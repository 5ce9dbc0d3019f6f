// cpu-lines.mjs is the line-level workload, the same file for Node, Bun
// (cpu-lines-npm.mjs imports "anyprof") and Deno (cpu-lines-deno.mjs, the
// JSR entry): twoLoops runs two loops with the same body on different
// lines, the second with twice the iterations, under a label (parity) that
// changes from call to call. It times each loop itself, since the split is only 1:2 once
// both run in the same tier (on a busy machine the JIT's background
// compiles finish late). Beside busy neighbours a loop's wall time also
// holds the time its thread waited for a core, which the sampler does not
// see as that loop's ticks: a call during which the thread waited (the
// kernel's schedstat run_delay moved, read through the entry's readText,
// outside twoLoops so that JSC's inlining cannot take its samples) is left
// out of the timing. test/cpu-lines.test.ts reads `go tool pprof -list
// twoLoops` of the profile it returns (one JSON line, base64 gzip).

let spent = [0, 0]; // ms of wall time in loop one and loop two, this call
const clean = [0, 0]; // the same, summed over the calls with no wait
let readText;
const waitedNanos = () => Number(readText("/proc/thread-self/schedstat").split(" ")[1]);

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
  spent = [t1 - t0, performance.now() - t1];
  return x + y;
}

/** linesWorkload profiles twoLoops for about millis of wall time (3 s:
 * about 1,000 samples on the loops beside busy neighbours), reading
 * the kernel's files with read (path → text). No warm-up: V8 gives lines
 * only for code compiled while it profiles. */
export async function linesWorkload({ startCPUProfile, stopCPUProfile, runWithLabels, labels }, read, millis = 3000) {
  readText = read;
  let cleanCalls = 0;
  let sink = 0;
  await startCPUProfile(undefined, { hz: 1000 });
  const end = performance.now() + millis;
  let calls = 0;
  while (performance.now() < end) {
    const waited = waitedNanos();
    // Parity and size by a hash of the call's number, not by turns or a
    // fixed size: a call of fixed size takes about half to one sampling
    // period, so the sampler's ticks would land at nearly the same phase
    // of call after call (aliasing), and the share would swing far wider
    // than the count of samples implies (measured beside three busy
    // processes: spread 0.090 of the timed share with n fixed, 0.064 with
    // n varied, the binomial spread of ~500 samples being 0.063).
    const h = Math.imul(calls, 2654435761) >>> 0;
    runWithLabels(labels("parity", h >>> 31 === 0 ? "even" : "odd"), () => (sink += twoLoops(50_000 + (h % 100_003))));
    if (waitedNanos() === waited) {
      clean[0] += spent[0];
      clean[1] += spent[1];
      cleanCalls++;
    }
    calls++;
  }
  const bytes = await stopCPUProfile();
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return JSON.stringify({ calls, cleanCalls, sink, loopMillis: clean, pprof: btoa(s) });
}

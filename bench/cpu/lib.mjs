// lib.mjs owns what the CPU benchmarks share besides their workloads:
// medians and their confidence bounds, a forced GC, an event-loop probe, the
// machine line (harness.mjs has the machine, medians and tables). It knows
// nothing of profilers.
import { readFileSync } from "node:fs";
import { Session } from "node:inspector";
import { fixed, gc, loadAverage, machine, median, table } from "../harness.mjs";

// The shared helpers, for the CPU benchmarks that import them from here.
export { fixed, gc, median, table };


/** medianBounds returns an approximate 95% confidence interval of the
 * median of xs by order statistics (distribution-free): the values at ranks
 * n/2 ∓ 0.98·√n. */
export function medianBounds(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const half = 0.98 * Math.sqrt(n);
  const lo = Math.max(0, Math.floor(n / 2 - half));
  const hi = Math.min(n - 1, Math.ceil(n / 2 + half) - 1);
  return [s[lo], s[hi]];
}

/** quantile returns the q-quantile of xs (nearest rank). */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
}

/** threadWaitMillis returns how long the calling thread has waited for a
 * CPU so far (Linux schedstat's run-queue wait, exact at every switch-in),
 * or 0 where that is unknown. Subtracting it from a wall-clock interval
 * leaves the time the thread ran: the neighbours' noise removed. */
export const threadWaitMillis = (() => {
  try {
    readFileSync("/proc/thread-self/schedstat", "utf8");
  } catch {
    return () => 0;
  }
  return () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[1]) / 1e6;
})();

/** stopwatch starts timing and returns a function that reads the elapsed
 * { wallMillis, heldMillis }: heldMillis excludes the run-queue wait. */
export function stopwatch() {
  const t0 = performance.now();
  const w0 = threadWaitMillis();
  return () => {
    const wallMillis = performance.now() - t0;
    return { wallMillis, heldMillis: wallMillis - (threadWaitMillis() - w0) };
  };
}

/** loopProbe starts watching the event loop with a setImmediate chain and
 * returns a function that stops it and returns the longest gap between two
 * turns, counting from the call: the longest time the application's thread
 * could not run a callback. wallMillis is that gap in wall-clock time;
 * heldMillis the longest gap less the thread's run-queue wait inside it,
 * that is the time the thread was kept busy, not merely descheduled. */
export function loopProbe() {
  let last = performance.now();
  let lastWait = threadWaitMillis();
  let wallMillis = 0;
  let heldMillis = 0;
  let on = true;
  const tick = () => {
    const now = performance.now();
    const wait = threadWaitMillis();
    wallMillis = Math.max(wallMillis, now - last);
    heldMillis = Math.max(heldMillis, now - last - (wait - lastWait));
    last = now;
    lastWait = wait;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return () => {
    on = false;
    tick();
    return { wallMillis, heldMillis };
  };
}

/** describeMachine is machine() as one line. */
export function describeMachine() {
  const m = machine();
  return `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node} (V8 ${m.v8}); ${m.date}; load average ${loadAverage()}.`;
}

/** signedPercent formats a fraction as a signed percentage. */
export function signedPercent(x, digits = 2) {
  const p = x * 100;
  return `${p >= 0 ? "+" : "−"}${fixed(Math.abs(p), digits)} %`;
}

/** isMain tells whether the module at url is the process's entry point. */
export function isMain(url) {
  return process.argv[1] !== undefined && new URL(url).pathname === new URL(`file://${process.argv[1]}`).pathname;
}

/** syncSession connects an in-process inspector session and returns post,
 * which answers at once (Node dispatches in-process posts synchronously) and
 * throws the protocol's error, plus the session to disconnect. */
export function syncSession() {
  const session = new Session();
  session.connect();
  const post = (method, params = {}) => {
    let out;
    session.post(method, params, (err, res) => {
      if (err) throw err;
      out = res;
    });
    return out;
  };
  return { session, post };
}

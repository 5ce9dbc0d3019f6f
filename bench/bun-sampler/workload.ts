// workload.ts is the code under the profiler in the Bun sampler probes. It is
// TypeScript on purpose: Bun transpiles it (dropping this comment and the
// types), so a sampler that reports transpiled positions instead of
// source-mapped ones gives visibly wrong line numbers.
//
// What it runs, in order (see runWorkload):
//   1. probe block "early": 30 × (spinSync 2 ms, spinOther 1–3 ms), each
//      window bracketed by performance.now() and Date.now() readings;
//   2. hot phase: hotA, hotA, hotB in a loop, a fixed amount of work (so the
//      wall time of this phase is the overhead measure), hotA:hotB = 2:1;
//   3. probe block "late": the same 30 pairs again, after ~1.5 s of samples;
//   4. tail-call demo: tailCaller → tailCallee (a strict-mode tail call)
//      beside plainCaller → plainCallee (not a tail call), 40 ms each.
// Every function named here must keep its own frame: no tail calls except
// the one in tailCaller, no helpers shared between the spin functions.
//
// The spinOther durations vary (1, 1.5, 2, 2.5, 3 ms) so that the windows are
// aperiodic: only one clock offset can line samples up with them.

export const SPIN_SYNC_MS = 2;

/** Window is one spin: its kind and the clocks read just before and after. */
export interface Window {
  kind: "spinSync" | "spinOther";
  block: "early" | "late";
  perfStart: number; // performance.now(), ms
  perfEnd: number;
  dateStart: number; // Date.now(), ms
  dateEnd: number;
}

export function hotA(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    s = (s + Math.imul(i ^ s, 0x9e3779b1)) | 0;
    s ^= s >>> 13;
  }
  return s;
}

export function hotB(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    s = (s + Math.imul(i ^ s, 0x9e3779b1)) | 0;
    s ^= s >>> 13;
  }
  return s;
}

/** hotPhase calls hotA twice per hotB call, rounds times, and returns a checksum. */
export function hotPhase(rounds: number, n: number): number {
  let acc = 0;
  for (let r = 0; r < rounds; r++) {
    acc ^= hotA(n);
    acc ^= hotA(n);
    acc ^= hotB(n);
  }
  return acc;
}

/** hotPhaseTimed is hotPhase with each call timed: the ground truth for the
 * hotA:hotB time ratio (run without a profiler; the timing adds ~1 µs per
 * 180 µs call). */
export function hotPhaseTimed(rounds: number, n: number): { aMillis: number; bMillis: number; checksum: number } {
  let acc = 0;
  let a = 0;
  let b = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    acc ^= hotA(n);
    acc ^= hotA(n);
    const t1 = performance.now();
    acc ^= hotB(n);
    const t2 = performance.now();
    a += t1 - t0;
    b += t2 - t1;
  }
  return { aMillis: a, bMillis: b, checksum: acc };
}

export function spinSync(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x++;
  return x;
}

export function spinOther(ms: number): number {
  const end = performance.now() + ms;
  let y = 0;
  while (performance.now() < end) y++;
  return y;
}

export function probeBlock(block: "early" | "late", windows: Window[]): number {
  let sink = 0;
  for (let i = 0; i < 30; i++) {
    const p0 = performance.now();
    const d0 = Date.now();
    sink += spinSync(SPIN_SYNC_MS);
    const p1 = performance.now();
    const d1 = Date.now();
    sink += spinOther(1 + 0.5 * ((i * 3) % 5));
    const p2 = performance.now();
    const d2 = Date.now();
    windows.push({ kind: "spinSync", block, perfStart: p0, perfEnd: p1, dateStart: d0, dateEnd: d1 });
    windows.push({ kind: "spinOther", block, perfStart: p1, perfEnd: p2, dateStart: d1, dateEnd: d2 });
  }
  return sink;
}

export function tailCallee(ms: number): number {
  const end = performance.now() + ms;
  let z = 0;
  while (performance.now() < end) z++;
  return z;
}

export function tailCaller(ms: number): number {
  return tailCallee(ms); // a proper tail call: ES modules are strict
}

export function plainCallee(ms: number): number {
  const end = performance.now() + ms;
  let z = 0;
  while (performance.now() < end) z++;
  return z;
}

export function plainCaller(ms: number): number {
  const r = plainCallee(ms);
  return r + 0; // not in tail position
}

export function tailDemo(): number {
  const a = tailCaller(40);
  const b = plainCaller(40);
  return a + b;
}

/** runWorkload runs the four parts and returns the windows and the hot phase's wall time. */
export function runWorkload(rounds: number, n: number): { windows: Window[]; hotMillis: number; checksum: number } {
  const windows: Window[] = [];
  let checksum = probeBlock("early", windows);
  const t0 = performance.now();
  checksum ^= hotPhase(rounds, n);
  const hotMillis = performance.now() - t0;
  checksum ^= probeBlock("late", windows);
  checksum ^= tailDemo();
  return { windows, hotMillis, checksum };
}

// top.ts computes and prints the table of `go tool pprof -top` (flat, flat%,
// sum%, cum, cum%, name) from a decoded profile. It does not read files.

import type { Decoded, DecodedSample } from "./decode.ts";
import { checkBase, normalizeSamples } from "../view/model.ts";

/** TopOptions selects what the table shows, as pprof's flags do. */
export interface TopOptions {
  /** sampleIndex names the sample type (default: the default sample type,
   * else the last one, as pprof picks). */
  sampleIndex?: string;
  /** nodeCount is how many rows to show (pprof's -nodecount). */
  nodeCount?: number;
  /** cum sorts by cumulative value. */
  cum?: boolean;
  /** tagFocus keeps samples with label key=value. */
  tagFocus?: readonly [string, string];
  /** focus keeps samples with a frame whose function name or file matches;
   * ignore drops them; hide removes matching frames (pprof's -focus,
   * -ignore, -hide). */
  focus?: RegExp;
  ignore?: RegExp;
  hide?: RegExp;
  /** base is subtracted, as pprof's -diff_base; normalize first scales
   * the profile to the base's totals (-normalize). */
  base?: Decoded;
  normalize?: boolean;
}

/** TopRow is one function's flat and cumulative value. */
export interface TopRow {
  name: string;
  flat: number;
  cum: number;
}

/** Top is the computed table. */
export interface Top {
  type: string;
  unit: string;
  total: number;
  rows: TopRow[];
}

/** computeTop aggregates values by function name: flat counts a sample for
 * its leaf, cum once for every function on its stack (recursion counted once). */
export function computeTop(p: Decoded, options: TopOptions = {}): Top {
  let index = p.sampleTypes.length - 1;
  const wanted = options.sampleIndex ?? (p.defaultSampleType || undefined);
  if (wanted !== undefined) {
    // As pprof's -sample_index: a number, a type, or a type without inuse_.
    const asNumber = /^\d+$/.test(wanted) ? Number(wanted) : -1;
    index = asNumber >= 0 && asNumber < p.sampleTypes.length ? asNumber : p.sampleTypes.findIndex((t) => t.type === wanted || t.type === `inuse_${wanted}`);
    if (index < 0) {
      // A default sample type missing from the table falls back to the last.
      if (options.sampleIndex === undefined) index = p.sampleTypes.length - 1;
      else throw new Error(`pprof: sample index ${JSON.stringify(wanted)} not in profile (have ${p.sampleTypes.map((t) => t.type).join(", ")})`);
    }
  }
  const rows = new Map<string, TopRow>();
  // pprof's total is the sum of absolute values (delta profiles have both
  // signs) over every sample, before filters; in a diff, the base's.
  const k = p.sampleTypes.length;
  let samples: readonly DecodedSample[] = p.samples;
  let baseSamples: readonly DecodedSample[] = [];
  if (options.base !== undefined) {
    checkBase(p, options.base);
    baseSamples = options.base.samples;
    if (options.normalize) samples = normalizeSamples(samples, baseSamples, k);
  }
  let total = 0;
  let baseTotal = 0;
  for (const s of samples) total += Math.abs(s.values[index] ?? 0);
  for (const s of baseSamples) baseTotal += Math.abs(s.values[index] ?? 0);
  total = baseTotal > 0 ? baseTotal : total + baseTotal;
  const matches = (re: RegExp, f: { name: string; file: string }) => re.test(f.name) || (f.file !== "" && re.test(f.file));
  let flatSum = 0;
  for (const [list, sign] of [[samples, 1], [baseSamples, -1]] as const) {
    for (const s of list) {
      if (options.tagFocus !== undefined && String(s.labels[options.tagFocus[0]]) !== options.tagFocus[1]) continue;
      const { focus, ignore, hide } = options;
      if (focus !== undefined && !s.frames.some((f) => matches(focus, f))) continue;
      if (ignore !== undefined && s.frames.some((f) => matches(ignore, f))) continue;
      const frames = hide !== undefined ? s.frames.filter((f) => !matches(hide, f)) : s.frames;
      if (frames.length === 0 && s.frames.length > 0) continue;
      const v = sign * (s.values[index] ?? 0);
      flatSum += v;
      const seen = new Set<string>();
      frames.forEach(({ name }, depth) => {
        let row = rows.get(name);
        if (row === undefined) rows.set(name, (row = { name, flat: 0, cum: 0 }));
        if (depth === 0) row.flat += v;
        if (!seen.has(name)) {
          seen.add(name);
          row.cum += v;
        }
      });
    }
  }
  // pprof's orders: by |flat|, then name, then |cum| (-cum: |cum|, then
  // name); like pprof, rows whose |cum| is under 0.5% of the sum of flat
  // values (signed: a diff's) go.
  const byName = (a: TopRow, b: TopRow) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const sorted = [...rows.values()]
    .filter((r) => Math.abs(r.cum) >= Math.abs(Math.trunc(flatSum * 0.005)))
    .sort(options.cum ? (a, b) => Math.abs(b.cum) - Math.abs(a.cum) || byName(a, b) : (a, b) => Math.abs(b.flat) - Math.abs(a.flat) || byName(a, b) || Math.abs(b.cum) - Math.abs(a.cum));
  const t = p.sampleTypes[index] ?? { type: "", unit: "" };
  return { type: t.type, unit: t.unit, total, rows: sorted.slice(0, options.nodeCount ?? sorted.length) };
}

/** fixedHalfEven is x.toFixed(digits) as Go's strconv prints it: the
 * same but for exact ties (3.125 at two digits), which Go rounds to even
 * ("3.12") and toFixed up ("3.13"). Only odd multiples of 2^-(digits+1)
 * are exact ties in binary floating point. */
export function fixedHalfEven(x: number, digits: number): string {
  const e = x * 2 ** (digits + 1);
  if (Number.isInteger(e) && Math.abs(e) % 2 === 1) {
    let n = Math.floor(x * 10 ** digits);
    if (Math.abs(n) % 2 === 1) n++;
    return (n / 10 ** digits).toFixed(digits);
  }
  return x.toFixed(digits);
}

/** significantHalfEven is Go's %.{digits}g of x (0 < |x| < 1e21, no
 * exponent): digits significant digits, exact ties to even (0.625 at two is
 * "0.62", where toPrecision gives "0.63"), trailing zeros dropped. */
export function significantHalfEven(x: number, digits: number): string {
  const places = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
  return String(Number(fixedHalfEven(x, places)));
}

/** formatValue prints v in unit as pprof does: ns as s/ms/us, bytes as
 * B/kB/MB/GB, anything else as a number. */
export function formatValue(v: number, unit: string): string {
  const trim = (x: number) => String(Number(fixedHalfEven(x, 2)));
  if (unit === "nanoseconds") {
    if (v === 0) return "0";
    if (Math.abs(v) >= 1e9) return `${trim(v / 1e9)}s`;
    if (Math.abs(v) >= 1e6) return `${trim(v / 1e6)}ms`;
    if (Math.abs(v) >= 1e3) return `${trim(v / 1e3)}us`;
    return `${v}ns`;
  }
  if (unit === "bytes") {
    if (v === 0) return "0";
    for (const [size, name] of [[2 ** 30, "GB"], [2 ** 20, "MB"], [2 ** 10, "kB"]] as const) if (Math.abs(v) >= size) return `${trim(v / size)}${name}`;
    return `${v}B`;
  }
  return String(v);
}

/** pprofPercent formats value/total as pprof's measurement.Percentage: the
 * absolute ratio, "100%" within 0.05 of it, two decimals from 1%, two
 * significant digits (Go's %.2g) below. */
export function pprofPercent(value: number, total: number): string {
  const r = total === 0 ? 0 : Math.abs(value / total) * 100;
  if (r >= 99.95 && r <= 100.05) return "100%";
  if (r >= 1) return `${fixedHalfEven(r, 2)}%`;
  if (r === 0) return "0%";
  if (r < 1e-4) return `${r.toExponential(1).replace(/\.0e/, "e").replace(/e-(\d)$/, "e-0$1")}%`;
  return `${significantHalfEven(r, 2)}%`;
}
const pct = pprofPercent;

/** formatTop prints the table like `go tool pprof -top`. */
export function formatTop(top: Top): string {
  const f = (v: number) => formatValue(v, top.unit);
  const lines = [`Type: ${top.type}`, `Showing top ${top.rows.length} nodes of ${f(top.total)} total`, `${"flat".padStart(10)} ${"flat%".padStart(6)} ${"sum%".padStart(6)} ${"cum".padStart(10)} ${"cum%".padStart(6)}  name`];
  let sum = 0;
  for (const r of top.rows) {
    sum += r.flat;
    lines.push(`${f(r.flat).padStart(10)} ${pct(r.flat, top.total).padStart(6)} ${pct(sum, top.total).padStart(6)} ${f(r.cum).padStart(10)} ${pct(r.cum, top.total).padStart(6)}  ${r.name}`);
  }
  return lines.join("\n") + "\n";
}

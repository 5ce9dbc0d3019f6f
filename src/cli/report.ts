// report.ts owns `anyprof report`: a short Markdown summary of a profile for
// a pull request, a ticket or an AI assistant — the top functions by flat
// and by cum with file:line, the hottest paths, a per-label breakdown and,
// with a base profile, the biggest regressions and improvements. Its
// numbers are computeTop's (go tool pprof -top's). It does not read files.

import type { Decoded } from "../pprof/decode.ts";
import { computeTop, formatValue, type TopRow } from "./top.ts";

/** ReportOptions configure formatReport. */
export interface ReportOptions {
  /** title names the profile (a file name). */
  title: string;
  base?: Decoded;
  baseTitle?: string;
  normalize?: boolean;
  sampleIndex?: string;
  /** rows is how many functions each table lists (default 10). */
  rows?: number;
}

const pct = (v: number, total: number) => (total === 0 ? "0%" : `${((v / total) * 100).toFixed(1)}%`);
// Markdown table cells: a pipe or newline in a name would break the row.
const cell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (s: string) => (s === "" ? "" : `\`${s.replace(/`/g, "'")}\``);

/** whereOf finds, per function name, the file:line that carries most of its
 * cumulative value (each sample counted once per line). */
function whereOf(p: Decoded, index: number): Map<string, string> {
  const weight = new Map<string, Map<string, number>>();
  for (const s of p.samples) {
    const v = Math.abs(s.values[index] ?? 0);
    const seen = new Set<string>();
    for (const f of s.frames) {
      if (f.file === "") continue;
      const at = `${f.file.replace(/^file:\/\//, "")}:${f.line}`;
      const key = `${f.name}\n${at}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let m = weight.get(f.name);
      if (m === undefined) weight.set(f.name, (m = new Map()));
      m.set(at, (m.get(at) ?? 0) + v);
    }
  }
  const out = new Map<string, string>();
  for (const [name, m] of weight) {
    let best = "";
    let w = -1;
    for (const [at, x] of m) if (x > w) [best, w] = [at, x];
    out.set(name, best);
  }
  return out;
}

/** formatReport returns the Markdown report of p. */
export function formatReport(p: Decoded, options: ReportOptions): string {
  const n = options.rows ?? 10;
  const top = computeTop(p, { sampleIndex: options.sampleIndex });
  const index = p.sampleTypes.findIndex((t) => t.type === top.type);
  const f = (v: number) => formatValue(v, top.unit);
  const where = whereOf(p, index);
  const out: string[] = [];
  // Profilers aggregate samples by stack: a "samples" count type says how
  // many there were; without one, the records are what there is to count.
  const countType = p.sampleTypes.findIndex((t) => t.type === "samples" && t.unit === "count");
  const sampleCount = countType >= 0 ? p.samples.reduce((a, s) => a + (s.values[countType] ?? 0), 0) : p.samples.length;
  out.push(`# Profile: ${options.title}`, "");
  const facts = [`**${top.type}** (${top.unit})`, `total **${f(top.total)}**`, `${sampleCount.toLocaleString("en-US")} ${countType >= 0 ? "samples" : "sample records"}`];
  if (p.durationNanos > 0) facts.push(`over ${formatValue(p.durationNanos, "nanoseconds")}`);
  out.push(facts.join(" · "), "");

  const table = (title: string, rows: TopRow[]) => {
    out.push(`## ${title}`, "", "| flat | flat% | cum | cum% | function | where |", "|---:|---:|---:|---:|---|---|");
    for (const r of rows) out.push(`| ${f(r.flat)} | ${pct(r.flat, top.total)} | ${f(r.cum)} | ${pct(r.cum, top.total)} | ${code(cell(r.name))} | ${cell(where.get(r.name) ?? "")} |`);
    out.push("");
  };
  table("Top functions by flat (own time)", top.rows.filter((r) => r.flat !== 0).slice(0, n));
  table("Top functions by cum (with callees)", computeTop(p, { sampleIndex: options.sampleIndex, cum: true }).rows.slice(0, n));

  // Hottest paths: whole stacks by function name, merged, heaviest first.
  const paths = new Map<string, number>();
  for (const s of p.samples) {
    const v = s.values[index] ?? 0;
    if (v === 0) continue;
    const key = [...s.stack].reverse().join("\n");
    paths.set(key, (paths.get(key) ?? 0) + v);
  }
  const hottest = [...paths].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
  if (hottest.length > 0) {
    out.push("## Hottest paths", "");
    hottest.forEach(([key, v], i) => {
      const names = key.split("\n");
      // Long stacks keep their two outermost and four innermost frames.
      const shown = names.length > 7 ? [...names.slice(0, 2), `… ${names.length - 6} frames …`, ...names.slice(-4)] : names;
      const leaf = names[names.length - 1]!;
      out.push(`${i + 1}. **${f(v)}** (${pct(v, top.total)}) — ${shown.map((s) => code(s)).join(" → ")}${where.get(leaf) ? ` at ${where.get(leaf)}` : ""}`);
    });
    out.push("");
  }

  // Per label: each key's values with their share and heaviest leaf.
  const keys = new Map<string, Map<string, { value: number; leaves: Map<string, number> }>>();
  for (const s of p.samples) {
    const v = s.values[index] ?? 0;
    for (const key in s.labels) {
      let values = keys.get(key);
      if (values === undefined) keys.set(key, (values = new Map()));
      const value = String(s.labels[key]);
      let e = values.get(value);
      if (e === undefined) values.set(value, (e = { value: 0, leaves: new Map() }));
      e.value += v;
      const leaf = s.stack[0] ?? "";
      e.leaves.set(leaf, (e.leaves.get(leaf) ?? 0) + v);
    }
  }
  if (keys.size > 0) {
    out.push("## By label", "");
    for (const key of [...keys.keys()].sort()) {
      const values = [...keys.get(key)!].sort((a, b) => Math.abs(b[1].value) - Math.abs(a[1].value) || (a[0] < b[0] ? -1 : 1));
      out.push(`### ${cell(key)}`, "", "| value | total | share | heaviest function (flat) |", "|---|---:|---:|---|");
      for (const [value, e] of values.slice(0, n)) {
        const [leaf] = [...e.leaves].sort((a, b) => b[1] - a[1])[0] ?? [""];
        out.push(`| ${code(cell(value))} | ${f(e.value)} | ${pct(e.value, top.total)} | ${code(cell(leaf))} |`);
      }
      if (values.length > n) out.push(`| … ${values.length - n} more | | | |`);
      out.push("");
    }
  }

  if (options.base !== undefined) {
    const diff = computeTop(p, { sampleIndex: options.sampleIndex, base: options.base, normalize: options.normalize, cum: true });
    const baseTop = computeTop(options.base, { sampleIndex: options.sampleIndex });
    const newTop = computeTop(p, { sampleIndex: options.sampleIndex });
    const cumOf = (t: typeof baseTop) => new Map(t.rows.map((r) => [r.name, r.cum]));
    const was = cumOf(baseTop);
    const now = cumOf(newTop);
    // Functions under pprof's 0.5% cut in one profile have no row there.
    const small = (v: number | undefined) => (v === undefined ? "< 0.5%" : f(v));
    const sign = (v: number) => (v > 0 ? "+" : "") + f(v);
    out.push(`## Against ${options.baseTitle ?? "the base"}${options.normalize ? " (normalized to the base's total)" : ""}`, "");
    out.push(`Total ${f(baseTop.total)} → ${f(newTop.total)} (${sign(newTop.total - baseTop.total)}); percentages are of the base's total, as \`go tool pprof -diff_base\`.`, "");
    const list = (title: string, rows: TopRow[]) => {
      if (rows.length === 0) return;
      out.push(`### ${title}`, "", "| change (cum) | % of base | base cum | new cum | function | where |", "|---:|---:|---:|---:|---|---|");
      for (const r of rows) out.push(`| ${sign(r.cum)} | ${pct(r.cum, diff.total)} | ${small(was.get(r.name))} | ${small(now.get(r.name))} | ${code(cell(r.name))} | ${cell(where.get(r.name) ?? "")} |`);
      out.push("");
    };
    list("Biggest regressions", diff.rows.filter((r) => r.cum > 0).sort((a, b) => b.cum - a.cum).slice(0, n));
    list("Biggest improvements", diff.rows.filter((r) => r.cum < 0).sort((a, b) => a.cum - b.cum).slice(0, Math.ceil(n / 2)));
  }
  return out.join("\n");
}

// harness.mjs owns how benchmarks measure: rounds that alternate the
// candidates, a forced GC before each timed run, medians, the machine
// description and the markdown tables. It knows nothing of profiles; the
// benchmark files bring their candidates and checks.
import { readFileSync } from "node:fs";
import { cpus, availableParallelism, totalmem, loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// gc lets each timed run start with an empty young generation, so one
// candidate's garbage (the Map baseline makes a lot) is not billed to the
// next. --expose-gc set at run time applies to new contexts only.
setFlagsFromString("--expose-gc");
export const gc = runInNewContext("gc");

/** median returns the median of xs (the mean of the middle two when even). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** timeRounds runs every candidate once per round, rotating which goes first
 * so that none always runs on a warm (or throttled) core, and returns each
 * candidate's elapsedMillis per round. Candidates are { name, run } with run
 * sync or async; round i's times sit at index i for every candidate, so
 * ratios can be taken within a round, where the machine's noise is shared. */
export async function timeRounds(candidates, rounds) {
  const elapsedMillis = candidates.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < candidates.length; j++) {
      const c = (round + j) % candidates.length;
      gc();
      const start = performance.now();
      await candidates[c].run();
      elapsedMillis[c].push(performance.now() - start);
    }
  }
  return elapsedMillis;
}

/** medianRatio returns the median over rounds of baseline time / candidate
 * time: how many times faster the candidate is, measured pairwise. */
export function medianRatio(candidateMillis, baselineMillis) {
  return median(candidateMillis.map((t, i) => baselineMillis[i] / t));
}

/** machine describes where the numbers come from. */
export function machine() {
  let cpuModel = cpus()[0]?.model ?? "unknown";
  try {
    // The first processor's fields; family and model identify the
    // generation when a hypervisor shortens the name (e.g. "AMD EPYC").
    const fields = new Map();
    for (const line of readFileSync("/proc/cpuinfo", "utf8").split("\n\n")[0].split("\n")) {
      const [key, value] = line.split(":").map((x) => x?.trim());
      if (key) fields.set(key, value);
    }
    if (fields.has("model name")) cpuModel = `${fields.get("model name")} (family ${fields.get("cpu family")}, model ${fields.get("model")})`;
  } catch {
    // Not Linux: os.cpus() is the best we have.
  }
  return {
    cpuModel,
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

/** loadAverage returns the 1-minute load average, one decimal: other work
 * on the machine moves absolute rates far more than the ratios. */
export function loadAverage() {
  return loadavg()[0].toFixed(1);
}

/** table renders rows (arrays of cells) as a GitHub markdown table. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** fixed formats n with digits decimals and thousands separators. */
export function fixed(n, digits = 1) {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** check throws with got/want when a verification fails: a benchmark whose
 * candidates disagree measures nothing. */
export function check(what, got, want) {
  if (got !== want) throw new Error(`bench: ${what}: got ${got}, want ${want}`);
}

/** verdict marks a measured ratio or rate against its target. */
export function verdict(value, target) {
  return value >= target ? `met (≥ ${target})` : `**missed** (≥ ${target})`;
}

// input.ts owns what the CLI accepts as an input file: reading it within a
// size limit (a FIFO or /dev/zero must not grow the process without end),
// and checking that a .cpuprofile has the shape the converter reads, so that
// a bad file gets one line saying what is wrong, never an internal message.
// It does not convert or decode; decode.ts bounds decompression.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { shown } from "../host/validate.ts";
import { concatBytes } from "../pprof/decode.ts";

/** maxInputBytes bounds an input file: far above any real profile (a
 * 10-minute .cpuprofile is tens of MB), far below what would take the
 * machine down. */
export const maxInputBytes: number = 256 * 1024 * 1024;

const mib = (n: number) => `${n / (1024 * 1024)} MiB`;

/** readInput reads file, up to maxInputBytes. Its errors name the file
 * once: "FILE: no such file", "FILE: larger than the … limit …". */
export function readInput(file: string, limitBytes: number = maxInputBytes): Uint8Array {
  const tooLarge = () => new Error(`${file}: larger than the ${mib(limitBytes)} limit on input files`);
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? `${file}: no such file` : `${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new Error(`${file}: is a directory`);
    if (stat.isFile() && stat.size > limitBytes) throw tooLarge();
    // Devices and pipes have no size: read until the end or the limit.
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunk = new Uint8Array(Math.min(1 << 20, limitBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (err) {
        throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > limitBytes) throw tooLarge();
    }
    return concatBytes(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** timeSlackMicros is how far a sample's timestamp may fall outside
 * [startTime, endTime]: runtimes stamp both ends on clocks of ~1 ms steps. */
const timeSlackMicros = 1000;

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** cpuProfileProblem returns what makes shape not a .cpuprofile the
 * converter can read, or undefined when it is one: the types of every field
 * the converter reads, sample nodes that exist, and timestamps (startTime
 * plus the running sum of timeDeltas) inside the profile's span, since a
 * delta of 1e12 µs would otherwise stand for a million seconds. */
export function cpuProfileProblem(shape: unknown): string | undefined {
  if (shape === null || typeof shape !== "object" || Array.isArray(shape)) return `want a JSON object, got ${shown(shape)}`;
  const p = shape as Record<string, unknown>;
  if (!Array.isArray(p.nodes)) return `"nodes" must be an array, got ${shown(p.nodes)}`;
  const ids = new Set<number>();
  for (let i = 0; i < p.nodes.length; i++) {
    const n = p.nodes[i] as Record<string, unknown> | null;
    const at = `nodes[${i}]`;
    if (n === null || typeof n !== "object" || Array.isArray(n)) return `${at} must be an object, got ${shown(n)}`;
    if (!isInt(n.id) || n.id < 0) return `${at}.id must be a non-negative integer, got ${shown(n.id)}`;
    if (ids.has(n.id)) return `${at}.id ${n.id} is used twice`;
    ids.add(n.id);
    const cf = n.callFrame as Record<string, unknown> | null;
    if (cf === null || typeof cf !== "object" || Array.isArray(cf)) return `${at}.callFrame must be an object, got ${shown(cf)}`;
    if (typeof cf.functionName !== "string") return `${at}.callFrame.functionName must be a string, got ${shown(cf.functionName)}`;
    if (cf.url !== undefined && typeof cf.url !== "string") return `${at}.callFrame.url must be a string, got ${shown(cf.url)}`;
    for (const k of ["lineNumber", "columnNumber"]) {
      if (cf[k] !== undefined && !isInt(cf[k])) return `${at}.callFrame.${k} must be an integer, got ${shown(cf[k])}`;
    }
    if (cf.scriptId !== undefined && typeof cf.scriptId !== "string" && typeof cf.scriptId !== "number") {
      return `${at}.callFrame.scriptId must be a string or a number, got ${shown(cf.scriptId)}`;
    }
    if (n.parent !== undefined && !isInt(n.parent)) return `${at}.parent must be an integer, got ${shown(n.parent)}`;
    if (n.children !== undefined) {
      if (!Array.isArray(n.children)) return `${at}.children must be an array, got ${shown(n.children)}`;
      const bad = n.children.findIndex((c) => !isInt(c));
      if (bad >= 0) return `${at}.children[${bad}] must be an integer, got ${shown(n.children[bad])}`;
    }
  }
  for (const k of ["startTime", "endTime"]) {
    if (!isFiniteNumber(p[k])) return `"${k}" must be a finite number, got ${shown(p[k])}`;
  }
  const start = p.startTime as number;
  const end = p.endTime as number;
  if (end < start) return `"endTime" ${end} is before "startTime" ${start}`;
  // 1e13 µs is 116 days: longer spans are no profile, and their nanoseconds
  // would not fit pprof's int64 fields.
  if (end - start > 1e13) return `"endTime" − "startTime" is ${end - start} µs, more than the 1e13 µs a profile can span`;
  const samples = p.samples ?? [];
  if (!Array.isArray(samples)) return `"samples" must be an array, got ${shown(p.samples)}`;
  for (let i = 0; i < samples.length; i++) {
    if (!ids.has(samples[i] as number)) return `samples[${i}] must be the id of a node, got ${shown(samples[i])}`;
  }
  if (p.timeDeltas === undefined) return undefined;
  const deltas = p.timeDeltas;
  if (!Array.isArray(deltas)) return `"timeDeltas" must be an array, got ${shown(deltas)}`;
  if (deltas.length !== samples.length) return `"timeDeltas" has ${deltas.length} entries for ${samples.length} samples`;
  let t = start;
  for (let i = 0; i < deltas.length; i++) {
    const d = deltas[i];
    if (!isFiniteNumber(d)) return `timeDeltas[${i}] must be a finite number, got ${shown(d)}`;
    t += d;
    if (t < start - timeSlackMicros || t > end + timeSlackMicros) {
      return `timeDeltas[${i}] puts sample ${i} at ${t - start} µs, outside the profile's [0, ${end - start}] µs`;
    }
  }
  return undefined;
}

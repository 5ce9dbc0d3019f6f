// cpu-time-child.mjs runs one profiler over the cpu-time workload in a fresh
// process and prints one JSON line: the profile's CPU total, the thread's
// real CPU time over the same span (Linux schedstat, read here), and each
// leaf function's CPU time. bench/cpu-time.mjs runs it; it is not a test.
//   <runtime> cpu-time-child.mjs <anyprof|datadog> <seconds> [windowMillis] [hz] [lines]
// lines (0 or 1, default 1 for anyprof, 0 for Datadog) is line-level
// attribution: anyprof's lines option, Datadog's lineNumbers.
import { readFileSync } from "node:fs";

const [profiler = "anyprof", secondsArg = "3", windowArg = "100", hzArg = "100", linesArg] = globalThis.Deno ? Deno.args : process.argv.slice(2);
const lines = linesArg === undefined ? profiler === "anyprof" : linesArg === "1";
let gzBytes = 0;
let sampleCount = 0;
const seconds = Number(secondsArg);
const hz = Number(hzArg);

/** threadCpuNanos is the main thread's time on a CPU (the kernel's count). */
const threadCpuNanos = () => Number(readFileSync("/proc/thread-self/schedstat", "latin1").split(" ", 1)[0]);

// The workload: six functions of different weight, each a few ms a call,
// with the event loop turning between calls, as a server's handlers do.
const data = Array.from({ length: 400 }, (_, i) => ({ id: i, name: `item-${i}`, tags: ["a", "b", String(i % 7)], price: i * 1.25, nested: { on: i % 2 === 0, n: [i, i + 1, i + 2] } }));
const text = Array.from({ length: 3000 }, (_, i) => `word${i} running jumping ${i % 13 === 0 ? "sing" : "walk"} thing-${i}`).join(" ");
const numbers = Array.from({ length: 20000 }, (_, i) => (i * 2654435761) % 1000003);
function jsonRoundTrip() {
  return JSON.parse(JSON.stringify(data)).length;
}
function mathKernel() {
  let x = 1;
  for (let i = 0; i < 600_000; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
function sortNumbers() {
  return numbers.slice().sort((a, b) => a - b)[0];
}
function regexScan() {
  return (text.match(/\b\w+ing\b/g) ?? []).length;
}
function buildStrings() {
  let s = "";
  for (let i = 0; i < 20000; i++) s += String.fromCharCode(97 + (i % 26));
  return s.length;
}
function tokenize() {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 45) n++;
  }
  return n;
}
const work = [jsonRoundTrip, mathKernel, mathKernel, sortNumbers, regexScan, buildStrings, tokenize, tokenize];

const turn = () => new Promise((r) => setTimeout(r, 0));

let stop;
if (profiler === "datadog") {
  const { time, encode } = await import("@datadog/pprof");
  // Datadog's lineNumbers rules out contexts, and collectCpuTime needs
  // them: with lines asked for explicitly (the size benchmark), neither.
  const sizeRun = linesArg !== undefined;
  time.start({ intervalMicros: 1e6 / hz, durationMillis: 3_600_000, collectCpuTime: !sizeRun, withContexts: !sizeRun, lineNumbers: lines });
  stop = async () => {
    const p = time.stop();
    gzBytes = (await encode(p)).length;
    for (const x of p.sample) sampleCount += Number(x.value[0]);
    const s = p.stringTable.strings;
    const cpu = Math.max(0, p.sampleType.findIndex((t) => s[t.type] === (sizeRun ? "wall" : "cpu")));
    const fns = new Map(p.function.map((f) => [Number(f.id), s[f.name]]));
    const locs = new Map(p.location.map((l) => [Number(l.id), fns.get(Number(l.line[0]?.functionId))]));
    return p.sample.map((x) => ({ leaf: locs.get(Number(x.locationId[0])) ?? "?", cpu: Number(x.value[cpu]) }));
  };
} else {
  const anyprof = globalThis.Deno ? await import("../src/runtime/deno.ts") : await import("anyprof");
  const { gunzipSync } = await import("node:zlib");
  const protobuf = (await import("protobufjs")).default;
  await anyprof.startCPUProfile(undefined, { hz, cpuWindowMillis: Number(windowArg), lines });
  stop = async () => {
    const bytes = await anyprof.stopCPUProfile();
    gzBytes = bytes.length;
    const root = protobuf.loadSync(new URL("../test/profile.proto", import.meta.url).pathname);
    const P = root.lookupType("perftools.profiles.Profile");
    const p = P.toObject(P.decode(gunzipSync(bytes)), { longs: Number, arrays: true, defaults: true });
    const s = p.stringTable;
    const cpu = p.sampleType.findIndex((t) => s[t.type] === "cpu");
    const fns = new Map(p.function.map((f) => [f.id, s[f.name]]));
    const locs = new Map(p.location.map((l) => [l.id, fns.get(l.line[0]?.functionId)]));
    for (const x of p.sample) sampleCount += x.value[0];
    return p.sample.map((x) => ({ leaf: locs.get(x.locationId[0]) ?? "?", cpu: x.value[cpu] }));
  };
}
const cpu0 = threadCpuNanos();
const wall0 = performance.now();
let sink = 0;
while (performance.now() - wall0 < seconds * 1000) {
  for (const f of work) sink += f();
  await turn();
}
const threadCpu = threadCpuNanos() - cpu0;
const wallNanos = (performance.now() - wall0) * 1e6;
const samples = await stop();
const flat = {};
let total = 0;
for (const x of samples) {
  flat[x.leaf] = (flat[x.leaf] ?? 0) + x.cpu;
  total += x.cpu;
}
console.log(JSON.stringify({ profiler, lines, total, threadCpu, wallNanos, gzBytes, sampleCount, flat, sink: sink > 0 }));

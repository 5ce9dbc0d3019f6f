#!/usr/bin/env node
// main.ts is the `anyprof` command: argument parsing and exit codes (0 ok,
// 1 failure, 2 usage) for record, attach, convert, top, view and report. Every
// failure is one line on stderr, never a stack trace.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import "../runtime/node.ts";
import { CpuProfileConverter } from "../pprof/cpuprofile.ts";
import { newCore } from "../pprof/core.ts";
import { gzip } from "../host/gzip.ts";
import { host, type CpuProfileShape } from "../host/host.ts";
import { decodePprof } from "./decode.ts";
import { cpuProfileProblem, readInput } from "./input.ts";
import { convertHeapProfile, isHeapProfile } from "./convert-heap.ts";
import { defaultHeapRateBytes } from "../profiles/heap.ts";
import { newSourceMapper, type SourceMapOptions } from "../symbolize/sourcemaps.ts";
import { computeTop, formatTop, type TopOptions } from "./top.ts";
import { formatReport } from "./report.ts";
import { pushCommand, pushUsage } from "./push.ts";
import { recordPushEnv } from "./push-target.ts";

/** UsageError is bad arguments: exit code 2. */
class UsageError extends Error {}

const sourceMapsUsage = `
Source maps (the script's sourceMappingURL, a sibling .map) turn positions into
the original source's, read from the working directory; --source-maps DIR also
reads DIR/<script name>.map; --no-source-maps keeps generated positions.`;

const usage: Record<string, string> = {
  record: `usage: anyprof record [-o DIR] [--force] [--heap] [--hz N] [--threads] [--push URL [--period S] [--app NAME] [--tag k=v]…] -- <node|deno|bun> script.js [args…]
Runs the program with anyprof preloaded and writes DIR/cpu.pb.gz (and
heap.pb.gz with --heap) when it exits, also on Ctrl-C and on an uncaught
exception, then prints where it wrote and the top functions. The program's
exit code is passed through. The CPU profile is always recorded; --hz sets
its sampling rate (default 100); --threads adds Node's worker threads, each
sample labelled with its thread (docs/threads.md). Without -o, DIR is a new directory
./anyprof-<script>-<date>-<time>; profiles already in DIR are never
overwritten without --force.
--push URL pushes the CPU profile every --period seconds (default 15) to
Pyroscope at URL, or to an OpenTelemetry Collector's pprof receiver when URL
ends in /v1/pprof, instead of writing cpu.pb.gz.`,
  push: pushUsage,
  attach: `usage: anyprof attach <ws-url | host:port[/target]> [--seconds N] [--heap] [--hz N] [--no-deopt] [--source-maps DIR | --no-source-maps] -o FILE
Profiles a running process over the inspector protocol: node --inspect,
deno run --inspect, workerd serve --inspector-addr (host:port/<service> picks
a worker). Ctrl-C ends the window early and keeps the profile. --no-deopt
leaves the target's optimized code alone (functions inlined before the attach
are then reported as their callers).${sourceMapsUsage}`,
  convert: `usage: anyprof convert IN -o OUT.pb.gz [--heap-rate BYTES] [--source-maps DIR | --no-source-maps]
Converts a .cpuprofile (node --cpu-prof, Deno, Bun, DevTools) or a
.heapprofile (node --heap-prof, DevTools, anyprof's nearHeapLimitProfiles on
Node 26) to pprof. --heap-rate is the rate the heap profile was sampled at
(default 524288, anyprof's default), which the file does not record.${sourceMapsUsage}`,
  top: `usage: anyprof top FILE [-n N] [--cum] [--sample-index NAME] [--tagfocus k=v]
       [--focus RE] [--ignore RE] [--hide RE] [--diff-base OLD [--normalize]]
Prints the table of go tool pprof -top for any pprof file, with pprof's
filters and -diff_base (OLD's values subtracted; --normalize scales FILE to
OLD's total first).`,
  view: `usage: anyprof view FILE [-o profile.html] [--open] [--base OLD [--normalize]]
Writes one self-contained HTML file that shows the profile: flame and icicle
graphs, the top table, a sandwich, per-line source, filters; with --base, a
diff against OLD (pprof's -diff_base).`,
  report: `usage: anyprof report FILE [--base OLD [--normalize]] [--sample-index NAME] [-n N] [-o report.md]
Writes a short Markdown summary: top functions by flat and cum with
file:line, the hottest paths, a per-label breakdown and, with --base, the
biggest regressions.`,
};
const mainUsage = `usage: anyprof <command> [arguments]

commands:
  record   run a program under the profiler and write its profiles
  push     upload pprof files to Pyroscope or an OpenTelemetry Collector
  attach   profile a running process over the inspector protocol
  convert  convert a .cpuprofile or .heapprofile to pprof
  top      print the top functions of a pprof file
  view     write an interactive viewer (flame, top, sandwich, source, diff) as one HTML file
  report   write a Markdown summary of a profile (and its regressions against a base)

anyprof <command> --help prints the command's usage.`;

/** Parsed is parseArgs' result, with every option kept as parsed. */
interface Parsed {
  values: Opts;
  positionals: string[];
}

/** Opts reads parsed options: str for string options, flag for booleans. */
class Opts {
  readonly #raw: Record<string, string | boolean | undefined>;
  constructor(raw: Record<string, unknown>) {
    this.#raw = raw as Record<string, string | boolean | undefined>;
  }
  str(name: string): string | undefined {
    const v = this.#raw[name];
    return typeof v === "string" ? v : undefined;
  }
  flag(name: string): boolean {
    return this.#raw[name] === true;
  }
  list(name: string): string[] {
    const v = this.#raw[name] as unknown;
    return Array.isArray(v) ? (v as string[]) : [];
  }
}

function parse(command: string, args: string[], options: NonNullable<ParseArgsConfig["options"]>): Parsed {
  try {
    const r = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    return { values: new Opts(r.values), positionals: r.positionals };
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message.split(". ")[0] : String(err)} (anyprof ${command} --help for usage)`);
  }
}

// inFile prefixes a failure about file with its name, once: errors that
// already start with it (readInput's) pass unchanged.
function inFile(file: string, err: unknown): Error {
  const message = (err instanceof Error ? err.message : String(err)).replace(/^pprof: /, "");
  return new Error(message.startsWith(`${file}: `) ? message : `${file}: ${message}`);
}

function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} wants a positive number, got ${JSON.stringify(value)}`);
  return n;
}

/** sourceMapOption reads --source-maps DIR and --no-source-maps: false for
 * none, else the options (DIR is searched for maps and may hold them). */
function sourceMapOption(values: Opts): SourceMapOptions | false {
  if (values.flag("no-source-maps")) {
    if (values.str("source-maps") !== undefined) throw new UsageError("--source-maps and --no-source-maps contradict each other");
    return false;
  }
  const dir = values.str("source-maps");
  if (dir === undefined) return {};
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new UsageError(`--source-maps wants a directory, got ${JSON.stringify(dir)}: no such directory`);
  return { dirs: [abs], roots: [process.cwd(), abs] };
}

const sourceMapArgs = { "source-maps": { type: "string" }, "no-source-maps": { type: "boolean" } } as const;

/** convertCpuProfile converts .cpuprofile JSON text to gzip pprof, its
 * frames mapped with sourceMaps (the default mapper when absent). */
export function convertCpuProfile(text: string, name = "input", sourceMaps?: SourceMapOptions | false): Uint8Array {
  let shape: CpuProfileShape;
  try {
    shape = JSON.parse(text) as CpuProfileShape;
  } catch (err) {
    throw new Error(`${name}: not a .cpuprofile: not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  // The shape is checked before the converter reads it: a bad file gets
  // what is wrong with it, not an internal TypeError.
  const problem = cpuProfileProblem(shape);
  if (problem !== undefined) throw new Error(`${name}: not a .cpuprofile: ${problem}`);
  // The sampling interval is not in the file: take the median gap.
  const deltas = (shape.timeDeltas ?? []).filter((d) => d > 0).sort((a, b) => a - b);
  const intervalMicros = Math.min(1e6, deltas.length > 0 ? deltas[deltas.length >> 1]! : 1000);
  const symbolizer = sourceMaps === undefined ? undefined : sourceMaps === false ? null : newSourceMapper(sourceMaps);
  const converter = new CpuProfileConverter(newCore(host.wasmModule()), { intervalMicros, symbolizer });
  try {
    converter.add(shape);
  } catch (err) {
    throw inFile(name, err);
  }
  const durationMicros = Math.max(0, shape.endTime - shape.startTime);
  return gzip(converter.finish(0n, BigInt(Math.round(durationMicros * 1000))));
}

/** freshRecordDir returns a directory name that does not exist yet, named
 * after the program and the local time: ./anyprof-<script>-<YYYYMMDD>-<HHMMSS>
 * (then -2, -3, … within the same second). */
function freshRecordDir(programArgs: string[]): string {
  const script = programArgs.find((a) => !a.startsWith("-")) ?? "program";
  const base = script.replace(/^.*[/\\]/, "").replace(/\.[^.]*$/, "").replace(/[^\w.-]+/g, "_") || "program";
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
  const name = resolve(`anyprof-${base}-${stamp}`);
  if (!existsSync(name)) return name;
  for (let i = 2; ; i++) if (!existsSync(`${name}-${i}`)) return `${name}-${i}`;
}

async function record(args: string[]): Promise<number> {
  const dash = args.indexOf("--");
  if (dash < 0) throw new UsageError("record needs -- before the program (anyprof record --help for usage)");
  const { values } = parse("record", args.slice(0, dash), {
    o: { type: "string", short: "o" },
    force: { type: "boolean" },
    cpu: { type: "boolean" },
    heap: { type: "boolean" },
    hz: { type: "string" },
    threads: { type: "boolean" },
    labels: { type: "boolean" },
    push: { type: "string" },
    period: { type: "string" },
    app: { type: "string" },
    tag: { type: "string", multiple: true },
  });
  const [runtime, ...rest] = args.slice(dash + 1);
  if (runtime === undefined || rest.length === 0) throw new UsageError("record needs a runtime and a script after -- (anyprof record --help for usage)");
  const kind = runtime.replace(/^.*[/\\]/, "");
  const preload = fileURLToPath(new URL("./preload.js", import.meta.url));
  let cmd: string;
  let cmdArgs: string[];
  if (kind === "node" || kind.startsWith("node")) {
    cmd = runtime === "node" ? process.execPath : runtime;
    cmdArgs = ["--import", new URL("./preload.js", import.meta.url).href, ...rest];
  } else if (kind === "bun") {
    cmd = runtime;
    cmdArgs = ["--preload", preload, ...rest];
  } else if (kind === "deno") {
    cmd = runtime;
    // The profiler needs --allow-sys (inspector) and writes its files; the
    // program gets every permission, as under plain `deno run -A`.
    cmdArgs = ["run", "-A", "--preload", preload, ...rest];
  } else {
    throw new UsageError(`record runs node, deno or bun, not ${JSON.stringify(runtime)}`);
  }
  const hz = positiveNumber("hz", values.str("hz"), 100);
  if (hz < 1 || hz > 1e6) throw new UsageError(`--hz wants a rate from 1 to 1000000, got ${hz}`);
  // CPU is always recorded (--cpu is accepted for scripts that say it).
  const cpu = true;
  const given = values.str("o");
  const dir = given !== undefined ? resolve(given) : freshRecordDir(rest);
  const existing = ["cpu.pb.gz", "heap.pb.gz"].filter((f) => existsSync(join(dir, f)));
  if (existing.length > 0 && !values.flag("force")) {
    throw new Error(`${join(dir, existing[0]!)} exists: use --force to overwrite it, or another -o directory`);
  }
  mkdirSync(dir, { recursive: true });
  // A profile left by an earlier run must not pass for this run's.
  for (const file of existing) rmSync(join(dir, file), { force: true });
  process.stderr.write(`anyprof: recording ${rest.join(" ")} into ${dir}\n`);
  const started = performance.now();
  // Node and Bun get a pipe on fd 3: Node's rescue worker reads "signal"
  // from it to rescue a program stuck in a loop (see rescue.ts), and both
  // write their sample counts on it for the progress line. Deno cannot
  // write to an inherited descriptor.
  const rescuable = kind.startsWith("node");
  const piped = rescuable || kind === "bun";
  const env: NodeJS.ProcessEnv = { ...process.env, ANYPROF_RECORD_DIR: dir, ANYPROF_RECORD_CPU: cpu ? "1" : "0", ANYPROF_RECORD_HEAP: values.flag("heap") ? "1" : "0", ANYPROF_RECORD_HZ: String(hz), ANYPROF_RECORD_THREADS: values.flag("threads") ? "1" : "0" };
  if (piped) env.ANYPROF_RECORD_FD = "3";
  const pushURL = values.str("push");
  if (pushURL !== undefined) Object.assign(env, recordPushEnv(pushURL, values.str("period"), values.str("app"), values.list("tag")));
  const tty = process.stderr.isTTY === true;
  if (piped && tty && cpu) env.ANYPROF_RECORD_PROGRESS = "1";
  let samples: number | undefined;
  const child = spawn(cmd, cmdArgs, { stdio: piped ? ["inherit", "inherit", "inherit", "pipe"] : "inherit", env });
  const pipe = piped ? (child.stdio[3] as import("node:net").Socket | null) : null;
  // Ctrl-C goes to the whole process group: the child writes its profiles
  // and exits, and we wait for it. A Node child too busy to run its
  // handlers (a CPU-bound loop) is rescued: its worker has the profiles
  // written from an interrupt, and we end it. Otherwise a busy child is
  // killed on a second Ctrl-C, or 5 s after the first. SIGTERM sent to us
  // alone is passed on, with the same deadline.
  let signals = 0;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let rescuedBy: NodeJS.Signals | undefined;
  let firstSignal: NodeJS.Signals | undefined;
  if (pipe !== null) {
    pipe.on("error", () => {});
    // readline re-emits the pipe's errors (ECONNRESET when the child ends
    // first): unheard, they would end this process instead of passing the
    // child's exit code through.
    const lines = createInterface({ input: pipe });
    lines.on("error", () => {});
    lines.on("line", (line) => {
      if (line.startsWith("samples ")) {
        samples = Number(line.slice(8));
      } else if (line === "rescued") {
        process.stderr.write(`anyprof: ${runtime} was too busy to handle ${firstSignal ?? "the signal"}: its profile was written from an interrupt; ending it\n`);
        rescuedBy = firstSignal;
        child.kill("SIGKILL");
      } else if (line.startsWith("failed ")) {
        process.stderr.write(`anyprof: could not rescue the profile of a busy ${runtime}: ${line.slice(7)}\n`);
      }
    });
  }
  const onSignal = (signal: NodeJS.Signals) => {
    firstSignal ??= signal;
    if (signal === "SIGTERM") child.kill("SIGTERM");
    if (signals++ === 0 && rescuable) pipe?.write("signal\n");
    if (signals >= 2) child.kill("SIGKILL");
    deadline ??= setTimeout(() => child.kill("SIGKILL"), 5000);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const progress = tty
    ? setInterval(() => {
        const count = samples === undefined ? "" : `, ${samples} samples`;
        process.stderr.write(`\ranyprof: recording ${((performance.now() - started) / 1000).toFixed(1)} s${count}`);
      }, 250)
    : undefined;
  const code = await new Promise<number>((done, fail) => {
    child.on("error", (err) => fail(new Error(`could not start ${runtime}: ${err.message}`)));
    // exit, not close: a grandchild may hold the rescue pipe open.
    child.on("exit", (c, signal) => {
      pipe?.destroy();
      const by = signal === "SIGKILL" && rescuedBy !== undefined ? rescuedBy : signal;
      done(c ?? (by === "SIGINT" ? 130 : by === "SIGTERM" ? 143 : 1));
    });
  });
  if (progress !== undefined) {
    clearInterval(progress);
    process.stderr.write("\n");
  }
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  clearTimeout(deadline);
  for (const [file, want] of [["cpu.pb.gz", cpu && pushURL === undefined], ["heap.pb.gz", values.flag("heap")]] as const) {
    if (!want) continue;
    const path = join(dir, file);
    if (!existsSync(path)) {
      process.stderr.write(`anyprof: ${runtime} wrote no ${file}\n`);
      return code !== 0 ? code : 1;
    }
    const top = computeTop(decodePprof(readFileSync(path)), { nodeCount: 10 });
    process.stdout.write(`\n${path}\n${formatTop(top)}`);
  }
  return code;
}

async function attachCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse("attach", args, {
    o: { type: "string", short: "o" },
    seconds: { type: "string" },
    heap: { type: "boolean" },
    hz: { type: "string" },
    "no-deopt": { type: "boolean" },
    ...sourceMapArgs,
  });
  const out = values.str("o");
  if (positionals.length !== 1 || out === undefined) throw new UsageError(`wrong arguments (anyprof attach --help for usage)`);
  const { attach } = (await import(new URL("./attach.js", import.meta.url).href)) as typeof import("./attach.ts");
  const seconds = positiveNumber("seconds", values.str("seconds"), 30);
  // Ctrl-C ends the window early; the profile so far is still written.
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.on("SIGINT", onSigint);
  let bytes: Uint8Array;
  try {
    bytes = await attach(positionals[0]!, {
      seconds,
      heap: values.flag("heap"),
      hz: positiveNumber("hz", values.str("hz"), 100),
      deoptimize: !values.flag("no-deopt"),
      sourceMaps: sourceMapOption(values),
      signal: abort.signal,
      onStart: (t) => process.stderr.write(`anyprof: profiling ${t.title} for ${seconds} s (Ctrl-C to stop early)\n`),
    });
  } finally {
    process.off("SIGINT", onSigint);
  }
  writeFileSync(out, bytes);
  process.stdout.write(formatTop(computeTop(decodePprof(bytes), { nodeCount: 10 })));
  return 0;
}

function convert(args: string[]): number {
  const { values, positionals } = parse("convert", args, { o: { type: "string", short: "o" }, "heap-rate": { type: "string" }, ...sourceMapArgs });
  const out = values.str("o");
  if (positionals.length !== 1 || out === undefined) throw new UsageError(`wrong arguments (anyprof convert --help for usage)`);
  const input = positionals[0]!;
  const sourceMaps = sourceMapOption(values);
  const text = new TextDecoder().decode(readInput(input));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined; // convertCpuProfile says why
  }
  if (isHeapProfile(parsed)) {
    const rateBytes = positiveNumber("heap-rate", values.str("heap-rate"), defaultHeapRateBytes);
    writeFileSync(out, convertHeapProfile(parsed, rateBytes, input));
    return 0;
  }
  writeFileSync(out, convertCpuProfile(text, input, sourceMaps));
  return 0;
}

function top(args: string[]): number {
  const { values, positionals } = parse("top", args, {
    n: { type: "string", short: "n" },
    cum: { type: "boolean" },
    "sample-index": { type: "string" },
    tagfocus: { type: "string" },
    ...filterFlags,
  });
  if (positionals.length !== 1) throw new UsageError(`wrong arguments (anyprof top --help for usage)`);
  let tagFocus: [string, string] | undefined;
  const focus = values.str("tagfocus");
  if (focus !== undefined) {
    const i = focus.indexOf("=");
    if (i <= 0) throw new UsageError(`--tagfocus wants key=value, got ${JSON.stringify(focus)}`);
    tagFocus = [focus.slice(0, i), focus.slice(i + 1)];
  }
  const file = positionals[0]!;
  const bytes = readInput(file);
  let profile;
  try {
    profile = decodePprof(bytes);
  } catch (err) {
    throw inFile(file, err);
  }
  const t = computeTop(profile, { nodeCount: positiveNumber("n", values.str("n"), 20), cum: values.flag("cum"), sampleIndex: values.str("sample-index"), tagFocus, ...filterOptions(values) });
  process.stdout.write(formatTop(t));
  return 0;
}

/** filterFlags are pprof's sample filters, shared by top. */
const filterFlags = {
  focus: { type: "string" },
  ignore: { type: "string" },
  hide: { type: "string" },
  "diff-base": { type: "string" },
  normalize: { type: "boolean" },
} as const;

function regexFlag(flag: string, value: string | undefined): RegExp | undefined {
  if (value === undefined) return undefined;
  try {
    return new RegExp(value);
  } catch (err) {
    throw new UsageError(`--${flag}: parsing regexp ${JSON.stringify(value)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** filterOptions reads filterFlags into computeTop's options. */
function filterOptions(values: Opts): Pick<TopOptions, "focus" | "ignore" | "hide" | "base" | "normalize"> {
  const baseFile = values.str("diff-base");
  if (values.flag("normalize") && baseFile === undefined) throw new UsageError("--normalize needs --diff-base");
  let base;
  if (baseFile !== undefined) {
    try {
      base = decodePprof(readInput(baseFile));
    } catch (err) {
      throw new Error(`${baseFile}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { focus: regexFlag("focus", values.str("focus")), ignore: regexFlag("ignore", values.str("ignore")), hide: regexFlag("hide", values.str("hide")), base, normalize: values.flag("normalize") };
}

function report(args: string[]): number {
  const { values, positionals } = parse("report", args, { base: { type: "string" }, normalize: { type: "boolean" }, "sample-index": { type: "string" }, n: { type: "string", short: "n" }, o: { type: "string", short: "o" } });
  if (positionals.length !== 1) throw new UsageError(`wrong arguments (anyprof report --help for usage)`);
  const file = positionals[0]!;
  const baseFile = values.str("base");
  if (values.flag("normalize") && baseFile === undefined) throw new UsageError("--normalize needs --base");
  const decode = (name: string) => {
    try {
      return decodePprof(readInput(name));
    } catch (err) {
      throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const text = formatReport(decode(file), {
    title: file,
    base: baseFile !== undefined ? decode(baseFile) : undefined,
    baseTitle: baseFile,
    normalize: values.flag("normalize"),
    sampleIndex: values.str("sample-index"),
    rows: positiveNumber("n", values.str("n"), 10),
  });
  const out = values.str("o");
  if (out !== undefined) writeFileSync(out, text);
  else process.stdout.write(text);
  return 0;
}

async function view(args: string[]): Promise<number> {
  const { values, positionals } = parse("view", args, { o: { type: "string", short: "o" }, open: { type: "boolean" }, base: { type: "string" }, normalize: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError(`wrong arguments (anyprof view --help for usage)`);
  const file = positionals[0]!;
  const { renderFlameGraphHtml, openInBrowser } = (await import(new URL("./view.js", import.meta.url).href)) as typeof import("./view.ts");
  const baseFile = values.str("base");
  if (values.flag("normalize") && baseFile === undefined) throw new UsageError("--normalize needs --base");
  const base = baseFile !== undefined ? readInput(baseFile) : undefined;
  let html: string;
  try {
    html = renderFlameGraphHtml(readInput(file), { title: baseFile !== undefined ? `${file} − ${baseFile}` : file, base, normalize: values.flag("normalize") });
  } catch (err) {
    throw inFile(file, err);
  }
  const out = values.str("o") ?? "profile.html";
  writeFileSync(out, html);
  process.stdout.write(`wrote ${out}\n`);
  if (values.flag("open")) {
    const opened = await openInBrowser(out);
    if (!opened.opened) process.stderr.write(`${opened.message}\n`);
  }
  return 0;
}

/** main runs the command line and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${mainUsage}\n`);
    return command === undefined ? 2 : 0;
  }
  if (!(command in usage)) {
    process.stderr.write(`anyprof: unknown command ${JSON.stringify(command)} (anyprof --help lists them)\n`);
    return 2;
  }
  if ((args.includes("--help") || args.includes("-h")) && !(command === "record" && args.indexOf("--") >= 0 && args.indexOf("--") < args.indexOf("--help"))) {
    process.stdout.write(`${usage[command]}\n`);
    return 0;
  }
  try {
    switch (command) {
      case "record":
        return await record(args);
      case "attach":
        return await attachCommand(args);
      case "convert":
        return convert(args);
      case "top":
        return top(args);
      case "push":
        return await pushCommand(args, (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`), process.env);
      case "report":
        return report(args);
      default:
        return await view(args);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof UsageError) {
      process.stderr.write(`anyprof ${command}: ${message.split("\n")[0]}\n`);
      return 2;
    }
    process.stderr.write(`anyprof: ${message.replace(/^(anyprof|pprof): /, "").split("\n")[0]}\n`);
    return 1;
  }
}

// Run when executed, also through npm's bin symlink (not when imported by
// tests): compare real paths.
const self = fileURLToPath(import.meta.url);
if (process.argv[1] !== undefined && existsSync(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(self)) {
  process.exitCode = await main(process.argv.slice(2));
}

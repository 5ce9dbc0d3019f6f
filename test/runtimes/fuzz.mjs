// fuzz.mjs throws seeded random bad input at anyprof inside one runtime's
// process, class by class: label sets, profile names, options, writers,
// HTTP requests to the runtime's own servePprof, and files for the CLI's
// top, view and convert. Each case must end in an error that starts with
// "pprof:" (library) or "anyprof:" (CLI) and shows the bad value, or be
// answered (HTTP: never a 5xx); no case may reach the host as an unhandled
// rejection or an uncaught exception. It prints one JSON line: per class
// the cases run and the first failures, plus what reached the host.
// test/fuzz.test.ts runs it under Node, Deno and Bun and judges the line.
// FUZZ_SEED picks the seed (printed, to replay a failure); FUZZ_CASES the
// cases per class (default 200).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Writable } from "node:stream";
import { gzipSync } from "node:zlib";
import { EventEmitter } from "node:events";
import { createWriteStream } from "node:fs";
import { Rand, shownAs } from "../helpers/prng.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const messageOf = (err) => (err instanceof Error ? err.message : `(not an Error) ${shownAs(err)}`);

/** Report collects one class's cases and its first failures. */
class Report {
  constructor() {
    this.cases = 0;
    this.failures = [];
    this.failed = 0;
  }
  fail(what) {
    this.failed++;
    if (this.failures.length < 8) this.failures.push(what);
  }
}

/** expectRejected runs f (sync or async) and checks that it throws a
 * "pprof:" error whose message contains every string in want. */
async function expectRejected(report, what, f, want) {
  report.cases++;
  let message;
  try {
    await f();
  } catch (err) {
    message = messageOf(err);
  }
  if (message === undefined) return report.fail(`${what}: accepted, want an error showing ${want.join(" and ")}`);
  if (!message.startsWith("pprof: ")) return report.fail(`${what}: ${JSON.stringify(message)} does not start with "pprof: "`);
  for (const w of want) if (!message.includes(w)) return report.fail(`${what}: ${JSON.stringify(message)} does not show ${JSON.stringify(w)}`);
}

// badOf draws random values until one that valid() refuses.
function badOf(rand, valid) {
  for (;;) {
    const v = rand.value();
    let ok;
    try {
      ok = valid(v);
    } catch {
      ok = false;
    }
    if (!ok) return v;
  }
}

const num = (lo, hi, integer = false) => (v) => v === undefined || (typeof v === "number" && v >= lo && v <= hi && (!integer || Number.isInteger(v)));
const bool = (v) => v === undefined || typeof v === "boolean";
const str = (nonEmpty) => (v) => v === undefined || (typeof v === "string" && (!nonEmpty || v !== ""));
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

async function fuzzLabels(anyprof, rand, n) {
  const r = new Report();
  const profiling = anyprof.startCPUProfile(undefined, { hz: 1000 }).then(() => true, () => false);
  const ops = [
    (v) => [`runWithLabels(${shownAs(v)}, fn)`, () => anyprof.runWithLabels(v, () => 1), [shownAs(v)]],
    (v) => [`withLabels(${shownAs(v)})`, () => anyprof.withLabels(v), [shownAs(v)]],
    (v) => [`setLabels(${shownAs(v)})`, () => anyprof.setLabels(v), [shownAs(v)]],
    (v) => [`runWithLabels(set, ${shownAs(v)})`, () => anyprof.runWithLabels(anyprof.labels("k", "v"), v), [shownAs(v)]],
    (v) => [`forLabels(${shownAs(v)})`, () => anyprof.forLabels(v), [shownAs(v)]],
    (v) => [`label(${shownAs(v)})`, () => anyprof.label(v), [shownAs(v)]],
  ];
  for (let i = 0; i < n; i++) {
    if (rand.chance(0.25)) {
      // labels(k, v, …) with one argument that is not a string.
      const args = Array.from({ length: 2 * rand.int(1, 3) }, () => rand.string(4));
      const at = rand.int(0, args.length - 1);
      args[at] = badOf(rand, (v) => typeof v === "string");
      await expectRejected(r, `labels(${args.map(shownAs).join(", ")})`, () => anyprof.labels(...args), [shownAs(args[at])]);
    } else {
      const k = rand.int(0, ops.length - 1);
      const v = badOf(rand, (x) => (k === 3 || k === 4 ? typeof x === "function" : k === 5 ? typeof x === "string" : false));
      const [what, f, want] = ops[k](v);
      await expectRejected(r, what, f, want);
    }
    // Good labels on async work meanwhile, so that the hooks fire.
    if (i % 10 === 0) await anyprof.runWithLabels(anyprof.labels("fuzz", String(i)), () => sleep(0).then(() => Promise.resolve()));
  }
  if (await profiling) {
    try {
      const bytes = await anyprof.stopCPUProfile();
      if (!(bytes instanceof Uint8Array) || bytes.length === 0) r.fail(`stopCPUProfile after the label cases: got ${shownAs(bytes)}, want bytes`);
    } catch (err) {
      r.fail(`stopCPUProfile after the label cases: ${messageOf(err)}`);
    }
  }
  return r;
}

async function fuzzNames(anyprof, rand, n) {
  const r = new Report();
  const made = [];
  for (let i = 0; i < n; i++) {
    const kind = rand.int(0, 3);
    if (kind === 0 && made.length > 0) {
      const name = rand.pick(made);
      await expectRejected(r, `newProfile(${shownAs(name)}) twice`, () => anyprof.newProfile(name), [name]);
    } else if (kind === 1) {
      // A valid name: accepted, then written like any profile.
      const name = `fuzz/${rand.string(8)}/${i}`;
      r.cases++;
      try {
        const p = anyprof.newProfile(name);
        p.add({});
        made.push(name);
        await p.writeTo(undefined, rand.int(0, 1));
      } catch (err) {
        r.fail(`newProfile(${shownAs(name)}): ${messageOf(err)}`);
      }
    } else {
      const v = badOf(rand, (x) => typeof x === "string" && x !== "");
      await expectRejected(r, `newProfile(${shownAs(v)})`, () => anyprof.newProfile(v), [v === "" ? "empty name" : shownAs(v)]);
      r.cases++;
      try {
        if (anyprof.lookup(v) !== undefined) r.fail(`lookup(${shownAs(v)}) found a profile`);
      } catch (err) {
        r.fail(`lookup(${shownAs(v)}) threw ${messageOf(err)}`);
      }
    }
  }
  r.cases++;
  try {
    const names = anyprof.profiles().map((p) => p.name);
    for (const m of made) if (!names.includes(m)) r.fail(`profiles(): ${shownAs(m)} missing`);
  } catch (err) {
    r.fail(`profiles(): ${messageOf(err)}`);
  }
  return r;
}

// optionTargets: what takes options, which keys it checks and what each
// accepts (docs/guarantees.md), and how to call it.
const optionTargets = (anyprof, profile) => [
  {
    name: "startCPUProfile",
    keys: { hz: num(1, 1e6), intervalMicros: num(1, 1e6), chunkSeconds: (v) => v === Infinity || num(0.001, 2e6)(v), includeIdle: bool, writeTimeoutMillis: num(1, 2 ** 31 - 1) },
    call: async (o) => {
      await anyprof.startCPUProfile(undefined, o);
      await anyprof.stopCPUProfile();
    },
  },
  {
    name: "pprofHandler",
    keys: { prefix: (v) => v === undefined || (typeof v === "string" && v.startsWith("/")), token: str(true), maxSeconds: num(1, 2147483), hz: num(1, 1e6), heap: bool, maxConcurrent: num(1, 1000, true) },
    call: (o) => anyprof.pprofHandler(isObject(o) ? { heap: false, ...o } : o),
  },
  {
    name: "servePprof",
    keys: { port: num(0, 65535, true), hostname: str(true), maxSeconds: num(1, 2147483), maxConcurrent: num(1, 1000, true) },
    call: async (o) => {
      const s = await anyprof.servePprof(isObject(o) ? { heap: false, ...o } : o);
      await s.close();
    },
  },
  { name: "newProfile", keys: { maxDepth: (v) => v === undefined || (typeof v === "number" && Number.isInteger(v) && v >= 1) }, call: (o) => anyprof.newProfile(`fuzz-options/${Math.random()}`, o) },
  { name: "writeTo", keys: { timeoutMillis: num(1, 2 ** 31 - 1) }, call: (o) => profile.writeTo(undefined, 0, o) },
  {
    name: "startHeapProfiling",
    keys: { rateBytes: num(1, 2 ** 30, true), includeCollected: bool, bunHeapSnapshot: bool },
    call: (o) => anyprof.startHeapProfiling(o),
  },
  {
    name: "startBlockProfiling",
    keys: { thresholdMillis: num(1, 60_000), hz: num(1, 10_000) },
    call: async (o) => {
      await anyprof.startBlockProfiling(o);
      anyprof.stopBlockProfiling();
    },
  },
];

async function fuzzOptions(anyprof, rand, n) {
  const r = new Report();
  const profile = anyprof.newProfile("fuzz/options");
  const targets = optionTargets(anyprof, profile);
  for (let i = 0; i < n; i++) {
    const kind = rand.int(0, 9);
    if (kind === 0) {
      const v = badOf(rand, (x) => x === undefined || isObject(x));
      const t = rand.pick(targets);
      await expectRejected(r, `${t.name}(${shownAs(v)} as options)`, () => t.call(v), [shownAs(v)]);
    } else if (kind === 1) {
      const v = badOf(rand, (x) => x === undefined || (typeof x === "number" && Number.isInteger(x) && x >= 0));
      await expectRejected(r, `add(v, skip ${shownAs(v)})`, () => profile.add({}, v), [shownAs(v)]);
    } else if (kind === 2) {
      const v = badOf(rand, (x) => x === undefined || (typeof x === "number" && Number.isInteger(x)));
      await expectRejected(r, `writeTo(undefined, debug ${shownAs(v)})`, () => profile.writeTo(undefined, v), [shownAs(v)]);
    } else {
      const t = rand.pick(targets);
      const keys = Object.keys(t.keys);
      const key = rand.pick(keys);
      const v = badOf(rand, t.keys[key]);
      await expectRejected(r, `${t.name}({ ${key}: ${shownAs(v)} })`, () => t.call({ [key]: v }), [shownAs(v)]);
    }
  }
  await anyprof.stopCPUProfile().catch(() => {});
  return r;
}

/** badWriter returns a writer that fails in a random way and the text its
 * rejection must show. */
function badWriter(rand, i) {
  const reason = () => (rand.chance(0.5) ? new Error(`fuzz reason ${i}`) : badOf(rand, (x) => x === undefined || x === null || x === false || x === 0 || x === "" || Number.isNaN(x) || x === 0n));
  const shownReason = (e) => (e instanceof Error ? e.message : shownAs(e));
  const timeoutMillis = rand.int(10, 60);
  switch (rand.int(0, 9)) {
    case 0: {
      const v = badOf(rand, (x) => x === undefined || x === null || (typeof x === "object" && (typeof x.write === "function" || typeof x.getWriter === "function")));
      return { w: v, want: ["writer must be", shownAs(v)] };
    }
    case 1: {
      const e = reason();
      return { w: { write: () => { throw e; } }, want: ["write failed: ", shownReason(e)] };
    }
    case 2: {
      const e = reason();
      const async = rand.chance(0.5);
      return { w: { write: (_c, cb) => (async ? setTimeout(() => cb(e), 1) : cb(e)) }, want: ["write failed: ", shownReason(e)] };
    }
    case 3: {
      const e = reason();
      return { w: { write: () => Promise.reject(e) }, want: ["write failed: ", shownReason(e)] };
    }
    case 4:
      return { w: { write: (_c, _cb) => {} }, timeoutMillis, want: [`write failed: the writer did not finish within ${timeoutMillis} ms`] };
    case 5: {
      const e = new Error(`fuzz stream ${i}`);
      const how = rand.int(0, 1);
      const w = new Writable({ write: (_c, _e, cb) => (how === 0 ? cb(e) : setTimeout(() => w.destroy(e), 1)) });
      return { w, want: ["write failed: ", e.message] };
    }
    case 6: {
      const path = `/nonexistent-${rand.int(0, 1e9)}/fuzz.pb.gz`;
      return { w: createWriteStream(path), want: ["write failed: ", path] };
    }
    case 7: {
      const e = new Error(`fuzz web stream ${i}`);
      // start may not throw (the constructor would): it rejects.
      const sink = rand.chance(0.5) ? { start: () => Promise.reject(e) } : { write: () => { throw e; } };
      return { w: new WritableStream(sink), want: ["write failed: ", e.message] };
    }
    case 8:
      return { w: new WritableStream({ write: () => new Promise(() => {}) }), timeoutMillis, want: [`within ${timeoutMillis} ms`] };
    default: {
      // An emitter that reports its failure only as an 'error' event.
      const e = new Error(`fuzz emitted ${i}`);
      const w = new EventEmitter();
      w.write = (_c, _cb) => setTimeout(() => w.emit("error", e), 1);
      return { w, want: ["write failed: ", e.message] };
    }
  }
}

async function fuzzWriters(anyprof, rand, n) {
  const r = new Report();
  const profile = anyprof.newProfile("fuzz/writers");
  profile.add({});
  const batch = [];
  for (let i = 0; i < n; i++) {
    const { w, want, timeoutMillis } = badWriter(rand, i);
    const what = `writer case ${i} (${shownAs(w)})`;
    // One in ten goes through a CPU profile, which writes at stop.
    if (i % 10 === 0) {
      await expectRejected(r, `startCPUProfile/stopCPUProfile ${what}`, async () => {
        await anyprof.startCPUProfile(w, { writeTimeoutMillis: timeoutMillis ?? 1000 });
        await anyprof.stopCPUProfile();
      }, want);
      continue;
    }
    batch.push(expectRejected(r, what, () => profile.writeTo(w, 0, { timeoutMillis: timeoutMillis ?? 1000 }), want));
    if (batch.length >= 25) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  // Late 'error' events come within ticks; give them time to find no one.
  await sleep(150);
  return r;
}

/** rawRequest sends text to port and resolves to the status and body, or
 * to status 0 when the server closed without a status line. */
function rawRequest(port, text) {
  return new Promise((done) => {
    const s = connect(port, "127.0.0.1", () => s.write(text));
    let got = "";
    const finish = () => {
      const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n[\s\S]*?\r\n\r\n([\s\S]*)$/.exec(got);
      done({ status: m === null ? 0 : Number(m[1]), body: m === null ? got.slice(0, 200) : m[2].slice(0, 300) });
    };
    s.setTimeout(8000, () => s.destroy());
    s.on("data", (d) => (got += d.toString("latin1")));
    s.on("error", () => {});
    s.on("close", finish);
  });
}

const methods = ["GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT", "BREW"];

function randomTarget(rand, names) {
  const pick = rand.int(0, 9);
  if (pick === 0) return rand.pick(["*", "http://127.0.0.1/debug/pprof/", "//debug/pprof/", "/debug/pprof", "/debug/pprof/../pprof/", "127.0.0.1:80"]);
  const name =
    pick < 4 ? rand.pick(["", "heap", "allocs", "goroutine", "block", "mutex", "threadcreate", "cmdline", "profile", ...names]) : pick < 7 ? rand.string(10) : rand.pick(["%", "%zz", "%00", "%E0%A4%A", "..%2f..%2f", "a".repeat(rand.int(1, 4000))]);
  const enc = rand.chance(0.5) ? encodeURIComponent(name) : name.replace(/[\s\u0000-\u001f\u007f-\u{10ffff}]/gu, (c) => encodeURIComponent(c));
  const q = [];
  for (const k of ["debug", "gc", "seconds"]) {
    // A CPU profile without seconds runs 30 s: always give it one.
    if (!rand.chance(0.4) && !(k === "seconds" && name === "profile")) continue;
    const v = rand.pick(["0", "1", "2", "-1", "abc", "1e3", "99999999999999999999", "3", "NaN", rand.string(5), ...(k === "seconds" ? [] : [""])]);
    q.push(`${k}=${encodeURIComponent(v)}`);
  }
  return `/debug/pprof/${enc}${q.length > 0 ? `?${q.join("&")}` : ""}`;
}

async function fuzzHttp(anyprof, rand, n) {
  const r = new Report();
  let server;
  try {
    server = await anyprof.servePprof({ port: 0, maxSeconds: 2, heap: false });
  } catch (err) {
    r.fail(`servePprof: ${messageOf(err)}`);
    return r;
  }
  const names = anyprof.profiles().map((p) => p.name).slice(0, 20);
  const batch = [];
  for (let i = 0; i < n; i++) {
    const method = rand.pick(methods);
    const target = randomTarget(rand, names);
    const headers = [`Host: 127.0.0.1`, "Connection: close"];
    if (rand.chance(0.2)) headers.push(`Authorization: ${rand.pick(["Bearer ", "Bearer x", "Basic Zm9v", rand.string(8).replace(/[\r\n\u0000]/g, "")])}`);
    if (rand.chance(0.1)) headers.push(`Accept-Encoding: ${rand.pick(["gzip", "br", "*", "identity;q=0"])}`);
    const text = `${method} ${target} HTTP/1.1\r\n${headers.join("\r\n")}\r\n\r\n`;
    const what = `${method} ${target.length > 100 ? `${target.slice(0, 100)}…` : target}`;
    batch.push(
      rawRequest(server.port, text).then(({ status, body }) => {
        r.cases++;
        // A 500 is Go's answer to a second CPU profile at once, nothing else.
        if (status >= 500 && !body.startsWith("Could not enable CPU profiling: cpu profiling already in use")) r.fail(`${what}: ${status} ${JSON.stringify(body)}`);
        // Closing without an answer is a server's right for a request line
        // it cannot parse; for anything else it is a failure.
        if (status === 0 && !/[^\x21-\x7e]|%(?![0-9a-fA-F]{2})/.test(target) && !["CONNECT", "BREW"].includes(method) && target !== "*") r.fail(`${what}: no answer`);
      }),
    );
    if (batch.length >= 20) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  r.cases++;
  const index = await rawRequest(server.port, "GET /debug/pprof/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (index.status !== 200) r.fail(`index after the fuzz: ${index.status} ${JSON.stringify(index.body)}`);
  await server.close();
  return r;
}

/** randomFile returns random bytes for a CLI input: garbage, gzip of
 * garbage, a real profile cut or bit-flipped, or a .cpuprofile with a
 * field broken. */
function randomFile(rand, good, cpuprofile) {
  const bytes = (n) => Uint8Array.from({ length: n }, () => rand.int(0, 255));
  switch (rand.int(0, 6)) {
    case 0:
      return bytes(rand.int(0, 3000));
    case 1:
      return gzipSync(bytes(rand.int(0, 3000)));
    case 2:
      return good.subarray(0, rand.int(0, good.length - 1));
    case 3: {
      const b = Uint8Array.from(good);
      for (let k = rand.int(1, 8); k > 0; k--) b[rand.int(0, b.length - 1)] = rand.int(0, 255);
      return b;
    }
    case 4: {
      const raw = gzipSync(Uint8Array.from(bytes(rand.int(1, 400))));
      return Buffer.concat([good, raw]);
    }
    default: {
      // A .cpuprofile with one field replaced, removed or a number made huge.
      const p = JSON.parse(JSON.stringify(cpuprofile));
      const paths = [["nodes"], ["samples"], ["timeDeltas"], ["startTime"], ["endTime"], ["nodes", 0], ["nodes", 1, "callFrame"], ["nodes", 1, "id"], ["nodes", 0, "children"], ["nodes", 1, "callFrame", "functionName"], ["nodes", 1, "callFrame", "lineNumber"], ["samples", 0], ["timeDeltas", 1]];
      const path = rand.pick(paths);
      let o = p;
      for (const k of path.slice(0, -1)) o = o[k];
      const last = path.at(-1);
      if (rand.chance(0.2)) delete o[last];
      else o[last] = rand.pick([null, "x", -1, 1e12, -1e12, 1.5, [], {}, [null], true, "1e400"]);
      return new TextEncoder().encode(JSON.stringify(p).replace('"1e400"', "1e400"));
    }
  }
}

async function fuzzFiles(main, goodPprof, rand, n) {
  const r = new Report();
  const dir = mkdtempSync(join(tmpdir(), "anyprof-fuzz-"));
  const cpuprofile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1, columnNumber: -1, scriptId: "0" }, children: [2] },
      { id: 2, callFrame: { functionName: "work", url: "file:///w.js", lineNumber: 3, columnNumber: 4, scriptId: "5" } },
    ],
    samples: [2, 2, 1],
    timeDeltas: [100, 1000, 1000],
    startTime: 0,
    endTime: 2200,
  };
  const out = process.stdout.write;
  const err = process.stderr.write;
  const run = async (args) => {
    let stdout = "";
    let stderr = "";
    process.stdout.write = (c) => ((stdout += String(c)), true);
    process.stderr.write = (c) => ((stderr += String(c)), true);
    let code;
    try {
      code = await main(args);
    } catch (e) {
      code = `threw ${messageOf(e)}`;
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    return { code, stdout, stderr };
  };
  const internal = /Cannot read|is not a function|is not iterable|cannot be converted|is not defined|Maximum call stack|Invalid array length|at .*:\d+:\d+\)/;
  const files = [];
  for (let i = 0; i < n; i++) {
    const file = join(dir, `in ${i} ${rand.string(3).replace(/[\/\u0000\n\\]/g, "_")}.${rand.pick(["pb.gz", "cpuprofile", "bin"])}`);
    writeFileSync(file, randomFile(rand, goodPprof, cpuprofile));
    files.push(file);
  }
  files.push(join(dir, "missing.pb.gz"), dir);
  mkdirSync(join(dir, "out"));
  for (const file of files) {
    for (const cmd of ["top", "view", "convert"]) {
      const args = cmd === "top" ? [cmd, file] : [cmd, file, "-o", join(dir, "out", `${cmd}.out`)];
      const got = await run(args);
      r.cases++;
      const what = `anyprof ${cmd} ${JSON.stringify(file)}`;
      if (got.code === 0) continue;
      if (got.code !== 1) r.fail(`${what}: exit ${got.code}, want 0 or 1: ${JSON.stringify(got.stderr)}`);
      else if (!got.stderr.startsWith("anyprof: ") || got.stderr.indexOf("\n") !== got.stderr.length - 1) r.fail(`${what}: stderr ${JSON.stringify(got.stderr)}, want one line "anyprof: …"`);
      else if (got.stderr.split(file).length - 1 !== 1) r.fail(`${what}: stderr ${JSON.stringify(got.stderr)} does not name the file once`);
      else if (internal.test(got.stderr)) r.fail(`${what}: an internal message: ${JSON.stringify(got.stderr)}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return r;
}

/** fuzz runs every class on anyprof (the module namespace) and resolves to
 * the report; main is the CLI's main, run last (it brings its own host). */
export async function fuzz(anyprof, loadMain, runtime) {
  const seed = Number(process.env.FUZZ_SEED ?? 20261206);
  const n = Number(process.env.FUZZ_CASES ?? 200);
  const reached = { unhandledRejections: [], uncaughtExceptions: [] };
  process.on("unhandledRejection", (e) => reached.unhandledRejections.push(messageOf(e)));
  process.on("uncaughtException", (e) => reached.uncaughtExceptions.push(messageOf(e)));
  const classes = {};
  const started = performance.now();
  const millis = {};
  const timed = async (name, f) => {
    const t = performance.now();
    try {
      classes[name] = await f();
    } catch (e) {
      classes[name] = { cases: 0, failed: 1, failures: [`the class itself threw: ${messageOf(e)}`] };
    }
    millis[name] = Math.round(performance.now() - t);
  };
  // Every class gets its own seed, so that one class's draws do not shift another's.
  await timed("labels", () => fuzzLabels(anyprof, new Rand(seed + 1), n));
  await timed("names", () => fuzzNames(anyprof, new Rand(seed + 2), n));
  await timed("options", () => fuzzOptions(anyprof, new Rand(seed + 3), n));
  await timed("writers", () => fuzzWriters(anyprof, new Rand(seed + 4), n));
  await timed("http", () => fuzzHttp(anyprof, new Rand(seed + 5), n));
  const good = await anyprof.lookup("fuzz/writers").writeTo();
  await timed("files", async () => fuzzFiles(await loadMain(), good, new Rand(seed + 6), n));
  await sleep(100);
  return { runtime, seed, casesPerClass: n, classes, millis, totalMillis: Math.round(performance.now() - started), ...reached };
}

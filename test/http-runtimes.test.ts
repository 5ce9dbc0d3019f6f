// http-runtimes.test.ts owns /debug/pprof/ served by real servers in Deno
// (Deno.serve, via servePprof), Bun (Bun.serve, via servePprof) and workerd
// (`workerd serve`, a worker whose fetch calls pprofHandler()): every route,
// every profile at debug=0 (decoded with protobufjs and CheckValid) and
// debug=1, Go's headers, and every error Go's net/http/pprof answers. Node's
// server is test/http.test.ts's. Servers bind 127.0.0.1 on a port the
// kernel picks; each runtime gets a fixed list of requests, each bounded in
// time; every process is killed when its test ends. A missing runtime
// binary fails, never skips.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "vitest";
import { LiveProcess } from "./helpers/live.ts";
import { resolve, type Resolved } from "./helpers/pprof.ts";
import { bin, root } from "./helpers/spawn.ts";
import { writeWorkerdConfig } from "./helpers/workerd.ts";

const scripts = join(root, "test/runtimes");

// The values test/runtimes/http-profiles.mjs serves with.
const customName = "http.custom";
const ticksName = "http.ticks";
const secureToken = "s3cret-token";
const maxSeconds = 5;

/** startMillis bounds a server's start; requestMillis bounds one request
 * (the longest waits one second, for ?seconds=1). */
const startMillis = 20_000;
const requestMillis = 10_000;

/** Server is one running runtime serving /debug/pprof/. */
interface Server {
  /** runtime is what the process reports ("deno 2.9.6", "bun 1.4.5", "workerd"). */
  runtime: string;
  /** open and secure are the index URLs of the open and the token-protected handlers. */
  open: string;
  secure: string;
  /** line is the JSON line the process printed when ready. */
  line: Record<string, unknown>;
  /** tick adds n values to http.ticks and resolves once they are added. */
  tick(n: number): Promise<void>;
  /** stderr is the process's stderr so far, for failure messages. */
  stderr(): string;
}

/** startScript runs a Deno or Bun entry that prints its servers' URLs, and
 * reads "tick N" commands on stdin; it exits when stdin closes, so a test
 * runner that dies takes it along. */
async function startScript(procs: LiveProcess[], cmd: string, args: string[]): Promise<Server> {
  const p = new LiveProcess(cmd, args, { stdin: "pipe", stderr: "apart" });
  procs.push(p);
  const line = await p.next("server start", (l) => typeof l.open === "string", startMillis);
  return {
    runtime: String(line.runtime),
    open: String(line.open),
    secure: String(line.secure),
    line,
    tick: async (n) => {
      p.child.stdin!.write(`tick ${n}\n`);
      await p.next(`tick ${n}`, (l) => l.ticked === n, requestMillis);
    },
    stderr: () => p.stderr(),
  };
}

/** startWorkerd runs `workerd serve` on a generated config whose HTTP socket
 * binds 127.0.0.1:0; --control-fd reports the port it got. */
async function startWorkerd(procs: LiveProcess[]): Promise<Server> {
  const config = writeWorkerdConfig({
    outDir: join(root, "test-output/workerd-http"),
    generatedBy: "test/http-runtimes.test.ts for `workerd serve`",
    service: "pprof",
    httpSocket: "http",
    entries: [
      ["http-workerd.mjs", join(scripts, "http-workerd.mjs")],
      ["http-profiles.mjs", join(scripts, "http-profiles.mjs")],
    ],
  });
  // workerd reads no stdin: it is ended by SIGTERM.
  const p = new LiveProcess(bin("workerd"), ["serve", config, "--control-fd", "3"], { stderr: "apart", controlFd: true });
  procs.push(p);
  const listen = await p.next("workerd listen", (l) => l.event === "listen" && l.socket === "http", startMillis);
  const base = `http://127.0.0.1:${Number(listen.port)}`;
  return {
    runtime: "workerd",
    open: `${base}/debug/pprof/`,
    secure: `${base}/secure/debug/pprof/`,
    line: listen,
    tick: async (n) => {
      const r = await fetch(`${base}/tick?n=${n}`, { signal: AbortSignal.timeout(requestMillis) });
      const body = await r.text();
      if (r.status !== 200) throw new Error(`workerd /tick?n=${n}: got ${r.status} ${body}, want 200`);
    },
    stderr: () => p.stderr(),
  };
}

/** Got is one answer: status, headers, body and how long it took. */
interface Got {
  status: number;
  headers: Headers;
  body: Uint8Array;
  text: string;
  millis: number;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Got> {
  const started = performance.now();
  const r = await fetch(url, { headers, redirect: "manual", signal: AbortSignal.timeout(requestMillis) });
  const body = new Uint8Array(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, body, text: new TextDecoder().decode(body), millis: performance.now() - started };
}

/** Checker collects `got X, want Y` failures instead of stopping at the first. */
class Checker {
  readonly errors: string[] = [];
  want(what: string, got: unknown, wanted: unknown): void {
    if (JSON.stringify(got) !== JSON.stringify(wanted)) this.errors.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(wanted)}`);
  }
  match(what: string, got: string, re: RegExp): void {
    if (!re.test(got)) this.errors.push(`${what}: got ${JSON.stringify(got.length > 300 ? `${got.slice(0, 300)}…` : got)}, want a match of ${re}`);
  }
}

/** checkCommon asserts what every answer carries. */
function checkCommon(c: Checker, what: string, g: Got): void {
  c.want(`${what}: X-Content-Type-Options`, g.headers.get("x-content-type-options"), "nosniff");
}

/** checkError asserts Go's error shape: the status, plain text,
 * X-Go-Pprof: 1, no attachment, the message and a newline. */
function checkError(c: Checker, what: string, g: Got, status: number, message: string | RegExp): void {
  checkCommon(c, what, g);
  c.want(`${what}: status`, g.status, status);
  c.want(`${what}: Content-Type`, g.headers.get("content-type"), "text/plain; charset=utf-8");
  c.want(`${what}: X-Go-Pprof`, g.headers.get("x-go-pprof"), "1");
  c.want(`${what}: Content-Disposition`, g.headers.get("content-disposition"), null);
  if (typeof message === "string") c.want(`${what}: body`, g.text, `${message}\n`);
  else c.match(`${what}: body`, g.text, message);
}

/** checkProto asserts a debug=0 answer: a gzip pprof attachment named
 * filename that decodes and passes CheckValid. */
function checkProto(c: Checker, what: string, g: Got, filename: string): Resolved | undefined {
  checkCommon(c, what, g);
  c.want(`${what}: status`, g.status, 200);
  c.want(`${what}: Content-Type`, g.headers.get("content-type"), "application/octet-stream");
  c.want(`${what}: Content-Disposition`, g.headers.get("content-disposition"), `attachment; filename="${filename}"`);
  c.want(`${what}: X-Go-Pprof`, g.headers.get("x-go-pprof"), null);
  if (g.status !== 200) {
    c.errors.push(`${what}: body ${JSON.stringify(g.text.slice(0, 300))}`);
    return undefined;
  }
  c.want(`${what}: gzip magic`, [g.body[0], g.body[1]], [0x1f, 0x8b]);
  try {
    return resolve(g.body);
  } catch (err) {
    c.errors.push(`${what}: does not decode: ${(err as Error).message}`);
    return undefined;
  }
}

/** checkText asserts a debug>=1 answer: plain text, no attachment. */
function checkText(c: Checker, what: string, g: Got, re: RegExp): void {
  checkCommon(c, what, g);
  c.want(`${what}: status`, g.status, 200);
  c.want(`${what}: Content-Type`, g.headers.get("content-type"), "text/plain; charset=utf-8");
  c.want(`${what}: Content-Disposition`, g.headers.get("content-disposition"), null);
  c.match(`${what}: body`, g.text, re);
}

const total = (p: Resolved) => p.samples.reduce((n, s) => n + (s.values[0] ?? 0), 0);
const leafCount = (p: Resolved, fn: string) => p.samples.filter((s) => s.frames[0]?.functionName === fn).reduce((n, s) => n + (s.values[0] ?? 0), 0);

/** sampleTypes are Go's sample types for each predefined profile, as
 * anyprof writes them in every runtime (heap and allocs: two each). */
const sampleTypes: Record<string, { types: string[]; period: string; text: RegExp }> = {
  heap: { types: ["inuse_objects/count", "inuse_space/bytes"], period: "space/bytes", text: /^heap profile: \d+: \d+ \[\d+: \d+\] @ heap\/\d+\n/ },
  allocs: { types: ["alloc_objects/count", "alloc_space/bytes"], period: "space/bytes", text: /^heap profile: \d+: \d+ \[\d+: \d+\] @ heap\/\d+\n/ },
  goroutine: { types: ["goroutine/count"], period: "goroutine/count", text: /^goroutine profile: total \d+\n/ },
  threadcreate: { types: ["threadcreate/count"], period: "threadcreate/count", text: /^threadcreate profile: total \d+\n/ },
  block: { types: ["contentions/count", "delay/nanoseconds"], period: "contentions/count", text: /^--- contention:\ncycles\/second=\d+\n/ },
  mutex: { types: ["contentions/count", "delay/nanoseconds"], period: "contentions/count", text: /^--- mutex:\ncycles\/second=\d+\n/ },
};

/** indexNames are the rows the index page must list. */
const indexNames = ["allocs", "block", "cmdline", "goroutine", "heap", customName, ticksName, "mutex", "profile", "threadcreate"];

interface RuntimeCase {
  name: string;
  start: (procs: LiveProcess[]) => Promise<Server>;
  /** runtime is what the process must report, as a prefix. */
  runtime: string;
  /** cpu: /profile?seconds=1 gives a CPU profile; else an immediate 500. */
  cpu: boolean;
  /** cmdline checks the NUL-separated /cmdline answer. */
  cmdline: (args: string[]) => string | undefined;
  /** ownNotFound: the server answers paths outside the prefix itself
   * (servePprof: Go's "404 page not found"); a worker answers its own. */
  ownNotFound: boolean;
}

const runtimes: RuntimeCase[] = [
  {
    name: "deno",
    // --allow-net for Deno.serve (on 127.0.0.1 only), --allow-sys for the inspector.
    start: (procs) => startScript(procs, bin("deno"), ["run", "--allow-net=127.0.0.1", "--allow-sys", join(scripts, "http-deno.mjs")]),
    runtime: "deno ",
    cpu: true,
    // Deno.execPath() would need --allow-read: the adapter reports "deno" and Deno.args.
    cmdline: (args) => (JSON.stringify(args) === JSON.stringify(["deno"]) ? undefined : `got ${JSON.stringify(args)}, want ["deno"]`),
    ownNotFound: true,
  },
  {
    name: "bun",
    start: (procs) => startScript(procs, bin("bun"), [join(scripts, "http-bun.mjs")]),
    runtime: "bun ",
    cpu: true,
    cmdline: (args) =>
      args.length === 2 && args[1] === join(scripts, "http-bun.mjs") ? undefined : `got ${JSON.stringify(args)}, want [<bun>, ${JSON.stringify(join(scripts, "http-bun.mjs"))}]`,
    ownNotFound: true,
  },
  {
    name: "workerd",
    start: (procs) => startWorkerd(procs),
    runtime: "workerd",
    cpu: false,
    // A worker has no command line: an empty body, as Go's for an empty os.Args.
    cmdline: (args) => (JSON.stringify(args) === JSON.stringify([""]) ? undefined : `got ${JSON.stringify(args)}, want an empty body`),
    ownNotFound: false,
  },
];

/** exercise makes every request against s and returns the failures. */
async function exercise(rt: RuntimeCase, s: Server): Promise<{ errors: string[]; requests: number }> {
  const c = new Checker();
  const auth = { Authorization: `Bearer ${secureToken}` };
  const jobs: Array<Promise<void>> = [];
  let requests = 0;
  const job = (what: string, url: string, check: (g: Got) => void, headers: Record<string, string> = {}) => {
    requests++;
    jobs.push(
      get(url, headers).then(check, (err: Error) => {
        c.errors.push(`${what}: request failed: ${err.message}`);
      }),
    );
  };

  // Two ticks before anything else: the full http.ticks profile has them,
  // its delta must not.
  await s.tick(2);

  // The delta first: its one-second window must hold exactly the 3 ticks
  // added 300 ms into it.
  requests++;
  jobs.push(
    (async () => {
      const delta = get(`${s.open}${ticksName}?seconds=1`);
      await new Promise((r) => setTimeout(r, 300));
      await s.tick(3);
      const g = await delta;
      const p = checkProto(c, `${ticksName}?seconds=1`, g, `${ticksName}-delta`);
      if (p === undefined) return;
      c.want(`${ticksName}?seconds=1: sample types`, p.sampleTypes, [`${ticksName}/count`]);
      c.want(`${ticksName}?seconds=1: total count (3 ticks in the window, 2 before)`, total(p), 3);
      c.want(`${ticksName}?seconds=1: count with leaf httpTick`, leafCount(p, "httpTick"), 3);
      const d = p.raw.durationNanos;
      if (!(d >= 0.9e9 && d < 5e9)) c.errors.push(`${ticksName}?seconds=1: duration_nanos: got ${d}, want about 1e9`);
    })().catch((err: Error) => void c.errors.push(`${ticksName}?seconds=1: ${err.message}`)),
  );
  job(`${customName}?seconds=1`, `${s.open}${customName}?seconds=1`, (g) => {
    const p = checkProto(c, `${customName}?seconds=1`, g, `${customName}-delta`);
    if (p === undefined) return;
    // Nothing was added during the window: every stack subtracts to zero.
    c.want(`${customName}?seconds=1: sample types`, p.sampleTypes, [`${customName}/count`]);
    c.want(`${customName}?seconds=1: samples (unchanged profile)`, p.samples.length, 0);
  });

  // The CPU profile, or workerd's immediate error.
  if (rt.cpu) {
    job("profile?seconds=1", `${s.open}profile?seconds=1`, (g) => {
      const p = checkProto(c, "profile?seconds=1", g, "profile");
      if (p === undefined) return;
      c.want("profile: sample types", p.sampleTypes, ["samples/count", "cpu/nanoseconds", "wall/nanoseconds"]);
      c.want("profile: period type", p.periodType, "cpu/nanoseconds");
      c.want("profile: period (100 Hz)", p.raw.period, 10_000_000);
      const d = p.raw.durationNanos;
      if (!(d >= 0.9e9 && d < 5e9)) c.errors.push(`profile?seconds=1: duration_nanos: got ${d}, want about 1e9`);
      if (g.millis < 900) c.errors.push(`profile?seconds=1: answered after ${Math.round(g.millis)} ms, want about 1000`);
    });
  } else {
    const noSampler = /^Could not enable CPU profiling: pprof: no in-process CPU sampler in workerd; profile it from outside over the inspector protocol/;
    // Without ?seconds= it is 30 s, over the open handler's maxSeconds: ask
    // the secured handler (maxSeconds 300), which must not wait them out.
    for (const [what, url, headers] of [
      ["profile?seconds=1", `${s.open}profile?seconds=1`, {}],
      ["secure profile (30 s)", `${s.secure}profile`, auth],
    ] as const) {
      job(what, url, (g) => {
        checkError(c, what, g, 500, noSampler);
        if (g.millis > 800) c.errors.push(`${what}: answered after ${Math.round(g.millis)} ms, want at once`);
      }, headers);
    }
  }

  // The index page: every profile a link, the custom one with its count.
  job("index", s.open, (g) => {
    checkCommon(c, "index", g);
    c.want("index: status", g.status, 200);
    c.want("index: Content-Type", g.headers.get("content-type"), "text/html; charset=utf-8");
    for (const name of indexNames) {
      const href = name === "cmdline" || name === "profile" ? name : `${name}?debug=1`;
      if (!g.text.includes(`<a href='${href}'>${name}</a>`)) c.errors.push(`index: got no link <a href='${href}'>${name}</a>, want one`);
    }
    c.match("index: http.custom row", g.text, new RegExp(`<tr><td>3</td><td><a href='${customName}\\?debug=1'>${customName}</a></td></tr>`));
  });
  job("redirect", s.open.replace(/\/$/, ""), (g) => {
    checkCommon(c, "/debug/pprof", g);
    c.want("/debug/pprof: status", g.status, 301);
    c.want("/debug/pprof: Location", g.headers.get("location"), new URL(s.open).pathname);
  });
  job("cmdline", `${s.open}cmdline`, (g) => {
    checkCommon(c, "cmdline", g);
    c.want("cmdline: status", g.status, 200);
    c.want("cmdline: Content-Type", g.headers.get("content-type"), "text/plain; charset=utf-8");
    const bad = rt.cmdline(g.text.split("\0"));
    if (bad !== undefined) c.errors.push(`cmdline: ${bad}`);
  });

  // Every named profile, debug=0 and debug=1.
  for (const [name, want] of Object.entries(sampleTypes)) {
    job(name, `${s.open}${name}`, (g) => {
      const p = checkProto(c, name, g, name);
      if (p === undefined) return;
      c.want(`${name}: sample types`, p.sampleTypes, want.types);
      c.want(`${name}: period type`, p.periodType, want.period);
    });
    job(`${name}?debug=1`, `${s.open}${name}?debug=1`, (g) => checkText(c, `${name}?debug=1`, g, want.text));
  }
  job(customName, `${s.open}${customName}?debug=0`, (g) => {
    const p = checkProto(c, customName, g, customName);
    if (p === undefined) return;
    c.want(`${customName}: sample types`, p.sampleTypes, [`${customName}/count`]);
    c.want(`${customName}: period type`, p.periodType, `${customName}/count`);
    c.want(`${customName}: total count`, total(p), 3);
    c.want(`${customName}: count with leaf httpAlpha`, leafCount(p, "httpAlpha"), 2);
    c.want(`${customName}: count with leaf httpBeta`, leafCount(p, "httpBeta"), 1);
    for (const smp of p.samples) c.match(`${customName}: leaf file`, smp.frames[0]?.file ?? "", /http-profiles\.mjs$/);
  });
  job(`${customName}?debug=1`, `${s.open}${customName}?debug=1`, (g) => {
    checkText(c, `${customName}?debug=1`, g, new RegExp(`^${customName} profile: total 3\\n`));
    c.match(`${customName}?debug=1: httpAlpha frame`, g.text, /\thttpAlpha\t+\S*http-profiles\.mjs:\d+:\d+\n/);
    c.match(`${customName}?debug=1: httpBeta frame`, g.text, /\thttpBeta\t+\S*http-profiles\.mjs:\d+:\d+\n/);
  });
  job("heap?gc=1", `${s.open}heap?gc=1`, (g) => {
    const p = checkProto(c, "heap?gc=1", g, "heap");
    if (p !== undefined) c.want("heap?gc=1: sample types", p.sampleTypes, sampleTypes.heap!.types);
  });
  job("goroutine?debug=2", `${s.open}goroutine?debug=2`, (g) => checkText(c, "goroutine?debug=2", g, /^# goroutine: /));

  // Go's errors.
  job("unknown profile", `${s.open}nosuch`, (g) => checkError(c, "nosuch", g, 404, "Unknown profile"));
  job("unknown profile ?debug=1", `${s.open}nosuch?debug=1`, (g) => checkError(c, "nosuch?debug=1", g, 404, "Unknown profile"));
  for (const name of ["heap", customName]) {
    job(`${name} seconds+debug`, `${s.open}${name}?seconds=1&debug=1`, (g) =>
      checkError(c, `${name}?seconds=1&debug=1`, g, 400, "seconds and debug params are incompatible"),
    );
  }
  for (const q of ["profile?seconds=abc", "heap?seconds=abc", `${customName}?seconds=1.5`, `${customName}?seconds=-1`]) {
    job(q, `${s.open}${q}`, (g) => checkError(c, q, g, 400, `invalid value for "seconds" - must be a positive integer`));
  }
  for (const q of [`profile?seconds=${maxSeconds + 1}`, `heap?seconds=${maxSeconds + 1}`, `${customName}?seconds=${maxSeconds + 1}`]) {
    job(q, `${s.open}${q}`, (g) => checkError(c, q, g, 400, `profile duration exceeds the server's maximum of ${maxSeconds} seconds`));
  }
  if (rt.ownNotFound) {
    job("outside the prefix", new URL("/elsewhere", s.open).href, (g) => {
      checkCommon(c, "/elsewhere", g);
      c.want("/elsewhere: status", g.status, 404);
      c.want("/elsewhere: body", g.text, "404 page not found\n");
    });
  }

  // The token-protected handler.
  const unauthorized = (what: string, g: Got) => {
    checkError(c, what, g, 401, "Unauthorized");
    c.want(`${what}: WWW-Authenticate`, g.headers.get("www-authenticate"), 'Bearer realm="pprof"');
  };
  job("secure index, no token", s.secure, (g) => unauthorized("secure index without a token", g));
  job("secure heap, no token", `${s.secure}heap`, (g) => unauthorized("secure heap without a token", g));
  job("secure heap, wrong token", `${s.secure}heap`, (g) => unauthorized("secure heap with a wrong token", g), { Authorization: `Bearer ${secureToken}x` });
  job("secure heap, basic auth", `${s.secure}heap`, (g) => unauthorized("secure heap with Basic auth", g), { Authorization: `Basic ${btoa(`u:${secureToken}`)}` });
  job("secure index, token", s.secure, (g) => {
    checkCommon(c, "secure index with the token", g);
    c.want("secure index with the token: status", g.status, 200);
    c.match("secure index with the token: body", g.text, new RegExp(`<a href='${customName}\\?debug=1'>${customName}</a>`));
  }, auth);
  job("secure custom, token", `${s.secure}${customName}`, (g) => {
    const p = checkProto(c, `secure ${customName} with the token`, g, customName);
    if (p !== undefined) c.want(`secure ${customName}: total count`, total(p), 3);
  }, auth);

  await Promise.all(jobs);

  // After the delta: the full ticks profile has all five ticks.
  requests++;
  const g = await get(`${s.open}${ticksName}`).catch((err: Error) => err);
  if (g instanceof Error) c.errors.push(`${ticksName}: request failed: ${g.message}`);
  else {
    const p = checkProto(c, ticksName, g, ticksName);
    if (p !== undefined) c.want(`${ticksName}: total count (2 + 3 ticks)`, total(p), 5);
  }
  return { errors: c.errors, requests };
}

describe("/debug/pprof/ served by each runtime", () => {
  for (const rt of runtimes) {
    test.concurrent(rt.name, async () => {
      const procs: LiveProcess[] = [];
      const started = performance.now();
      try {
        const s = await rt.start(procs);
        const up = performance.now() - started;
        if (!s.runtime.startsWith(rt.runtime)) throw new Error(`${rt.name}: runtime: got ${JSON.stringify(s.runtime)}, want ${JSON.stringify(rt.runtime)}…`);
        if (rt.name === "bun" && s.line.entry !== pathToFileURL(join(root, "dist/runtime/bun.js")).href) {
          throw new Error(`bun: "anyprof" resolved to: got ${String(s.line.entry)}, want dist/runtime/bun.js`);
        }
        const setupErrors = (s.line.errors ?? {}) as Record<string, string>;
        if (Object.keys(setupErrors).length > 0) throw new Error(`${rt.name}: setup failed: ${JSON.stringify(setupErrors)}`);
        for (const u of [s.open, s.secure]) if (new URL(u).hostname !== "127.0.0.1") throw new Error(`${rt.name}: server URL ${u}: want host 127.0.0.1`);
        const { errors, requests } = await exercise(rt, s);
        console.log(`${rt.name}: ${s.runtime}, up in ${Math.round(up)} ms, ${requests} requests in ${Math.round(performance.now() - started - up)} ms`);
        if (errors.length > 0) throw new Error(`${rt.name} (${s.runtime}):\n${errors.join("\n")}\n--- stderr\n${s.stderr()}`);
      } finally {
        await Promise.all(procs.map((p) => p.kill()));
      }
    });
  }
});

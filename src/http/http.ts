// http.ts owns /debug/pprof/ as a fetch-style handler, with the paths,
// parameters, headers and errors of Go's net/http/pprof, so that `go tool
// pprof http://…` and continuous-profiling scrapers (Grafana Alloy, Parca)
// work unchanged. It is runtime-neutral: servers and Node's request listener
// live in the adapters. It never throws into the host: any failure is a 500.
// It bounds its work on the host's event loop: identical concurrent
// requests share one collection, and past maxConcurrent collections a
// request gets 429 with Retry-After.

import { startCPUProfile, stopCPUProfile } from "../profiles/cpu.ts";
import { deltaProfile } from "../pprof/delta.ts";
import { startHeapProfiling } from "../profiles/heap.ts";
import { host } from "../host/host.ts";
import { lookup, profiles, type Profile } from "../profiles/profile.ts";
import { own } from "../host/own.ts";
import { checkBoolean, checkNumber, checkOptions, checkString } from "../host/validate.ts";
import { serveUi } from "./ui.ts";

/** PprofHandlerOptions configures pprofHandler. */
export interface PprofHandlerOptions {
  /** prefix is where the routes live (default "/debug/pprof/"). */
  prefix?: string;
  /** token, when set, is required as `Authorization: Bearer <token>`. */
  token?: string;
  /** maxSeconds caps ?seconds= for CPU and delta profiles (default 300). */
  maxSeconds?: number;
  /** hz is the CPU sampling rate for /profile (default 100, as Go's). */
  hz?: number;
  /** threads has /profile cover the application's worker threads too,
   * each sample labelled with its thread (startCPUProfile's threads,
   * docs/threads.md), and the heap sampling the handler starts (heap) cover
   * them where the runtime can; default false. A /profile request's
   * ?threads=1 or ?threads=0 overrides it for that profile. */
  threads?: boolean;
  /** heap starts heap sampling when the handler is made (default true),
   * since a heap profile covers only what was sampled. */
  heap?: boolean;
  /** maxConcurrent bounds the distinct profile collections queued or
   * running, plus the ?seconds= deltas under way (default 64); a request
   * past it gets 429 Too Many Requests with Retry-After: 1. Collections
   * run one at a time, each followed by a rest as long as it took, and
   * identical requests (same profile, debug and gc) join the queued one.
   * The CPU profile is one at a time anyway, as in Go. */
  maxConcurrent?: number;
}

/** defaultMaxConcurrent is maxConcurrent's default: room for every
 * profile at every debug level asked at once (a scraper, or a person
 * opening the index's links), while the queue stays short enough that the
 * last of them is answered in seconds. */
export const defaultMaxConcurrent: number = 64;

/** PprofHandler answers a request under the prefix, or undefined for any
 * other path, so that it composes with an application's own routes. */
export type PprofHandler = (request: Request) => Promise<Response | undefined>;

// Go's descriptions, with each profile's JavaScript meaning (README).
const descriptions: Record<string, string> = {
  allocs: "A sampling of all past memory allocations (objects since collected included, where the runtime reports them)",
  block: "Stack traces that ran while the event loop was blocked longer than the threshold",
  cmdline: "The command line invocation of the current program",
  goroutine: "Pending asynchronous work: handles and requests by type; with tracking on, their creation stacks. Use debug=2 for a dump of each",
  heap: "A sampling of memory allocations of live objects. You can specify the gc GET parameter to run GC before taking the heap sample.",
  mutex: "Always empty: JavaScript has no mutexes",
  profile: "CPU profile. You can specify the duration in the seconds GET parameter. After you get the profile file, use the go tool pprof command to investigate the profile.",
  threadcreate: "Worker threads created, with their creation stacks where the runtime allows",
};


const html = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function baseHeaders(extra: Record<string, string> = {}): Headers {
  return new Headers({ "X-Content-Type-Options": "nosniff", ...extra });
}

/** serveError answers like Go's serveError: plain text, X-Go-Pprof: 1. */
function serveError(status: number, text: string): Response {
  return new Response(`${text}\n`, {
    status,
    headers: baseHeaders({ "Content-Type": "text/plain; charset=utf-8", "X-Go-Pprof": "1" }),
  });
}

// contentDisposition names the file as Go does, for any profile name: an
// ASCII filename (quotes, backslashes and non-ASCII replaced) plus the exact
// name in RFC 5987 form when they differ.
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return ascii === name ? `attachment; filename="${name}"` : `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function profileBytes(name: string, bytes: Uint8Array): Response {
  return new Response(bytes as BodyInit, {
    headers: baseHeaders({ "Content-Type": "application/octet-stream", "Content-Disposition": contentDisposition(name) }),
  });
}

// parseSeconds reads ?seconds= as Go's strconv.ParseInt does: a positive
// decimal integer, else undefined.
function parseSeconds(value: string): number | undefined {
  if (!/^\+?\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 && Number.isSafeInteger(n) ? n : undefined;
}

// sleep waits ms or until signal aborts; it resolves true when it waited it out.
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = own(() => setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms));
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// sameToken compares in time independent of where the strings differ.
function sameToken(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

// indexRows lists the registry for the index page. A profile whose count
// fails shows "?", one whose name is not a string is left out: the index
// must answer whatever a profile does.
function indexRows(): Array<[string, string, string]> {
  let all: Profile[];
  try {
    all = profiles();
  } catch {
    all = [];
  }
  const rows: Array<[string, string, string]> = [];
  for (const p of all) {
    let name: unknown;
    try {
      name = p.name;
    } catch {
      continue;
    }
    if (typeof name !== "string") continue;
    let count = "?";
    try {
      const n = p.count();
      if (typeof n === "number") count = String(n);
    } catch {
      // "?" says the count could not be read.
    }
    rows.push([count, name, `${name}?debug=1`]);
  }
  return rows;
}

function indexPage(prefix: string): Response {
  const rows = indexRows();
  rows.push(["", "cmdline", "cmdline"], ["", "profile", "profile"]);
  rows.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const body = `<html>
<head>
<title>${html(prefix)}</title>
<style>
.profile-name{
	display:inline-block;
	width:6rem;
}
</style>
</head>
<body>
${html(prefix)}
<br>
<p>Set debug=1 as a query parameter to export in legacy text format</p>
<br>
Types of profiles available:
<table>
<thead><td>Count</td><td>Profile</td></thead>
${rows.map(([count, name, href]) => `<tr><td>${html(count)}</td><td><a href='${html(href)}'>${html(name)}</a></td></tr>`).join("\n")}
</table>
<a href="goroutine?debug=2">full goroutine stack dump</a>
<br>
<p>
Profile Descriptions:
<ul>
${rows.map(([, name]) => `<li><div class=profile-name>${html(name)}: </div> ${html(descriptions[name] ?? "")}</li>`).join("\n")}
</ul>
</p>
</body>
</html>
`;
  return new Response(body, { headers: baseHeaders({ "Content-Type": "text/html; charset=utf-8" }) });
}

async function serveCpuProfile(url: URL, signal: AbortSignal | undefined, maxSeconds: number, hz: number, threadsByDefault: boolean): Promise<Response> {
  const rawThreads = url.searchParams.get("threads");
  if (rawThreads !== null && rawThreads !== "0" && rawThreads !== "1") return serveError(400, `invalid value for "threads" - must be 0 or 1`);
  const threads = rawThreads === null ? threadsByDefault : rawThreads === "1";
  const raw = url.searchParams.get("seconds");
  let seconds = 30;
  if (raw !== null && raw !== "") {
    const n = parseSeconds(raw);
    if (n === undefined) return serveError(400, `invalid value for "seconds" - must be a positive integer`);
    seconds = n;
  }
  if (seconds > maxSeconds) return serveError(400, `profile duration exceeds the server's maximum of ${maxSeconds} seconds`);
  try {
    await startCPUProfile(undefined, threads ? { hz, threads } : { hz });
  } catch (err) {
    return serveError(500, `Could not enable CPU profiling: ${err instanceof Error ? err.message : String(err)}`);
  }
  const completed = await sleep(seconds * 1000, signal);
  let bytes: Uint8Array | undefined;
  try {
    bytes = await stopCPUProfile();
  } catch (err) {
    return serveError(500, `Could not complete CPU profile: ${err instanceof Error ? err.message : String(err)}`);
  }
  // A client that left stopped the profile; nobody reads the answer.
  if (!completed || bytes === undefined) return serveError(500, "client disconnected");
  return profileBytes("profile", bytes);
}

async function serveDelta(p: Profile, raw: string, url: URL, signal: AbortSignal | undefined, maxSeconds: number): Promise<Response> {
  const seconds = parseSeconds(raw);
  if (seconds === undefined) return serveError(400, `invalid value for "seconds" - must be a positive integer`);
  if (seconds > maxSeconds) return serveError(400, `profile duration exceeds the server's maximum of ${maxSeconds} seconds`);
  const debug = Number.parseInt(url.searchParams.get("debug") ?? "0", 10);
  if (Number.isFinite(debug) && debug !== 0) return serveError(400, "seconds and debug params are incompatible");
  // Every profile that can snapshot supports deltas: Go's predefined ones
  // (profileSupportsDelta) and custom ones.
  const p0 = await p.snapshot();
  if (p0 === undefined) return serveError(400, `"seconds" parameter is not supported for this profile type`);
  if (!(await sleep(seconds * 1000, signal))) return serveError(500, "client disconnected");
  const p1 = await p.snapshot();
  if (p1 === undefined) return serveError(500, "failed to collect profile");
  return profileBytes(`${p.name}-delta`, deltaProfile(p0, p1));
}

/** pprofHandler returns a fetch-style handler for Go's /debug/pprof/ routes:
 * the index page, cmdline, profile?seconds=N (CPU), every named profile
 * (predefined and custom) with ?debug=N, ?gc=1 for heap and ?seconds=N
 * deltas. It drops into Deno.serve, Bun.serve, a worker's fetch or Hono. */
export function pprofHandler(options: PprofHandlerOptions = {}): PprofHandler {
  // Options are checked here, when the handler is made: a bad one must not
  // turn into a 400 or a 500 on every request later.
  const o = checkOptions("pprofHandler", options);
  let prefix = checkString("prefix", o.prefix) ?? "/debug/pprof/";
  if (!prefix.startsWith("/")) throw new Error(`pprof: prefix must start with "/", got ${JSON.stringify(prefix)}`);
  if (!prefix.endsWith("/")) prefix += "/";
  const token = checkString("token", o.token, true);
  // setTimeout cannot wait longer than 2^31 − 1 ms.
  const maxSeconds = checkNumber("maxSeconds", o.maxSeconds, 1, 2_147_483) ?? 300;
  const hz = checkNumber("hz", o.hz, 1, 1e6) ?? 100;
  const heap = checkBoolean("heap", o.heap) ?? true;
  const threads = checkBoolean("threads", o.threads) ?? false;
  const maxConcurrent = checkNumber("maxConcurrent", o.maxConcurrent, 1, 1000, true) ?? defaultMaxConcurrent;
  // Collections run one at a time, and after each the next waits as long
  // as it took: however many requests arrive, the handler holds the event
  // loop at most half the time, and never longer at once than one
  // collection. A request joins a collection of the same profile, debug
  // and gc that is queued and not yet started (so every answer is taken
  // after its request arrived); collecting counts the distinct
  // collections queued or running, and the deltas under way.
  const queued = new Map<string, Promise<Uint8Array>>();
  let chain: Promise<unknown> = Promise.resolve();
  let collecting = 0;
  const busy = (): Response => {
    const r = serveError(429, `pprof: too many concurrent profile requests (maxConcurrent ${maxConcurrent}); retry later`);
    r.headers.set("Retry-After", "1");
    return r;
  };
  // bounded runs a delta in one of the maxConcurrent slots, or answers
  // busy() when none is free.
  const bounded = async (collect: () => Promise<Response>): Promise<Response> => {
    if (collecting >= maxConcurrent) return busy();
    collecting++;
    try {
      return await collect();
    } finally {
      collecting--;
    }
  };
  // collectShared resolves to p's bytes at debug (0, 1, 2: Go's meanings),
  // joining a queued collection of the same kind; undefined when
  // maxConcurrent collections are queued already.
  const collectShared = (p: Profile, name: string, debug: number, gc: boolean): Promise<Uint8Array> | undefined => {
    if (host.requestScopedPromises === true) {
      // No promise may cross requests here: each request collects on its
      // own, within the same bound.
      if (collecting >= maxConcurrent) return undefined;
      collecting++;
      return (async () => {
        try {
          if (gc) host.collectGarbage?.();
          return await p.writeTo(undefined, debug);
        } finally {
          collecting--;
        }
      })();
    }
    const key = `${debug}\x00${gc ? 1 : 0}\x00${name}`;
    const waiting = queued.get(key);
    if (waiting !== undefined) return waiting;
    if (collecting >= maxConcurrent) return undefined;
    collecting++;
    let tookMillis = 0;
    const job = chain.then(async () => {
      // Started: a request arriving from now on needs a collection of its own.
      queued.delete(key);
      const started = host.nowMicros();
      try {
        if (gc) host.collectGarbage?.();
        return await p.writeTo(undefined, debug);
      } finally {
        tookMillis = (host.nowMicros() - started) / 1000;
        collecting--;
      }
    });
    queued.set(key, job);
    const rest = () => (tookMillis >= 1 ? sleep(tookMillis, undefined) : undefined);
    chain = job.then(rest, rest);
    return job;
  };
  // Where the runtime has no heap sampler (workerd, Deno without
  // --allow-sys), heap stays a valid empty profile that says why.
  // Sampling the user started with other options stays as it is.
  // With threads, the heap profile has every worker's heap too, where the
  // runtime can (Node); elsewhere the main thread's, as without it.
  if (heap) {
    for (const options of threads ? [{ threads: true }, {}] : [{}]) {
      try {
        startHeapProfiling(options).catch(() => {});
        break;
      } catch {
        // No heap sampler here, no threads, or one already running.
      }
    }
  }
  const handle = async (request: Request): Promise<Response | undefined> => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      // Not a URL we can route (Bun hands `CONNECT *` over as "*"): not
      // ours; a standalone server answers 404, an application its own.
      return undefined;
    }
    try {
      if (url.pathname === prefix.slice(0, -1)) {
        return new Response(null, { status: 301, headers: baseHeaders({ Location: prefix + url.search }) });
      }
      if (!url.pathname.startsWith(prefix)) return undefined;
      if (token !== undefined) {
        const auth = request.headers.get("authorization") ?? "";
        if (!auth.startsWith("Bearer ") || !sameToken(auth.slice(7), token)) {
          const r = serveError(401, "Unauthorized");
          r.headers.set("WWW-Authenticate", 'Bearer realm="pprof"');
          return r;
        }
      }
      let name: string;
      try {
        name = decodeURIComponent(url.pathname.slice(prefix.length));
      } catch {
        return serveError(404, "Unknown profile");
      }
      const signal = request.signal;
      if (name === "") return indexPage(prefix);
      if (name === "cmdline") {
        return new Response((host.commandLine?.() ?? []).join("\x00"), { headers: baseHeaders({ "Content-Type": "text/plain; charset=utf-8" }) });
      }
      if (name === "profile") return await serveCpuProfile(url, signal, maxSeconds, hz, threads);
      if (name === "ui") return new Response(null, { status: 301, headers: baseHeaders({ Location: `${prefix}ui/` }) });
      // The viewer fetches profiles through this handler: same checks.
      if (name.startsWith("ui/")) return await serveUi(name.slice(3), url, profiles().map((p) => p.name), (path) => handle(new Request(new URL(prefix + path, url), { headers: request.headers, signal })));
      const p = lookup(name);
      if (p === undefined) return serveError(404, "Unknown profile");
      const seconds = url.searchParams.get("seconds");
      if (seconds !== null && seconds !== "") return await bounded(() => serveDelta(p, seconds, url, signal, maxSeconds));
      // Go's meanings: 0 (or less) pprof, 1 text, 2 (or more) goroutine's dump.
      const debug = Math.max(0, Math.min(2, Number.parseInt(url.searchParams.get("debug") ?? "0", 10) || 0));
      const gc = name === "heap" && (Number.parseInt(url.searchParams.get("gc") ?? "0", 10) || 0) > 0;
      const collected = collectShared(p, name, debug, gc);
      if (collected === undefined) return busy();
      const bytes = await collected;
      if (debug !== 0) return new Response(bytes as BodyInit, { headers: baseHeaders({ "Content-Type": "text/plain; charset=utf-8" }) });
      return profileBytes(name, bytes);
    } catch (err) {
      return serveError(500, `pprof: ${err instanceof Error ? err.message.replace(/^pprof: /, "") : String(err)}`);
    }
  };
  return handle;
}

/** ServeOptions configures servePprof: where to listen, and the handler. */
export interface ServeOptions extends PprofHandlerOptions {
  /** port to listen on (default 6060; 0 picks a free one). */
  port?: number;
  /** hostname to bind (default 127.0.0.1: never exposed unless asked). */
  hostname?: string;
}

/** checkServeOptions checks servePprof's own options (its handler's are
 * pprofHandler's) and returns the port and hostname to listen on. */
export function checkServeOptions(options: unknown): { port: number; hostname: string } {
  const o = checkOptions("servePprof", options);
  return { port: checkNumber("port", o.port, 0, 65535, true) ?? 6060, hostname: checkString("hostname", o.hostname, true) ?? "127.0.0.1" };
}

/** PprofServer is a running standalone debug server. */
export interface PprofServer {
  /** url is the index page's URL. */
  readonly url: string;
  /** port is the port the server listens on (the kernel's pick for port 0). */
  readonly port: number;
  /** close stops the server and resolves once it has stopped. */
  close(): Promise<void>;
}

/** notFound is Go's answer for a path no route serves. */
export function notFound(): Response {
  return new Response("404 page not found\n", {
    status: 404,
    headers: baseHeaders({ "Content-Type": "text/plain; charset=utf-8" }),
  });
}

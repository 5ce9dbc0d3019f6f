// http.ts owns /debug/pprof/ as a fetch-style handler, with the paths,
// parameters, headers and errors of Go's net/http/pprof, so that `go tool
// pprof http://…` and continuous-profiling scrapers (Grafana Alloy, Parca)
// work unchanged. It is runtime-neutral: servers and Node's request listener
// live in the adapters. It never throws into the host: any failure is a 500.

import { startCPUProfile, stopCPUProfile } from "../profiles/cpu.ts";
import { deltaProfile } from "../pprof/delta.ts";
import { startHeapProfiling } from "../profiles/heap.ts";
import { host } from "../host/host.ts";
import { lookup, profiles, type Profile } from "../profiles/profile.ts";
import { own } from "../host/own.ts";
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
  /** heap starts heap sampling when the handler is made (default true),
   * since a heap profile covers only what was sampled. */
  heap?: boolean;
}

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

function indexPage(prefix: string): Response {
  const rows: Array<[string, string, string]> = profiles().map((p) => [String(p.count()), p.name, `${p.name}?debug=1`]);
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

async function serveCpuProfile(url: URL, signal: AbortSignal | undefined, maxSeconds: number, hz: number): Promise<Response> {
  const raw = url.searchParams.get("seconds");
  let seconds = 30;
  if (raw !== null && raw !== "") {
    const n = parseSeconds(raw);
    if (n === undefined) return serveError(400, `invalid value for "seconds" - must be a positive integer`);
    seconds = n;
  }
  if (seconds > maxSeconds) return serveError(400, `profile duration exceeds the server's maximum of ${maxSeconds} seconds`);
  try {
    await startCPUProfile(undefined, { hz });
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
  let prefix = options.prefix ?? "/debug/pprof/";
  if (!prefix.endsWith("/")) prefix += "/";
  // setTimeout cannot wait longer than 2^31 − 1 ms.
  const maxSeconds = Math.min(options.maxSeconds ?? 300, 2_147_483);
  const hz = options.hz ?? 100;
  // Where the runtime has no heap sampler (workerd, Deno without
  // --allow-sys), heap stays a valid empty profile that says why.
  // Sampling the user started with other options stays as it is.
  if (options.heap !== false) {
    try {
      startHeapProfiling().catch(() => {});
    } catch {
      // No heap sampler here, or one already running: nothing to start.
    }
  }
  const handle = async (request: Request): Promise<Response | undefined> => {
    try {
      const url = new URL(request.url);
      if (url.pathname === prefix.slice(0, -1)) {
        return new Response(null, { status: 301, headers: baseHeaders({ Location: prefix + url.search }) });
      }
      if (!url.pathname.startsWith(prefix)) return undefined;
      if (options.token !== undefined) {
        const auth = request.headers.get("authorization") ?? "";
        if (!auth.startsWith("Bearer ") || !sameToken(auth.slice(7), options.token)) {
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
      if (name === "profile") return await serveCpuProfile(url, signal, maxSeconds, hz);
      if (name === "ui") return new Response(null, { status: 301, headers: baseHeaders({ Location: `${prefix}ui/` }) });
      // The viewer fetches profiles through this handler: same checks.
      if (name.startsWith("ui/")) return await serveUi(name.slice(3), url, profiles().map((p) => p.name), (path) => handle(new Request(new URL(prefix + path, url), { headers: request.headers, signal })));
      const p = lookup(name);
      if (p === undefined) return serveError(404, "Unknown profile");
      const seconds = url.searchParams.get("seconds");
      if (seconds !== null && seconds !== "") return await serveDelta(p, seconds, url, signal, maxSeconds);
      const debug = Number.parseInt(url.searchParams.get("debug") ?? "0", 10) || 0;
      const gc = Number.parseInt(url.searchParams.get("gc") ?? "0", 10) || 0;
      if (name === "heap" && gc > 0) host.collectGarbage?.();
      const bytes = await p.writeTo(undefined, debug);
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

/** PprofServer is a running standalone debug server. */
export interface PprofServer {
  /** url is the index page's URL. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** notFound is Go's answer for a path no route serves. */
export function notFound(): Response {
  return new Response("404 page not found\n", {
    status: 404,
    headers: baseHeaders({ "Content-Type": "text/plain; charset=utf-8" }),
  });
}

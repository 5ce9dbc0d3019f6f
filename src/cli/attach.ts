// attach.ts owns `anyprof attach`: a Chrome DevTools Protocol client that
// profiles a running process from outside through its inspector — `node
// --inspect`, `deno run --inspect`, and `workerd serve --inspector-addr`
// (workerd has no in-process profiler, so this is how a worker gets CPU and
// heap profiles). It finds the target (host:port through the inspector's
// HTTP target list, or a ws:// URL as given), drives V8's Profiler or
// HeapProfiler domain over one WebSocket, and converts the answer with the
// converters the in-process profiles use. It does not parse the command
// line (main.ts) and does not write files.

// The CLI runs on Node; the adapter supplies the WASM core, node:zlib's gzip
// and the clock to the converters below.
import "../runtime/node.ts";
import { createRequire } from "node:module";
import { withCore } from "../pprof/core.ts";
import { CpuProfileConverter } from "../pprof/cpuprofile.ts";
import { gzip } from "../host/gzip.ts";
import { defaultHeapRateBytes } from "../profiles/heap.ts";
import { heapProfileBytes } from "./convert-heap.ts";
import { host, type CpuProfileShape, type HeapProfileShape } from "../host/host.ts";
import type { Symbolizer } from "../pprof/symbolizer.ts";
import { newSourceMapper, type SourceMapOptions } from "../symbolize/sourcemaps.ts";

/** AttachOptions is what `anyprof attach` asks for. */
export interface AttachOptions {
  /** seconds is how long to profile. */
  seconds: number;
  /** heap takes a heap profile (V8's sampling heap profiler: live objects
   * sampled during the window) instead of a CPU profile. */
  heap: boolean;
  /** hz is the CPU sampling rate (default 100, like Go). */
  hz?: number;
  /** heapRateBytes is the average number of bytes allocated between two
   * heap samples (default 512 KiB, Go's MemProfileRate). */
  heapRateBytes?: number;
  /** deoptimize (default true) discards the target's optimized code as
   * the CPU profile starts (see deoptimizeAll); false leaves it alone. */
  deoptimize?: boolean;
  /** onStart is called once the profiler runs in the target, before the
   * window starts (for a progress line, or to start a workload). */
  onStart?: (target: AttachedTarget) => void;
  /** signal ends the profiling window early: the profile then covers the
   * time so far. Aborted before profiling starts, attach rejects. */
  signal?: AbortSignal;
  /** sourceMaps maps the target's frames to their original source (see
   * targetSourceMaps); false leaves the generated positions. */
  sourceMaps?: SourceMapOptions | false;
}

/** httpTimeoutMillis bounds each HTTP request to the inspector and the
 * WebSocket's opening. */
export const httpTimeoutMillis: number = 5_000;

/** callTimeoutMillis bounds one protocol call: Profiler.stop and
 * HeapProfiler.stopSampling on a big process take seconds (V8 builds the
 * profile; the heap one after a full collection). */
export const callTimeoutMillis: number = 60_000;

/** closeTimeoutMillis bounds the wait for the WebSocket's closing handshake. */
const closeTimeoutMillis = 1_000;

/** maxPayloadBytes bounds one message from the inspector (the ws library's
 * own default, 100 MiB, could cut off a long CPU profile). */
const maxPayloadBytes = 1024 * 1024 * 1024;

/** Target is one entry of the inspector's /json/list. */
interface Target {
  id: string;
  title: string;
  webSocketDebuggerUrl: string;
}

/** AttachedTarget is the target attach connects to. */
export interface AttachedTarget {
  /** wsUrl is the WebSocket to connect to. */
  wsUrl: string;
  /** title is the target's title in the inspector's list ("" for a ws://
   * URL given as is). */
  title: string;
  /** runtime is what the inspector's /json/version calls itself
   * ("node.js/v22.23.3", "Deno/2.9.6", "workerd"), "" if it does not say. */
  runtime: string;
}

const oneLine = (s: string): string => s.replace(/\s+/g, " ").trim();

const message = (err: unknown): string => oneLine(err instanceof Error ? err.message : String(err));

const seconds = (millis: number): string => `${Number((millis / 1000).toFixed(1))} s`;

/** networkReason says why a fetch never got an answer, in the words of
 * Node's, Deno's and Bun's errors. */
function networkReason(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const code = e?.cause?.code ?? e?.code;
  const text = e?.cause?.message ?? e?.message ?? String(err);
  if (code === "ECONNREFUSED" || code === "ConnectionRefused" || /connection refused/i.test(text)) return "connection refused";
  if (code === "ENOTFOUND" || /failed to lookup|ENOTFOUND|name or service not known/i.test(text)) return "host not found";
  if (code === "ECONNRESET") return "connection reset";
  // fetch refuses the ports browsers block (1, 6000, 6665–6669, …).
  if (/bad port|are blocked/i.test(text)) return "fetch refuses this port (one browsers block): start the inspector on another";
  if (code === "ETIMEDOUT" || code === "EHOSTUNREACH" || code === "ENETUNREACH") return `unreachable (${code})`;
  return oneLine(text);
}

const aborted = (): Error => new Error("anyprof: attach aborted");

/** Address is where an inspector listens, as the user wrote it. */
interface Address {
  /** base is the inspector's HTTP origin (http://host:port). */
  base: string;
  /** hostPort is host:port, for messages and for rewriting target URLs. */
  hostPort: string;
  /** id selects a target by its /json/list id ("" for the only one). */
  id: string;
}

/** parseAddress reads host:port, [v6]:port, a bare port (127.0.0.1), with
 * an optional http:// scheme and an optional /<target id>. */
function parseAddress(target: string): Address {
  let s = target.trim();
  if (/^\d+$/.test(s)) s = `127.0.0.1:${s}`;
  const scheme = /^https?:\/\//i.test(s) ? "" : "http://";
  let url: URL;
  try {
    url = new URL(scheme + s);
  } catch {
    throw new Error(`anyprof: attach target must be a ws:// URL or host:port, got ${JSON.stringify(target)}`);
  }
  // URL drops a port that is the scheme's default, so ask the text.
  const port = /^(?:\[[^\]]*\]|[^/:[\]]+):(\d+)(?:\/|$)/.exec(s.replace(/^https?:\/\//i, ""))?.[1];
  if (port === undefined) {
    throw new Error(`anyprof: attach target ${JSON.stringify(target)} has no port: want host:port (node --inspect listens on 127.0.0.1:9229)`);
  }
  let id: string;
  try {
    id = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ""));
  } catch {
    throw new Error(`anyprof: attach target ${JSON.stringify(target)} has a malformed target id`);
  }
  // The target list's own address names no target.
  if (id === "json" || id === "json/list") id = "";
  return { base: url.origin, hostPort: `${url.hostname}:${Number(port)}`, id };
}

/** getJson fetches an inspector's HTTP endpoint: its status and body, or
 * the "anyprof:" error saying why not. */
async function getJson(base: string, hostPort: string, path: string, signal: AbortSignal | undefined): Promise<{ status: number; statusText: string; body: string }> {
  const timeout = AbortSignal.timeout(httpTimeoutMillis);
  const both = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  try {
    const r = await fetch(base + path, { signal: both, redirect: "error" });
    return { status: r.status, statusText: r.statusText, body: await r.text() };
  } catch (err) {
    if (signal?.aborted) throw aborted();
    if (timeout.aborted) throw new Error(`anyprof: the inspector at ${hostPort} did not answer ${path} in ${seconds(httpTimeoutMillis)}`);
    throw new Error(`anyprof: cannot reach the inspector at ${hostPort}: ${networkReason(err)}`, { cause: err });
  }
}

/** listTargets reads the inspector's target list: /json/list, else /json
 * (the older name; both answer the same in Node, Deno and workerd). */
async function listTargets(a: Address, signal: AbortSignal | undefined): Promise<unknown[]> {
  let path = "/json/list";
  let r = await getJson(a.base, a.hostPort, path, signal);
  if (r.status === 404) {
    path = "/json";
    r = await getJson(a.base, a.hostPort, path, signal);
  }
  if (r.status === 404) {
    throw new Error(`anyprof: the inspector at ${a.hostPort} has no target list (/json/list and /json answered 404): give the target's ws:// URL`);
  }
  if (r.status !== 200) throw new Error(`anyprof: the inspector at ${a.hostPort} answered ${path} with ${r.status} ${oneLine(r.statusText)}`);
  let list: unknown;
  try {
    list = JSON.parse(r.body);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list)) throw new Error(`anyprof: the inspector at ${a.hostPort} answered ${path} with something other than a JSON list of targets`);
  return list;
}

/** runtimeName reads the "Browser" of an inspector's /json/version (the
 * first request to it: an unreachable inspector fails here). */
async function runtimeName(base: string, hostPort: string, signal: AbortSignal | undefined): Promise<string> {
  const r = await getJson(base, hostPort, "/json/version", signal);
  if (r.status !== 200) return "";
  try {
    const v = JSON.parse(r.body) as { Browser?: unknown };
    return typeof v.Browser === "string" ? oneLine(v.Browser) : "";
  } catch {
    return "";
  }
}

/** resolveTarget finds the WebSocket of target: a ws:// URL as given, else
 * the target the inspector's list names. */
async function resolveTarget(target: string, signal: AbortSignal | undefined): Promise<AttachedTarget> {
  if (/^wss?:\/\//i.test(target.trim())) {
    let url: URL;
    try {
      url = new URL(target.trim());
    } catch {
      throw new Error(`anyprof: attach target is not a valid URL: ${JSON.stringify(target)}`);
    }
    // A plain GET first: a browser WebSocket reports a refused connection
    // as nothing but "network error", fetch says which.
    const runtime = await runtimeName(`${url.protocol === "wss:" ? "https" : "http"}://${url.host}`, url.host, signal);
    return { wsUrl: url.href, title: "", runtime };
  }
  const a = parseAddress(target);
  const runtime = await runtimeName(a.base, a.hostPort, signal);
  const list = await listTargets(a, signal);
  const targets: Target[] = [];
  for (const t of list) {
    const o = t as Partial<Target> | null;
    // Chrome leaves webSocketDebuggerUrl out for a target another debugger
    // holds; such a target cannot be attached here.
    if (o !== null && typeof o === "object" && typeof o.webSocketDebuggerUrl === "string") {
      targets.push({ id: String(o.id ?? ""), title: String(o.title ?? ""), webSocketDebuggerUrl: o.webSocketDebuggerUrl });
    }
  }
  const names = targets.map((t) => (t.title !== "" && t.title !== t.id ? `${t.id} (${JSON.stringify(t.title)})` : t.id)).join(", ");
  let chosen: Target | undefined;
  if (a.id !== "") {
    chosen = targets.find((t) => t.id === a.id);
    if (chosen === undefined) {
      throw new Error(`anyprof: the inspector at ${a.hostPort} has no target ${JSON.stringify(a.id)}${targets.length > 0 ? `; it lists ${names}` : ""}`);
    }
  } else if (targets.length === 1) {
    chosen = targets[0]!;
  } else if (targets.length === 0) {
    throw new Error(
      list.length === 0
        ? `anyprof: the inspector at ${a.hostPort} lists no targets`
        : `anyprof: the inspector at ${a.hostPort} lists ${list.length} targets but none with a WebSocket URL (is another debugger attached?)`,
    );
  } else {
    // workerd lists one target per worker service (id = service name).
    throw new Error(`anyprof: the inspector at ${a.hostPort} lists ${targets.length} targets, ${names}: name one as ${a.hostPort}/<id>`);
  }
  // The inspector writes its own idea of its address into the URL (the
  // address it bound, which may be 0.0.0.0, or whatever Host it was sent);
  // the address the user gave is the one known to reach it, through a
  // tunnel or a port forward too. Only the path names the target.
  let ws: URL;
  try {
    ws = new URL(chosen.webSocketDebuggerUrl);
  } catch {
    throw new Error(`anyprof: the inspector at ${a.hostPort} lists target ${chosen.id} with an invalid WebSocket URL ${JSON.stringify(chosen.webSocketDebuggerUrl)}`);
  }
  ws.host = a.hostPort;
  if (a.base.startsWith("https:")) ws.protocol = "wss:";
  return { wsUrl: ws.href, title: chosen.title !== "" ? chosen.title : chosen.id, runtime };
}

/** SocketLike is the part of the WHATWG WebSocket that the session uses;
 * the ws library's WebSocket offers the same. */
interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "message" | "close" | "error", listener: (event: { data?: unknown; message?: string; code?: number; reason?: string }) => void): void;
}

type SocketConstructor = new (url: string, options?: object) => SocketLike;

/** newSocket opens a WebSocket with the runtime's own WebSocket where it has
 * one (Node ≥ 22, Deno, Bun), else with the ws package. Node 20, which the
 * package supports, has no global WebSocket (only behind
 * --experimental-websocket); ws is the WebSocket Node's own ecosystem runs
 * on (maintained since 2011, no dependencies, the client behind
 * chrome-remote-interface and puppeteer), and its EventTarget interface is
 * the WHATWG one, so one code path drives both. */
function newSocket(url: string): SocketLike {
  const Native = (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
  if (typeof Native === "function") return new Native(url);
  // require, not import: ws ships no types, and this stays off the path of
  // runtimes that have a WebSocket.
  const WS = createRequire(import.meta.url)("ws") as SocketConstructor;
  return new WS(url, { maxPayload: maxPayloadBytes, perMessageDeflate: false, handshakeTimeout: httpTimeoutMillis });
}

interface Pending {
  method: string;
  resolve(result: Record<string, unknown>): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** CdpSession is one WebSocket to an inspector target: calls matched to
 * answers by id, events ignored, and the connection's end reported. */
class CdpSession {
  readonly #socket: SocketLike;
  readonly #url: string;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #closed = false;
  /** closed resolves when the connection ends, for whatever reason. */
  readonly closed: Promise<void>;
  /** onEvent, when set, receives the protocol's events. */
  onEvent: ((method: string, params: unknown) => void) | undefined;

  private constructor(socket: SocketLike, url: string) {
    this.#socket = socket;
    this.#url = url;
    let onClosed!: () => void;
    this.closed = new Promise((done) => (onClosed = done));
    socket.addEventListener("message", (e) => this.#onMessage(e.data));
    socket.addEventListener("close", () => {
      this.#closed = true;
      for (const [id, p] of this.#pending) {
        this.#pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new Error(`anyprof: the target closed the connection before answering ${p.method} (did it exit?): ${this.#url}`));
      }
      onClosed();
    });
  }

  /** open connects to url, rejecting with an "anyprof:" error if the
   * WebSocket does not open. */
  static open(url: string, signal: AbortSignal | undefined): Promise<CdpSession> {
    if (signal?.aborted) return Promise.reject(aborted());
    let socket: SocketLike;
    try {
      socket = newSocket(url);
    } catch (err) {
      return Promise.reject(new Error(`anyprof: cannot open a WebSocket to ${url}: ${message(err)}`, { cause: err }));
    }
    const session = new CdpSession(socket, url);
    return new Promise((done, fail) => {
      let settled = false;
      const settle = (err: Error | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (err === undefined) {
          done(session);
          return;
        }
        fail(err);
        try {
          if (!session.#closed) socket.close();
        } catch {
          // Closing a socket that never opened: nothing to release.
        }
      };
      const onAbort = () => settle(aborted());
      const timer = setTimeout(() => settle(new Error(`anyprof: the WebSocket to ${url} did not open in ${seconds(httpTimeoutMillis)}`)), httpTimeoutMillis);
      signal?.addEventListener("abort", onAbort, { once: true });
      socket.addEventListener("open", () => settle(undefined));
      socket.addEventListener("error", (e) => {
        const why = e.message !== undefined && e.message !== "" ? `: ${oneLine(e.message)}` : "";
        settle(new Error(`anyprof: cannot open a WebSocket to ${url}${why} (is the target gone? list targets with host:port)`));
      });
      void session.closed.then(() => settle(new Error(`anyprof: the WebSocket to ${url} closed before it opened (is the target gone? list targets with host:port)`)));
    });
  }

  #onMessage(data: unknown): void {
    let m: { id?: number; result?: Record<string, unknown>; error?: { code?: number; message?: string; data?: unknown } };
    try {
      m = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data as Uint8Array)) as typeof m;
    } catch {
      return;
    }
    // Messages without an id are events: onEvent gets them.
    if (typeof m.id !== "number") {
      const e = m as { method?: unknown; params?: unknown };
      if (typeof e.method === "string") this.onEvent?.(e.method, e.params);
      return;
    }
    const p = this.#pending.get(m.id);
    if (p === undefined) return;
    this.#pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.error !== undefined) {
      const code = m.error.code !== undefined ? ` (code ${m.error.code})` : "";
      const domain = p.method.slice(0, p.method.indexOf("."));
      // Bun's inspector speaks WebKit's protocol, which has no Profiler or
      // HeapProfiler domain.
      const hint = m.error.code === -32601 && new RegExp(`'${domain}' domain`).test(m.error.message ?? "") ? `: the target's inspector has no ${domain} domain (anyprof attach needs V8's: Node, Deno, workerd)` : "";
      p.reject(new Error(`anyprof: ${p.method} failed: ${oneLine(m.error.message ?? "unknown error")}${code}${hint}`));
      return;
    }
    // workerd answers the Profiler domain's calls without a result (it
    // echoes method and params): success carries no data there.
    p.resolve(m.result ?? {});
  }

  /** call sends one protocol command and resolves to its result. */
  call(method: string, params: object = {}, timeoutMillis: number = callTimeoutMillis): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(new Error(`anyprof: the target closed the connection before ${method} (did it exit?): ${this.#url}`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`anyprof: no answer to ${method} in ${seconds(timeoutMillis)} from ${this.#url}`));
      }, timeoutMillis);
      this.#pending.set(id, { method, resolve, reject, timer });
      try {
        this.#socket.send(JSON.stringify({ id, method, params }));
      } catch (err) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(new Error(`anyprof: could not send ${method}: ${message(err)}`, { cause: err }));
      }
    });
  }

  /** close sends the best-effort calls in cleanup (errors ignored, each
   * bounded by closeTimeoutMillis), then closes the connection and waits
   * for the closing handshake, as long as closeTimeoutMillis. */
  async close(cleanup: readonly string[]): Promise<void> {
    for (const method of cleanup) {
      if (this.#closed) break;
      await this.call(method, {}, closeTimeoutMillis).catch(() => {});
    }
    if (!this.#closed) {
      try {
        this.#socket.close(1000, "anyprof attach done");
      } catch {
        // Already closing.
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.closed, new Promise<void>((done) => (timer = setTimeout(done, closeTimeoutMillis)))]);
    clearTimeout(timer);
  }
}

/** profileWindow waits seconds, or until signal aborts (the window ends
 * early), and rejects if the target goes away meanwhile. */
async function profileWindow(session: CdpSession, durationMillis: number, signal: AbortSignal | undefined, url: string): Promise<void> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const elapsed = new Promise<"elapsed">((done) => {
    timer = setTimeout(() => done("elapsed"), durationMillis);
    if (signal !== undefined) {
      onAbort = () => done("elapsed");
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    }
  });
  try {
    const how = await Promise.race([elapsed, session.closed.then(() => "closed" as const)]);
    if (how === "closed") {
      throw new Error(`anyprof: the target closed the connection ${seconds(performance.now() - started)} into the ${seconds(durationMillis)} profile (did it exit?): ${url}`);
    }
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
  }
}

/** deoptimizeAll discards the target's optimized code and reports whether
 * it could. V8 ≥ 12 (Node 22 and later, Deno) does not always record which
 * functions its optimizing compilers inlined into code that exists when the
 * profiler starts, so a small hot function inlined into its caller is
 * reported as the caller: attached to a warm process, the hot function may
 * not be in the profile at all (measured: Node 22 and 24 put all of a hot
 * loop's time on its caller; Node 20 does not). Code optimized again while
 * the profiler runs names its inlined functions. V8 drops all optimized
 * code when precise coverage starts; stopping it at once returns to the
 * default (best-effort) coverage. The costs: the target runs slower until
 * it re-optimizes (the profile's first moments show it), V8 stops flushing
 * unused bytecode, and a precise coverage collection running in the target
 * (NODE_V8_COVERAGE, deno test --coverage) loses its counts. workerd
 * refuses ("Profiler is not enabled": it runs the Profiler domain's
 * sampler itself and never enables V8's profiler agent): false. */
async function deoptimizeAll(session: CdpSession): Promise<boolean> {
  try {
    await session.call("Profiler.startPreciseCoverage", { callCount: false, detailed: false });
  } catch {
    return false;
  }
  await session.call("Profiler.stopPreciseCoverage").catch(() => {});
  return true;
}

/** Run is one attach: its session and target, window and options. */
interface Run {
  session: CdpSession;
  target: AttachedTarget;
  durationMillis: number;
  signal: AbortSignal | undefined;
  onStart: ((target: AttachedTarget) => void) | undefined;
}

// describe names the target for a profile's comments.
function describe(t: AttachedTarget): string {
  const what = t.title !== "" ? `${t.title} (${t.wsUrl})` : t.wsUrl;
  return t.runtime !== "" ? `${what}, ${t.runtime}` : what;
}

/** cpuProfile runs V8's CPU profiler on the target for the window. */
async function cpuProfile(run: Run, intervalMicros: number, deoptimize: boolean, symbolizer: Symbolizer | null): Promise<Uint8Array> {
  const { session, target: t } = run;
  await session.call("Profiler.enable");
  await session.call("Profiler.setSamplingInterval", { interval: Math.max(1, Math.round(intervalMicros)) });
  const startNanos = host.nowNanos();
  const began = performance.now();
  await session.call("Profiler.start");
  // After the start, so that the profiler sees the code compiled again.
  const deoptimized = deoptimize && (await deoptimizeAll(session));
  run.onStart?.(t);
  await profileWindow(session, run.durationMillis, run.signal, t.wsUrl);
  const result = await session.call("Profiler.stop");
  const endedMillis = performance.now() - began;
  const profile = result.profile as CpuProfileShape | undefined;
  if (profile === undefined || profile === null || typeof profile !== "object") throw new Error(`anyprof: Profiler.stop returned no profile: ${t.wsUrl}`);
  // The sampler's own span, where it gives one; else the time measured here.
  const spanMicros = profile.endTime - profile.startTime;
  const durationNanos = BigInt(Math.round(Number.isFinite(spanMicros) && spanMicros > 0 ? spanMicros * 1000 : endedMillis * 1e6));
  const comments = [`cpu: attached over the inspector protocol to ${describe(t)}`];
  if (deoptimized) {
    comments.push("cpu: the target's optimized code was discarded as profiling started, so that V8 names the functions it inlines; the first moments ran slower while it re-optimized");
  } else if (deoptimize) {
    // Measured in workerd: a function compiled before Profiler.start loses
    // its own frame, and its time goes to its caller.
    comments.push(
      "cpu: the target's optimized code could not be discarded (workerd runs its own sampler): time in functions compiled before profiling started may be reported as their callers'; attach before the traffic to profile",
    );
  }
  return gzip(
    withCore((core) => {
      const converter = new CpuProfileConverter(core, { intervalMicros, symbolizer });
      converter.add(profile);
      return converter.finish(startNanos, durationNanos, comments);
    }),
  );
}

/** heapProfile runs V8's sampling heap profiler on the target for the
 * window and writes what it holds then: the live objects sampled since the
 * start (V8 runs a full collection first), as the in-process heap profile
 * (heap.ts) writes them. */
async function heapProfile(run: Run, rateBytes: number, symbolizer: Symbolizer | null): Promise<Uint8Array> {
  const { session, target: t } = run;
  await session.call("HeapProfiler.enable");
  // V8 has one sampling heap profiler per isolate. If the target already
  // runs it (anyprof's own startHeapProfiling, /debug/pprof/), starting
  // would be ignored and stopping would stop the target's: read its samples
  // instead and leave it running.
  let shared = false;
  try {
    await session.call("HeapProfiler.getSamplingProfile");
    shared = true;
  } catch {
    await session.call("HeapProfiler.startSampling", { samplingInterval: rateBytes });
  }
  run.onStart?.(t);
  await profileWindow(session, run.durationMillis, run.signal, t.wsUrl);
  const timeNanos = host.nowNanos();
  // stopSampling answers what getSamplingProfile would and stops in the
  // same call: one full collection in the target instead of two.
  const result = await session.call(shared ? "HeapProfiler.getSamplingProfile" : "HeapProfiler.stopSampling");
  const profile = result.profile as HeapProfileShape | undefined;
  if (profile === undefined || profile === null || typeof profile !== "object") throw new Error(`anyprof: HeapProfiler.stopSampling returned no profile: ${t.wsUrl}`);
  try {
    return heapProfileBytes(profile, rateBytes, timeNanos, [
      `heap: attached over the inspector protocol to ${describe(t)}: live objects sampled by V8's sampling heap profiler during ${seconds(run.durationMillis)}, one per ${rateBytes} bytes allocated on average, after a full collection`,
      "heap: inuse_space is V8's estimate of all the bytes the samples stand for (each scaled by 1/(1-e^(-size/rate)), like Go's scaleHeapSample); inuse_objects counts the sampled objects themselves, unscaled",
      ...(shared ? ["heap: the target was already sampling its heap, so this is its sampler's view (since it started, at its own rate), left running"] : []),
    ], symbolizer);
  } catch (err) {
    throw new Error(`anyprof: ${message(err)}`, { cause: err });
  }
}

/** maxInlineMapRefs bounds the inline (data:) maps kept from the target's
 * scriptParsed events: at most this many scripts, each under the mapper's
 * maxMapBytes. */
const maxInlineMapRefs = 1000;

/** targetSourceMaps builds the mapper for a target's frames. The target
 * announces each script's sourceMapURL in Debugger.scriptParsed (sent for
 * every loaded script when the Debugger domain is enabled; it is disabled
 * again at once, so the target runs without it during the window). Inline
 * (data:) maps are taken from there; file maps are found from the scripts'
 * own files as in-process, inside options.roots (default: this process's
 * working directory) and options.dirs. A target without the Debugger domain
 * (workerd) keeps to those. */
async function targetSourceMaps(session: CdpSession, options: SourceMapOptions): Promise<Symbolizer> {
  const inline = new Map<string, string>();
  session.onEvent = (method, params) => {
    if (method !== "Debugger.scriptParsed" || inline.size >= maxInlineMapRefs) return;
    const p = params as { url?: unknown; sourceMapURL?: unknown };
    if (typeof p.url === "string" && typeof p.sourceMapURL === "string" && p.sourceMapURL.startsWith("data:")) inline.set(p.url, p.sourceMapURL);
  };
  try {
    await session.call("Debugger.enable", {}, 10_000);
    await session.call("Debugger.disable", {}, 10_000);
  } catch {
    // No Debugger domain: the scripts' files are all there is.
  } finally {
    session.onEvent = undefined;
  }
  const user = options.resolve;
  return newSourceMapper({
    ...options,
    resolve: (url) => {
      const ref = inline.get(url);
      if (ref !== undefined) return inlineMap(ref, options.maxMapBytes ?? 32 << 20);
      return user?.(url);
    },
  });
}

// inlineMap decodes a data: URL map announced by the target; undefined (the
// other sources then) when it is too large or not JSON.
function inlineMap(ref: string, maxBytes: number): object | undefined {
  const comma = ref.indexOf(",");
  const body = ref.slice(comma + 1);
  if (comma < 0 || body.length > (maxBytes * 4) / 3 + 4) return undefined;
  try {
    const text = ref.slice(0, comma).endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
    return JSON.parse(text) as object;
  } catch {
    return undefined;
  }
}

/** attach profiles the process behind target — a ws:// URL, or the
 * inspector's host:port (optionally /<target id>, needed where it lists
 * several targets, as workerd does, one per worker) — for options.seconds
 * and resolves to the gzip pprof bytes: a CPU profile (samples/count,
 * cpu/nanoseconds), or with options.heap a heap profile (inuse_objects,
 * inuse_space). It rejects with a one-line "anyprof:" error when the
 * inspector cannot be reached, lists no target (or several and none is
 * named), the target closes the connection, or a protocol call fails. The
 * connection is closed in every case. */
export async function attach(target: string, options: AttachOptions): Promise<Uint8Array> {
  const { heap, signal } = options;
  if (!(typeof options.seconds === "number" && Number.isFinite(options.seconds) && options.seconds > 0)) {
    throw new Error(`anyprof: attach seconds must be a positive number, got ${options.seconds}`);
  }
  const intervalMicros = 1e6 / (options.hz ?? 100);
  if (!Number.isFinite(intervalMicros) || intervalMicros < 1 || intervalMicros > 1e6) {
    throw new Error(`anyprof: attach hz must be from 1 to 1000000, got ${options.hz}`);
  }
  const rateBytes = options.heapRateBytes ?? defaultHeapRateBytes;
  if (!Number.isInteger(rateBytes) || rateBytes < 1 || rateBytes > 2 ** 30) {
    throw new Error(`anyprof: heap sampling rate must be an integer from 1 to 2^30 bytes, got ${rateBytes}`);
  }
  if (signal?.aborted) throw aborted();
  const t = await resolveTarget(target, signal);
  const session = await CdpSession.open(t.wsUrl, signal);
  // setTimeout cannot wait longer than 2^31 − 1 ms.
  const run: Run = { session, target: t, durationMillis: Math.min(options.seconds * 1000, 2 ** 31 - 1), signal, onStart: options.onStart };
  try {
    const symbolizer = options.sourceMaps === false ? null : await targetSourceMaps(session, options.sourceMaps ?? {});
    return heap ? await heapProfile(run, rateBytes, symbolizer) : await cpuProfile(run, intervalMicros, options.deoptimize ?? true, symbolizer);
  } finally {
    // Disabling stops a profiler an error left running; V8 also stops it
    // when the session ends, so this is belt and braces.
    await session.close(heap ? ["HeapProfiler.disable"] : ["Profiler.disable"]);
  }
}

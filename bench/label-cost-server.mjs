// label-cost-server.mjs is the server of bench/label-cost.mjs: a node:http
// server whose handler awaits three times (as a handler awaiting a database
// and a cache does) and does a little JSON work, run under one mode:
//   none        no profiler
//   profile     anyprof's CPU profile at 100 Hz
//   labels      the profile, and runWithLabels(route, method) around each request
//   labels-base, profile-base  labels and profile with the anyprof build at
//               $ANYPROF_BASE (a dist/ directory), to compare a change with
//               the code before it
//   floor       the profile, AsyncLocalStorage.run around each request and
//               an async_hooks hook with empty before/after: what Node charges
//               any label tracking done in JavaScript before it does anything
//   datadog     @datadog/pprof's time profiler at 100 Hz, no contexts
//   dd-labels   @datadog/pprof with contexts, setContext per request
// It prints its port, then serves until killed. GET /__cpu answers its CPU
// time so far in µs.
import { createServer } from "node:http";
import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const mode = process.argv[2] ?? "none";
const payload = { items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `n${i}`, ok: i % 2 === 0 })) };
const tick = () => new Promise((r) => setImmediate(r));

async function handle(req, res) {
  await tick();
  const body = JSON.stringify(payload);
  await Promise.resolve();
  const parsed = JSON.parse(body);
  await tick();
  res.end(String(parsed.items.length));
}

let onRequest = handle;
if (["profile", "labels", "labels-base", "profile-base", "floor"].includes(mode)) {
  const anyprof = await import(mode.endsWith("-base") ? pathToFileURL(join(process.env.ANYPROF_BASE ?? "", "runtime/node.js")).href : "anyprof");
  await anyprof.startCPUProfile(undefined, { hz: 100 });
  if (mode === "floor") {
    const store = new AsyncLocalStorage();
    createHook({ before() {}, after() {} }).enable();
    onRequest = (req, res) => store.run({ route: req.url ?? "/", method: req.method ?? "GET" }, () => handle(req, res));
  }
  if (mode === "labels" || mode === "labels-base") onRequest = (req, res) => anyprof.runWithLabels(anyprof.labels("route", req.url ?? "/", "method", req.method ?? "GET"), () => handle(req, res));
} else if (mode === "datadog" || mode === "dd-labels") {
  const { time } = await import("@datadog/pprof");
  const withContexts = mode === "dd-labels";
  // useCPED: contexts ride AsyncLocalStorage (Node 24's AsyncContextFrame), as dd-trace uses them.
  time.start({ intervalMicros: 10_000, durationMillis: 3_600_000, withContexts, useCPED: withContexts, lineNumbers: false });
  if (withContexts) {
    onRequest = (req, res) =>
      time.runWithContext({ route: req.url ?? "/", method: req.method ?? "GET" }, () => handle(req, res));
  }
}
// /__cpu answers the process's CPU time so far (µs): the benchmark's
// measure is CPU per request, which other jobs on the machine do not move
// the way they move requests/s.
const server = createServer((req, res) => {
  if (req.url === "/__cpu") {
    const u = process.cpuUsage();
    res.end(String(u.user + u.system));
    return;
  }
  void onRequest(req, res);
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));

// label-hooks-micro.mjs splits what labels cost into its parts, with no
// HTTP: 32 concurrent "requests" of three awaits and a little JSON (the
// handler of bench/label-cost-server.mjs) in one process, under one mode,
// and prints the process's CPU µs per request. Run each mode several times,
// alternating, and compare medians (or minimums) within one run:
//   none           no context at all
//   als            AsyncLocalStorage.run around each request
//   hook-empty     als + an async_hooks hook with empty before/after
//   hook-get       als + before/after that keep the current store (no log)
//   ph-get         als + the same on v8.promiseHooks (promises only: not
//                  enough for timers and I/O, shown for what Node's wrapper costs)
//   profile        anyprof's 100 Hz CPU profile alone
//   labels         the profile + runWithLabels around each request
//   base-profile, base-labels  the same with the build at $ANYPROF_BASE
//                  (a dist/ directory: the code before a change)
//   node bench/label-hooks-micro.mjs <mode> [requests=150000]
import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import v8 from "node:v8";

const mode = process.argv[2] ?? "none";
const requests = Number(process.argv[3] ?? 150000);
const payload = { items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `n${i}`, ok: i % 2 === 0 })) };
const tick = () => new Promise((r) => setImmediate(r));
async function handle() {
  await tick();
  const body = JSON.stringify(payload);
  await Promise.resolve();
  JSON.parse(body);
  await tick();
}

let run = (i, f) => f();
const als = new AsyncLocalStorage();
const contexts = [{ route: "/a" }, { route: "/b" }];
let current;
const stack = [];
if (["als", "hook-empty", "hook-get", "ph-get"].includes(mode)) run = (i, f) => als.run(contexts[i & 1], f);
if (mode === "hook-empty") createHook({ before() {}, after() {} }).enable();
const keep = { before() { stack.push(current); current = als.getStore(); }, after() { current = stack.pop(); } };
if (mode === "hook-get") createHook(keep).enable();
if (mode === "ph-get") v8.promiseHooks.createHook(keep);
if (mode.endsWith("profile") || mode.endsWith("labels")) {
  const base = mode.startsWith("base-");
  if (base && process.env.ANYPROF_BASE === undefined) throw new Error(`${mode} needs ANYPROF_BASE=<a dist/ directory>`);
  const anyprof = await import(base ? pathToFileURL(join(process.env.ANYPROF_BASE, "runtime/node.js")).href : "anyprof");
  await anyprof.startCPUProfile(undefined, { hz: 100 });
  const sets = [anyprof.labels("route", "/a", "method", "GET"), anyprof.labels("route", "/b", "method", "GET")];
  if (mode.endsWith("labels")) run = (i, f) => anyprof.runWithLabels(sets[i & 1], f);
}

const before = process.cpuUsage();
let started = 0;
await Promise.all(Array.from({ length: 32 }, async () => { while (started < requests) await run(started++, handle); }));
const used = process.cpuUsage(before);
console.log(((used.user + used.system) / requests).toFixed(2));
process.exit(0);

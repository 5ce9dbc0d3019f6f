import { AsyncLocalStorage, createHook } from "node:async_hooks";
import v8 from "node:v8";
const mode = process.argv[2];
const N = Number(process.argv[3] ?? 150000);
const payload = { items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `n${i}`, ok: i % 2 === 0 })) };
const tick = () => new Promise((r) => setImmediate(r));
async function handle() { await tick(); const b = JSON.stringify(payload); await Promise.resolve(); JSON.parse(b); await tick(); }
let run = (i, f) => f();
const als = new AsyncLocalStorage();
let cur; const st = []; let n = 0;
const sets = [{a:1},{b:2}];
if (mode !== "none") run = (i, f) => als.run(sets[i & 1], f);
if (mode === "hook-empty") createHook({ before() {}, after() {} }).enable();
if (mode === "hook-get" || mode === "prof-hook-get") createHook({ before() { st.push(cur); cur = als.getStore(); }, after() { cur = st.pop(); } }).enable();
if (mode === "hook-get-time") createHook({ before() { st.push(cur); const s = als.getStore(); if (s !== cur) { cur = s; n += Number(process.hrtime.bigint()) } }, after() { const s = st.pop(); if (s !== cur) { cur = s; n += Number(process.hrtime.bigint()) } } }).enable();
if (mode === "hook-get-perf") createHook({ before() { st.push(cur); const s = als.getStore(); if (s !== cur) { cur = s; n += performance.now() } }, after() { const s = st.pop(); if (s !== cur) { cur = s; n += performance.now() } } }).enable();
if (mode === "ph-empty") v8.promiseHooks.createHook({ before() {}, after() {} });
if (mode === "ph-get") v8.promiseHooks.createHook({ before() { st.push(cur); cur = als.getStore(); }, after() { cur = st.pop(); } });
if (mode === "init-empty") createHook({ init() {} }).enable();
if (mode === "prof-hook-get") await (await import("anyprof")).startCPUProfile(undefined, { hz: 100 });
if (mode === "nolog-labels") {
  const a = await import("anyprof");
  const ls = [a.labels("route", "/a", "method", "GET"), a.labels("route", "/b", "method", "GET")];
  run = (i, f) => a.runWithLabels(ls[i & 1], f);
}
if (mode.endsWith("profile") || mode.endsWith("-labels") && mode !== "nolog-labels") {
  const a = await import(mode.startsWith("base-") ? new URL("../node_modules/.anyprof-base/dist/runtime/node.js", import.meta.url).href : "anyprof");
  await a.startCPUProfile(undefined, { hz: 100 });
  const ls = [a.labels("route", "/a", "method", "GET"), a.labels("route", "/b", "method", "GET")];
  if (mode.endsWith("labels")) run = (i, f) => a.runWithLabels(ls[i & 1], f); else run = (i, f) => f();
}
const c0 = process.cpuUsage(); let i = 0;
await Promise.all(Array.from({ length: 32 }, async () => { while (i < N) await run(i++, handle); }));
const c = process.cpuUsage(c0);
console.log(((c.user + c.system) / N).toFixed(2));
process.exit(0);

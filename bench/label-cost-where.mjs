// label-cost-where.mjs says where labels' CPU goes on the server of
// bench/label-cost.mjs, in a measure that other jobs on the machine do not
// move much: each Node's server runs under `node --cpu-prof` (V8's own
// profile, 0.2 ms interval, beside anyprof's 100 Hz one) in modes profile,
// floor (AsyncLocalStorage + empty before/after hooks) and labels, under
// 8 keep-alive connections for a few seconds, and the share of its
// non-idle samples is printed for: the label code (anyprof's labels.ts,
// labelset.ts, the adapter's storeOfCallback and clock; @datadog/pprof's
// JavaScript in its modes); Node's async
// context machinery (internal/async_hooks, AsyncContextFrame,
// AsyncLocalStorage, promise hooks); the garbage collector. Shares are
// ratios within one process, so a starved process is sampled less but not
// differently. Rounds repeat; medians.
// On Node 24 also @datadog/pprof (datadog, dd-labels: runWithContext).
//   node bench/label-cost-where.mjs [rounds=3] [seconds=3] [only a Node, e.g. 24]
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fixed, loadAverage, machine, median, table } from "./harness.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [rounds = 3, seconds = 3] = process.argv.slice(2, 4).map(Number);
const server = join(root, "bench/label-cost-server.mjs");
const nodes = [
  [`node ${process.versions.node}`, process.execPath],
  ["node 22", join(root, "node_modules/node22/bin/node")],
  ["node 24", join(root, "node_modules/node24/bin/node")],
  ["node 26", join(root, "node_modules/node26/bin/node")],
];
// ANYPROF_BASE=<a dist/ of the code before a change> adds its profile and labels.
// On Node 24 also @datadog/pprof's time profiler without and with contexts.
const modesFor = (name) => ["profile", "floor", "labels", ...(process.env.ANYPROF_BASE !== undefined ? ["profile-base", "labels-base"] : []), ...(name === "node 24" ? ["datadog", "dd-labels"] : [])];
// A third argument keeps only the Nodes whose name contains it ("24").
const only = process.argv[4];

// classOf names the part of the process a sampled frame belongs to.
function classOf(frame) {
  const { functionName: fn, url } = frame;
  if (/profiles\/labels\.js|pprof\/labelset\.js/.test(url) || (/runtime\/v8\.js/.test(url) && fn === "storeOfCallback") || (/runtime\/node\.js/.test(url) && fn === "nowMicros")) return "label code";
  // @datadog/pprof's JavaScript (runWithContext); its sampling is native.
  if (/@datadog\/pprof/.test(url)) return "label code";
  if (/internal\/async_hooks|async_context_frame|async_local_storage|internal\/promise_hooks|^node:async_hooks/.test(url)) return "Node async context";
  if (fn === "(garbage collector)") return "GC";
  return "rest";
}

async function measure(node, mode) {
  const dir = mkdtempSync(join(tmpdir(), "label-cost-where-"));
  // SIGINT ends the server with process.exit, which writes the profile.
  const boot = `process.on("SIGINT", () => process.exit(0)); import(${JSON.stringify(server)})`;
  const child = spawn(node, ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--cpu-prof-interval", "200", "--input-type=module", "-e", boot, "-", mode], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise((resolve, reject) => {
      child.stdout.once("data", (d) => resolve(Number(String(d).trim())));
      child.once("exit", (c) => reject(new Error(`server ${mode} exited ${c}`)));
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const get = () =>
      new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/api/items", agent }, (res) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
        req.end();
      });
    const end = performance.now() + seconds * 1000;
    await Promise.all(Array.from({ length: 8 }, async () => { while (performance.now() < end) await get(); }));
    agent.destroy();
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGINT");
    await exited;
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const counts = { "label code": 0, "Node async context": 0, GC: 0, rest: 0 };
    let total = 0;
    for (const id of profile.samples) {
      const frame = byId.get(id).callFrame;
      if (frame.functionName === "(idle)") continue;
      counts[classOf(frame)]++;
      total++;
    }
    return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, (100 * v) / total]));
  } finally {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

const m = machine();
const loads = [];
const results = new Map();
const chosen = nodes.filter(([name]) => only === undefined || name.includes(only));
for (let r = 0; r < rounds; r++) {
  for (const [name, node] of chosen) {
    for (const mode of modesFor(name)) {
      loads.push(Number(loadAverage()));
      const key = `${name}\n${mode}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push(await measure(node, mode));
    }
  }
}
console.log(`# label-cost-where: ${m.cpuModel}, ${m.cores} cores, ${m.date}; load ${fixed(Math.min(...loads))}–${fixed(Math.max(...loads))}; ${rounds} rounds of ${seconds} s, 8 connections\n`);
const parts = ["label code", "Node async context", "GC"];
const rows = [];
for (const [name] of chosen) {
  for (const mode of modesFor(name)) {
    const runs = results.get(`${name}\n${mode}`);
    rows.push([name, mode, ...parts.map((p) => `${fixed(median(runs.map((x) => x[p])), 1)} %`)]);
  }
}
console.log(table(["node", "mode", ...parts.map((p) => `${p} (% of server CPU)`)], rows));

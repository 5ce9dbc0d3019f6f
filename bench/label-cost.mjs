// label-cost.mjs measures what profiler labels cost a realistic async server
// (bench/label-cost-server.mjs: three awaits and a little JSON per request):
// requests/s with no profile, with anyprof's 100 Hz CPU profile, and with the
// profile plus runWithLabels around every request, on Node 20, 22, 24, 26;
// on Node 24 also @datadog/pprof's time profiler without and with contexts.
// The load generator is this process (32 keep-alive connections); modes
// alternate within each round; medians. The measure is the server's CPU
// time per request (its process.cpuUsage over the window ÷ requests), which
// a busy machine moves far less than requests/s; ratios are against "none"
// on the same Node in the same run.
// "floor" is the profile plus AsyncLocalStorage and an empty async_hooks
// before/after hook: the part of the labels' cost that is Node's.
//   node bench/label-cost.mjs [rounds=3] [seconds=4]
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fixed, loadAverage, machine, median, table } from "./harness.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [rounds = 3, seconds = 4] = process.argv.slice(2).map(Number);
const server = join(root, "bench/label-cost-server.mjs");
const nodes = [
  [`node ${process.versions.node}`, process.execPath],
  ["node 22", join(root, "node_modules/node22/bin/node")],
  ["node 24", join(root, "node_modules/node24/bin/node")],
  ["node 26", join(root, "node_modules/node26/bin/node")],
];
// ANYPROF_BASE=<a dist/ of the code before a change> adds "labels-base".
const baseModes = process.env.ANYPROF_BASE !== undefined ? ["labels-base"] : [];
const modesFor = (name) => ["none", "profile", "labels", ...baseModes, "floor", ...(name === "node 24" ? ["datadog", "dd-labels"] : [])];

async function measure(node, mode) {
  const child = spawn(node, [server, mode], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise((resolve, reject) => {
      child.stdout.once("data", (d) => resolve(Number(String(d).trim())));
      child.once("exit", (c) => reject(new Error(`server ${mode} exited ${c}`)));
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const get = (path = "/api/items") =>
      new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (d) => (body += d));
          res.on("end", () => resolve(body));
        });
        req.on("error", reject);
        req.end();
      });
    // Warm up, then count completed requests over the window.
    const warm = performance.now() + 500;
    await Promise.all(Array.from({ length: 32 }, async () => { while (performance.now() < warm) await get(); }));
    let done = 0;
    const cpu0 = Number(await get("/__cpu"));
    const start = performance.now();
    const end = start + seconds * 1000;
    await Promise.all(Array.from({ length: 32 }, async () => { while (performance.now() < end) { await get(); done++; } }));
    const cpuMicros = Number(await get("/__cpu")) - cpu0;
    agent.destroy();
    return { rps: done / ((performance.now() - start) / 1000), cpuMicrosPerRequest: cpuMicros / done };
  } finally {
    child.kill("SIGKILL");
  }
}

const m = machine();
const loads = [];
const results = new Map();
for (let r = 0; r < rounds; r++) {
  for (const [name, node] of nodes) {
    for (const mode of modesFor(name)) {
      loads.push(Number(loadAverage()));
      const key = `${name}\n${mode}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push(await measure(node, mode));
    }
  }
}
console.log(`# label-cost: ${m.cpuModel}, ${m.cores} cores, ${m.date}; load ${fixed(Math.min(...loads))}–${fixed(Math.max(...loads))}; ${rounds} rounds of ${seconds} s, 32 connections\n`);
const rows = [];
const cpuOf = (name, mode) => median(results.get(`${name}\n${mode}`).map((x) => x.cpuMicrosPerRequest));
const rpsOf = (name, mode) => median(results.get(`${name}\n${mode}`).map((x) => x.rps));
for (const [name] of nodes) {
  const base = cpuOf(name, "none");
  for (const mode of modesFor(name)) rows.push([name, mode, fixed(cpuOf(name, mode), 1), fixed(cpuOf(name, mode) / base, 3), fixed(rpsOf(name, mode), 0)]);
}
console.log(table(["node", "mode", "server CPU µs/request (median)", "÷ none", "requests/s (noisy)"], rows));
// What labels add on top of the profile alone, the question.
for (const [name] of nodes) {
  if (baseModes.length > 0) console.log(`${name}: labels-base add ${fixed((cpuOf(name, "labels-base") / cpuOf(name, "profile") - 1) * 100)} % CPU per request to the profile alone`);
  console.log(`${name}: the floor (AsyncLocalStorage + empty before/after hooks) adds ${fixed((cpuOf(name, "floor") / cpuOf(name, "profile") - 1) * 100)} % to the profile alone`);
  console.log(`${name}: labels add ${fixed((cpuOf(name, "labels") / cpuOf(name, "profile") - 1) * 100)} % CPU per request to the profile alone; the profile adds ${fixed((cpuOf(name, "profile") / cpuOf(name, "none") - 1) * 100)} % to none`);
}
console.log(`node 24 @datadog/pprof: contexts add ${fixed((cpuOf("node 24", "dd-labels") / cpuOf("node 24", "datadog") - 1) * 100)} % CPU per request to its profile alone; its profile adds ${fixed((cpuOf("node 24", "datadog") / cpuOf("node 24", "none") - 1) * 100)} % to none`);

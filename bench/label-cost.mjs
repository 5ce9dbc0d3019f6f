// label-cost.mjs measures what profiler labels cost a realistic async server
// (bench/label-cost-server.mjs: three awaits and a little JSON per request):
// requests/s with no profile, with anyprof's 100 Hz CPU profile, and with the
// profile plus runWithLabels around every request, on Node 20, 22, 24, 26;
// on Node 24 also @datadog/pprof's time profiler without and with contexts.
// The load generator is this process (8 keep-alive connections to a
// server); a Node's modes run one after another within a round (with
// --together, at the same time, sharing the machine's other load, but then
// seven servers and the client share 2 cores and every request costs 2-3x
// more); rounds repeat; medians. The measure is the server's CPU
// time per request (its process.cpuUsage over the window ÷ requests), which
// a busy machine moves far less than requests/s; ratios are against "none"
// on the same Node in the same run.
// "floor" is the profile plus AsyncLocalStorage and an empty async_hooks
// before/after hook: the part of the labels' cost that is Node's.
//   node bench/label-cost.mjs [rounds=3] [seconds=4] [connections=8] [--together]
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fixed, loadAverage, machine, median, table } from "./harness.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const together = process.argv.includes("--together");
const [rounds = 3, seconds = 4, connections = 8] = process.argv.slice(2).filter((a) => a !== "--together").map(Number);
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

// start runs one server and returns a GET function on its own keep-alive
// agent.
async function start(node, mode) {
  const child = spawn(node, [server, mode], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once("data", (d) => resolve(Number(String(d).trim())));
    child.once("exit", (c) => reject(new Error(`server ${mode} exited ${c}`)));
  });
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
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
  return { child, agent, get };
}

// load keeps `connections` requests in flight on one server until endMillis
// and returns how many completed.
async function load(get, endMillis) {
  let done = 0;
  await Promise.all(Array.from({ length: connections }, async () => { while (performance.now() < endMillis) { await get(); done++; } }));
  return done;
}

// measureAll runs the given modes' servers of one Node at once (one mode:
// alone), under the same load from the machine's other jobs, and returns
// each one's CPU time per request and requests/s over the same window.
async function measureAll(node, modes) {
  const servers = [];
  try {
    for (const mode of modes) servers.push(await start(node, mode));
    const warm = performance.now() + 500;
    await Promise.all(servers.map((s) => load(s.get, warm)));
    const cpu0 = await Promise.all(servers.map(async (s) => Number(await s.get("/__cpu"))));
    const startMillis = performance.now();
    const done = await Promise.all(servers.map((s) => load(s.get, startMillis + seconds * 1000)));
    const cpu1 = await Promise.all(servers.map(async (s) => Number(await s.get("/__cpu"))));
    const wallSeconds = (performance.now() - startMillis) / 1000;
    return servers.map((_, i) => ({ rps: done[i] / wallSeconds, cpuMicrosPerRequest: (cpu1[i] - cpu0[i]) / done[i] }));
  } finally {
    for (const s of servers) {
      s.agent.destroy();
      s.child.kill("SIGKILL");
    }
  }
}

const m = machine();
const loads = [];
const results = new Map();
for (let r = 0; r < rounds; r++) {
  for (const [name, node] of nodes) {
    loads.push(Number(loadAverage()));
    const modes = modesFor(name);
    const measured = together ? await measureAll(node, modes) : [];
    if (!together) for (const mode of modes) measured.push((await measureAll(node, [mode]))[0]);
    modes.forEach((mode, i) => {
      const key = `${name}\n${mode}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push(measured[i]);
    });
  }
}
console.log(`# label-cost: ${m.cpuModel}, ${m.cores} cores, ${m.date}; load ${fixed(Math.min(...loads))}–${fixed(Math.max(...loads))}; ${rounds} rounds of ${seconds} s, ${connections} connections, ${together ? "a Node's servers at once" : "one server at a time"}\n`);
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

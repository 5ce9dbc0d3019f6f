// label-cost.mjs measures what profiler labels cost a realistic async server
// (bench/label-cost-server.mjs: three awaits and a little JSON per request):
// requests/s with no profile, with anyprof's 100 Hz CPU profile, and with the
// profile plus runWithLabels around every request, on Node 20, 22, 24, 26;
// on Node 24 also @datadog/pprof's time profiler without and with contexts.
// The load generator is this process (32 keep-alive connections); modes
// alternate within each round; medians. Ratios are against "none" on the
// same Node in the same run.
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
const modesFor = (name) => (name === "node 24" ? ["none", "profile", "labels", "datadog", "dd-labels"] : ["none", "profile", "labels"]);

async function measure(node, mode) {
  const child = spawn(node, [server, mode], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise((resolve, reject) => {
      child.stdout.once("data", (d) => resolve(Number(String(d).trim())));
      child.once("exit", (c) => reject(new Error(`server ${mode} exited ${c}`)));
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const get = () =>
      new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/api/items", agent }, (res) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
        req.end();
      });
    // Warm up, then count completed requests over the window.
    const warm = performance.now() + 500;
    await Promise.all(Array.from({ length: 32 }, async () => { while (performance.now() < warm) await get(); }));
    let done = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    await Promise.all(Array.from({ length: 32 }, async () => { while (performance.now() < end) { await get(); done++; } }));
    agent.destroy();
    return done / ((performance.now() - start) / 1000);
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
for (const [name] of nodes) {
  const base = median(results.get(`${name}\nnone`));
  for (const mode of modesFor(name)) {
    const rps = median(results.get(`${name}\n${mode}`));
    rows.push([name, mode, fixed(rps, 0), fixed(rps / base, 3)]);
  }
}
console.log(table(["node", "mode", "requests/s (median)", "÷ none"], rows));
// What labels add on top of the profile alone, the question.
for (const [name] of nodes) {
  const p = median(results.get(`${name}\nprofile`));
  const l = median(results.get(`${name}\nlabels`));
  console.log(`${name}: labels cost ${fixed((1 - l / p) * 100)} % of requests/s beside the profile alone`);
}
const dd = median(results.get("node 24\ndatadog"));
const ddl = median(results.get("node 24\ndd-labels"));
console.log(`node 24 @datadog/pprof: contexts cost ${fixed((1 - ddl / dd) * 100)} % of requests/s beside its profile alone`);

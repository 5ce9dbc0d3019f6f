// diagnose.mjs shows where anyprof's stopCPUProfile spends its time, by
// profiling the stop itself with `node --cpu-prof`: it re-runs itself as a
// child under --cpu-prof (100 µs interval), profiles the deep workload with
// anyprof for 3 s at 1 kHz, stops, and then reads the child's .cpuprofile
// and sums the samples that fall inside the stop, by function (self time)
// and by step (the frame of cpu.ts's pipeline each sample sits under).
// V8's own C++ work inside Profiler.stop (building and serializing the
// protocol message) shows up under the inspector session's `post`;
// perf(1) is the tool to split it further (see the report).
//
// Usage: node bench/cpu/diagnose.mjs [--seconds S]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine, fixed, table } from "./lib.mjs";

const secondsAt = process.argv.indexOf("--seconds");
const seconds = secondsAt > 0 ? Number(process.argv[secondsAt + 1]) : 3;

if (process.env.ANYPROF_DIAGNOSE_CHILD === "1") {
  const { startCPUProfile, stopCPUProfile } = await import("anyprof");
  const { makeDeep } = await import("./workloads.mjs");
  const runDeep = makeDeep();
  const none = () => 0;
  // Two warm-up profiles, so that the measured stop runs warm code as in
  // the benchmark; the third stop is the one analysed.
  for (const ms of [1000, 1000, seconds * 1000]) {
    await startCPUProfile(undefined, { hz: 1000 });
    runDeep(ms, ms, none);
    const t0 = process.hrtime.bigint();
    await stopCPUProfile();
    const t1 = process.hrtime.bigint();
    if (ms === seconds * 1000) console.log(JSON.stringify({ startMicros: Number(t0 / 1000n), endMicros: Number(t1 / 1000n) }));
  }
} else {
  const dir = mkdtempSync(join(tmpdir(), "anyprof-diagnose-"));
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ["--cpu-prof", "--cpu-prof-interval", "100", "--cpu-prof-dir", dir, self, "--seconds", String(seconds)], {
    env: { ...process.env, ANYPROF_DIAGNOSE_CHILD: "1" },
    encoding: "utf8",
  });
  if (child.status !== 0 || !child.stdout.trim()) throw new Error(`diagnose: child failed (${child.status}): ${child.stderr}${child.error ?? ""}`);
  const window = JSON.parse(child.stdout.trim().split("\n").at(-1));
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8"));
  rmSync(dir, { recursive: true, force: true });
  if (process.env.ANYPROF_BENCH_NO_HEADER !== "1") {
    console.log(describeMachine());
    console.log(`Command: node ${process.argv.slice(1).join(" ")}\n`);
  }
  console.log(analyse(profile, window));
}

// analyse sums the samples between startMicros and endMicros.
function analyse(profile, { startMicros, endMicros }) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n) => {
    const cf = n.callFrame;
    const file = cf.url.replace(/^.*\/(dist|node_modules)\//, "$1/").replace(/^node:/, "node:");
    return `${cf.functionName || "(anonymous)"} ${file}${cf.url ? `:${cf.lineNumber + 1}` : ""}`;
  };
  // step names the pipeline stage a stack belongs to, innermost first.
  const steps = [
    ["inspector Profiler.stop (V8 C++: stop, build + serialize the message; Node: JSON.parse)", (cf) => cf.url === "node:inspector" || cf.url.endsWith("inspector.js") && cf.functionName === "post"],
    ["gzip (pako or node:zlib)", (cf) => cf.url.includes("pako") || cf.url === "node:zlib" || cf.url.endsWith("/gzip.js")],
    ["WASM core (treeSamples, build, interning)", (cf) => cf.url.startsWith("wasm://") || cf.url.endsWith("/core.js")],
    ["converter add (JS loops over nodes and samples)", (cf) => cf.url.endsWith("/cpuprofile.js")],
  ];
  const self = new Map();
  const perStep = new Map();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < startMicros || t > endMicros) continue;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    total += dt;
    const leaf = byId.get(profile.samples[i]);
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    let step = "other (GC, program, cpu.ts glue)";
    for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
      const hit = steps.find(([, test]) => test(byId.get(id).callFrame));
      if (hit) {
        step = hit[0];
        break;
      }
    }
    perStep.set(step, (perStep.get(step) ?? 0) + dt);
  }
  // Lines of the converter by position ticks (whole run: add only runs in
  // stops, so its lines' shares hold for the analysed stop too).
  const lineTicks = new Map();
  let addTicks = 0;
  for (const n of profile.nodes) {
    if (!n.callFrame.url.endsWith("/cpuprofile.js")) continue;
    for (const { line, ticks } of n.positionTicks ?? []) {
      lineTicks.set(line, (lineTicks.get(line) ?? 0) + ticks);
      addTicks += ticks;
    }
  }
  const srcUrl = profile.nodes.find((n) => n.callFrame.url.endsWith("/cpuprofile.js"))?.callFrame.url;
  const src = srcUrl ? readFileSync(fileURLToPath(srcUrl), "utf8").split("\n") : [];
  const lineRows = [...lineTicks]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([line, ticks]) => [`dist/pprof/cpuprofile.js:${line}`, `\`${(src[line - 1] ?? "").trim().slice(0, 90).replace(/\|/g, "\\|").replace(/`/g, "'")}\``, `${fixed((100 * ticks) / addTicks, 0)} %`]);
  const pct = (ms) => `${fixed((100 * ms) / total, 0)} %`;
  const rows = (m, k) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, ms]) => [name.replace(/\|/g, "\\|"), fixed(ms), pct(ms)]);
  return [
    `### Where anyprof's stop goes (node --cpu-prof, 100 µs samples)\n`,
    `stopCPUProfile() of a ${seconds} s, 1 kHz profile of the deep workload took ${fixed((endMicros - startMicros) / 1000)} ms (wall, including the --cpu-prof sampler's own cost).\n`,
    table(["step", "ms", "share"], rows(perStep, 10)),
    "",
    table(["function (self time)", "ms", "share"], rows(self, 15)),
    "",
    table(["converter line", "source", "share of the converter's own time"], lineRows),
  ].join("\n");
}

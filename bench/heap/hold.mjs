// hold.mjs measures how long writing a heap profile holds the application's
// thread, on a heap of small retained objects (80 MB and 1 GB by default),
// for anyprof's writeHeapProfile() (on Node 26 without a forced collection,
// before with the inspector's) and @datadog/pprof's heap.profile() +
// encode, both sampling every 512 KiB. Each (tool, heap) pair runs in a
// fresh process, one unmeasured write then five; the hold is the wall time from the call
// until the bytes are in hand, all of it synchronous on Node but for the
// awaits, and a setImmediate probe checks no block hides after it.
// Ratios are anyprof ÷ datadog in the same run.
//
// Usage: node bench/heap/hold.mjs [--sizes 80,1024]   (MB)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describeMachine, fixed, isMain, median, table } from "../cpu/lib.mjs";

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const rateBytes = 512 * 1024;

async function child(tool, megabytes) {
  let write;
  if (tool === "anyprof") {
    const { startHeapProfiling, writeHeapProfile } = await import("anyprof");
    await startHeapProfiling({ rateBytes });
    write = () => writeHeapProfile();
  } else {
    const { heap, encode } = await import("@datadog/pprof");
    heap.start(rateBytes, 64);
    write = () => encode(heap.profile());
  }
  // Small records, ~100 bytes each with their strings and arrays.
  const kept = [];
  const records = Math.round((megabytes * 1e6) / 100);
  for (let i = 0; i < records; i++) kept.push({ id: i, name: `r${i}`, tags: [i, i + 1] });
  await new Promise((r) => setTimeout(r, 500));
  const holds = [];
  let bytes = 0;
  // One write unmeasured (its code's first run), then five.
  for (let i = -1; i < 5; i++) {
    const t0 = performance.now();
    const out = await write();
    await new Promise((r) => setImmediate(r));
    if (i >= 0) holds.push(performance.now() - t0);
    bytes = out.length;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { tool, node: process.version, heapMB: process.memoryUsage().heapUsed / 1e6, kept: kept.length, holds, bytes };
}

if (isMain(import.meta.url)) {
  const tool = arg("--tool", undefined);
  if (tool !== undefined) {
    console.log(JSON.stringify(await child(tool, Number(arg("--mb", "80")))));
    process.exit(0);
  }
  if (process.env.ANYPROF_BENCH_NO_HEADER !== "1") {
    console.log(describeMachine());
    console.log(`Command: node ${process.argv.slice(1).join(" ")}\n`);
  }
  const sizes = arg("--sizes", "80,1024").split(",").map(Number);
  const rows = [];
  for (const mb of sizes) {
    const got = {};
    for (const t of ["anyprof", "@datadog/pprof"]) {
      const r = spawnSync(process.execPath, ["--max-old-space-size=4096", fileURLToPath(import.meta.url), "--tool", t, "--mb", String(mb)], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`${t} ${mb} MB failed:\n${r.stderr}`);
      got[t] = JSON.parse(r.stdout.trim().split("\n").at(-1));
    }
    const a = got.anyprof;
    const d = got["@datadog/pprof"];
    rows.push([
      `${mb} MB asked (${fixed(a.heapMB, 0)} / ${fixed(d.heapMB, 0)} MB used)`,
      `${fixed(median(a.holds))} (${a.holds.map((x) => fixed(x, 0)).join(", ")})`,
      `${fixed(median(d.holds))} (${d.holds.map((x) => fixed(x, 0)).join(", ")})`,
      `**${fixed(median(a.holds) / median(d.holds), 2)}**`,
    ]);
  }
  console.log(`### Heap profile write hold (${process.version})\n`);
  console.log(`Retained small records; sampling every 512 KiB; one unmeasured write then five per process, median (each) in ms, wall time until the gzip bytes are in hand.\n`);
  console.log(table(["heap", "anyprof writeHeapProfile()", "@datadog/pprof heap.profile() + encode()", "÷ datadog"], rows));
}

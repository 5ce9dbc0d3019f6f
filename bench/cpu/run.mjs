// run.mjs runs the CPU-profile benchmarks, each in a fresh process (so that
// one's JIT state, heap and profiler history do not leak into the next), and
// prints the machine and date once, then each markdown section. Name
// sections to run only those: `node bench/cpu/run.mjs overhead pause diagnose`
// (default: all four). Build first: `node scripts/build.mjs`.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine, fixed } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const all = ["overhead", "pause", "cycle", "diagnose"];
const wanted = process.argv.slice(2).filter((a) => all.includes(a));
const sections = wanted.length > 0 ? wanted : all;
const t0 = performance.now();

console.log(`## Performance: CPU profiles\n`);
console.log(describeMachine());
console.log(`Command: \`node bench/cpu/run.mjs${wanted.length > 0 ? ` ${wanted.join(" ")}` : ""}\` (after \`node scripts/build.mjs\`).\n`);
for (const name of sections) {
  const child = spawnSync(process.execPath, [join(here, `${name}.mjs`)], {
    env: { ...process.env, ANYPROF_BENCH_NO_HEADER: "1" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (child.status !== 0) {
    console.error(`bench/cpu/${name}.mjs failed (${child.status ?? child.signal})`);
    process.exitCode = 1;
  }
  console.log("");
}
console.log(`(bench took ${fixed((performance.now() - t0) / 1000, 0)} s)`);

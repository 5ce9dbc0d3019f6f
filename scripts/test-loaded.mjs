// test-loaded.mjs is `npm run test:loaded`: the whole suite (scripts/test.mjs,
// with its arguments) beside one busy process per core, so that every timing
// assertion is shown to hold on a machine as busy as a shared CI runner
// (load ≈ 2 × cores with the suite's own work). It prints how long the run
// took and exits with the suite's status. The busy processes are ours and
// are killed however the suite ends.
import { spawn, spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cores = availableParallelism();
const hogs = Array.from({ length: cores }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
const killHogs = () => hogs.forEach((h) => h.kill("SIGKILL"));
process.on("exit", killHogs);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

console.log(`test:loaded: the suite beside ${cores} busy processes (one per core); load average ${loadavg()[0].toFixed(1)}`);
const started = performance.now();
const r = spawnSync(process.execPath, [join(root, "scripts/test.mjs"), ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
const minutes = (performance.now() - started) / 60_000;
killHogs();
console.log(`test:loaded: ${r.status === 0 ? "passed" : "FAILED"} in ${minutes.toFixed(1)} min; load average at the end ${loadavg()[0].toFixed(1)}`);
process.exit(r.status ?? 1);

import * as a from "anyprof";
async function churn(ms) { const end = performance.now() + ms; let ops = 0; while (performance.now() < end) { await new Promise((r) => setImmediate(r)); if (ops % 16 === 0) await new Promise((r) => setTimeout(r, 0)); await Promise.all([1, 2, 3].map(async (x) => x)); ops++; } return ops; }
const hz = Number(process.argv[2] ?? 100);
for (const mode of ["off", "on", "off", "on", "off", "on"]) {
  if (mode === "on") await a.startBlockProfiling({ hz });
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const ops = await churn(1000);
  const c = process.cpuUsage(c0); const wall = performance.now() - t0;
  console.log(mode, ops, "ops; wall µs/op", (wall * 1000 / ops).toFixed(1), "cpu µs/op", ((c.user + c.system) / ops).toFixed(2), "cpu ms/s", ((c.user + c.system) / wall).toFixed(1));
  if (mode === "on") await a.stopBlockProfiling();
}

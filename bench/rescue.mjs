// rescue.mjs measures what the Ctrl-C rescue worker of `anyprof record`
// costs a Node program: the time from process start to the program's first
// line, and its RSS then, with the record preload alone and with the
// preload plus the rescue worker (a pipe on fd 3), alternating runs.
// Usage: node bench/rescue.mjs [rounds]
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const rounds = Number(process.argv[2] ?? 15);
const preload = new URL("../dist/cli/preload.js", import.meta.url).href;
// The program waits 200 ms first, so that the worker has started by the
// time RSS is read (it starts after the preload, beside the program).
const program = "setTimeout(() => console.log(JSON.stringify({ ms: performance.now(), rss: process.memoryUsage().rss })), 200)";

function run(rescue) {
  const env = { ...process.env, ANYPROF_RECORD_CPU: "0", ANYPROF_RECORD_HEAP: "0", ANYPROF_RECORD_DIR: fileURLToPath(new URL(".", import.meta.url)) };
  if (rescue) env.ANYPROF_RECORD_FD = "3";
  const r = spawnSync(process.execPath, ["--import", preload, "--input-type=module", "-e", program], {
    env,
    stdio: ["ignore", "pipe", "inherit", rescue ? "pipe" : "ignore"],
    encoding: "utf8",
  });
  return JSON.parse(r.stdout.trim());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const out = { without: { ms: [], rss: [] }, with: { ms: [], rss: [] } };
run(false);
for (let i = 0; i < rounds; i++) {
  for (const [key, rescue] of i % 2 === 0 ? [["without", false], ["with", true]] : [["with", true], ["without", false]]) {
    const r = run(rescue);
    out[key].ms.push(r.ms - 200);
    out[key].rss.push(r.rss / 2 ** 20);
  }
}
const a = out.without;
const b = out.with;
console.log(`node ${process.versions.node}, ${rounds} rounds each, medians`);
console.log(`start to first line: ${median(a.ms).toFixed(1)} ms without the rescue worker, ${median(b.ms).toFixed(1)} ms with it`);
console.log(`RSS: ${median(a.rss).toFixed(1)} MB without, ${median(b.rss).toFixed(1)} MB with (+${(median(b.rss) - median(a.rss)).toFixed(1)} MB)`);

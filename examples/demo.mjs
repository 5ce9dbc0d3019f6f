// demo.mjs is `npm run demo`: it profiles a small program for two seconds —
// two "routes" doing different CPU work under pprof labels — writes
// demo-output/cpu.pb.gz, and prints its top functions, overall and per route,
// the way `go tool pprof -top` does.
import { mkdirSync, writeFileSync } from "node:fs";
import { startCPUProfile, stopCPUProfile, runWithLabels, labels, newProfile } from "anyprof";
import { decodePprof } from "../dist/cli/decode.js";
import { computeTop, formatTop } from "../dist/cli/top.js";

function renderPage(items) {
  const html = items.map((it) => `<li class="item">${it.name.replace(/[<>&]/g, "")}: ${it.price.toFixed(2)}</li>`).join("");
  return JSON.parse(JSON.stringify({ html, count: items.length }));
}

function checksum(n) {
  let h = 2166136261;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ (i & 0xff), 16777619);
  return h >>> 0;
}

const items = Array.from({ length: 200 }, (_, i) => ({ name: `item <${i}>`, price: i * 1.5 }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const open = newProfile("demo.connections");

await startCPUProfile(undefined, { hz: 1000 });
const until = performance.now() + 2000;
await Promise.all([
  runWithLabels(labels("route", "/catalog"), async () => {
    while (performance.now() < until) {
      renderPage(items);
      await sleep(1);
    }
  }),
  runWithLabels(labels("route", "/checkout"), async () => {
    const conn = {};
    open.add(conn);
    while (performance.now() < until) {
      checksum(300_000);
      await sleep(1);
    }
    open.remove(conn);
  }),
]);
const bytes = await stopCPUProfile();

mkdirSync("demo-output", { recursive: true });
writeFileSync("demo-output/cpu.pb.gz", bytes);
const profile = decodePprof(bytes);
console.log(`wrote demo-output/cpu.pb.gz (${bytes.length} bytes, ${profile.samples.length} distinct stacks)\n`);
console.log(formatTop(computeTop(profile, { nodeCount: 8 })));
for (const route of ["/catalog", "/checkout"]) {
  console.log(`route=${route}:`);
  console.log(formatTop(computeTop(profile, { nodeCount: 4, tagFocus: ["route", route] })));
}
console.log("Open it in Go's pprof with: go tool pprof -top demo-output/cpu.pb.gz");

// run.mjs owns `npm run bench`: it prints the machine and date, then each
// benchmark's markdown section (ratios against baselines measured in the
// same process and run), ready to paste into the README. Name sections to
// run only those: `node bench/run.mjs aggregate encode gzip`.
import { machine, loadAverage } from "./harness.mjs";
import { runAggregation } from "./aggregate.mjs";
import { runEncoding } from "./encode.mjs";
import { runGzip } from "./gzip.mjs";

const known = ["aggregate", "encode", "gzip"];
const sections = process.argv.slice(2);
for (const s of sections) if (!known.includes(s)) throw new Error(`bench: unknown section ${JSON.stringify(s)}; want some of ${known.join(", ")}`);
const wanted = (name) => sections.length === 0 || sections.includes(name);
const startMillis = performance.now();

const m = machine();
console.log(`## Performance\n`);
console.log(`Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node} (V8 ${m.v8}); ${m.date}; load average ${loadAverage()} at start.`);
console.log(`Command: \`npm run bench\`. Medians over rounds that alternate the candidates; ratios are medians of per-round ratios.\n`);

let encoded;
if (wanted("aggregate")) console.log((await runAggregation()).markdown + "\n");
if (wanted("encode") || wanted("gzip")) {
  encoded = await runEncoding({ timed: wanted("encode") });
  if (wanted("encode")) console.log(encoded.markdown + "\n");
}
if (wanted("gzip")) console.log((await runGzip(encoded.wasmProto)).markdown + "\n");

console.log(`(bench took ${((performance.now() - startMillis) / 1000).toFixed(0)} s; load average ${loadAverage()} at end)`);

// continuous-exit.mjs starts continuous profiling towards the URL in argv
// (a backend that stalls) and then has nothing left to do: the process must
// exit on its own, after one bounded flush, with no timer of ours holding
// it. It prints the stats the exit flush left.
import * as anyprof from "../../dist/runtime/node.js";

const [url, flush] = process.argv.slice(2);
await anyprof.startContinuousProfiling({
  periodSeconds: 0.2,
  exitFlushMillis: Number(flush),
  exporters: [anyprof.pyroscopeExporter({ url, appName: "exit", timeoutMillis: 400 })],
});
const end = performance.now() + 500;
let x = 0;
while (performance.now() < end) x += Math.sqrt(x + 1);
process.on("exit", () => console.log(JSON.stringify(anyprof.continuousStats())));

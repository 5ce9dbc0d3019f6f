// continuous-exit.mjs starts continuous profiling towards the URL in argv
// (a backend that stalls) and then has nothing left to do: the process must
// exit on its own, after one bounded flush (or none, with flush 0), with
// no timer or socket of ours holding it. It prints the stats at exit.
import * as anyprof from "../../dist/runtime/node.js";

const [url, flush, timeout = "400"] = process.argv.slice(2);
await anyprof.startContinuousProfiling({
  periodSeconds: 0.2,
  exitFlushMillis: Number(flush),
  exporters: [anyprof.pyroscopeExporter({ url, appName: "exit", timeoutMillis: Number(timeout) })],
});
const end = performance.now() + 500;
let x = 0;
while (performance.now() < end) x += Math.sqrt(x + 1);
process.on("exit", () => console.log(JSON.stringify(anyprof.continuousStats())));

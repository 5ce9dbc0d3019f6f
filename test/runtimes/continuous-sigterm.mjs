// continuous-sigterm.mjs runs like a server (a timer keeps it alive, no
// SIGTERM handler of its own) with continuous profiling pushing to the URL
// in argv every 60 s; it prints "ready" once profiling runs. On SIGTERM the
// last window must still be pushed, and the process still die of SIGTERM.
import * as anyprof from "../../dist/runtime/node.js";

const [url] = process.argv.slice(2);
await anyprof.startContinuousProfiling({ periodSeconds: 60, exitFlushMillis: 3000, exporters: [anyprof.pyroscopeExporter({ url, appName: "term" })] });
function serverWork() {
  let x = 0;
  for (let i = 0; i < 3e6; i++) x += Math.sqrt(i);
  return x;
}
setInterval(serverWork, 5);
setTimeout(() => console.log("ready"), 1000);

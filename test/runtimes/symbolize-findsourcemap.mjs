// symbolize-findsourcemap.mjs loads a CommonJS bundle, then deletes its map
// file, and profiles it: only the map Node itself kept (run with
// --enable-source-maps, found through module.findSourceMap) can name its
// functions. Prints the CPU profile in base64.
//   argv: <bundle.cjs>
import * as anyprof from "anyprof";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";

const bundle = process.argv[2];
const m = createRequire(import.meta.url)(bundle);
rmSync(bundle + ".map");
m.busyFor(200);
await anyprof.startCPUProfile(undefined, { hz: 500 });
m.busyFor(600);
const cpu = await anyprof.stopCPUProfile();
console.log(btoa(Array.from(cpu, (c) => String.fromCharCode(c)).join("")));

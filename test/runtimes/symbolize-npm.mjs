// symbolize-npm.mjs runs the symbolize workload on "anyprof" as an npm user
// imports it (Node, Bun).
import * as anyprof from "anyprof";
import { workload } from "./symbolize-workload.mjs";

console.log(await workload(anyprof, process.argv.slice(2)));

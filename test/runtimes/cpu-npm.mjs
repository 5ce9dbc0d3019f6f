// cpu-npm.mjs runs the CPU conformance workload on "anyprof" as an npm user
// imports it (Node, Bun).
import * as anyprof from "anyprof";
import { conformance } from "./cpu-conformance.mjs";

console.log(await conformance(anyprof));

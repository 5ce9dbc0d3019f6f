// heap-npm.mjs runs the heap conformance workload on "anyprof" as an npm
// user imports it (Node, Bun).
import * as anyprof from "anyprof";
import { conformance } from "./heap-conformance.mjs";

console.log(await conformance(anyprof));

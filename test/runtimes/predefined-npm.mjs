// predefined-npm.mjs runs the predefined-profile workload on "anyprof" as an
// npm user imports it (Node, Bun).
import * as anyprof from "anyprof";
import { predefined } from "./predefined-conformance.mjs";

console.log(await predefined(anyprof));

// cpu-deno.mjs runs the CPU conformance workload on the JSR entry point; it
// must need no --allow-* flag.
import * as anyprof from "../../src/runtime/deno.ts";
import { conformance } from "./cpu-conformance.mjs";

console.log(await conformance(anyprof));

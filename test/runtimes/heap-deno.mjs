// heap-deno.mjs runs the heap conformance workload on the JSR entry point
// (the heap sampler needs --allow-sys, as the CPU sampler does).
import * as anyprof from "../../src/runtime/deno.ts";
import { conformance } from "./heap-conformance.mjs";

console.log(await conformance(anyprof));

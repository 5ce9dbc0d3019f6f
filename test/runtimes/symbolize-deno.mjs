// symbolize-deno.mjs runs the symbolize workload on the JSR entry point.
import * as anyprof from "../../src/runtime/deno.ts";
import { workload } from "./symbolize-workload.mjs";

console.log(await workload(anyprof, Deno.args));

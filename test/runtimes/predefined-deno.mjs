// predefined-deno.mjs runs the predefined-profile workload on the JSR entry
// point. It needs --allow-net (its sockets), --allow-read (its worker's
// module) and --allow-sys (the inspector, for block and CPU profiles).
import * as anyprof from "../../src/runtime/deno.ts";
import { predefined } from "./predefined-conformance.mjs";

console.log(await predefined(anyprof));

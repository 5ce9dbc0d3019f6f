// deno.mjs is the smoke entry for Deno: it imports the JSR entry point
// (jsr.json "exports"), the TypeScript source JSR users get, and must run
// without any --allow-* flag.
import * as anyprof from "../../src/runtime/deno.ts";
import { smoke } from "./smoke.mjs";

console.log(await smoke(anyprof));

// heap-env-deno.mjs is heap-env.mjs on the JSR entry point (Deno).
import * as anyprof from "../../src/runtime/deno.ts";
import { envCheck } from "./heap-env-check.mjs";

console.log(await envCheck(anyprof));

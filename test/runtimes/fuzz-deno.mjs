// fuzz-deno.mjs runs fuzz.mjs under Deno on the JSR entry point
// (src/runtime/deno.ts), and the CLI's main from dist/.
import * as anyprof from "../../src/runtime/deno.ts";
import { fuzz } from "./fuzz.mjs";

const loadMain = async () => (await import("../../dist/cli/main.js")).main;
console.log(JSON.stringify(await fuzz(anyprof, loadMain, `deno ${Deno.version.deno}`)));
Deno.exit(0);

// http-deno.mjs serves /debug/pprof/ from Deno.serve, importing the JSR
// entry point (src/runtime/deno.ts). It needs --allow-net (the servers) and
// --allow-sys (the inspector: CPU and heap profiles).
import * as anyprof from "../../src/runtime/deno.ts";
import { serveForTest } from "./http-serve.mjs";

await serveForTest(anyprof);

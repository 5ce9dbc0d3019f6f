// continuous-deno.mjs runs continuous-run.mjs on Deno's entry point. It
// needs --allow-net=127.0.0.1 (the pushes) and --allow-sys (the inspector).
import * as anyprof from "../../src/runtime/deno.ts";
import { runContinuous } from "./continuous-run.mjs";

await runContinuous(anyprof);

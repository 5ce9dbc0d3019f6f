// continuous-bun.mjs runs continuous-run.mjs on Bun's entry point.
import * as anyprof from "../../src/runtime/bun.ts";
import { runContinuous } from "./continuous-run.mjs";

await runContinuous(anyprof);

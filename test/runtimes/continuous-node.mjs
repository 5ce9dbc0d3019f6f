// continuous-node.mjs runs continuous-run.mjs on the built Node entry point
// (dist/), as an installed package runs.
import * as anyprof from "../../dist/runtime/node.js";
import { runContinuous } from "./continuous-run.mjs";

await runContinuous(anyprof);

// cpu-lines-deno.mjs runs the line-level workload on the JSR entry point.
import * as anyprof from "../../src/runtime/deno.ts";
import { linesWorkload } from "./cpu-lines.mjs";

console.log(await linesWorkload(anyprof, (path) => Deno.readTextFileSync(path)));

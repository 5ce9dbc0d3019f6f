// cpu-lines-npm.mjs runs the line-level workload on "anyprof" as an npm user
// imports it (Node, Bun).
import { readFileSync } from "node:fs";
import * as anyprof from "anyprof";
import { linesWorkload } from "./cpu-lines.mjs";

console.log(await linesWorkload(anyprof, (path) => readFileSync(path, "latin1")));

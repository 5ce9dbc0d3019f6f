// npm.mjs is the smoke entry for Node and Bun: it imports "anyprof" the way
// an npm user does, through package.json "exports" (a self-reference here),
// and reports which file the runtime's export condition picked.
import * as anyprof from "anyprof";
import { smoke } from "./smoke.mjs";

console.log(await smoke(anyprof, { entry: import.meta.resolve("anyprof") }));

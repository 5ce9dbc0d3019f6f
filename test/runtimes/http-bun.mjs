// http-bun.mjs serves /debug/pprof/ from Bun.serve, importing "anyprof" the
// way an npm user does (package.json "exports", the bun condition), and
// reports which file that resolved to.
import * as anyprof from "anyprof";
import { serveForTest } from "./http-serve.mjs";

await serveForTest(anyprof, { entry: import.meta.resolve("anyprof") });

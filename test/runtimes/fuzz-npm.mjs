// fuzz-npm.mjs runs fuzz.mjs under Node or Bun on "anyprof" as an npm user
// imports it (package.json "exports"), and the CLI's main from dist/.
import * as anyprof from "anyprof";
import { fuzz } from "./fuzz.mjs";

const runtime = typeof globalThis.Bun !== "undefined" ? `bun ${globalThis.Bun.version}` : `node ${process.versions.node}`;
const loadMain = async () => (await import("../../dist/cli/main.js")).main;
console.log(JSON.stringify(await fuzz(anyprof, loadMain, runtime)));
process.exit(0);

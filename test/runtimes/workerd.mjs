// workerd.mjs is the smoke entry for workerd, run by `workerd test` from a
// config that runtimes.test.ts generates. workerd resolves no npm packages
// and resolves every specifier, bare ones too, against the importing
// module's directory; so the config lays the bundle out as the package's
// dist/ directory, with this file and smoke.mjs at its root beside pako.
// Hence "./runtime/workerd.js" here: dist/runtime/workerd.js, which gets the
// core as a .wasm module (workerd refuses to compile WASM from bytes).
// A test() handler fails by throwing; the JSON line goes to console.log.
import * as anyprof from "./runtime/workerd.js";
import { smoke } from "./smoke.mjs";

export default {
  async test() {
    console.log(await smoke(anyprof));
  },
};

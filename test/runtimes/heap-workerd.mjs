// heap-workerd.mjs is the heap conformance entry for workerd, run by
// `workerd test` from a config test/heap.test.ts generates, laid out like
// the package's dist/ directory (see test/runtimes/workerd.mjs). A test()
// handler fails by throwing; the JSON line goes to console.log.
import * as anyprof from "./runtime/workerd.js";
import { conformance } from "./heap-conformance.mjs";

export default {
  async test() {
    console.log(await conformance(anyprof));
  },
};

// heap-env.mjs checks the option on import: with ANYPROF_MEMPROFILERATE set,
// importing "anyprof" has started heap profiling at that rate. It prints one
// JSON line: the heap profile's bytes (base64) and whether sampling ran.
import * as anyprof from "anyprof";
import { envCheck } from "./heap-env-check.mjs";

console.log(await envCheck(anyprof));

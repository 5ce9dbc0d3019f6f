// heap-exit.mjs starts anyprof's heap profiling (with nearHeapLimitProfiles
// when asked) and ends at once, with the sampler still running: the exit
// that Node 26 used to crash in.
import { startHeapProfiling } from "anyprof";

await startHeapProfiling(process.argv[2] === "near" ? { rateBytes: 64 * 1024, nearHeapLimitProfiles: 1 } : { rateBytes: 64 * 1024 });
globalThis.kept = Array.from({ length: 1e4 }, (_, i) => ({ i }));

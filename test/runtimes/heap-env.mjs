// heap-env.mjs checks the option on import: with ANYPROF_MEMPROFILERATE set,
// importing "anyprof" has started heap profiling at that rate. It prints one
// JSON line: the heap profile's bytes (base64) and whether sampling ran.
import { lookup, startHeapProfiling } from "anyprof";

function keepArrays(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(new Array(128).fill(0.5));
  return out;
}
const kept = keepArrays(10_000);
const bytes = await lookup("heap").writeTo(undefined, 0);
let startAgain = "none";
try {
  await startHeapProfiling();
} catch (err) {
  startAgain = err.message;
}
let b64 = "";
for (let i = 0; i < bytes.length; i += 0x8000) b64 += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
console.log(JSON.stringify({ heap: btoa(b64), startAgain, kept: kept.length }));

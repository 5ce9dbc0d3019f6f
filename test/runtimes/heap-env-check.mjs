// heap-env-check.mjs is the body of heap-env.mjs and heap-env-deno.mjs: with
// ANYPROF_MEMPROFILERATE set, importing anyprof has started heap profiling
// at that rate. envCheck returns one JSON line: the heap profile's bytes
// (base64) and what a second start said.

/** envCheck runs the check on an imported anyprof module. */
export async function envCheck({ lookup, startHeapProfiling }) {
  function keepArrays(n) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(new Array(128).fill(0.5));
    return out;
  }
  // Deno's sampler answers on a later tick: sampling begins after import,
  // not during it (Node's begins before import returns).
  await new Promise((r) => setTimeout(r, 10));
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
  return JSON.stringify({ heap: btoa(b64), startAgain, kept: kept.length });
}

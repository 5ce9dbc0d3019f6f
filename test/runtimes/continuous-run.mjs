// continuous-run.mjs is the body continuous-{node,deno,bun}.mjs share: it
// pushes to the receiver at argv's URL, to Pyroscope and the Collector, for
// two phases of CPU work (hotAlpha, then hotBravo), and prints one JSON line:
// the switch time (Unix ns) and the stats. The test checks the windows.
const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);

function hotAlpha(ms) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = (x + Math.sqrt(x + 1)) % 1e6;
  return x;
}
function hotBravo(ms) {
  const end = performance.now() + ms;
  let x = 1;
  while (performance.now() < end) x = (x * 1.000001 + Math.cbrt(x)) % 1e6;
  return x;
}
const yieldNow = () => new Promise((r) => setTimeout(r, 0));
// runFor calls fn in slices of 5–11 ms, varied by a hash of the slice's
// number: Deno clamps the nested setTimeout(0) to about 2 ms, so fixed 8 ms
// slices repeated every ~10 ms, the sampler's own period at 100 Hz, and
// the sampler's ticks kept landing in the gaps between slices for a whole
// window (measured: 35 of 39 samples idle in one 0.4 s window, the thread
// busy 80 % of it).
async function runFor(fn, ms) {
  const end = performance.now() + ms;
  for (let k = 0; performance.now() < end; k++) {
    fn(5 + ((k * 2654435761) >>> 0) % 7);
    await yieldNow();
  }
}

export async function runContinuous(anyprof) {
  const url = args[0];
  await anyprof.startContinuousProfiling({
    periodSeconds: 0.4,
    exporters: [anyprof.pyroscopeExporter({ url, appName: "rt", tags: { runtime: args[1] } }), anyprof.otelCollectorExporter({ url })],
  });
  await runFor(hotAlpha, 2000);
  const switchNanos = String(BigInt(Date.now()) * 1_000_000n);
  await runFor(hotBravo, 2000);
  await anyprof.stopContinuousProfiling(5000);
  console.log(JSON.stringify({ switchNanos, stats: anyprof.continuousStats() }));
}

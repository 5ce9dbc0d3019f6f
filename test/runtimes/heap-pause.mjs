// heap-pause.mjs measures, by hand (it is not part of the suite), what a
// heap profile costs the application: the pause of writing one at several
// live-heap sizes (V8's inspector runs a full collection first; Bun's census
// takes a heap snapshot), next to a bare full collection, and the slowdown
// of allocation-heavy code while V8 samples at 512 KiB. Run it as
//   node --expose-gc test/runtimes/heap-pause.mjs
//   deno run --allow-sys --v8-flags=--expose-gc test/runtimes/heap-pause.mjs
//   bun test/runtimes/heap-pause.mjs
// It prints one line per measurement.

const anyprof = globalThis.Deno ? await import("../../src/runtime/deno.ts") : await import("anyprof");
const { startHeapProfiling, stopHeapProfiling, writeHeapProfile } = anyprof;
const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.versions.node}`;
const fullGC = globalThis.Bun ? () => Bun.gc(true) : globalThis.gc;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Live heap of two shapes: 1 KiB arrays (few objects), 40-byte objects (many).
const shapes = {
  "1 KiB arrays": { make: () => new Array(128).fill(0.5), bytes: 1072 },
  "small objects": { make: () => ({ a: 1, b: 2 }), bytes: 40 },
};

// timeWrites returns the median time of three heap profiles.
async function timeWrites() {
  const writes = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await writeHeapProfile();
    writes.push(performance.now() - t);
  }
  return median(writes);
}

await startHeapProfiling();
for (const [shape, { make, bytes }] of Object.entries(shapes)) {
  const keep = [];
  for (const mb of [50, 250, 1000]) {
    const want = (mb * 1e6) / bytes;
    while (keep.length < want) keep.push(make());
    let line = `${runtime}: ${shape}, ${mb} MB live (${keep.length} objects): heap profile ${(await timeWrites()).toFixed(0)} ms`;
    if (fullGC !== undefined) {
      const gcs = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        fullGC();
        gcs.push(performance.now() - t);
      }
      line += `, bare full GC ${median(gcs).toFixed(0)} ms`;
    }
    // Bun's heap snapshot census, where it takes less than a minute.
    if (globalThis.Bun && keep.length <= 7e6) {
      await stopHeapProfiling();
      await startHeapProfiling({ bunHeapSnapshot: true });
      line += `, with bunHeapSnapshot ${(await timeWrites()).toFixed(0)} ms`;
      await stopHeapProfiling();
      await startHeapProfiling();
    }
    console.log(line);
  }
  keep.length = 0;
  fullGC?.();
}
await stopHeapProfiling();

// Sampling overhead: allocation-heavy work with and without V8's sampler,
// alternating, in the same process.
if (!globalThis.Bun) {
  function churn() {
    let x;
    for (let i = 0; i < 10_000_000; i++) x = { a: i, b: [i, i] };
    return x;
  }
  const off = [];
  const on = [];
  churn();
  for (let round = 0; round < 7; round++) {
    let t = performance.now();
    churn();
    off.push(performance.now() - t);
    await startHeapProfiling();
    t = performance.now();
    churn();
    on.push(performance.now() - t);
    await stopHeapProfiling();
  }
  console.log(`${runtime}: allocation-heavy loop, sampling at 512 KiB / off: ${(median(on) / median(off)).toFixed(3)} (${median(on).toFixed(0)} / ${median(off).toFixed(0)} ms)`);
}

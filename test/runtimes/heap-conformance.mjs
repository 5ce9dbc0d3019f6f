// heap-conformance.mjs is the heap/allocs conformance workload, the same file
// for Node, Bun (heap-npm.mjs), Deno (heap-deno.mjs) and workerd
// (heap-workerd.mjs). It writes every profile of each phase and returns one
// JSON line (profiles in base64, text forms, error messages); test/heap.test.ts
// checks them. Phases where the runtime has a sampler (V8):
//   1. before startHeapProfiling: heap and allocs, empty;
//   2. startHeapProfiling() with Go's default rate, then Go's API errors;
//   3. at rateBytes: siteBig and siteSmall allocate same-size arrays 3:1 and
//      keep them, churn allocates garbage: heap (and its text form), allocs;
//   4. with includeCollected: churn twice, allocs after each, then heap.
// Bun has no sampler: its sites allocate instances of two classes, 3:1, and
// the heap profile counts live objects by type (with bunHeapSnapshot in
// phase 3, by heapStats() elsewhere). workerd has neither.

export const rateBytes = 32 * 1024;
/** smallCount is siteSmall's number of objects; siteBig allocates 3×. */
export const smallCount = 20_000;
/** churnCount is churn's number of objects per call, none kept. */
export const churnCount = 40_000;
/** elements is each array's length: 1 KiB of doubles. */
export const elements = 128;

// Each array is a JSArray and its FixedDoubleArray backing store, allocated
// in the site's own frame; the result array is allocated by the caller.
function siteBig(out) {
  for (let i = 0; i < out.length; i++) out[i] = new Array(elements).fill(0.5);
}
function siteSmall(out) {
  for (let i = 0; i < out.length; i++) out[i] = new Array(elements).fill(0.5);
}
function churn(n) {
  let last;
  for (let i = 0; i < n; i++) last = new Array(elements).fill(0.5);
  return last;
}

// Bun: the same 3:1 split, as two types of the same size.
class BigSiteObject {
  constructor(i) {
    this.a = i;
    this.b = i + 1;
    this.c = i + 2;
    this.d = i + 3;
    this.e = i + 4;
    this.f = i + 5;
    this.g = i + 6;
    this.h = i + 7;
  }
}
class SmallSiteObject {
  constructor(i) {
    this.a = i;
    this.b = i + 1;
    this.c = i + 2;
    this.d = i + 3;
    this.e = i + 4;
    this.f = i + 5;
    this.g = i + 6;
    this.h = i + 7;
  }
}
function bunSiteBig(out) {
  for (let i = 0; i < out.length; i++) out[i] = new BigSiteObject(i);
}
function bunSiteSmall(out) {
  for (let i = 0; i < out.length; i++) out[i] = new SmallSiteObject(i);
}

function base64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const text = (bytes) => new TextDecoder().decode(bytes);

async function errorOf(fn) {
  try {
    await fn();
    return "none";
  } catch (err) {
    return err.message;
  }
}

/** conformance runs the phases on anyprof and returns the JSON line. */
export async function conformance(anyprof) {
  const { lookup, startHeapProfiling, stopHeapProfiling, writeHeapProfile } = anyprof;
  const runtime = globalThis.Deno
    ? `deno ${Deno.version.deno}`
    : globalThis.Bun
      ? `bun ${Bun.version}`
      : globalThis.navigator?.userAgent === "Cloudflare-Workers"
        ? "workerd"
        : `node ${process.versions.node}`;
  const heap = lookup("heap");
  const allocs = lookup("allocs");
  const out = { runtime, profiles: {}, texts: {}, errors: {}, counts: {} };
  const write = async (key, p) => (out.profiles[key] = base64(await p.writeTo(undefined, 0)));

  // 1. Registered at import, valid before any start.
  await write("beforeHeap", heap);
  await write("beforeAllocs", allocs);
  out.texts.beforeHeap = text(await heap.writeTo(undefined, 1));
  out.errors.badRate = await errorOf(() => startHeapProfiling({ rateBytes: 0 }));

  // 2. Go's default rate; the API's rules.
  out.errors.start = await errorOf(() => startHeapProfiling());
  // workerd has no heap view to start, Deno none without --allow-sys.
  if (out.errors.start !== "none") return JSON.stringify(out);
  out.profiles.defaultRate = base64(await writeHeapProfile());
  out.errors.sameAgain = await errorOf(() => startHeapProfiling({ rateBytes: 512 * 1024 }));
  out.errors.otherOptions = await errorOf(() => startHeapProfiling({ rateBytes: 1024 }));
  await stopHeapProfiling();
  out.errors.stopAgain = await errorOf(() => stopHeapProfiling());

  // 3. Live objects at two sites, 3:1, plus garbage (Bun: by heap snapshot).
  await startHeapProfiling({ rateBytes, bunHeapSnapshot: true });
  const big = new Array(3 * smallCount);
  const small = new Array(smallCount);
  if (globalThis.Bun) {
    bunSiteBig(big);
    bunSiteSmall(small);
  } else {
    siteBig(big);
    siteSmall(small);
  }
  churn(churnCount);
  // Through /debug/pprof/heap?gc=1, Go's way to ask for a collection first:
  // where a write forces none (Node 26), churn's garbage would still count.
  const gcFirst = await anyprof.pprofHandler()(new Request("http://localhost/debug/pprof/heap?gc=1"));
  out.profiles.heap = base64(new Uint8Array(await gcFirst.arrayBuffer()));
  out.counts.heap = heap.count();
  out.texts.heap = text(await heap.writeTo(undefined, 1));
  await write("allocsLive", allocs);
  out.texts.allocsLive = text(await allocs.writeTo(undefined, 1));
  await stopHeapProfiling();

  // 4. Allocations of collected objects, summed over writes.
  await startHeapProfiling({ rateBytes, includeCollected: true });
  churn(churnCount);
  await write("allocs1", allocs);
  churn(churnCount);
  await write("allocs2", allocs);
  out.texts.allocs2 = text(await allocs.writeTo(undefined, 1));
  out.counts.allocs = allocs.count();
  await write("heapCollected", heap);
  await stopHeapProfiling();
  await write("afterStop", heap);

  // The sites' objects must be live until the profiles were taken.
  out.kept = big.length + small.length;
  return JSON.stringify(out);
}

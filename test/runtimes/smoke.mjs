// smoke.mjs is the one workload every runtime smoke test runs: a custom
// "smoke" profile with two adds from smokeAlpha and one from smokeBeta,
// written as gzip pprof and as legacy text, and every predefined profile
// (lookup by name, writeTo), reported as one JSON line. It
// takes the library as an argument, because how a user imports anyprof is
// the only thing that differs between runtimes (see the entry files beside
// it); it deliberately does no checking — runtimes.test.ts does that.
//
// runtimes.test.ts finds the expected line numbers by searching this file
// for the `p.add(` calls, so keep exactly one inside each smoke function.

// smokeAlpha and smokeBeta are top-level, named, and call p.add as a plain
// statement: a `return p.add(…)` would be a tail call, which Bun drops from
// strict-mode stacks.
function smokeAlpha(p, value) {
  p.add(value);
}

function smokeBeta(p, value) {
  p.add(value);
}

/** runtimeName reports the runtime this script runs under, as "name version". */
function runtimeName() {
  if (typeof Deno !== "undefined") return `deno ${Deno.version.deno}`;
  if (typeof Bun !== "undefined") return `bun ${Bun.version}`;
  if (globalThis.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  if (typeof process !== "undefined" && process.versions?.node) return `node ${process.versions.node}`;
  return "unknown";
}

/** toBase64 encodes bytes with btoa, which every runtime has (workerd has no Buffer). */
function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** smoke runs the workload against anyprof (the module namespace) and
 * returns the JSON line to print, with the entry's own fields in extra. */
export async function smoke(anyprof, extra = {}) {
  const p = anyprof.newProfile("smoke");
  // Values are distinct objects: Profile.add rejects a value already added.
  smokeAlpha(p, { n: 1 });
  smokeAlpha(p, { n: 2 });
  smokeBeta(p, { n: 3 });
  const pprof = await p.writeTo();
  const text = await p.writeTo(undefined, 1);
  // Every predefined profile, written as a scraper asks for it by name.
  const predefined = {};
  for (const q of anyprof.profiles()) if (q !== p) predefined[q.name] = toBase64(await q.writeTo());
  return JSON.stringify({
    runtime: runtimeName(),
    ...extra,
    pprof: toBase64(pprof),
    text: new TextDecoder().decode(text),
    predefined,
  });
}

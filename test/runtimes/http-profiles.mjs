// http-profiles.mjs is the state every /debug/pprof/ server under test
// serves, the same in Deno, Bun and workerd: a custom profile "http.custom"
// with two values added from httpAlpha and one from httpBeta, and a profile
// "http.ticks" that grows on the test's command (tick), so that a delta
// (?seconds=N) has something to subtract. It does no checking:
// test/http-runtimes.test.ts does that.

/** customName and ticksName are the custom profiles' names. */
export const customName = "http.custom";
export const ticksName = "http.ticks";

/** secureToken is the bearer token of the secured handler. */
export const secureToken = "s3cret-token";

/** securePrefix is where the secured handler serves. */
export const securePrefix = "/secure/debug/pprof/";

/** maxSeconds is the open handler's cap on ?seconds=. */
export const maxSeconds = 5;

// httpAlpha, httpBeta and httpTick call p.add as a plain statement: a
// `return p.add(…)` would be a tail call, which Bun drops from stacks.
function httpAlpha(p, value) {
  p.add(value);
}

function httpBeta(p, value) {
  p.add(value);
}

function httpTick(p, value) {
  p.add(value);
}

/** runtimeName reports the runtime this script runs under, as "name version". */
export function runtimeName() {
  if (typeof Deno !== "undefined") return `deno ${Deno.version.deno}`;
  if (typeof Bun !== "undefined") return `bun ${Bun.version}`;
  if (globalThis.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  return "unknown";
}

/** setupProfiles creates both profiles on anyprof (the module namespace) and
 * returns tick(n), which adds n values to http.ticks. */
export function setupProfiles(anyprof) {
  const custom = anyprof.newProfile(customName);
  httpAlpha(custom, { id: 1 });
  httpAlpha(custom, { id: 2 });
  httpBeta(custom, { id: 3 });
  const ticks = anyprof.newProfile(ticksName);
  return {
    tick(n) {
      for (let i = 0; i < n; i++) httpTick(ticks, { tick: i });
    },
  };
}

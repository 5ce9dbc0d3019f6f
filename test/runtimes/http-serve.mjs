// http-serve.mjs starts the /debug/pprof/ servers under test with the
// runtime's own servePprof (Deno.serve, Bun.serve), on 127.0.0.1 with a
// port the kernel picks: an open one (maxSeconds 5) and one that requires
// a bearer token. It prints one JSON line with their URLs, then reads
// commands from stdin ("tick N" adds N values to http.ticks and answers
// {"ticked":N}); when stdin closes (the test is done, or died) it exits.

import process from "node:process";
import { maxSeconds, runtimeName, securePrefix, secureToken, setupProfiles } from "./http-profiles.mjs";

const errorOf = (err) => (err instanceof Error ? err.message : String(err));

/** serveForTest runs the servers on anyprof (the module namespace); extra
 * goes into the JSON line. */
export async function serveForTest(anyprof, extra = {}) {
  const { tick } = setupProfiles(anyprof);
  const errors = {};
  // Go samples the heap from the start (MemProfileRate); anyprof from here.
  try {
    await anyprof.startHeapProfiling();
  } catch (err) {
    errors.startHeapProfiling = errorOf(err);
  }
  const open = await anyprof.servePprof({ port: 0, hostname: "127.0.0.1", maxSeconds });
  const secure = await anyprof.servePprof({ port: 0, hostname: "127.0.0.1", prefix: securePrefix, token: secureToken });
  console.log(JSON.stringify({ runtime: runtimeName(), open: open.url, secure: secure.url, errors, ...extra }));
  let pending = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      const m = /^tick (\d+)$/.exec(line);
      if (m === null) {
        console.log(JSON.stringify({ error: `unknown command ${JSON.stringify(line)}` }));
        continue;
      }
      tick(Number(m[1]));
      console.log(JSON.stringify({ ticked: Number(m[1]) }));
    }
  });
  process.stdin.on("end", () => {
    void Promise.allSettled([open.close(), secure.close()]).then(() => process.exit(0));
  });
}

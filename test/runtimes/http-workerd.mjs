// http-workerd.mjs is a worker whose fetch serves /debug/pprof/ with
// pprofHandler(), as a workerd user writes it (workerd cannot listen on its
// own: servePprof rejects there), run by `workerd serve` from a config that
// test/http-runtimes.test.ts generates (laid out as the package's dist/
// directory, like test/runtimes/workerd.mjs). It serves an open handler
// (maxSeconds 5), a secured one under /secure/debug/pprof/, and /tick?n=N,
// which adds N values to http.ticks. The state is created on the first
// request: workerd allows no work in a module's global scope beyond setup.
import * as anyprof from "./runtime/workerd.js";
import { maxSeconds, runtimeName, securePrefix, secureToken, setupProfiles } from "./http-profiles.mjs";

let state;

export default {
  async fetch(request) {
    state ??= {
      ...setupProfiles(anyprof),
      open: anyprof.pprofHandler({ maxSeconds }),
      secure: anyprof.pprofHandler({ prefix: securePrefix, token: secureToken }),
    };
    const url = new URL(request.url);
    if (url.pathname === "/tick") {
      const n = Number(url.searchParams.get("n"));
      state.tick(n);
      return Response.json({ runtime: runtimeName(), ticked: n });
    }
    return (await state.open(request)) ?? (await state.secure(request)) ?? new Response("not a pprof path\n", { status: 404 });
  },
};

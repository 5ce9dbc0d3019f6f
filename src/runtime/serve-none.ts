// serve-none.ts is servePprof for runtimes that cannot listen (workerd, the
// default entry): it says so; the fetch-style pprofHandler works there.

import { pprofHandler, type PprofHandlerOptions, type PprofServer, type ServeOptions } from "../http/http.ts";
import { nodeListener, type PprofListener } from "./listener.ts";

/** pprofListener returns a Node request listener serving /debug/pprof/. */
export function pprofListener(options: PprofHandlerOptions = {}): PprofListener {
  return nodeListener(pprofHandler(options));
}

/** servePprof rejects: this runtime has no listening server. Call
 * pprofHandler() from the worker's fetch instead. */
export function servePprof(_options: ServeOptions = {}): Promise<PprofServer> {
  return Promise.reject(new Error("pprof: this runtime cannot listen: serve pprofHandler() from your fetch handler instead"));
}

// serve-node.ts is the standalone /debug/pprof/ server on node:http, for
// Node (Bun and Deno have their own servers: serve-bun.ts, serve-deno.ts).

import { createServer } from "node:http";
import { pprofHandler, type PprofHandlerOptions, type PprofServer, type ServeOptions } from "../http/http.ts";
import { nodeListener, type PprofListener } from "./listener.ts";

/** pprofListener returns a Node request listener serving /debug/pprof/
 * (usable as Express/Connect middleware: other paths go to next). */
export function pprofListener(options: PprofHandlerOptions = {}): PprofListener {
  return nodeListener(pprofHandler(options));
}

/** servePprof starts a standalone debug server, on 127.0.0.1:6060 unless
 * told otherwise, like `go func() { http.ListenAndServe("localhost:6060",
 * nil) }()`. The server does not keep the process alive. */
export function servePprof(options: ServeOptions = {}): Promise<PprofServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = createServer(pprofListener(options));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 6060, hostname, () => {
      server.unref();
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      resolve({
        url: `http://${host}:${port}${options.prefix ?? "/debug/pprof/"}`,
        port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

// serve-node.ts is the standalone /debug/pprof/ server on node:http, for
// Node (Bun and Deno have their own servers: serve-bun.ts, serve-deno.ts).

import { createServer } from "node:http";
import { checkServeOptions, pprofHandler, type PprofHandlerOptions, type PprofServer, type ServeOptions } from "../http/http.ts";
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
  let server: ReturnType<typeof createServer>;
  let port: number;
  let hostname: string;
  try {
    ({ port, hostname } = checkServeOptions(options));
    server = createServer(pprofListener(options));
  } catch (err) {
    return Promise.reject(err);
  }
  // node:http hands CONNECT to a 'connect' listener and, without one,
  // drops the connection unanswered: no route of ours serves CONNECT.
  server.on("connect", (_req, socket) => {
    socket.on("error", () => {});
    socket.end("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 19\r\nConnection: close\r\n\r\n404 page not found\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.unref();
      const address = server.address();
      const bound = typeof address === "object" && address !== null ? address.port : 0;
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      resolve({
        url: `http://${host}:${bound}${options.prefix ?? "/debug/pprof/"}`,
        port: bound,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

// serve-deno.ts is the standalone /debug/pprof/ server on Deno.serve (it
// needs --allow-net), plus the Node-style listener for node:http users.

import { checkServeOptions, notFound, pprofHandler, type PprofHandlerOptions, type PprofServer, type ServeOptions } from "../http/http.ts";
import { nodeListener, type PprofListener } from "./listener.ts";

declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void },
    handler: (request: Request) => Promise<Response>,
  ): { finished: Promise<void>; shutdown(): Promise<void>; unref(): void; addr: { port: number } };
};

/** pprofListener returns a Node request listener serving /debug/pprof/. */
export function pprofListener(options: PprofHandlerOptions = {}): PprofListener {
  return nodeListener(pprofHandler(options));
}

/** servePprof starts a standalone debug server with Deno.serve, on
 * 127.0.0.1:6060 unless told otherwise; it does not keep the process alive. */
export function servePprof(options: ServeOptions = {}): Promise<PprofServer> {
  return new Promise((resolve) => {
    // Bad options and a port in use throw here, which rejects.
    const { port, hostname } = checkServeOptions(options);
    const handler = pprofHandler(options);
    const server = Deno.serve({ port, hostname, onListen: () => {} }, async (request) => (await handler(request)) ?? notFound());
    server.unref();
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    resolve({ url: `http://${host}:${server.addr.port}${options.prefix ?? "/debug/pprof/"}`, port: server.addr.port, close: () => server.shutdown() });
  });
}

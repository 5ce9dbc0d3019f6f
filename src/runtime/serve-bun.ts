// serve-bun.ts is the standalone /debug/pprof/ server on Bun.serve, plus the
// Node-style listener for node:http users.

import { checkServeOptions, notFound, pprofHandler, type PprofHandlerOptions, type PprofServer, type ServeOptions } from "../http/http.ts";
import { nodeListener, type PprofListener } from "./listener.ts";

declare const Bun: {
  serve(options: { port: number; hostname: string; idleTimeout?: number; fetch: (request: Request) => Promise<Response> }): {
    port: number;
    stop(closeActive?: boolean): Promise<void> | void;
    unref(): void;
  };
};

/** pprofListener returns a Node request listener serving /debug/pprof/. */
export function pprofListener(options: PprofHandlerOptions = {}): PprofListener {
  return nodeListener(pprofHandler(options));
}

/** servePprof starts a standalone debug server with Bun.serve, on
 * 127.0.0.1:6060 unless told otherwise; it does not keep the process alive. */
export function servePprof(options: ServeOptions = {}): Promise<PprofServer> {
  // idleTimeout 0: a CPU profile request is silent for its whole duration.
  let server: ReturnType<typeof Bun.serve>;
  let hostname: string;
  try {
    const listen = checkServeOptions(options);
    hostname = listen.hostname;
    const handler = pprofHandler(options);
    server = Bun.serve({ port: listen.port, hostname, idleTimeout: 0, fetch: async (request) => (await handler(request)) ?? notFound() });
  } catch (err) {
    // Bad options and a port in use throw here: reject, as servePprof
    // does elsewhere.
    return Promise.reject(err);
  }
  server.unref();
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return Promise.resolve({
    url: `http://${host}:${server.port}${options.prefix ?? "/debug/pprof/"}`,
    port: server.port,
    close: async () => void (await server.stop(true)),
  });
}

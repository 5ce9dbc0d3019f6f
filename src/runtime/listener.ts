// listener.ts adapts pprofHandler to Node's http request listener shape
// (also served by Bun's and Deno's node:http). It types the request and
// response structurally and imports no runtime module itself.

import { notFound, type PprofHandler } from "../http/http.ts";

/** IncomingLike is the part of http.IncomingMessage the listener reads. */
export interface IncomingLike {
  /** method is the request's HTTP method. */
  method?: string;
  /** url is the request target: path and query. */
  url?: string;
  /** headers are the request's headers, lower-cased. */
  headers: Record<string, string | string[] | undefined>;
}

/** ServerResponseLike is the part of http.ServerResponse it writes. */
export interface ServerResponseLike {
  /** writeHead sends the status line and headers. */
  writeHead(status: number, headers: Record<string, string>): unknown;
  /** end sends the body, if any, and ends the response. */
  end(body?: Uint8Array): unknown;
  /** on("close") is called when the connection closes, also mid-response. */
  on(event: "close", listener: () => void): unknown;
  /** writableEnded is true once end() was called. */
  readonly writableEnded: boolean;
  /** headersSent is true once the headers went out. */
  readonly headersSent: boolean;
}

/** PprofListener is a Node request listener; with next (Express/Connect
 * style), paths outside the prefix go on to the application. */
export type PprofListener = (req: IncomingLike, res: ServerResponseLike, next?: () => void) => void;

/** nodeListener serves handler to Node-style requests. A client that
 * disconnects aborts the request's signal, which stops a running CPU
 * profile. It never throws into the server. */
export function nodeListener(handler: PprofHandler): PprofListener {
  return (req, res, next) => {
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableEnded) controller.abort();
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
    }
    // The path comes from the request line only: a client's Host header must
    // not steer routing past an application's own path checks.
    let request: Request;
    try {
      request = new Request(new URL(req.url ?? "/", "http://localhost"), { method: req.method ?? "GET", headers, signal: controller.signal });
    } catch {
      if (next !== undefined) return next();
      res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
      res.end(new TextEncoder().encode("400 Bad Request\n"));
      return;
    }
    void handler(request)
      .then(async (response) => {
        if (response === undefined) {
          if (next !== undefined) return next();
          response = notFound();
        }
        const body = new Uint8Array(await response.arrayBuffer());
        if (res.writableEnded) return;
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(request.method === "HEAD" ? undefined : body);
      })
      .catch(() => {
        if (res.writableEnded) return;
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", "X-Go-Pprof": "1" });
        res.end();
      });
  };
}

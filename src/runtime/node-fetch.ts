// node-fetch.ts is the Node adapter's host.fetch for exporters: the part of
// fetch they use (POST a body, read status, headers and body, abort) on
// node:http/node:https, whose sockets it unrefs, so that a push in flight
// never keeps the program alive at exit; Node's own fetch (undici) holds
// the process until its request ends, and loading it costs a first push
// tens of milliseconds of the application's thread. It is not a general
// fetch: no redirects, no streaming bodies.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

// Keep-alive agents: one connection reused across pushes.
let httpAgent: HttpAgent | undefined;
let httpsAgent: HttpsAgent | undefined;

/** nodeFetch POSTs (or GETs) with node:http(s), unref'ing the socket. */
export const nodeFetch = ((input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  const secure = url.protocol === "https:";
  if (!secure && url.protocol !== "http:") return Promise.reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
  const body = init.body as Uint8Array | string | undefined | null;
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((v, k) => (headers[k] = v));
  if (body !== undefined && body !== null) headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const agent = secure ? (httpsAgent ??= new HttpsAgent({ keepAlive: true })) : (httpAgent ??= new HttpAgent({ keepAlive: true }));
    const req = (secure ? httpsRequest : httpRequest)(url, { method: init.method ?? "GET", headers, agent });
    const onAbort = (): void => void req.destroy(signal!.reason instanceof Error ? signal!.reason : new Error("aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = (): void => signal?.removeEventListener("abort", onAbort);
    // Every socket this request uses, fresh or reused, is unref'd.
    req.on("socket", (socket) => socket.unref());
    req.on("error", (err) => {
      done();
      reject(new TypeError("fetch failed", { cause: err }));
    });
    req.on("response", (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (err) => {
        done();
        reject(new TypeError("fetch failed", { cause: err }));
      });
      res.on("end", () => {
        done();
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(", ") : v);
        const status = res.statusCode ?? 0;
        // A null-body status may not carry a body in a Response.
        const nullBody = status === 204 || status === 205 || status === 304;
        resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers: out }));
      });
    });
    req.end(body ?? undefined);
  });
}) as typeof fetch;

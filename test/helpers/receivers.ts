// receivers.ts runs, on 127.0.0.1, the two push endpoints continuous
// profiling talks to, as their sources document them: Pyroscope's
// POST /ingest (name, from, until required; the profile as the raw body, or
// as the `profile` part of a multipart form with optional `prev_profile`
// and `sample_type_config`) and the OpenTelemetry Collector pprof
// receiver's POST /v1/pprof (a pprof body, gzip or not, 204 on success).
// Each request is recorded; a test can switch the receiver into a fault.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/** Received is one request as the receiver saw it. */
export interface Received {
  kind: "pyroscope" | "otel";
  path: string;
  query: Record<string, string>;
  queryKeys: string[];
  headers: Record<string, string | string[] | undefined>;
  contentType: string;
  /** parts are the multipart part names (empty for a raw body). */
  parts: string[];
  /** profile is the gzip-or-raw pprof bytes as sent. */
  profile: Uint8Array;
  /** proto is the profile, uncompressed. */
  proto: Uint8Array;
  atMillis: number;
}

/** Fault is how the receiver misbehaves for the next requests. */
export type Fault =
  | { kind: "none" }
  | { kind: "status"; status: number; retryAfter?: string }
  | { kind: "stall" } // read the request, never answer
  | { kind: "reset" }; // destroy the socket mid-body

export interface Receiver {
  url: string;
  received: Received[];
  /** attempts counts every request that reached the server, faults included. */
  attempts: number;
  /** attemptsAt is when each request arrived (Date.now()). */
  attemptsAt: number[];
  fault: Fault;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const isGzip = (b: Uint8Array): boolean => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

async function handle(r: Receiver, req: IncomingMessage, res: ServerResponse): Promise<void> {
  r.attempts++;
  r.attemptsAt.push(Date.now());
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const fault = r.fault;
  if (fault.kind === "reset") {
    // Take a little of the body, then cut the connection.
    req.once("data", () => req.socket.destroy());
    req.once("end", () => req.socket.destroy());
    return;
  }
  const body = await readBody(req);
  if (fault.kind === "stall") return; // never answer; the client's timeout must end it
  if (fault.kind === "status") {
    res.writeHead(fault.status, fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {});
    res.end(`fault ${fault.status}`);
    return;
  }
  if (req.method !== "POST") {
    res.writeHead(405).end("method not allowed");
    return;
  }
  const contentType = String(req.headers["content-type"] ?? "");
  let profile: Uint8Array = body;
  let parts: string[] = [];
  let kind: Received["kind"];
  if (url.pathname === "/ingest") {
    kind = "pyroscope";
    for (const key of ["name", "from", "until"]) {
      if (!url.searchParams.get(key)) {
        res.writeHead(400).end(`${key} is required`);
        return;
      }
    }
    if (contentType.startsWith("multipart/form-data")) {
      const form = await new Request("http://x/", { method: "POST", body, headers: { "content-type": contentType } }).formData();
      parts = [...form.keys()];
      const p = form.get("profile");
      if (!(p instanceof Blob)) {
        res.writeHead(400).end("multipart without a profile part");
        return;
      }
      profile = new Uint8Array(await p.arrayBuffer());
    }
  } else if (url.pathname === "/v1/pprof") {
    kind = "otel";
    if (req.headers["content-encoding"] === "gzip") profile = gunzipSync(body);
  } else {
    res.writeHead(404).end("404 page not found");
    return;
  }
  let proto: Uint8Array;
  try {
    proto = isGzip(profile) ? gunzipSync(profile) : profile;
  } catch (err) {
    res.writeHead(400).end(`failed to parse pprof data: ${String(err)}`);
    return;
  }
  r.received.push({
    kind,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    queryKeys: [...url.searchParams.keys()],
    headers: req.headers,
    contentType,
    parts,
    profile,
    proto,
    atMillis: Date.now(),
  });
  if (kind === "otel") res.writeHead(204).end();
  else res.writeHead(200).end();
}

/** startReceiver listens on 127.0.0.1 at port (default: a free one). */
export async function startReceiver(port: number = 0): Promise<Receiver> {
  const sockets = new Set<import("node:net").Socket>();
  const r: Receiver = {
    url: "",
    received: [],
    attempts: 0,
    attemptsAt: [],
    fault: { kind: "none" },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    handle(r, req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}

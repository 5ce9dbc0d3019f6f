// otel-collector.ts owns pushing to an OpenTelemetry Collector's pprof
// receiver (opentelemetry-collector-contrib receiver/pprofreceiver, its
// push server: internal/http_server.go): POST <endpoint>/v1/pprof with a
// pprof profile as the body (gzip or not: the receiver's profile.Parse
// reads both), answered 204. The receiver reads the body only: no header,
// query or part of the request becomes a resource attribute, so
// service.name and other resource attributes are set in the Collector
// (the resource processor; docs/continuous-profiling.md). The queue
// (queue.ts) delivers; this file builds requests only.

import type { ExporterStats, ProfileExporter, ProfilePeriod } from "../profiles/continuous.ts";
import { checkPushURL, PushQueue, type QueueOptions, type QueueView } from "./queue.ts";

/** pprofReceiverPath is the pprof receiver's push path. */
export const pprofReceiverPath = "/v1/pprof";

/** OtelCollectorOptions configures otelCollectorExporter. */
export interface OtelCollectorOptions extends QueueOptions {
  /** url is the receiver's endpoint, e.g. http://localhost:4040; /v1/pprof
   * is appended unless the URL already ends with it. */
  url: string;
  /** headers are sent with every request (an auth header for a gateway). */
  headers?: Record<string, string>;
}

/** otelCollectorURL returns the push URL for an endpoint. */
export function otelCollectorURL(url: string): string {
  const u = new URL(url);
  if (!u.pathname.replace(/\/+$/, "").endsWith(pprofReceiverPath)) u.pathname = `${u.pathname.replace(/\/+$/, "")}${pprofReceiverPath}`;
  return u.toString();
}

/** otelCollectorExporter returns an exporter pushing each period's profiles
 * to the Collector's pprof receiver, one request per profile. It throws for
 * bad options. */
export function otelCollectorExporter(options: OtelCollectorOptions): ProfileExporter & { readonly queue: QueueView } {
  const url = otelCollectorURL(checkPushURL(options?.url, "otel collector"));
  const headers = { ...(options.headers ?? {}), "content-type": "application/octet-stream" };
  const queue = new PushQueue(options);
  return {
    name: "otel-collector",
    queue,
    export(period: ProfilePeriod): void {
      for (const p of period.profiles) queue.push({ url, headers, body: p.bytes });
    },
    flush: (timeoutMillis) => queue.flush(timeoutMillis),
    close: () => queue.close(),
    stats: (): ExporterStats => queue.stats(),
  };
}

// pyroscope.ts owns pushing to Grafana Pyroscope (self-hosted or Grafana
// Cloud) through its HTTP ingest API, in the request shape
// @pyroscope/nodejs 0.6 sends: POST <url>/ingest?format=pprof&from=&name=
// &spyName=&until=[&sampleRate=], from/until in Unix seconds, name the
// application name with its tags in braces, the gzip pprof as the raw body
// (application/octet-stream); Bearer or Basic auth and X-Scope-OrgID for a
// tenant. The queue (queue.ts) delivers; this file builds requests only.

import type { ExporterStats, ProfileExporter, ProfilePeriod } from "../profiles/continuous.ts";
import { checkPushURL, PushQueue, type QueueOptions, type QueueView } from "./queue.ts";

/** PyroscopeOptions configures pyroscopeExporter. */
export interface PyroscopeOptions extends QueueOptions {
  /** url is the server address, e.g. http://localhost:4040 or Grafana
   * Cloud's https://profiles-prod-001.grafana.net (a trailing / is fine). */
  url: string;
  /** appName is the application name (Pyroscope's service_name). */
  appName: string;
  /** tags are added to the name as {k=v,…}. Keys may hold A-Z a-z 0-9 _ .
   * (Pyroscope's rule); values may not hold { } = , or blanks. */
  tags?: Record<string, string>;
  /** authToken is sent as Bearer. */
  authToken?: string;
  /** basicAuthUser and basicAuthPassword are sent as Basic (Grafana
   * Cloud: the stack's user id and an access-policy token). */
  basicAuthUser?: string;
  /** basicAuthPassword goes with basicAuthUser. */
  basicAuthPassword?: string;
  /** tenantID is sent as X-Scope-OrgID (multi-tenant Pyroscope). */
  tenantID?: string;
  /** spyName names the client (default "anyprof"). */
  spyName?: string;
}

const tagKeyRe = /^[A-Za-z0-9_.]+$/;
const badValueRe = /[{}=,"\s]/;

/** pyroscopeName returns Pyroscope's series name: appName{k=v,…}, keys in
 * order. It throws for a key Pyroscope refuses (it would reject every
 * push), naming it. */
export function pyroscopeName(appName: string, tags: Record<string, string> = {}): string {
  if (appName === "" || !/^[A-Za-z0-9_.\-/]+$/.test(appName)) {
    throw new Error(`pprof: pyroscope appName ${JSON.stringify(appName)} must be non-empty and hold only A-Z a-z 0-9 _ . - /`);
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(tags)) {
    if (!tagKeyRe.test(k) || k === "__name__") {
      throw new Error(`pprof: pyroscope tag key ${JSON.stringify(k)} is refused by Pyroscope (allowed: A-Z a-z 0-9 _ . and not __name__)`);
    }
    const value = String(v);
    if (badValueRe.test(value)) throw new Error(`pprof: pyroscope tag ${k} value ${JSON.stringify(value)} may not hold { } = , " or blanks`);
    parts.push(`${k}=${value}`);
  }
  return `${appName}{${parts.join(",")}}`;
}

function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** pyroscopeHeaders returns the request headers for options. */
export function pyroscopeHeaders(options: Pick<PyroscopeOptions, "authToken" | "basicAuthUser" | "basicAuthPassword" | "tenantID">): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/octet-stream" };
  if (options.authToken !== undefined) headers.authorization = `Bearer ${options.authToken}`;
  else if (options.basicAuthUser !== undefined && options.basicAuthPassword !== undefined) {
    headers.authorization = `Basic ${base64(`${options.basicAuthUser}:${options.basicAuthPassword}`)}`;
  }
  if (options.tenantID !== undefined) headers["x-scope-orgid"] = options.tenantID;
  return headers;
}

/** pyroscopeIngestURL returns the /ingest URL for one profile. */
export function pyroscopeIngestURL(base: string, name: string, fromSeconds: number, untilSeconds: number, spyName: string, sampleRateHz?: number): string {
  const url = new URL(`${base.replace(/\/+$/, "")}/ingest`);
  url.searchParams.append("format", "pprof");
  url.searchParams.append("from", String(fromSeconds));
  url.searchParams.append("name", name);
  url.searchParams.append("spyName", spyName);
  url.searchParams.append("until", String(untilSeconds));
  if (sampleRateHz !== undefined) url.searchParams.append("sampleRate", String(Math.round(sampleRateHz)));
  return url.toString();
}

/** pyroscopeExporter returns an exporter pushing each period's profiles to
 * Pyroscope, one request per profile. It throws for bad options. */
export function pyroscopeExporter(options: PyroscopeOptions): ProfileExporter & { readonly queue: QueueView } {
  const base = checkPushURL(options?.url, "pyroscope");
  const name = pyroscopeName(options.appName, options.tags);
  const headers = pyroscopeHeaders(options);
  const spyName = options.spyName ?? "anyprof";
  const queue = new PushQueue(options);
  const seconds = (nanos: bigint): number => Number(nanos / 1_000_000_000n);
  return {
    name: "pyroscope",
    queue,
    export(period: ProfilePeriod): void {
      for (const p of period.profiles) {
        queue.push({
          url: pyroscopeIngestURL(base, name, seconds(period.startNanos), seconds(period.endNanos), spyName, p.sampleRateHz),
          headers,
          body: p.bytes,
        });
      }
    },
    flush: (timeoutMillis) => queue.flush(timeoutMillis),
    close: () => queue.close(),
    stats: (): ExporterStats => queue.stats(),
  };
}

/** pushURLKind tells which backend a push URL names: a path ending in
 * /v1/pprof is the Collector's pprof receiver, anything else Pyroscope. */
export function pushURLKind(url: string): "otel-collector" | "pyroscope" {
  return /\/v1\/pprof\/?$/.test(new URL(url).pathname) ? "otel-collector" : "pyroscope";
}

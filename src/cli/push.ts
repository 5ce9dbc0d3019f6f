// push.ts owns the CLI's pushing: `anyprof push FILE… --to URL` uploads
// pprof files once, and `anyprof record --push URL` has the recorded
// program push continuously (its preload calls startRecordPush). A URL whose
// path ends in /v1/pprof is an OpenTelemetry Collector's pprof receiver;
// any other is a Pyroscope server. It does not parse the record command's
// own flags (main.ts does) nor start programs.

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { otelCollectorExporter } from "../export/otel-collector.ts";
import { pushURLKind, pyroscopeExporter } from "../export/pyroscope.ts";
import type { ProfileExporter } from "../profiles/continuous.ts";
import { decodePprof } from "./decode.ts";

/** pushUsage is `anyprof push --help`. */
export const pushUsage = `usage: anyprof push FILE… --to URL [--app NAME] [--tag key=value]… [--tenant ID]
Uploads pprof files once: to Pyroscope's /ingest at URL, or to an
OpenTelemetry Collector's pprof receiver when URL ends in /v1/pprof. Each
file's window is its time_nanos and duration_nanos. --app names the
Pyroscope application (default anyprof); PYROSCOPE_AUTH_TOKEN, or
PYROSCOPE_BASIC_AUTH_USER and PYROSCOPE_BASIC_AUTH_PASSWORD, authenticate.`;

/** PushTarget is where and as what profiles go. */
export interface PushTarget {
  url: string;
  appName: string;
  tags: Record<string, string>;
  tenantID?: string;
}

/** exporterFor returns the exporter for a push URL; env supplies the
 * Pyroscope credentials. It throws for a bad URL or tag, naming it. */
export function exporterFor(target: PushTarget, env: Record<string, string | undefined>): ProfileExporter & { flush(timeoutMillis: number): Promise<void> } {
  let kind: "otel-collector" | "pyroscope";
  try {
    kind = pushURLKind(target.url);
  } catch {
    throw new Error(`anyprof: push URL ${JSON.stringify(target.url)} is not a URL`);
  }
  if (kind === "otel-collector") return otelCollectorExporter({ url: target.url }) as ReturnType<typeof exporterFor>;
  return pyroscopeExporter({
    url: target.url,
    appName: target.appName,
    tags: target.tags,
    tenantID: target.tenantID,
    authToken: env.PYROSCOPE_AUTH_TOKEN,
    basicAuthUser: env.PYROSCOPE_BASIC_AUTH_USER,
    basicAuthPassword: env.PYROSCOPE_BASIC_AUTH_PASSWORD,
  }) as ReturnType<typeof exporterFor>;
}

/** parseTags reads --tag key=value flags. */
export function parseTags(tags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) {
    const i = t.indexOf("=");
    if (i <= 0) throw new Error(`anyprof: --tag wants key=value, got ${JSON.stringify(t)}`);
    out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}

/** pushCommand runs `anyprof push`; it returns the exit code (0 all sent,
 * 1 a file unreadable or refused, 2 usage) and writes one line per file:
 * out for each file pushed, fail for each failure. */
export async function pushCommand(args: string[], out: (line: string) => void, fail: (line: string) => void, env: Record<string, string | undefined>): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { to: { type: "string" }, app: { type: "string" }, tag: { type: "string", multiple: true }, tenant: { type: "string" } },
    });
  } catch (err) {
    fail(`anyprof push: ${err instanceof Error ? err.message.split(". ")[0] : String(err)} (anyprof push --help for usage)`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.to === undefined || positionals.length === 0) {
    fail("anyprof push: wrong arguments: FILE… and --to URL are needed (anyprof push --help for usage)");
    return 2;
  }
  const exporter = exporterFor({ url: values.to, appName: values.app ?? "anyprof", tags: parseTags(values.tag ?? []), tenantID: values.tenant }, env);
  let failed = 0;
  for (const file of positionals) {
    let bytes: Uint8Array;
    let startNanos: bigint;
    let endNanos: bigint;
    let isCpu: boolean;
    try {
      bytes = readFileSync(file);
      const decoded = decodePprof(bytes);
      // A profile without time_nanos is dated now, as a backend would.
      const t = decoded.timeNanos > 0 ? BigInt(Math.round(decoded.timeNanos)) : BigInt(Date.now()) * 1_000_000n;
      startNanos = t;
      endNanos = t + BigInt(Math.max(0, Math.round(decoded.durationNanos)));
      isCpu = decoded.periodType?.type === "cpu";
    } catch (err) {
      fail(`anyprof: ${file}: ${err instanceof Error ? err.message.replace(/^(pprof|anyprof): /, "") : String(err)}`);
      failed++;
      continue;
    }
    const before = exporter.stats!();
    exporter.export({ startNanos, endNanos, profiles: [{ name: basename(file), bytes, sampleRateHz: isCpu ? 100 : undefined }] });
    await exporter.flush(30_000);
    const after = exporter.stats!();
    if (after.sent > before.sent) {
      out(`${file}: pushed ${bytes.byteLength} bytes to ${values.to}`);
    } else {
      failed++;
      fail(`anyprof: ${file}: push to ${values.to} failed: ${after.lastError ?? "not delivered"}`);
    }
  }
  exporter.close?.();
  return failed > 0 ? 1 : 0;
}

/** recordPushEnv is the environment `anyprof record --push` gives the
 * program, read back by startRecordPush in its preload. */
export function recordPushEnv(url: string, periodSeconds: string | undefined, appName: string | undefined, tags: readonly string[]): Record<string, string> {
  const env: Record<string, string> = { ANYPROF_PUSH_URL: url, ANYPROF_PUSH_APP: appName ?? "anyprof", ANYPROF_PUSH_TAGS: JSON.stringify(parseTags(tags)) };
  if (periodSeconds !== undefined) env.ANYPROF_PUSH_PERIOD = periodSeconds;
  // Checked here, where the flag was given, rather than in the program.
  exporterFor({ url, appName: env.ANYPROF_PUSH_APP!, tags: parseTags(tags) }, {}).close?.();
  const period = Number(periodSeconds ?? 15);
  if (!Number.isFinite(period) || period < 0.05 || period > 3600) throw new Error(`anyprof: --period wants seconds from 0.05 to 3600, got ${JSON.stringify(periodSeconds)}`);
  return env;
}

/** ContinuousApi is the part of the runtime entry point the preload uses. */
export interface ContinuousApi {
  startContinuousProfiling(options: { exporters: ProfileExporter[]; periodSeconds?: number; hz?: number; exitFlushMillis?: number }): Promise<void>;
}

/** startRecordPush starts continuous profiling in the recorded program
 * when `anyprof record --push` asked for it (env), and reports whether it
 * did. The preload's own exit handling stops it (exitFlushMillis 0). */
export async function startRecordPush(api: ContinuousApi, env: Record<string, string | undefined>, hz: number): Promise<boolean> {
  const url = env.ANYPROF_PUSH_URL;
  if (url === undefined || url === "") return false;
  const tags = JSON.parse(env.ANYPROF_PUSH_TAGS ?? "{}") as Record<string, string>;
  const exporter = exporterFor({ url, appName: env.ANYPROF_PUSH_APP ?? "anyprof", tags }, env);
  await api.startContinuousProfiling({ exporters: [exporter], periodSeconds: Number(env.ANYPROF_PUSH_PERIOD ?? 15), hz, exitFlushMillis: 0 });
  return true;
}

// push-target.ts owns what pushing from the CLI needs in the recorded
// program as well as in the CLI: the exporter for a push URL (a path ending
// in /v1/pprof is an OpenTelemetry Collector's pprof receiver, any other a
// Pyroscope server), --tag parsing, and `anyprof record --push`'s hand-over
// through the environment. It imports no parser or bundled dependency, so
// that the preload can load it in Deno (no bare imports there).

import { otelCollectorExporter } from "../export/otel-collector.ts";
import { pushURLKind, pyroscopeExporter } from "../export/pyroscope.ts";
import type { ProfileExporter } from "../profiles/continuous.ts";

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
  startContinuousProfiling(options: { exporters: ProfileExporter[]; periodSeconds?: number; hz?: number; exitFlushMillis?: number; threads?: boolean }): Promise<void>;
}

/** startRecordPush starts continuous profiling in the recorded program
 * when `anyprof record --push` asked for it (env), and reports whether it
 * did. The preload's own exit handling stops it (exitFlushMillis 0). */
export async function startRecordPush(api: ContinuousApi, env: Record<string, string | undefined>, hz: number): Promise<boolean> {
  const url = env.ANYPROF_PUSH_URL;
  if (url === undefined || url === "") return false;
  const tags = JSON.parse(env.ANYPROF_PUSH_TAGS ?? "{}") as Record<string, string>;
  const exporter = exporterFor({ url, appName: env.ANYPROF_PUSH_APP ?? "anyprof", tags }, env);
  await api.startContinuousProfiling({ exporters: [exporter], periodSeconds: Number(env.ANYPROF_PUSH_PERIOD ?? 15), hz, exitFlushMillis: 0, threads: env.ANYPROF_RECORD_THREADS === "1" });
  return true;
}

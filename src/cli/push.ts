// push.ts owns `anyprof push FILE… --to URL`: it uploads pprof files once,
// each with its own window (time_nanos, duration_nanos), through the
// exporter push-target.ts picks for the URL. `anyprof record --push` lives
// in push-target.ts (the recorded program loads it) and main.ts.

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { decodePprof } from "./decode.ts";
import { exporterFor, parseTags } from "./push-target.ts";

/** pushUsage is `anyprof push --help`. */
export const pushUsage = `usage: anyprof push FILE… --to URL [--app NAME] [--tag key=value]… [--tenant ID]
Uploads pprof files once: to Pyroscope's /ingest at URL, or to an
OpenTelemetry Collector's pprof receiver when URL ends in /v1/pprof. Each
file's window is its time_nanos and duration_nanos. --app names the
Pyroscope application (default anyprof); PYROSCOPE_AUTH_TOKEN, or
PYROSCOPE_BASIC_AUTH_USER and PYROSCOPE_BASIC_AUTH_PASSWORD, authenticate.`;

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


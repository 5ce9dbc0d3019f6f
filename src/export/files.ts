// files.ts owns the rotating directory exporter, for hosts where a log
// shipper (Alloy, Vector, Fluent Bit) picks files up: each profile of each
// period becomes <dir>/<name>-<from>-<until>.pb.gz (Unix ms; gzip pprof),
// written whole (temporary name, then rename) through host.files, and the
// oldest of its own files are removed past keepFiles or keepBytes. Writes
// run one at a time off the hot path; a failed write is counted, never
// thrown. It does not send anything over the network.

import { host } from "../host/host.ts";
import type { ExporterStats, ProfileExporter, ProfilePeriod } from "../profiles/continuous.ts";

/** FilesOptions configures filesExporter. */
export interface FilesOptions {
  /** dir is the directory, made if missing. */
  dir: string;
  /** keepFiles is how many profile files to keep (default 100). */
  keepFiles?: number;
  /** keepBytes caps their total size (default 256 MiB). */
  keepBytes?: number;
  /** prefix starts every file name (default "anyprof"). */
  prefix?: string;
  /** maxPending caps the writes waiting their turn; past it the oldest is
   * dropped (default 16). */
  maxPending?: number;
}

const fileRe = /^(.+)-(\d+)-(\d+)\.pb\.gz$/;

/** filesExporter returns the rotating directory exporter. It throws for bad
 * options and where the runtime has no file system. */
export function filesExporter(options: FilesOptions): ProfileExporter {
  const files = host.files;
  if (files === undefined) throw new Error(`pprof: no file system in ${host.runtime} for the files exporter`);
  const dir = options?.dir;
  if (typeof dir !== "string" || dir === "") throw new Error(`pprof: files exporter dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  const keepFiles = options.keepFiles ?? 100;
  const keepBytes = options.keepBytes ?? 256 << 20;
  const maxPending = options.maxPending ?? 16;
  const prefix = options.prefix ?? "anyprof";
  for (const [k, v] of [["keepFiles", keepFiles], ["keepBytes", keepBytes], ["maxPending", maxPending]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`pprof: files exporter ${k} must be a positive integer, got ${v}`);
  }
  if (!/^[A-Za-z0-9_.]+$/.test(prefix)) throw new Error(`pprof: files exporter prefix ${JSON.stringify(prefix)} may hold only A-Z a-z 0-9 _ .`);
  const pending: Array<{ name: string; bytes: Uint8Array }> = [];
  const stats: ExporterStats = { queued: 0, queuedBytes: 0, sent: 0, sentBytes: 0, dropped: 0, failed: 0, retries: 0 };
  let running: Promise<void> | undefined;
  let madeDir = false;

  const rotate = async (): Promise<void> => {
    const own = (await files.list(dir))
      .map((f) => ({ ...f, m: fileRe.exec(f.name) }))
      .filter((f) => f.m !== null && f.m[1]!.startsWith(`${prefix}-`))
      // Oldest first: by until, then name, so ties rotate the same way.
      .sort((a, b) => Number(a.m![3]) - Number(b.m![3]) || (a.name < b.name ? -1 : 1));
    let total = own.reduce((n, f) => n + f.bytes, 0);
    let count = own.length;
    for (const f of own) {
      if (count <= keepFiles && total <= keepBytes) break;
      await files.remove(files.join(dir, f.name));
      count--;
      total -= f.bytes;
    }
  };
  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const next = pending[0]!;
      try {
        if (!madeDir) {
          await files.mkdirAll(dir);
          madeDir = true;
        }
        await files.writeFile(files.join(dir, next.name), next.bytes);
        stats.sent++;
        stats.sentBytes += next.bytes.byteLength;
        await rotate();
      } catch (err) {
        stats.failed++;
        stats.lastError = err instanceof Error ? err.message : String(err);
      }
      pending.shift();
    }
  };
  const kick = (): void => {
    running ??= drain().finally(() => (running = undefined));
  };
  return {
    name: "files",
    export(period: ProfilePeriod): void {
      const from = period.startNanos / 1_000_000n;
      const until = period.endNanos / 1_000_000n;
      for (const p of period.profiles) {
        const kind = p.name.replace(/[^A-Za-z0-9_]/g, "_");
        // pending[0] is being written: never dropped.
        while (pending.length >= maxPending && pending.length > 1) {
          pending.splice(1, 1);
          stats.dropped++;
        }
        pending.push({ name: `${prefix}-${kind}-${from}-${until}.pb.gz`, bytes: p.bytes });
      }
      kick();
    },
    async flush(timeoutMillis: number): Promise<void> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        running ?? Promise.resolve(),
        new Promise<void>((r) => {
          timer = setTimeout(r, timeoutMillis);
          host.unrefTimer(timer);
        }),
      ]);
      clearTimeout(timer);
    },
    close(): void {
      stats.dropped += Math.max(0, pending.length - 1);
      pending.splice(1);
    },
    stats: (): ExporterStats => ({ ...stats, queued: pending.length, queuedBytes: pending.reduce((n, p) => n + p.bytes.byteLength, 0) }),
  };
}

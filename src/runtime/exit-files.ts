// exit-files.ts builds two Host members Node, Deno and Bun share through
// their node: compatibility: the files exporter's file system (node:fs) and
// the exit hook continuous profiling flushes on (beforeExit, SIGTERM). It
// does not decide what runs at exit, nor what is written.

import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import type { Host, HostFiles } from "../host/host.ts";

let temporary = 0;

/** nodeFileSystem is HostFiles on node:fs/promises. */
export const nodeFileSystem: HostFiles = {
  mkdirAll: async (dir) => void (await mkdir(dir, { recursive: true })),
  writeFile: async (path, bytes) => {
    // A shipper tailing the directory must never pick up half a file.
    const tmp = `${path}.${process.pid}.${++temporary}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  },
  list: async (dir) => {
    const out: Array<{ name: string; bytes: number }> = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      try {
        out.push({ name: entry.name, bytes: (await stat(join(dir, entry.name))).size });
      } catch {
        // Removed meanwhile (another writer's rotation): not ours to count.
      }
    }
    return out;
  },
  remove: (path) => rm(path, { force: true }),
  join: (...parts) => join(...parts),
};

/** processExitHook is Host.onExit on node:process: fn runs once, on the
 * first of beforeExit (the loop ran dry) and SIGTERM. A SIGTERM listener
 * replaces the signal's default action, so when ours was the only one it
 * re-raises the signal after the flush: the program still dies of SIGTERM,
 * with the exit status a supervisor expects. */
export const processExitHook: NonNullable<Host["onExit"]> = (fn, timeoutMillis) => {
  let ran: Promise<void> | undefined;
  const run = (): Promise<void> => {
    if (ran !== undefined) return ran;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMillis);
      (timer as { unref?: () => void }).unref?.();
    });
    ran = Promise.race([fn().catch(() => {}), bound]).finally(() => clearTimeout(timer));
    return ran;
  };
  const onBeforeExit = (): void => void run();
  const onTerm = (): void => {
    process.removeListener("SIGTERM", onTerm);
    void run().finally(() => {
      if (process.listenerCount("SIGTERM") === 0) process.kill(process.pid, "SIGTERM");
    });
  };
  process.on("beforeExit", onBeforeExit);
  try {
    process.on("SIGTERM", onTerm);
  } catch {
    // A runtime that cannot listen for signals still flushes at beforeExit.
  }
  return () => {
    process.removeListener("beforeExit", onBeforeExit);
    process.removeListener("SIGTERM", onTerm);
  };
};

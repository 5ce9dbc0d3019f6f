// files.ts owns the Host's file access for source maps, shared by the Node,
// Deno and Bun adapters (node:fs works in all three): reading a file with a
// size cap, never throwing, and, for Deno, only where the program already
// has read permission (querying first, since an ungranted read would prompt
// on a terminal) and the emitted JavaScript Deno runs for its TypeScript.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { Host } from "../host/host.ts";

/** readFileCapped reads a regular file of at most maxBytes; a string says
 * why it could not. */
export function readFileCapped(path: string, maxBytes: number): Uint8Array | string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    return (err as { code?: string }).code === "ENOENT" ? "no such file" : `cannot read it (${(err as { code?: string }).code ?? "error"})`;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return "not a regular file";
    if (st.size > maxBytes) return `larger than ${maxBytes} bytes (${st.size})`;
    const out = new Uint8Array(st.size);
    let at = 0;
    while (at < out.length) {
      const n = readSync(fd, out, at, out.length - at, at);
      if (n <= 0) break;
      at += n;
    }
    return at === out.length ? out : out.subarray(0, at);
  } catch (err) {
    return `cannot read it (${(err as { code?: string }).code ?? "error"})`;
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Nothing to do: the bytes (or the reason) are what matters.
    }
  }
}

/** nodeFiles is the file access of Node and Bun: every file the process
 * may open. findSourceMap is Node's own map for a script, which it keeps
 * when run with --enable-source-maps. */
export function nodeFiles(cwd: () => string, findSourceMap?: (path: string) => { payload?: unknown } | undefined): Partial<Host> {
  return {
    readFile: readFileCapped,
    workingDirectory: () => {
      try {
        return cwd();
      } catch {
        return undefined;
      }
    },
    findSourceMap:
      findSourceMap === undefined
        ? undefined
        : (url) => {
            if (!url.startsWith("file://") && !url.startsWith("/")) return undefined;
            try {
              return findSourceMap(url)?.payload;
            } catch {
              return undefined;
            }
          },
  };
}

/** DenoFileApi is the part of Deno that denoFiles uses. */
export interface DenoFileApi {
  permissions: { querySync(d: { name: "read"; path: string } | { name: "env"; variable: string }): { state: string } };
  env: { get(key: string): string | undefined };
  cwd(): string;
  build: { os: string };
}

/** denoFiles is Deno's file access: reads only where read permission is
 * granted already, and transpiledSource finds the JavaScript Deno emitted
 * for a TypeScript/JSX module in its cache (DENO_DIR/gen/file/<path>.js). */
export function denoFiles(deno: DenoFileApi): Partial<Host> {
  const canRead = (path: string): boolean => {
    try {
      return deno.permissions.querySync({ name: "read", path }).state === "granted";
    } catch {
      return false;
    }
  };
  const env = (name: string): string | undefined => {
    try {
      return deno.permissions.querySync({ name: "env", variable: name }).state === "granted" ? deno.env.get(name) : undefined;
    } catch {
      return undefined;
    }
  };
  const readFile = (path: string, maxBytes: number): Uint8Array | string => (canRead(path) ? readFileCapped(path, maxBytes) : "no read permission (run with --allow-read)");
  let denoDir: string | undefined | null = null;
  const genDir = (): string | undefined => {
    if (denoDir === null) {
      const home = env("HOME");
      const xdg = env("XDG_CACHE_HOME");
      denoDir = env("DENO_DIR") ?? (deno.build.os === "darwin" ? (home && `${home}/Library/Caches/deno`) : (xdg && `${xdg}/deno`) || (home && `${home}/.cache/deno`)) ?? undefined;
    }
    return denoDir === undefined ? undefined : `${denoDir}/gen/file`;
  };
  return {
    readFile,
    workingDirectory: () => {
      try {
        return canRead(".") ? deno.cwd() : undefined;
      } catch {
        return undefined;
      }
    },
    transpiledSource: (url) => {
      if (!url.startsWith("file:///") || !/\.(ts|tsx|mts|cts|jsx)$/.test(url)) return undefined;
      // "" says Deno ran transpiled code that cannot be read here.
      const gen = genDir();
      if (gen === undefined) return "";
      let path: string;
      try {
        path = decodeURIComponent(new URL(url).pathname);
      } catch {
        return "";
      }
      const got = readFile(`${gen}${path}.js`, 64 << 20);
      return typeof got === "string" ? "" : new TextDecoder().decode(got);
    },
  };
}

// view.ts owns `anyprof view`'s file side: it reads the sources a profile
// names from disk (for the source view) and opens the written page in a
// browser. The page itself (model, markup, script) is view/'s, shared with
// the HTTP handler's /debug/pprof/ui/; argument parsing is main.ts's.

import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import { decodePprof, type Decoded } from "../pprof/decode.ts";
import { renderDataHtml } from "../view/html.ts";
import { sourceFiles, viewData } from "../view/model.ts";

/** maxSourceBytes bounds one source file put into the page, and
 * maxSourcesBytes all of them: a page stays a file one can attach. */
export const maxSourceBytes: number = 1 << 20;
export const maxSourcesBytes: number = 16 << 20;

/** readSources reads the files a profile names (paths or file:// URLs)
 * that exist on this machine, within the bounds above; others are left out
 * (the page then shows file:line only). It never throws. */
export function readSources(p: Decoded, base?: Decoded): Record<string, string> {
  const out: Record<string, string> = {};
  let total = 0;
  const files = new Set([...sourceFiles(p), ...(base ? sourceFiles(base) : [])]);
  for (const file of files) {
    let path: string;
    try {
      path = file.startsWith("file://") ? fileURLToPath(file) : file;
    } catch {
      continue;
    }
    if (!isAbsolute(path)) continue;
    try {
      const size = statSync(path).size;
      if (size > maxSourceBytes || total + size > maxSourcesBytes) continue;
      out[file] = readFileSync(path, "utf8");
      total += size;
    } catch {
      // Not readable here: file:line only.
    }
  }
  return out;
}

/** ViewFileOptions configure renderFlameGraphHtml. */
export interface ViewFileOptions {
  title?: string;
  /** base is the bytes of a profile to subtract (pprof's -diff_base). */
  base?: Uint8Array;
  normalize?: boolean;
  /** sources reads the profile's source files from disk (default true). */
  sources?: boolean;
}

/** renderFlameGraphHtml decodes a pprof file (gzip or not) and returns the
 * self-contained viewer page, with the sources found on disk. It throws
 * "pprof: …" for bytes that are not a profile. */
export function renderFlameGraphHtml(bytes: Uint8Array, options: ViewFileOptions = {}): string {
  const p = decodePprof(bytes);
  let base: Decoded | undefined;
  if (options.base !== undefined) {
    try {
      base = decodePprof(options.base);
    } catch (err) {
      throw new Error(`pprof: base profile: ${err instanceof Error ? err.message.replace(/^pprof: /, "") : String(err)}`);
    }
  }
  const sources = options.sources === false ? undefined : readSources(p, base);
  return renderDataHtml(viewData(p, { title: options.title ?? "anyprof", base, normalize: options.normalize, sources }));
}

/** OpenResult reports openInBrowser's attempt. */
export interface OpenResult {
  /** opened is true when a browser launcher was started and did not fail. */
  opened: boolean;
  /** command is what was run, when something was. */
  command?: string;
  /** message says what happened, for the user. */
  message: string;
}

/** OpenOptions override what openInBrowser looks at (for tests). */
export interface OpenOptions {
  platform?: string;
  env?: Record<string, string | undefined>;
  /** waitMillis is how long to wait for a launcher that fails quickly. */
  waitMillis?: number;
}

/** openInBrowser opens file in the desktop's browser, best effort: $BROWSER
 * if set, else `open` (macOS), `start` (Windows) or `xdg-open` (elsewhere,
 * only with a display). It never throws; the result says whether a browser
 * was started and, if not, why, naming the file to open by hand. */
export async function openInBrowser(file: string, options: OpenOptions = {}): Promise<OpenResult> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const path = resolvePath(file);
  const byHand = `open ${path} in a browser yourself`;
  let cmd: string;
  let args: string[];
  const browser = env.BROWSER?.split(":").find((b) => b.trim() !== "");
  if (browser !== undefined) {
    const parts = browser.trim().split(/\s+/);
    cmd = parts[0]!;
    const rest = parts.slice(1);
    args = rest.some((a) => a.includes("%s")) ? rest.map((a) => a.replace("%s", path)) : [...rest, path];
  } else if (platform === "darwin") {
    [cmd, args] = ["open", [path]];
  } else if (platform === "win32") {
    // cmd parses its own line: quote the path (spaces), and refuse the
    // characters that would end the quoted string or start a command.
    if (/["&|<>^%]/.test(path)) return { opened: false, message: `anyprof: not opening a path with shell characters in cmd: ${byHand}` };
    [cmd, args] = ["cmd", ["/c", "start", '""', `"${path}"`]];
  } else {
    if (!env.DISPLAY && !env.WAYLAND_DISPLAY) {
      return { opened: false, message: `anyprof: no browser found (no DISPLAY or WAYLAND_DISPLAY, no $BROWSER): ${byHand}` };
    }
    [cmd, args] = ["xdg-open", [path]];
  }
  const command = [cmd, ...args].join(" ");
  return new Promise<OpenResult>((done) => {
    let settled = false;
    const finish = (r: OpenResult) => {
      if (!settled) {
        settled = true;
        done(r);
      }
    };
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { detached: true, stdio: "ignore", env: env as NodeJS.ProcessEnv, windowsVerbatimArguments: platform === "win32" });
    } catch (err) {
      finish({ opened: false, command, message: `anyprof: could not run ${cmd}: ${err instanceof Error ? err.message : String(err)}: ${byHand}` });
      return;
    }
    // A launcher that finds no browser exits non-zero at once; one that
    // found one either exits 0 or keeps running (then it is the browser).
    const timer = setTimeout(() => {
      child.unref();
      finish({ opened: true, command, message: `anyprof: opened ${path} with ${cmd}` });
    }, options.waitMillis ?? 1500);
    child.on("error", (err) => {
      clearTimeout(timer);
      const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? `${cmd} not found` : err.message;
      finish({ opened: false, command, message: `anyprof: no browser found (${why}): ${byHand}` });
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) finish({ opened: true, command, message: `anyprof: opened ${path} with ${cmd}` });
      else finish({ opened: false, command, message: `anyprof: ${cmd} failed (${signal ?? `exit status ${code}`}): ${byHand}` });
    });
  });
}

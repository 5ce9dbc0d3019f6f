// own.ts marks the async resources anyprof creates itself (its timers), so
// that the goroutine profile, which lists the application's pending async
// work, leaves them out. A flag rather than a file check: in a bundled
// application anyprof's code and the application's share one file.

let depth = 0;

/** own runs fn, which creates anyprof's own async resources, and returns
 * its result; resources created meanwhile are not the application's. */
export function own<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

/** creatingOwn reports whether anyprof is creating its own resources now. */
export function creatingOwn(): boolean {
  return depth > 0;
}

/** ownScriptPrefixes returns the script URL prefixes of anyprof's own code,
 * given the URL of the adapter module (its import.meta.url): the package's
 * dist/ and src/ folders, as file: URLs and as plain paths (some runtimes
 * name CommonJS scripts by path). It returns undefined when the adapter is
 * not in <package>/dist/runtime/ or <package>/src/runtime/: anyprof was
 * bundled into one file with the application, and its frames cannot be
 * told from the application's by script. */
export function ownScriptPrefixes(adapterUrl: string): string[] | undefined {
  const m = /^(.*\/)(?:dist|src)\/runtime\/[^/]+\.[cm]?[jt]s$/.exec(adapterUrl);
  if (m === null) return undefined;
  const base = m[1]!;
  const prefixes = [`${base}dist/`, `${base}src/`];
  if (base.startsWith("file://")) {
    try {
      const path = decodeURIComponent(new URL(base).pathname);
      prefixes.push(`${path}dist/`, `${path}src/`);
    } catch {
      // A file: URL that does not parse has no path form.
    }
  }
  return prefixes;
}

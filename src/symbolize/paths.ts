// paths.ts owns the little path arithmetic source maps need without node:path
// (this layer is runtime-neutral): script URLs to local paths and back,
// resolving a relative reference, and the allowed-roots check. POSIX paths
// only; a Windows drive path is not a local path here.

/** localPath returns the absolute local path a script URL names (a file:
 * URL or an absolute path), or undefined for anything else (node:internal,
 * http:, an eval, a relative name). */
export function localPath(url: string): string | undefined {
  if (url.startsWith("/")) return normalize(url.split(/[?#]/, 1)[0]!);
  if (!url.startsWith("file://")) return undefined;
  try {
    const u = new URL(url);
    if (u.host !== "") return undefined;
    return normalize(decodeURIComponent(u.pathname));
  } catch {
    return undefined;
  }
}

/** fileUrl returns the file: URL of an absolute path. */
export function fileUrl(path: string): string {
  return "file://" + path.split("/").map(encodeURIComponent).join("/");
}

/** normalize removes "." and ".." segments and repeated slashes from an
 * absolute path. */
export function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

/** dirname is the path's directory. */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** baseName is the last segment of a path or URL, without query or hash. */
export function baseName(pathOrUrl: string): string {
  const p = pathOrUrl.split(/[?#]/, 1)[0]!;
  return p.slice(p.lastIndexOf("/") + 1);
}

/** resolveReference resolves a map reference (a relative or absolute URL or
 * path) against the script's local path; undefined when the result is not a
 * local file (an http: URL is never followed). */
export function resolveReference(reference: string, scriptPath: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) return reference.startsWith("file:") ? localPath(reference) : undefined;
  try {
    const u = new URL(reference, fileUrl(scriptPath));
    return u.protocol === "file:" ? normalize(decodeURIComponent(u.pathname)) : undefined;
  } catch {
    return undefined;
  }
}

/** within reports whether path lies inside one of roots (normalized
 * absolute directories). */
export function within(path: string, roots: readonly string[]): boolean {
  return roots.some((r) => r === "/" || path === r || path.startsWith(r.endsWith("/") ? r : r + "/"));
}

/** displayPath turns a map's resolved source into what a profile shows: a
 * local path for a file: URL (what go tool pprof -list opens), else the
 * source as the map names it (webpack://…). */
export function displayPath(source: string): string {
  return localPath(source) ?? source;
}

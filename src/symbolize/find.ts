// find.ts owns finding a script's source map: a user resolver or map
// directory, the runtime's own copy (Node's module.findSourceMap, Deno's
// emitted JavaScript for the TypeScript it runs), the script's
// `//# sourceMappingURL=` comment (a data: URL or a file), and a sibling
// `.map`. Every file comes through the Host, inside the allowed roots and
// under a size cap; nothing is ever fetched over the network. It does not
// decode mappings (mapper.ts does, with @jridgewell/trace-mapping).

import { host } from "../host/host.ts";
import { baseName, fileUrl, localPath, normalize, resolveReference, within } from "./paths.ts";

/** FindOptions says where maps may come from and how large they may be. */
export interface FindOptions {
  /** roots are the directories a script's map reference may point into. */
  readonly roots: readonly string[];
  /** dirs are user-given directories holding `<script>.map` files. */
  readonly dirs: readonly string[];
  /** resolve is a user-given lookup: a map's path, or the map itself. */
  readonly resolve?: (scriptUrl: string) => string | object | undefined;
  readonly maxMapBytes: number;
  readonly maxScriptBytes: number;
}

/** Found is a map's JSON text or object and the URL its sources resolve
 * against; "none" is a script with no map (not a problem); "error" a map
 * that was referenced but cannot be used, and why. */
export type Found =
  | { readonly kind: "map"; readonly map: string | object; readonly mapUrl: string; readonly bytes: number }
  | { readonly kind: "none" }
  | { readonly kind: "error"; readonly reason: string };

const none: Found = { kind: "none" };
const decoder = new TextDecoder();

/** findMap finds the map for the script at url. engine says the positions
 * to map are the engine profiler's own (see SymbolizeSession.frame). It
 * never throws. */
export function findMap(url: string, engine: boolean, o: FindOptions): Found {
  try {
    return find(url, engine, o);
  } catch (err) {
    return { kind: "error", reason: err instanceof Error ? err.message : String(err) };
  }
}

function find(url: string, engine: boolean, o: FindOptions): Found {
  if (o.resolve !== undefined) {
    const r = o.resolve(url);
    if (typeof r === "string") return readMap(r, o.maxMapBytes, undefined);
    if (r !== undefined && r !== null) return { kind: "map", map: r, mapUrl: url, bytes: 0 };
  }
  const name = baseName(url);
  if (name !== "") {
    for (const dir of o.dirs) {
      const found = readMap(`${dir}/${name}.map`, o.maxMapBytes, undefined, true);
      if (found.kind !== "none") return found;
    }
  }
  const transpiled = host.transpiledSource?.(url);
  if (transpiled !== undefined) {
    // The runtime ran its own JavaScript for this file: the engine's
    // positions are in it, while the runtime's CallSites are mapped already.
    if (!engine) return none;
    if (transpiled === "") return { kind: "error", reason: "the runtime transpiled it, and its emitted code (with the map) cannot be read: allow reading the runtime's cache (Deno: --allow-read, --allow-env=HOME,DENO_DIR)" };
    const ref = mapReference(transpiled);
    if (ref?.startsWith("data:")) return dataMap(ref, url, o.maxMapBytes);
    return { kind: "error", reason: "the runtime's transpiled code has no inline map" };
  }
  const held = host.findSourceMap?.(url);
  if (held !== undefined && held !== null) return { kind: "map", map: held, mapUrl: url, bytes: 0 };

  const path = localPath(url);
  if (path === undefined) return none;
  const script = host.readFile?.(path, o.maxScriptBytes);
  if (script === undefined || typeof script === "string") return none;
  const ref = mapReference(decoder.decode(script));
  if (ref === undefined) return readMap(path + ".map", o.maxMapBytes, o.roots, true);
  if (ref.startsWith("data:")) return dataMap(ref, url, o.maxMapBytes);
  const mapPath = resolveReference(ref, path);
  if (mapPath === undefined) return { kind: "error", reason: `map ${ref} is not a local file (maps are never fetched)` };
  return readMap(mapPath, o.maxMapBytes, o.roots);
}

/** mapReference returns the URL of the script's last `//# sourceMappingURL=`
 * (or the older `//@`) comment line, or undefined. */
export function mapReference(source: string): string | undefined {
  let at = source.length;
  for (;;) {
    const i = source.lastIndexOf("sourceMappingURL=", at);
    if (i < 4) return undefined;
    const lead = source.slice(i - 4, i);
    if ((lead === "//# " || lead === "//@ ") && (i === 4 || source[i - 5] === "\n" || source[i - 5] === "\r" || source[i - 5] === " " || source[i - 5] === "\t")) {
      const rest = source.slice(i + "sourceMappingURL=".length);
      const m = /^[^\s'"]*/.exec(rest)![0];
      return m === "" ? undefined : m;
    }
    at = i - 1;
  }
}

// readMap reads a map file. roots, when given, must contain it (a reference
// from a script); optional says a missing file is "none", not an error.
function readMap(path: string, maxBytes: number, roots: readonly string[] | undefined, optional = false): Found {
  const p = normalize(path);
  if (roots !== undefined && !within(p, roots)) {
    return optional ? none : { kind: "error", reason: `map ${p} is outside the allowed roots (${roots.join(", ")})` };
  }
  if (host.readFile === undefined) return optional ? none : { kind: "error", reason: `map ${p}: this runtime gives no file access` };
  const got = host.readFile(p, maxBytes);
  if (typeof got === "string") {
    if (optional && got === "no such file") return none;
    return { kind: "error", reason: `map ${p}: ${got}` };
  }
  if (got === undefined) return optional ? none : { kind: "error", reason: `map ${p}: cannot read it` };
  return { kind: "map", map: decoder.decode(got), mapUrl: fileUrl(p), bytes: got.length };
}

// dataMap decodes an inline map (base64 or percent-encoded JSON).
function dataMap(ref: string, scriptUrl: string, maxBytes: number): Found {
  const comma = ref.indexOf(",");
  if (comma < 0) return { kind: "error", reason: "inline map is not a data: URL" };
  const meta = ref.slice(5, comma);
  const body = ref.slice(comma + 1);
  const bytes = meta.endsWith(";base64") ? Math.floor((body.length * 3) / 4) : body.length;
  if (bytes > maxBytes) return { kind: "error", reason: `inline map is larger than ${maxBytes} bytes` };
  let text: string;
  try {
    text = meta.endsWith(";base64") ? decoder.decode(Uint8Array.from(atob(body), (c) => c.charCodeAt(0))) : decodeURIComponent(body);
  } catch {
    return { kind: "error", reason: "inline map is not valid base64 or percent-encoding" };
  }
  return { kind: "map", map: text, mapUrl: scriptUrl, bytes };
}

/** defaultRoots is where maps may be read from when the user names no
 * roots: the program's working directory. */
export function defaultRoots(): string[] {
  const cwd = host.workingDirectory?.();
  return cwd !== undefined && cwd.startsWith("/") ? [normalize(cwd)] : [];
}

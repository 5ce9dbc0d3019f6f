// sourcemaps.ts owns the public source-map options and the process's
// default mapper: setSourceMaps validates the options and installs a
// SourceMapper as the symbolizer every profile uses. It does not find or
// decode maps itself (find.ts, mapper.ts).

import { setSymbolizer } from "../pprof/symbolizer.ts";
import { defaultRoots } from "./find.ts";
import { SourceMapper } from "./mapper.ts";
export { setDecoder as setSourceMapDecoder } from "./mapper.ts";
import { localPath, normalize } from "./paths.ts";

/** SourceMapOptions configures source maps. */
export interface SourceMapOptions {
  /** enabled turns source maps on (the default) or off. */
  enabled?: boolean;
  /** roots are the directories a script's map reference may point into
   * (default: the working directory); a reference outside them is refused. */
  roots?: readonly string[];
  /** dirs hold `<script name>.map` files for scripts deployed without
   * their maps; they are searched first. */
  dirs?: readonly string[];
  /** resolve looks a script's map up itself: it returns the map's path,
   * the map object, or undefined to fall back to the other sources. */
  resolve?: (scriptUrl: string) => string | object | undefined;
  /** maxMapBytes is the largest map read (default 32 MiB). */
  maxMapBytes?: number;
  /** cacheBytes bounds the decoded maps kept (default 256 MiB, estimated). */
  cacheBytes?: number;
}

/** defaultMaxMapBytes is the largest map read unless told otherwise. */
export const defaultMaxMapBytes: number = 32 << 20;
/** defaultCacheBytes bounds the default mapper's cache. */
export const defaultCacheBytes: number = 256 << 20;
/** maxScriptBytes is the largest script read to find its map comment. */
export const maxScriptBytes: number = 64 << 20;

function dirList(what: string, list: readonly string[] | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw new Error(`pprof: source map ${what} must be an array of directories, got ${String(list)}`);
  return list.map((d) => {
    const p = typeof d === "string" ? localPath(d) : undefined;
    if (p === undefined) throw new Error(`pprof: source map ${what} entry must be an absolute path or file: URL, got ${JSON.stringify(d)}`);
    return normalize(p);
  });
}

function positive(what: string, n: number | undefined, fallback: number): number {
  if (n === undefined) return fallback;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n <= 0) throw new Error(`pprof: source map ${what} must be a positive integer, got ${String(n)}`);
  return n;
}

/** newSourceMapper builds a mapper from options, throwing a "pprof:" error
 * that names a bad value. */
export function newSourceMapper(options: SourceMapOptions = {}): SourceMapper {
  if (options.resolve !== undefined && typeof options.resolve !== "function") throw new Error(`pprof: source map resolve must be a function, got ${typeof options.resolve}`);
  return new SourceMapper({
    roots: dirList("roots", options.roots) ?? defaultRoots(),
    dirs: dirList("dirs", options.dirs) ?? [],
    resolve: options.resolve,
    maxMapBytes: positive("maxMapBytes", options.maxMapBytes, defaultMaxMapBytes),
    maxScriptBytes,
    cacheBytes: positive("cacheBytes", options.cacheBytes, defaultCacheBytes),
  });
}

/** setSourceMaps configures the source maps every profile written from now
 * on applies; setSourceMaps({ enabled: false }) turns them off. */
export function setSourceMaps(options: SourceMapOptions = {}): void {
  if (options === null || typeof options !== "object") throw new Error(`pprof: source map options must be an object, got ${String(options)}`);
  if (options.enabled === false) {
    setSymbolizer(undefined);
    return;
  }
  setSymbolizer(newSourceMapper(options));
}

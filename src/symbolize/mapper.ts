// mapper.ts owns turning generated frames into original ones: a bounded
// cache of decoded maps (loaded lazily, once per script), the lookup of a
// position and of the original function name in a map's `names`, and the
// per-profile account of scripts whose map could not be used. Decoding is
// @jridgewell/trace-mapping's. It does not find or read maps (find.ts).

import type { TraceMap } from "@jridgewell/trace-mapping";
import type { SourceFrame, SymbolizeSession, Symbolizer } from "../pprof/symbolizer.ts";
import { findMap, type FindOptions } from "./find.ts";
import { baseName, displayPath } from "./paths.ts";

/** TraceMapping is the @jridgewell/trace-mapping module. */
export type TraceMapping = typeof import("@jridgewell/trace-mapping");

// The adapter hands trace-mapping over (setDecoder) rather than this file
// importing it: a runtime that cannot resolve it (Deno running this
// package's files from outside a project that lists it) must still load
// and profile, with generated positions and a comment that says why.
let traceMapping: TraceMapping | undefined;
let traceMappingError = "the runtime adapter did not load it";

/** setDecoder gives the mapper trace-mapping, or the error that kept the
 * adapter from loading it. */
export function setDecoder(decoder: TraceMapping | Error): void {
  if (decoder instanceof Error) {
    traceMapping = undefined;
    traceMappingError = `it could not be loaded: ${decoder.message.split("\n")[0]}`;
  } else {
    traceMapping = decoder;
  }
}

/** MapperOptions bound the mapper: where maps come from (FindOptions) and
 * the memory its cache may hold. */
export interface MapperOptions extends FindOptions {
  /** cacheBytes bounds the cache, counted as decodedBytesPerMapByte times
   * each map's size; the least recently used maps go first. */
  readonly cacheBytes: number;
}

/** decodedBytesPerMapByte is the heap a decoded map takes per byte of its
 * JSON, measured on marked's and an esbuild bundle's maps (bench/symbolize.mjs):
 * trace-mapping keeps one small array per segment. */
export const decodedBytesPerMapByte: number = 8;

/** maxCachedScripts bounds the cache's entries, maps or not. */
export const maxCachedScripts: number = 10_000;

/** maxCommentScripts bounds the scripts a profile's comment names. */
export const maxCommentScripts: number = 20;

// An entry for a script without a usable map still costs a little.
const entryBytes = 256;

interface Entry {
  readonly map?: TraceMap;
  readonly reason?: string;
  readonly costBytes: number;
  /** retry says the entry must not be cached (the decoder was not loaded). */
  readonly retry?: boolean;
}

/** SourceMapper is a Symbolizer over source maps. */
export class SourceMapper implements Symbolizer {
  readonly #o: MapperOptions;
  readonly #cache = new Map<string, Entry>();
  #cachedBytes = 0;

  constructor(options: MapperOptions) {
    this.#o = options;
  }

  /** cachedBytes is the cache's estimated memory; cachedScripts its entries. */
  get cachedBytes(): number {
    return this.#cachedBytes;
  }
  get cachedScripts(): number {
    return this.#cache.size;
  }

  /** session starts mapping one profile's frames. */
  session(): SymbolizeSession {
    const entries = new Map<string, Entry>();
    const problems = new Map<string, string>();
    const mapped = new Set<string>();
    const uncovered = new Set<string>();
    return {
      frame: (name, url, line, column, engine) => {
        if (url === "" || line <= 0) return undefined;
        const key = (engine ? "e " : "c ") + url;
        let e = entries.get(key);
        if (e === undefined) {
          e = this.#entry(key, url, engine);
          entries.set(key, e);
        }
        if (e.reason !== undefined) problems.set(url, e.reason);
        if (e.map === undefined) return undefined;
        let f: SourceFrame | undefined;
        try {
          f = originalFrame(e.map, name, url, line, column);
        } catch (err) {
          problems.set(url, `its map is broken: ${err instanceof Error ? err.message : String(err)}`);
          return undefined;
        }
        if (f === undefined) uncovered.add(url);
        else mapped.add(url);
        return f;
      },
      comments: () => {
        for (const url of uncovered) if (!mapped.has(url)) problems.set(url, "its map covers none of the profile's positions in it (a map for another build?)");
        if (problems.size === 0) return [];
        // One line per reason, naming its scripts (the first few).
        const byReason = new Map<string, string[]>();
        for (const [url, why] of problems) {
          const list = byReason.get(why);
          if (list === undefined) byReason.set(why, [url]);
          else list.push(url);
        }
        return [...byReason].map(([why, urls]) => {
          const more = urls.length > maxCommentScripts ? ` and ${urls.length - maxCommentScripts} more` : "";
          return `symbolize: generated positions kept for ${urls.slice(0, maxCommentScripts).join(", ")}${more}: ${why}`;
        });
      },
    };
  }

  // #entry returns the cached entry for a script, loading its map once.
  #entry(key: string, url: string, engine: boolean): Entry {
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      // Map keeps insertion order: re-inserting makes it the newest.
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const e = load(url, engine, this.#o);
    if (e.retry === true) return e;
    this.#cache.set(key, e);
    this.#cachedBytes += e.costBytes;
    for (const [k, old] of this.#cache) {
      if ((this.#cachedBytes <= this.#o.cacheBytes && this.#cache.size <= maxCachedScripts) || k === key) break;
      this.#cache.delete(k);
      this.#cachedBytes -= old.costBytes;
    }
    return e;
  }
}

// load finds and decodes a script's map; it never throws.
function load(url: string, engine: boolean, o: MapperOptions): Entry {
  const tm = traceMapping;
  if (tm === undefined) return { reason: `the source map decoder (@jridgewell/trace-mapping) is unavailable: ${traceMappingError}`, costBytes: entryBytes, retry: true };
  const { AnyMap, decodedMappings } = tm;
  const found = findMap(url, engine, o);
  if (found.kind === "none") return { costBytes: entryBytes };
  if (found.kind === "error") return { reason: found.reason, costBytes: entryBytes };
  let map: TraceMap;
  try {
    let raw = found.map;
    // A map may start with )]}' to stop it being run as a script.
    if (typeof raw === "string" && raw.startsWith(")]}'")) raw = raw.slice(raw.indexOf("\n") + 1);
    const parsed = (typeof raw === "string" ? JSON.parse(raw) : raw) as { mappings?: unknown };
    // trace-mapping decodes any character as some number: a character
    // outside base64 would give a made-up position instead of an error.
    if (typeof parsed.mappings === "string" && !/^[A-Za-z0-9+/,;]*$/.test(parsed.mappings)) throw new Error("mappings has characters outside base64 VLQ");
    map = new AnyMap(parsed as string, found.mapUrl);
    // Decode now, once, so that a broken mappings string fails here.
    decodedMappings(map);
  } catch (err) {
    return { reason: `map ${found.mapUrl.startsWith("data:") ? "(inline)" : found.mapUrl} is broken: ${err instanceof Error ? err.message : String(err)}`, costBytes: entryBytes };
  }
  if (map.file != null && map.file !== "" && baseName(map.file) !== baseName(url)) {
    return { reason: `map ${found.mapUrl === url ? "(inline)" : found.mapUrl} is for ${map.file}, not ${baseName(url)}`, costBytes: entryBytes };
  }
  const bytes = found.bytes > 0 ? found.bytes : typeof found.map === "string" ? found.map.length : 0;
  return { map, costBytes: entryBytes + bytes * decodedBytesPerMapByte };
}

// Each map's sources as a profile shows them, made once: a URL parse per
// frame would cost more than the lookup itself.
const displayed = new WeakMap<TraceMap, Array<string | undefined>>();

function displayedSource(map: TraceMap, index: number): string | undefined {
  let list = displayed.get(map);
  if (list === undefined) {
    list = map.resolvedSources.map((s) => (s === null || s === undefined ? undefined : displayPath(s)));
    displayed.set(map, list);
  }
  return list[index];
}

/** originalFrame maps a generated frame (1-based line and column, V8's: a
 * function's position is its parameter list) through map; undefined when
 * the map has no segment for it. The original name is the map's name for
 * the segment at the position, or for the identifier just before it, where
 * the generated name ends (`#e(` names `#tokenizeInlines`); else the
 * generated name stays. */
export function originalFrame(map: TraceMap, name: string, url: string, line: number, column: number): SourceFrame | undefined {
  // A map exists only once trace-mapping has loaded.
  const { traceSegment, decodedMappings } = traceMapping!;
  const col = column > 0 ? column - 1 : 0;
  let seg = traceSegment(map, line - 1, col);
  if (seg === null) {
    // Before the line's first segment (or no column): the first one.
    const first = decodedMappings(map)[line - 1]?.[0];
    seg = first !== undefined && (column <= 0 || first[0] - col <= 1) ? first : null;
  }
  if (seg === null || seg.length === 1) return undefined;
  if (seg[0] < 0 || seg[1] < 0 || seg[1] >= map.resolvedSources.length || seg[2] < 0 || seg[3] < 0 || (seg.length === 5 && (seg[4] < 0 || seg[4] >= map.names.length))) {
    throw new Error(`a segment of line ${line} points outside its sources, names or lines`);
  }
  const file = displayedSource(map, seg[1]);
  if (file === undefined) return undefined;
  const origLine = seg[2] + 1;
  const origColumn = seg[3] + 1;
  let origName = name;
  if (seg.length === 5) {
    // The segment carries a name only where it starts an identifier: at
    // the position itself, or at the generated name's own identifier, which
    // ends where the position (the parameter list) begins.
    const ident = /[#$\w]*$/.exec(name)![0];
    if (seg[0] === col || (ident.length > 0 && seg[0] >= col - ident.length - 1)) origName = map.names[seg[4]] ?? name;
  }
  if (origName === name && name.startsWith("(anonymous)")) origName = `(anonymous) ${baseName(file)}:${origLine}`;
  return { name: origName, systemName: `${name} ${url}:${line}:${column}`, url: file, line: origLine, column: origColumn, startLine: origLine };
}

// synthetic.ts builds deterministic CPU-like profiles for the viewer tests:
// a layered call graph of ~3,000 functions, hot paths and a long tail, a
// `route` label and two sample types (samples, cpu). Not a mock: the bytes
// are a real profile written by our encoder, read by go tool pprof too.
import { encodeProfile, type StackSample } from "../../src/pprof/encode.ts";
import { gzip } from "../../src/host/gzip.ts";
import type { Frame } from "../../src/host/stack.ts";

export const routes = ["/catalog", "/checkout", "/search"] as const;
export const handlers = ["app.handleCatalog", "app.handleCheckout", "app.handleSearch"];

/** mulberry32 is a small seeded PRNG: the profile is the same every run. */
export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Synthetic {
  bytes: Uint8Array;
  /** totals[type][route] and totals[type].all sum the sample values. */
  totals: Array<Record<string, number>>;
  /** functions counts the distinct functions on the samples' stacks. */
  functions: number;
  samples: number;
  /** rows counts distinct (stack of functions, route): the samples that
   * differ only in a line merge into one node. */
  rows: number;
}

/** synthesize builds a CPU-like profile of exactly n distinct samples: a
 * layered call graph of ~3,000 functions, stacks 20–40 deep walked with a
 * skew towards each caller's first callees (hot paths, as real profiles
 * have), a `route` label with three values, and two sample types. */
export function synthesize(n: number, seed = 20261126, skew = 2): Synthetic {
  const rand = mulberry32(seed);
  const modules = ["http", "router", "db", "cache", "json", "render", "auth", "queue", "util", "metrics", "session", "template"];
  const classes = ["Server", "Pool", "Conn", "Codec", "Store", "Writer", "Reader", "Parser", "Buffer", "Worker", "Client", "Table", "Index", "Stream", "Node", "Batch"];
  const methods = ["handle", "get", "put", "encode", "decode", "flush", "read", "write", "parse", "lookup", "insert", "scan", "merge", "emit", "visit", "resolve", "hash", "compare", "format", "close"];
  const levels = 41;
  const perLevel = 75;
  interface Fn { name: string; url: string; startLine: number; callees: number[] }
  const fns: Fn[] = [];
  const byLevel: number[][] = [];
  for (let level = 0; level < levels; level++) {
    const ids: number[] = [];
    const count = level === 0 ? 1 : level === 1 ? 3 : perLevel;
    for (let j = 0; j < count; j++) {
      const m = modules[(level * 7 + j) % modules.length]!;
      const c = classes[(j * 5 + level) % classes.length]!;
      const name = level === 0 ? "main" : level === 1 ? handlers[j]! : `${m}.${c}.${methods[(j + level * 3) % methods.length]}${level}_${j}`;
      ids.push(fns.length);
      fns.push({ name, url: `file:///srv/app/src/${m}/${c.toLowerCase()}.js`, startLine: 1 + Math.floor(rand() * 900), callees: [] });
    }
    byLevel.push(ids);
  }
  for (let level = 0; level < levels - 1; level++) {
    for (const id of byLevel[level]!) {
      if (level === 0) {
        fns[id]!.callees = [...byLevel[1]!];
        continue;
      }
      const next = byLevel[level + 1]!;
      // Most functions call one other (wrappers, middleware): tall towers.
      const count = rand() < 0.55 ? 1 : 2 + Math.floor(rand() * 4);
      for (let j = 0; j < count; j++) fns[id]!.callees.push(next[Math.floor(rand() * next.length)]!);
    }
  }
  const frameCache = new Map<string, Frame>();
  const frame = (id: number, line: number): Frame => {
    const key = `${id}:${line}`;
    let f = frameCache.get(key);
    if (f === undefined) {
      const fn = fns[id]!;
      frameCache.set(key, (f = { functionName: fn.name, url: fn.url, line: fn.startLine + line, column: 5, startLine: fn.startLine }));
    }
    return f;
  };

  const index = new Map<string, StackSample & { values: number[] }>();
  const totals = [{ all: 0 } as Record<string, number>, { all: 0 } as Record<string, number>];
  const used = new Set<number>();
  const nodeRows = new Set<string>();
  while (index.size < n) {
    const r = rand();
    const route = r < 0.5 ? 0 : r < 0.8 ? 1 : 2;
    const depth = 20 + Math.floor(rand() * 21);
    const path = [byLevel[0]![0]!, byLevel[1]![route]!];
    const lines = [3 + route * 4];
    while (path.length < depth) {
      const callees = fns[path[path.length - 1]!]!.callees;
      // r² skews towards the first callees: a few hot paths, a long tail.
      const k = Math.floor(rand() ** skew * callees.length);
      lines.push(3 + k * 4);
      path.push(callees[k]!);
    }
    const leafLine = 2 + Math.floor(rand() * 12);
    lines.push(leafLine);
    const key = `${route}|${path.join(",")}|${leafLine}`;
    const count = rand() < 0.15 ? 2 : 1;
    const cpu = count * (route === 1 ? 20_000_000 : 10_000_000) + Math.floor(rand() * 1000);
    let s = index.get(key);
    if (s === undefined) {
      // Frames leaf first; a caller's line is its call site's.
      const frames = path.map((id, i) => frame(id, lines[i]!)).reverse();
      for (const id of path) used.add(id);
      nodeRows.add(`${route}|${path.join(",")}`);
      index.set(key, (s = { frames, values: [0, 0], labels: [["route", routes[route]!], ["shard", depth % 4, ""]] }));
    }
    s.values[0]! += count;
    s.values[1]! += cpu;
    for (const [t, v] of [[0, count], [1, cpu]] as const) {
      totals[t]!.all! += v;
      totals[t]![routes[route]!] = (totals[t]![routes[route]!] ?? 0) + v;
    }
  }
  const { proto } = encodeProfile(
    {
      sampleTypes: [["samples", "count"], ["cpu", "nanoseconds"]],
      periodType: ["cpu", "nanoseconds"],
      period: 10_000_000,
      durationNanos: 1_000_000_000_000n,
    },
    [...index.values()],
  );
  return { bytes: gzip(proto), totals, functions: used.size, samples: index.size, rows: nodeRows.size };
}


// heapprofile.ts owns turning what a runtime reports about its heap into
// heap records (a stack, objects, bytes): V8's sampling heap profile (the
// .heapprofile shape the inspector returns) and a by-type census of live
// objects (Bun's JSC heap snapshot). It also sums records across sampler
// restarts. It does not sample, encode or decide what a profile means.

import type { HeapCensus, HeapProfileNode, HeapProfileShape, ThreadPairs } from "../host/host.ts";
import type { Frame } from "../host/stack.ts";
import { frameName } from "./names.ts";

/** HeapRecord is one stack's share of the heap: the sampled objects, their
 * bytes as scaled by the runtime to stand for all the allocations they
 * represent, and the size of one object when it is known (else 0). */
export interface HeapRecord {
  readonly frames: readonly Frame[];
  readonly objects: number;
  readonly bytes: number;
  readonly objectBytes: number;
  /** thread, when set, names the thread whose heap this is (its labels). */
  readonly thread?: ThreadPairs;
}


// frameOf names a V8 call frame as the CPU converter does: the function's
// start is the only position V8's heap sampler records, so it is both the
// location's line and the function's start line.
function frameOf(node: HeapProfileNode): Frame {
  const cf = node.callFrame;
  const line = cf.lineNumber >= 0 ? cf.lineNumber + 1 : 0;
  const column = cf.columnNumber >= 0 ? cf.columnNumber + 1 : 0;
  const url = cf.url ?? "";
  const name = frameName(cf.functionName, url, line, column);
  return { functionName: name, url, line, column, startLine: line, engine: true };
}

/** knownObjectBytes returns the size of the object behind one V8 sample of
 * scaledBytes (size × round(1/(1−e^(−size/rate)))), or 0 when the size
 * cannot be told. Above 2.2 × rate only a factor of 1 is possible, so the
 * sample is one object of exactly that size; below, many (size, factor)
 * pairs give the same product (816 × 643 = 408 × 1286 at 512 KiB), and the
 * inspector reports nothing else about the object. */
export function knownObjectBytes(scaledBytes: number, rateBytes: number): number {
  return scaledBytes > 2.2 * rateBytes ? scaledBytes : 0;
}

/** recordsFromSamplingProfile converts V8's sampling heap profile into one
 * record per stack (and per object size, where known): objects is the
 * number of samples, bytes the sum of V8's scaled sizes. A profile without
 * per-sample entries falls back to each node's selfSize, with 0 objects. */
export function recordsFromSamplingProfile(profile: HeapProfileShape, rateBytes: number): HeapRecord[] {
  const head = profile.head;
  if (head === undefined || head === null || typeof head !== "object") throw new Error("pprof: heap profile has no head node");
  // Each node's frames, leaf first, built once per node from its parent's.
  const framesById = new Map<number, readonly Frame[]>();
  const nodeById = new Map<number, HeapProfileNode>();
  const stack: Array<[HeapProfileNode, readonly Frame[]]> = [[head, []]];
  while (stack.length > 0) {
    const [node, parentFrames] = stack.pop()!;
    // The root is V8's "(root)", not a frame.
    const frames = node === head ? parentFrames : [frameOf(node), ...parentFrames];
    framesById.set(node.id, frames);
    nodeById.set(node.id, node);
    const children = node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, frames]);
  }

  const records = new Map<string, { frames: readonly Frame[]; objects: number; bytes: number; objectBytes: number }>();
  const add = (nodeId: number, objects: number, bytes: number, objectBytes: number) => {
    const frames = framesById.get(nodeId);
    // V8 builds the tree first and the sample list after: what the profiler
    // itself allocates in between is sampled under nodes the tree lacks.
    if (frames === undefined) return;
    const key = `${nodeId} ${objectBytes}`;
    const r = records.get(key);
    if (r !== undefined) {
      r.objects += objects;
      r.bytes += bytes;
    } else {
      records.set(key, { frames, objects, bytes, objectBytes });
    }
  };
  if (profile.samples !== undefined) {
    for (const s of profile.samples) add(s.nodeId, 1, s.size, knownObjectBytes(s.size, rateBytes));
  } else {
    for (const [id, node] of nodeById) if (node.selfSize > 0) add(id, 0, node.selfSize, 0);
  }
  // An empty stack (samples at the root) would be an invalid pprof sample.
  return [...records.values()].filter((r) => r.frames.length > 0);
}

/** censusRoot is the frame above every type of a census: it says what the
 * stacks are not. */
export const censusRoot: Frame = { functionName: "(live objects by type: no allocation stacks)", url: "", line: 0, column: 0, startLine: 0 };

/** censusRest is the census's frame for heap bytes no type accounts for. */
export const censusRest: Frame = { functionName: "(heap bytes not attributed to a type)", url: "", line: 0, column: 0, startLine: 0 };

/** recordsFromCensus converts a by-type census into one record per type
 * (frames: the type, then censusRoot), largest first, each with its exact
 * count, bytes and average object size; the heap bytes no type accounts for
 * become one more record with 0 objects. */
export function recordsFromCensus(census: HeapCensus): HeapRecord[] {
  const types = census.types
    .filter((t) => t.objects > 0 || t.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes || b.objects - a.objects || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  const records: HeapRecord[] = types.map((t) => ({
    frames: [{ functionName: t.type, url: "", line: 0, column: 0, startLine: 0 }, censusRoot],
    objects: t.objects,
    bytes: t.bytes,
    objectBytes: t.objects > 0 ? Math.round(t.bytes / t.objects) : 0,
  }));
  const attributed = types.reduce((n, t) => n + t.bytes, 0);
  if (census.heapBytes > attributed) records.push({ frames: [censusRest, censusRoot], objects: 0, bytes: census.heapBytes - attributed, objectBytes: 0 });
  return records;
}

/** jscCensus counts a JSC heap snapshot of the "Inspector" type (Bun's
 * Bun.generateHeapSnapshot()) by class name: nodes are [id, size,
 * classNameIndex, flags] quads, sizes are each cell's own bytes. */
export function jscCensus(snapshot: { nodes?: ArrayLike<number>; nodeClassNames?: readonly string[] }, heapBytes: number): HeapCensus {
  const nodes = snapshot.nodes;
  const names = snapshot.nodeClassNames;
  if (nodes === undefined || names === undefined || nodes.length % 4 !== 0) throw new Error("pprof: not a JSC heap snapshot (want nodes as [id, size, class, flags] and nodeClassNames)");
  const objects = new Float64Array(names.length);
  const bytes = new Float64Array(names.length);
  // Node 0 is the snapshot's synthetic <root>.
  for (let i = 4; i < nodes.length; i += 4) {
    const cls = nodes[i + 2]!;
    if (cls < 0 || cls >= names.length) throw new Error(`pprof: JSC heap snapshot node ${nodes[i]} has unknown class ${cls}`);
    objects[cls]!++;
    bytes[cls]! += nodes[i + 1]!;
  }
  const types: HeapCensus["types"] = [];
  names.forEach((type, i) => {
    if (objects[i]! > 0) types.push({ type, objects: objects[i]!, bytes: bytes[i]! });
  });
  return { types, heapBytes };
}

/** jscStatsCensus counts bun:jsc heapStats()'s objectTypeCounts: live cells
 * by JSC class (every plain object is "Object"), without bytes. */
export function jscStatsCensus(stats: { objectTypeCounts?: Record<string, number> }, heapBytes: number): HeapCensus {
  const counts = stats.objectTypeCounts;
  if (counts === undefined || counts === null || typeof counts !== "object") throw new Error("pprof: not bun:jsc heapStats() (want objectTypeCounts)");
  const types = Object.entries(counts)
    .filter(([, n]) => typeof n === "number" && n > 0)
    .map(([type, objects]) => ({ type, objects, bytes: 0 }));
  return { types, heapBytes };
}

/** JscHeap is what the Bun census uses: Bun.gc, Bun.generateHeapSnapshot,
 * and bun:jsc's heapStats. */
export interface JscHeap {
  gc(force: boolean): void;
  generateHeapSnapshot(): { nodes?: ArrayLike<number>; nodeClassNames?: readonly string[] };
  heapStats(): { objectTypeCounts?: Record<string, number> };
}

/** jscHeapCensus runs a full collection, reads the heap's size with
 * heapBytes, then counts the live objects: from a heap snapshot when
 * snapshot is true, else from heapStats. The size is read first, since a
 * snapshot's own objects would count in it. */
export function jscHeapCensus(jsc: JscHeap, snapshot: boolean, heapBytes: () => number): HeapCensus {
  jsc.gc(true);
  const bytes = heapBytes();
  return snapshot ? jscCensus(jsc.generateHeapSnapshot(), bytes) : jscStatsCensus(jsc.heapStats(), bytes);
}

/** sizeClass rounds n up to one of eight classes per power of two, so that
 * distinct sizes per stack stay few (at most 8 per doubling). */
export function sizeClass(n: number): number {
  if (n <= 8) return n;
  const step = 2 ** (Math.floor(Math.log2(n)) - 3);
  return Math.ceil(n / step) * step;
}

/** HeapSums adds records up by stack (and object size), keeping first-seen
 * order: the allocs profile sums the sample sets of successive sampler
 * restarts, whose node ids differ. Memory is bounded by distinct stacks. */
export class HeapSums {
  readonly #byKey = new Map<string, { frames: readonly Frame[]; objects: number; bytes: number; objectBytes: number }>();

  /** add sums records into the totals. */
  add(records: readonly HeapRecord[]): void {
    for (const r of records) {
      // Large objects carry their exact size; keyed by it, one call site
      // allocating varying sizes would add a record per allocation. Key by
      // size class (eight per power of two), and drop a size that no longer
      // holds for the whole record.
      let key = `${sizeClass(r.objectBytes)}`;
      for (const f of r.frames) key += `\n${f.functionName}\t${f.url}\t${f.line}\t${f.column}`;
      const sum = this.#byKey.get(key);
      if (sum !== undefined) {
        sum.objects += r.objects;
        sum.bytes += r.bytes;
        if (sum.objectBytes !== r.objectBytes) sum.objectBytes = 0;
      } else {
        this.#byKey.set(key, { frames: r.frames, objects: r.objects, bytes: r.bytes, objectBytes: r.objectBytes });
      }
    }
  }

  /** records returns the totals, one record per distinct stack. */
  records(): HeapRecord[] {
    return [...this.#byKey.values()].map((r) => ({ ...r }));
  }
}

// cpuprofile.ts owns the one converter from the Chrome .cpuprofile shape
// (V8's and JSC's inspector Profiler, --cpu-prof, DevTools) into the WASM
// core, shared by every runtime, the CLI's convert and attach. It adds one
// profile chunk at a time, so long profiles can be fed in pieces. It does not
// sample and does not compress.

import type { Core, Meta } from "./core.ts";
import type { CpuProfileShape } from "../host/host.ts";
import type { LabelSet, Timeline } from "./labelset.ts";
import { StringBatch } from "./strings.ts";
import { frameName } from "./names.ts";
import { symbolizeSession, type SymbolizeSession, type Symbolizer } from "./symbolizer.ts";

/** CpuConvertOptions tunes how samples become pprof samples. */
export interface CpuConvertOptions {
  /** intervalMicros is the sampling interval asked for (pprof's period). */
  intervalMicros: number;
  /** includeIdle keeps "(idle)" samples: a wall-clock view, not CPU time. */
  includeIdle?: boolean;
  /** symbolizer maps frames to their original source (source maps); the
   * process's current one when absent, none when null. */
  symbolizer?: Symbolizer | null;
}

/** ChunkLabels matches a chunk's samples to labels: the timeline of label
 * changes, and the offset that turns its clock into the profile's clock. */
export interface ChunkLabels {
  timeline: Timeline;
  offsetMicros: number;
}

/** NodeIndex maps a node id to its index in the nodes array. */
interface NodeIndex {
  get(id: number): number | undefined;
}

/** nodeIndex indexes nodes by id: a typed array when the ids are dense
 * integers (V8 numbers them 1..n), else a Map. */
function nodeIndex(nodes: ReadonlyArray<{ id: number }>): NodeIndex {
  let max = 0;
  for (const n of nodes) {
    if (!Number.isInteger(n.id) || n.id < 0) return mapIndex(nodes);
    if (n.id > max) max = n.id;
  }
  if (max > 4 * nodes.length + 1024) return mapIndex(nodes);
  const table = new Int32Array(max + 1).fill(-1);
  nodes.forEach((n, i) => (table[n.id] = i));
  return { get: (id) => (Number.isInteger(id) && id >= 0 && id <= max && table[id]! >= 0 ? table[id] : undefined) };
}

function mapIndex(nodes: ReadonlyArray<{ id: number }>): NodeIndex {
  const m = new Map<number, number>();
  nodes.forEach((n, i) => m.set(n.id, i));
  return m;
}

// frameWordCount is the words per distinct frame in add (#pushFrame).
const frameWordCount = 6;

/** maxGapIntervals bounds the CPU time one sample may carry, in sampling
 * intervals (see add). */
export const maxGapIntervals: number = 2;


/** CpuProfileConverter accumulates CPU profile chunks in a core and writes
 * them as one pprof profile with samples/count and cpu/nanoseconds. */
export class CpuProfileConverter {
  readonly #core: Core;
  readonly #options: CpuConvertOptions;
  #labelIds = new Map<string, number>();
  #sampleCount = 0;
  readonly #symbols: SymbolizeSession | undefined;

  /** The constructor resets core and interns the profile's own strings
   * first, so that the string table starts the same in every profile. */
  constructor(core: Core, options: CpuConvertOptions) {
    this.#core = core;
    this.#options = options;
    core.reset(2);
    core.strings(["samples", "count", "cpu", "nanoseconds"]);
    this.#symbols = symbolizeSession(options.symbolizer);
  }

  /** sampleCount is the number of samples added so far (idle excluded). */
  get sampleCount(): number {
    return this.#sampleCount;
  }

  /** add converts one profile chunk into the core. It throws a "pprof:"
   * error on a malformed tree (an unknown child or sample node). */
  add(profile: CpuProfileShape, labels?: ChunkLabels): void {
    const core = this.#core;
    const nodes = profile.nodes;
    if (!Array.isArray(nodes)) throw new Error("pprof: cpuprofile has no nodes");
    const nodeCount = nodes.length;
    const indexOf = nodeIndex(nodes);

    // One location per distinct call frame; strings and frames each cross
    // into the core in one batch.
    const strings = new StringBatch();
    const str = (s: string): number => strings.add(s);
    // Frames are keyed by script and position where V8 gives them (the
    // same position is the same function): a numeric key in a map per
    // script is several times cheaper than a string key per node, and this
    // loop runs for every one of tens of thousands of nodes at stop.
    const byScript = new Map<string | number, Map<number, number>>();
    const byName = new Map<string, number>();
    const frameWords: number[] = []; // per distinct frame: frameWordCount words (#pushFrame)
    const nodeFrame = new Int32Array(nodeCount); // frame index, or -1 to leave out
    const idleNodes = new Uint8Array(nodeCount);
    for (let i = 0; i < nodeCount; i++) {
      const cf = nodes[i]!.callFrame;
      const fn = cf.functionName;
      if (fn === "(root)") {
        nodeFrame[i] = -1;
        continue;
      }
      if (fn === "(idle)") idleNodes[i] = 1;
      const line = cf.lineNumber >= 0 ? cf.lineNumber + 1 : 0;
      const column = cf.columnNumber >= 0 ? cf.columnNumber + 1 : 0;
      const url = cf.url ?? "";
      // Pseudo-frames ((program), (garbage collector)) share script 0 and no
      // position, and other tools' profiles may lack script ids: key those
      // by name and URL.
      const script = cf.scriptId;
      let positions: Map<number, number> | undefined;
      let position = 0;
      let nameKey = "";
      if (script !== undefined && script !== "0" && script !== 0 && line > 0 && column < 1 << 20) {
        positions = byScript.get(script);
        if (positions === undefined) byScript.set(script, (positions = new Map()));
        position = line * (1 << 20) + column;
      } else {
        nameKey = `${fn}\n${url}\n${line}\n${column}`;
      }
      let f = positions !== undefined ? positions.get(position) : byName.get(nameKey);
      if (f === undefined) {
        f = frameWords.length / frameWordCount;
        if (positions !== undefined) positions.set(position, f);
        else byName.set(nameKey, f);
        const name = frameName(fn, url, line, column);
        this.#pushFrame(frameWords, str, name, url, line, column);
      }
      nodeFrame[i] = f;
    }
    const stringIds = core.strings(strings.list);
    const frameCount = frameWords.length / frameWordCount;
    // Function: name, system name, file, start line.
    const fnWords = new Uint32Array(frameCount * 4);
    for (let f = 0; f < frameCount; f++) {
      const w = f * frameWordCount;
      fnWords[f * 4] = stringIds[frameWords[w]!]!;
      fnWords[f * 4 + 1] = stringIds[frameWords[w + 1]!]!;
      fnWords[f * 4 + 2] = stringIds[frameWords[w + 2]!]!;
      fnWords[f * 4 + 3] = frameWords[w + 5]!;
    }
    const fnIds = core.functions(fnWords, frameCount);
    const locWords = new Uint32Array(frameCount * 3);
    for (let f = 0; f < frameCount; f++) {
      locWords[f * 3] = fnIds[f]!;
      locWords[f * 3 + 1] = frameWords[f * frameWordCount + 3]!;
      locWords[f * 3 + 2] = frameWords[f * frameWordCount + 4]!;
    }
    const locIds = core.locations(locWords, frameCount);

    // The tree: parent index + 1 and location id per node.
    const tree = new Uint32Array(nodeCount * 2);
    for (let i = 0; i < nodeCount; i++) {
      const f = nodeFrame[i]!;
      tree[i * 2 + 1] = f < 0 ? 0 : locIds[f]!;
    }
    for (let i = 0; i < nodeCount; i++) {
      const n = nodes[i]!;
      if (n.parent !== undefined) {
        const p = indexOf.get(n.parent);
        if (p === undefined) throw new Error(`pprof: cpuprofile node ${n.id} has unknown parent ${n.parent}`);
        tree[i * 2] = p + 1;
      }
      if (n.children !== undefined) {
        for (const c of n.children) {
          const ci = indexOf.get(c);
          if (ci === undefined) throw new Error(`pprof: cpuprofile node ${n.id} has unknown child ${c}`);
          tree[ci * 2] = i + 1;
        }
      }
    }

    // Samples: each one's CPU time is the time until the next sample (the
    // last one's, until the profile's end); never the nominal interval,
    // since V8 adds samples under GC pressure. A gap longer than
    // maxGapIntervals intervals is capped: the sampler ticks on wall time, so
    // such a gap means the thread was not running (descheduled on a busy
    // machine), and wall time is not CPU time.
    const maxGapMicros = maxGapIntervals * this.#options.intervalMicros;
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    const count = samples.length;
    const sampleWords = new Uint32Array(count * 2);
    const values = new Float64Array(count * 2);
    const timeline = labels?.timeline;
    let t = profile.startTime;
    let next = count > 0 ? t + (deltas[0] ?? 0) : t;
    let mark = 0; // timeline entry in force at the current sample
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const at = next;
      next = i + 1 < count ? at + (deltas[i + 1] ?? 0) : Math.max(at, profile.endTime);
      const node = indexOf.get(samples[i]!);
      if (node === undefined) throw new Error(`pprof: cpuprofile sample ${i} has unknown node ${samples[i]}`);
      if (idleNodes[node] === 1 && this.#options.includeIdle !== true) continue;
      let labelSet = 0;
      if (timeline !== undefined) {
        const local = at - labels!.offsetMicros;
        while (mark + 1 < timeline.length && timeline.times[mark + 1]! <= local) mark++;
        const id = timeline.times[mark]! <= local ? timeline.ids[mark]! : 0;
        if (id !== 0) labelSet = this.#labelSetId(timeline.sets[id]!);
      }
      sampleWords[kept * 2] = node;
      sampleWords[kept * 2 + 1] = labelSet;
      values[kept * 2] = 1;
      values[kept * 2 + 1] = Math.round(Math.min(Math.max(0, next - at), maxGapMicros) * 1000);
      kept++;
    }
    core.treeSamples(tree, nodeCount, sampleWords, kept, values, 2);
    this.#sampleCount += kept;
  }

  // #pushFrame appends a distinct frame's words: name, system name, file,
  // line, column, function start line. V8's call frames give the function's
  // position, so the function starts at the frame's line; a source map, when
  // the symbolizer has one, turns all of it into the original source's, and
  // keeps the generated name and position as the system name.
  #pushFrame(words: number[], str: (s: string) => number, name: string, url: string, line: number, column: number): void {
    const m = this.#symbols?.frame(name, url, line, column, true);
    if (m !== undefined) words.push(str(m.name), str(m.systemName), str(m.url), m.line, m.column, m.startLine);
    else words.push(str(name), str(name), str(url), line, column, line);
  }

  // #labelSetId interns a label set in the core once per profile (chunks
  // number their sets afresh, so sets are matched by content).
  #labelSetId(set: LabelSet): number {
    let coreId = this.#labelIds.get(set.key);
    if (coreId === undefined) {
      const s = this.#core.strings(set.list.flat());
      coreId = this.#core.labelSets([set.list.map((_, i) => [s[i * 2]!, s[i * 2 + 1]!, 0, 0] as const)])[0]!;
      this.#labelIds.set(set.key, coreId);
    }
    return coreId;
  }

  /** finish writes the profile (uncompressed Profile message). */
  finish(timeNanos: bigint, durationNanos: bigint, comments: readonly string[] = []): Uint8Array {
    const core = this.#core;
    const s = core.strings(["samples", "count", "cpu", "nanoseconds", ...comments, ...(this.#symbols?.comments() ?? [])]);
    const meta: Meta = {
      sampleTypes: [[s[0]!, s[1]!], [s[2]!, s[3]!]],
      periodType: [s[2]!, s[3]!],
      period: BigInt(Math.round(this.#options.intervalMicros * 1000)),
      timeNanos,
      durationNanos,
      defaultSampleType: 0,
      docUrl: 0,
      mappingFile: 0,
      comments: [...s.slice(4)],
    };
    return core.build(meta);
  }
}

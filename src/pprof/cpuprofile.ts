// cpuprofile.ts owns the one converter from the Chrome .cpuprofile shape
// (V8's and JSC's inspector Profiler, --cpu-prof, DevTools) into the WASM
// core, shared by every runtime, the CLI's convert and attach. It adds one
// profile chunk at a time, so long profiles can be fed in pieces. It does not
// sample and does not compress.

import type { Core, Meta } from "./core.ts";
import { LabelSet, type Timeline } from "./labelset.ts";
import { StringBatch } from "./strings.ts";
import { host, type CpuProfileShape } from "../host/host.ts";
import { frameName } from "./names.ts";
import { symbolizeSession, type SymbolizeSession, type Symbolizer } from "./symbolizer.ts";

/** CpuConvertOptions tunes how samples become pprof samples. */
export interface CpuConvertOptions {
  /** intervalMicros is the sampling interval asked for (pprof's period). */
  intervalMicros: number;
  /** includeIdle keeps "(idle)" samples: a wall-clock view, not CPU time. */
  includeIdle?: boolean;
  /** ownScriptUrls are the script URL prefixes of anyprof's own code, whose
   * frames fold into one "(anyprof)" frame; default host.ownScriptUrls. */
  ownScriptUrls?: readonly string[];
  /** lineLevel splits each leaf's samples across the lines V8 and JSC
   * report (positionTicks); default true. */
  lineLevel?: boolean;
  /** symbolizer maps frames to their original source (source maps); the
   * process's current one when absent, none when null. */
  symbolizer?: Symbolizer | null;
}

// withThread returns list plus the thread's pairs whose keys list lacks,
// as a LabelSet (sorted by key).
function withThread(list: ReadonlyArray<readonly [string, string]>, thread: ReadonlyArray<readonly [string, string]>): LabelSet {
  const merged = [...list, ...thread.filter(([k]) => !list.some(([lk]) => lk === k))];
  merged.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return LabelSet.of(merged);
}

// frameWordCount is the words per distinct frame in add (#pushFrame): name,
// system name, file, line, column, function start line.
const frameWordCount = 6;

/** ChunkLabels matches a chunk's samples to labels: the timeline of label
 * changes, and the offset that turns its clock into the profile's clock. */
export interface ChunkLabels {
  timeline: Timeline;
  offsetMicros: number;
  /** thread, when given, labels every sample of the chunk (the thread that
   * ran it, e.g. [["thread", "pool (#3)"]]); a timeline set's own pair of
   * the same key wins. */
  thread?: ReadonlyArray<readonly [string, string]>;
}

/** ChunkCpu is the sampled thread's CPU clock read during a chunk: at
 * timesMicros (the host clock, like the label timeline) it had used
 * cpuMicros. offsetMicros turns the profile's clock into the host's. The
 * first reading is at or before the chunk's first sample, the last at or
 * after its last but for moments; samples outside are charged to the
 * nearest window. */
export interface ChunkCpu {
  timesMicros: readonly number[];
  cpuMicros: readonly number[];
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

/** maxGapIntervals bounds the CPU time one sample may carry, in sampling
 * intervals (see add). */
export const maxGapIntervals: number = 2;

/** ownFrameName is the one frame anyprof's own work is folded into. */
export const ownFrameName: string = "(anyprof)";

// isOwnUrl reports whether a script URL is one of anyprof's own.
function isOwnUrl(url: string, prefixes: readonly string[]): boolean {
  if (url === "") return false;
  for (const p of prefixes) if (url.startsWith(p)) return true;
  return false;
}

// isRuntimeInternal reports whether a frame is the runtime's own code
// (Node's "node:", Deno's "ext:", Bun's natives with no script), which is
// charged to whoever called it. Pseudo-frames such as "(garbage
// collector)" are not: V8 puts them at the root, the engine's own time.
function isRuntimeInternal(url: string, functionName: string): boolean {
  if (url === "") return !functionName.startsWith("(");
  return /^(?:node|ext|bun|builtin|internal):/.test(url);
}


/** CpuProfileConverter accumulates CPU profile chunks in a core and writes
 * them as one pprof profile with samples/count and cpu/nanoseconds. */
export class CpuProfileConverter {
  readonly #core: Core;
  readonly #options: CpuConvertOptions;
  readonly #ownPrefixes: readonly string[] | undefined;
  #labelIds = new Map<string, number>();
  #sampleCount = 0;
  #cpuClockMicros = 0;
  #cpuUnsampledMicros = 0;
  #cpuRead = false;
  readonly #symbols: SymbolizeSession | undefined;

  /** The constructor resets core and interns the profile's own strings
   * first, so that the string table starts the same in every profile. */
  constructor(core: Core, options: CpuConvertOptions) {
    this.#core = core;
    this.#options = options;
    this.#ownPrefixes = options.ownScriptUrls ?? host.ownScriptUrls;
    core.reset(3);
    core.strings(["samples", "count", "cpu", "nanoseconds", "wall"]);
    this.#symbols = symbolizeSession(options.symbolizer);
  }

  /** sampleCount is the number of samples added so far (idle excluded). */
  get sampleCount(): number {
    return this.#sampleCount;
  }

  /** add converts one profile chunk into the core. It throws a "pprof:"
   * error on a malformed tree (an unknown child or sample node). */
  add(profile: CpuProfileShape, labels?: ChunkLabels, cpu?: ChunkCpu): void {
    const core = this.#core;
    const nodes = profile.nodes;
    if (!Array.isArray(nodes)) throw new Error("pprof: cpuprofile has no nodes");
    const nodeCount = nodes.length;
    const indexOf = nodeIndex(nodes);

    // Parent of each node, from children lists or DevTools' parent links.
    const parentOf = new Int32Array(nodeCount).fill(-1);
    for (let i = 0; i < nodeCount; i++) {
      const n = nodes[i]!;
      if (n.parent !== undefined) {
        const p = indexOf.get(n.parent);
        if (p === undefined) throw new Error(`pprof: cpuprofile node ${n.id} has unknown parent ${n.parent}`);
        parentOf[i] = p;
      }
      if (n.children !== undefined) {
        for (const c of n.children) {
          const ci = indexOf.get(c);
          if (ci === undefined) throw new Error(`pprof: cpuprofile node ${n.id} has unknown child ${c}`);
          parentOf[ci] = i;
        }
      }
    }
    const own = this.#ownNodes(nodes, parentOf);

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
      if (own !== undefined && own[i] !== 0) {
        // A run of anyprof's frames (and what they call in the runtime) is
        // one "(anyprof)" frame: its top node carries it, the rest are left out.
        const p = parentOf[i]!;
        if (p >= 0 && own[p] !== 0) {
          nodeFrame[i] = -1;
          continue;
        }
        let f = byName.get(ownFrameName);
        if (f === undefined) {
          f = frameWords.length / frameWordCount;
          byName.set(ownFrameName, f);
          frameWords.push(str(ownFrameName), str(ownFrameName), str(""), 0, 0, 0);
        }
        nodeFrame[i] = f;
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

    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    const count = samples.length;
    const lines = this.#options.lineLevel === false ? undefined : leafLines(nodes, nodeFrame, own, indexOf, samples, frameWords, fnIds, core);

    // The tree: parent index + 1 and location id per node, then the
    // line-level leaves (siblings of their node: callers are unchanged).
    const treeCount = nodeCount + (lines?.leafCount ?? 0);
    const tree = new Uint32Array(treeCount * 2);
    for (let i = 0; i < nodeCount; i++) {
      const f = nodeFrame[i]!;
      tree[i * 2] = parentOf[i]! + 1;
      tree[i * 2 + 1] = f < 0 ? 0 : locIds[f]!;
    }
    if (lines !== undefined) {
      for (let v = 0; v < lines.leafCount; v++) {
        tree[(nodeCount + v) * 2] = parentOf[lines.leafNode[v]!]! + 1;
        tree[(nodeCount + v) * 2 + 1] = lines.leafLocation[v]!;
      }
    }

    // Samples: each one's CPU time is the time until the next sample (the
    // last one's, until the profile's end); never the nominal interval,
    // since V8 adds samples under GC pressure. A gap longer than
    // maxGapIntervals intervals is capped: the sampler ticks on wall time, so
    // such a gap means the thread was not running (descheduled on a busy
    // machine), and wall time is not CPU time. Where the thread's CPU clock
    // was read (cpu), that time only weighs the samples of each window
    // between two readings, which share the CPU the thread really used.
    // wall/nanoseconds is the time until the next sample, uncapped.
    const valueCount = 3;
    const maxGapMicros = maxGapIntervals * this.#options.intervalMicros;
    const sampleWords = new Uint32Array(count * 2);
    const values = new Float64Array(count * valueCount);
    const sampleHostMicros = cpu !== undefined ? new Float64Array(count) : undefined;
    const timeline = labels?.timeline;
    const thread = labels?.thread;
    // threadSetIds caches, per timeline set id, the core id of that set
    // with the thread's pairs added.
    const threadSetIds: number[] = [];
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
        if (thread !== undefined) labelSet = threadSetIds[id] ??= this.#labelSetId(withThread(id !== 0 ? timeline.sets[id]!.list : [], thread));
        else if (id !== 0) labelSet = this.#labelSetId(timeline.sets[id]!);
      } else if (thread !== undefined) {
        labelSet = threadSetIds[0] ??= this.#labelSetId(withThread([], thread));
      }
      sampleWords[kept * 2] = lines !== undefined ? lines.deal(node) : node;
      sampleWords[kept * 2 + 1] = labelSet;
      const gapMicros = Math.max(0, next - at);
      values[kept * valueCount] = 1;
      // Idle samples use no CPU; the others until the next sample, capped.
      values[kept * valueCount + 1] = idleNodes[node] === 1 && cpu !== undefined ? 0 : Math.round(Math.min(gapMicros, maxGapMicros) * 1000);
      values[kept * valueCount + 2] = Math.round(gapMicros * 1000);
      if (sampleHostMicros !== undefined) sampleHostMicros[kept] = at - cpu!.offsetMicros;
      kept++;
    }
    if (cpu !== undefined) this.#chargeCpu(cpu, values, sampleHostMicros!, kept);
    core.treeSamples(tree, treeCount, sampleWords, kept, values, valueCount);
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

  // #chargeCpu replaces each sample's CPU estimate (its capped gap) by its
  // share of the CPU the thread used in the window between the two clock
  // readings around it, in proportion to those estimates. A window's CPU
  // with no sample to carry it (the thread ran between two idle samples)
  // is left out, and counted in cpuUnsampledMicros.
  #chargeCpu(cpu: ChunkCpu, values: Float64Array, atMicros: Float64Array, count: number): void {
    this.#cpuRead = true;
    const times = cpu.timesMicros;
    const used = cpu.cpuMicros;
    const windows = times.length - 1;
    this.#cpuClockMicros += windows >= 1 ? Math.max(0, used[windows]! - used[0]!) : 0;
    if (windows < 1) return;
    const windowOf = new Int32Array(count);
    const weight = new Float64Array(windows);
    let w = 0;
    for (let k = 0; k < count; k++) {
      // Samples come in time order: the window only moves forward.
      while (w + 1 < windows && atMicros[k]! >= times[w + 1]!) w++;
      windowOf[k] = w;
      weight[w]! += values[k * 3 + 1]!;
    }
    for (let k = 0; k < count; k++) {
      const i = windowOf[k]!;
      const windowCpu = Math.max(0, used[i + 1]! - used[i]!);
      values[k * 3 + 1] = weight[i]! > 0 ? Math.round((windowCpu * 1000 * values[k * 3 + 1]!) / weight[i]!) : 0;
    }
    for (let i = 0; i < windows; i++) if (weight[i] === 0) this.#cpuUnsampledMicros += Math.max(0, used[i + 1]! - used[i]!);
  }

  /** cpuClockMicros is the thread CPU time the clock readings given to add
   * spanned; cpuUnsampledMicros the part of it no sample could carry. */
  get cpuClockMicros(): number {
    return this.#cpuClockMicros;
  }
  get cpuUnsampledMicros(): number {
    return this.#cpuUnsampledMicros;
  }

  // #ownNodes marks the nodes that are anyprof's own work: a frame of its
  // scripts, or a runtime-internal frame ("node:…", "ext:…", native) called
  // from one (AsyncLocalStorage.getStore under the label hook, the
  // inspector's post under the sampler's start). Undefined when anyprof's
  // scripts are unknown.
  #ownNodes(nodes: CpuProfileShape["nodes"], parentOf: Int32Array): Uint8Array | undefined {
    const prefixes = this.#ownPrefixes;
    if (prefixes === undefined || prefixes.length === 0) return undefined;
    const n = nodes.length;
    // 0 unknown, 1 not ours, 2 ours, 3 on the path being resolved.
    const state = new Uint8Array(n);
    const path: number[] = [];
    for (let i = 0; i < n; i++) {
      // Runtime-internal frames take their caller's side: walk up through
      // them to the first frame that decides, then settle the whole path.
      let j = i;
      let ours = false;
      for (;;) {
        if (j < 0) break;
        const st = state[j];
        if (st === 1 || st === 2) {
          ours = st === 2;
          break;
        }
        // Already on the path: a cycle, which the core reports.
        if (st === 3) break;
        const cf = nodes[j]!.callFrame;
        const url = cf.url ?? "";
        if (isOwnUrl(url, prefixes)) {
          state[j] = 2;
          ours = true;
          break;
        }
        if (!isRuntimeInternal(url, cf.functionName)) {
          state[j] = 1;
          break;
        }
        state[j] = 3;
        path.push(j);
        j = parentOf[j]!;
      }
      for (const m of path) state[m] = ours ? 2 : 1;
      path.length = 0;
    }
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = state[i] === 2 ? 1 : 0;
    return out;
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

  // #comments says what the profile's numbers are: where anyprof's own
  // frames could not be told apart.
  #comments(): string[] {
    const out: string[] = [];
    if (this.#ownPrefixes === undefined) out.push("anyprof: its own frames are not folded into (anyprof): its scripts are not known (bundled into the application?)");
    if (this.#sampleCount > 0 && this.#cpuClockMicros === 0 && !this.#cpuRead) {
      out.push(`cpu/nanoseconds: no thread CPU clock was read: each sample counts the time until the next, capped at ${maxGapIntervals} intervals, which is wall time while the thread waits for a core`);
    }
    return out;
  }

  /** finish writes the profile (uncompressed Profile message). */
  finish(timeNanos: bigint, durationNanos: bigint, comments: readonly string[] = []): Uint8Array {
    const core = this.#core;
    const s = core.strings(["samples", "count", "cpu", "nanoseconds", "wall", ...this.#comments(), ...comments, ...(this.#symbols?.comments() ?? [])]);
    const meta: Meta = {
      // cpu is the default view (go tool pprof would take the last type,
      // wall, without default_sample_type).
      sampleTypes: [[s[0]!, s[1]!], [s[2]!, s[3]!], [s[4]!, s[3]!]],
      periodType: [s[2]!, s[3]!],
      period: BigInt(Math.round(this.#options.intervalMicros * 1000)),
      timeNanos,
      durationNanos,
      defaultSampleType: s[2]!,
      docUrl: 0,
      mappingFile: 0,
      comments: [...s.slice(5)],
    };
    return core.build(meta);
  }
}

/** LeafLines is the line-level split of a chunk's leaves: extra tree nodes
 * (siblings of the node they split, at one of its lines) and deal, which
 * picks the tree node each sample of a node goes to. */
interface LeafLines {
  leafCount: number;
  leafNode: number[];
  leafLocation: Uint32Array;
  deal(node: number): number;
}

interface Split {
  targets: number[]; // tree node per category, in line order
  weights: number[]; // ticks per category (the function line's last: its own plus the unplaced)
  credit: Float64Array; // each category's running credit (smooth weighted round robin)
  total: number; // Σ weights
}

/** leafLines splits each node's own samples across the lines of its
 * function that the engine saw them on (V8's and JSC's positionTicks: line
 * → ticks). The split is exact per line in aggregate: a node with n samples
 * and ticks t₁…tₖ on lines l₁…lₖ (Σt = n for V8) gives each line its ticks.
 * The engine does not say which sample was on which line, so samples are
 * dealt out in time order, interleaved by smooth weighted round robin (each
 * sample, every category gains its ticks in credit; the richest takes the
 * sample and pays T): every stretch of consecutive samples gives each line
 * its share within about one sample, and so does every label set whose
 * samples are such stretches. (Dealing in blocks, the first t₁ samples to
 * line l₁ and so on, gave a label set the lines of the time it ran in: a
 * route that ran in the first third of a profile got all of a 1:2
 * function's first line.) Samples the engine placed on no
 * line (JSC's optimizing tiers; V8's samples that count no tick: n > Σt)
 * stay at the function's line. Undefined when no node has a line of its
 * own. */
function leafLines(
  nodes: CpuProfileShape["nodes"],
  nodeFrame: Int32Array,
  own: Uint8Array | undefined,
  indexOf: NodeIndex,
  samples: readonly number[],
  frameWords: readonly number[],
  fnIds: Uint32Array,
  core: Core,
): LeafLines | undefined {
  const nodeCount = nodes.length;
  const counts = new Int32Array(nodeCount);
  for (const id of samples) {
    const i = indexOf.get(id);
    if (i !== undefined) counts[i]!++;
  }
  const splitOf = new Int32Array(nodeCount).fill(-1);
  const splits: Split[] = [];
  const leafNode: number[] = [];
  const locWords: number[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const ticks = nodes[i]!.positionTicks;
    const f = nodeFrame[i]!;
    if (ticks === undefined || ticks.length === 0 || counts[i] === 0 || f < 0 || own?.[i] === 1) continue;
    // V8 may list a line once per code object (Deno does): add them up.
    const byLine = new Map<number, number>();
    for (const { line, ticks: n } of ticks) {
      if (Number.isInteger(line) && line > 0 && n > 0) byLine.set(line, (byLine.get(line) ?? 0) + n);
    }
    // A frame a source map moved keeps its samples at its (original)
    // function line: positionTicks count generated lines, which the map
    // does not give a column to place.
    const w = f * frameWordCount;
    if (frameWords[w + 1] !== frameWords[w]) continue;
    const functionLine = frameWords[w + 3]!;
    const lines = [...byLine.keys()].sort((a, b) => a - b);
    if (lines.length === 0 || (lines.length === 1 && lines[0] === functionLine)) continue;
    const targets: number[] = [];
    const weights: number[] = [];
    let total = 0;
    for (const line of lines) {
      total += byLine.get(line)!;
      weights.push(byLine.get(line)!);
      if (line === functionLine) {
        targets.push(i);
      } else {
        targets.push(nodeCount + leafNode.length);
        leafNode.push(i);
        locWords.push(fnIds[f]!, line, 0);
      }
    }
    // Samples the engine gave no line stay at the function's line: JSC's
    // optimizing tiers give none, and V8 records samples that count no
    // tick (hitCount < samples: 785 samples for 445 ticks on a busy
    // machine, measured), whose lines it does not give either.
    const unplaced = counts[i]! - total;
    if (unplaced > 0) {
      weights.push(unplaced);
      targets.push(i);
    }
    splitOf[i] = splits.length;
    splits.push({ targets, weights, credit: new Float64Array(weights.length), total: total + Math.max(0, unplaced) });
  }
  if (splits.length === 0) return undefined;
  const leafLocation = core.locations(Uint32Array.from(locWords), leafNode.length);
  return {
    leafCount: leafNode.length,
    leafNode,
    leafLocation,
    deal(node: number): number {
      const k = splitOf[node]!;
      if (k < 0) return node;
      // Smooth weighted round robin: over T samples each category takes
      // exactly its weight, spread as evenly as integers allow; ties go
      // to the lower line, so the same profile deals the same way.
      const s = splits[k]!;
      const credit = s.credit;
      let best = 0;
      for (let c = 0; c < credit.length; c++) {
        credit[c]! += s.weights[c]!;
        if (credit[c]! > credit[best]!) best = c;
      }
      credit[best]! -= s.total;
      return s.targets[best]!;
    },
  };
}

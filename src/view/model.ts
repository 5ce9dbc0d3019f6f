// model.ts owns the view page's data: it turns a decoded profile (and, for a
// diff, a decoded base profile) into the compact model the page's script
// reads (page.ts). It knows pprof's meaning of a diff (-diff_base, with
// -normalize) and nothing of drawing; it reads no files (sources are given).
//
// The model is one merged call tree for every sample type and label set:
// nodes in preorder (root first, children heaviest first), each a function
// (name + file) with the line that carries most of its value; the samples
// re-aggregated as (node, label set, base?) rows with one value per sample
// type; and, for the source view, per (function, line, label set, base?)
// flat and cumulative values. The page sums rows into nodes for the chosen
// sample type and filters in linear passes. Numeric columns are LEB128
// varints (zigzag where a value may be negative, deltas where sorted),
// gzip-compressed and base64-encoded in a JSON block, so that a million
// samples stay a few MB and decode in milliseconds.

import type { Decoded, DecodedFrame, DecodedSample } from "../pprof/decode.ts";
import { gzip } from "../host/gzip.ts";

/** maxLabelValues bounds the values of one label key kept in the model: a
 * key with more (a request id) is left out of the label sets, since one set
 * per value would make the model as large as the samples. */
export const maxLabelValues = 256;

/** ViewData is the model embedded in the page, as JSON: small tables as
 * arrays, the large per-node, per-row and per-line columns as varints,
 * gzip-compressed (the page inflates them with DecompressionStream) and
 * base64-encoded. */
export interface ViewData {
  version: 2;
  title: string;
  sampleTypes: Array<{ type: string; unit: string }>;
  /** defaultType is the sample type shown first: the profile's default, else
   * the last one, as pprof picks. */
  defaultType: number;
  /** durationNanos is the profile's duration, shown beside the title. */
  durationNanos: number;
  /** diff is true when rows with base=1 come from a base profile, whose
   * values the page subtracts (pprof's -diff_base). */
  diff: boolean;
  /** normalized is true when the new profile's values were scaled so that
   * each sample type sums to the base's (pprof's -normalize). */
  normalized: boolean;
  /** strings holds function names, files, label keys and label values. */
  strings: string[];
  /** funcName and funcFile are string indexes per function; function 0 is
   * the synthetic root. */
  funcName: number[];
  funcFile: number[];
  /** funcLine is each function's base line: node lines are deltas from it. */
  funcLine: number[];
  /** labelSets are flat [key, value, key, value, …] string-index lists;
   * set 0 is the empty set. */
  labelSets: number[][];
  /** numericLabelKeys are the keys whose values are numbers (pprof's
   * num labels): the page offers <= and >= on them. */
  numericLabelKeys: string[];
  /** droppedLabelKeys had more than maxLabelValues values: they are not in
   * the label sets (the page says so). */
  droppedLabelKeys: string[];
  nodes: number;
  rows: number;
  lineRows: number;
  /** columns names the columns in packed, in order, with their lengths in
   * bytes. Per node, in preorder: depth (zigzag delta from the previous
   * node's), func, line (zigzag delta from the function's base line; the
   * line carrying most of the node's value), lines (how many distinct lines
   * the node merges). Per row, sorted by node: rowNode (delta), rowSet,
   * rowBase (diff only), value0… (zigzag, one per sample type). Per line
   * row, sorted by function: lrFunc (delta), lrLine (zigzag), lrSet, lrBase
   * (diff only), lrFlat0…, lrCum0… (zigzag). */
  columns: Array<[name: string, bytes: number]>;
  /** packed is base64 of the gzip of the columns' varints, one after another. */
  packed: string;
  /** sources maps a function's file to its text, for the source view; files
   * not in it show file:line only. */
  sources: Record<string, string>;
}

/** ViewDataOptions configure viewData. */
export interface ViewDataOptions {
  title: string;
  /** base is subtracted, as pprof's -diff_base. */
  base?: Decoded;
  /** normalize scales the profile to the base's totals first (-normalize). */
  normalize?: boolean;
  /** sources maps file names (as in the profile) to their text. */
  sources?: Record<string, string>;
}

/** goRound rounds half away from zero, as Go's math.Round. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** normalizeSamples scales samples so that each sample type sums to the
 * base's, dropping samples whose scaled values are all zero: pprof's
 * Profile.Normalize followed by ScaleN. */
export function normalizeSamples(samples: readonly DecodedSample[], base: readonly DecodedSample[], types: number): DecodedSample[] {
  const baseSum = new Array<number>(types).fill(0);
  const newSum = new Array<number>(types).fill(0);
  for (const s of base) for (let t = 0; t < types; t++) baseSum[t]! += s.values[t] ?? 0;
  for (const s of samples) for (let t = 0; t < types; t++) newSum[t]! += s.values[t] ?? 0;
  const ratio = newSum.map((n, t) => (n === 0 ? 0 : baseSum[t]! / n));
  if (ratio.every((r) => r === 1)) return [...samples];
  const out: DecodedSample[] = [];
  for (const s of samples) {
    let keep = false;
    const values = s.values.map((v, t) => {
      if (ratio[t] === 1) return v;
      const x = goRound(v * ratio[t]!);
      keep ||= x !== 0;
      return x;
    });
    if (keep) out.push({ ...s, values });
  }
  return out;
}

/** checkBase throws unless base has the profile's sample types, as pprof's
 * compatibility check. */
export function checkBase(p: Decoded, base: Decoded): void {
  const a = p.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(", ");
  const b = base.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(", ");
  if (a !== b) throw new Error(`pprof: incompatible sample types ${b} and ${a}`);
}

/** sourceFiles lists the distinct files of the profile's frames, for a
 * caller that can read them (the CLI) to pass back as sources. */
export function sourceFiles(p: Decoded): string[] {
  const files = new Set<string>();
  const seen = new Set<DecodedFrame>();
  for (const s of p.samples) {
    for (const f of s.frames) {
      if (seen.has(f)) continue;
      seen.add(f);
      if (f.file !== "") files.add(f.file);
    }
  }
  return [...files].sort();
}

/** defaultTypeOf is the sample type pprof shows first. */
export function defaultTypeOf(p: Decoded): number {
  if (p.defaultSampleType !== "") {
    const i = p.sampleTypes.findIndex((t) => t.type === p.defaultSampleType);
    if (i >= 0) return i;
  }
  return p.sampleTypes.length - 1;
}

/** viewData builds the page's model from a decoded profile. It throws
 * "pprof: …" for a base profile of other sample types. */
export function viewData(p: Decoded, options: ViewDataOptions): ViewData {
  const k = p.sampleTypes.length;
  const defaultType = defaultTypeOf(p);
  const base = options.base;
  if (base !== undefined) checkBase(p, base);
  const newSamples = base !== undefined && options.normalize === true ? normalizeSamples(p.samples, base.samples, k) : p.samples;
  const inputs: Array<[samples: readonly DecodedSample[], isBase: number]> = [[newSamples, 0]];
  if (base !== undefined) inputs.push([base.samples, 1]);

  const strings = new Interner();
  // Functions: (name, file) pairs; 0 is the root.
  const funcIndex = new Map<string, number>();
  const funcName: number[] = [strings.add("root")];
  const funcFile: number[] = [strings.add("")];
  const funcLine: number[] = [0];
  const frameFunc = new Map<DecodedFrame, number>();
  const funcOf = (f: DecodedFrame): number => {
    let id = frameFunc.get(f);
    if (id === undefined) {
      const key = `${f.name}\n${f.file}`;
      id = funcIndex.get(key);
      if (id === undefined) {
        id = funcName.length;
        funcIndex.set(key, id);
        funcName.push(strings.add(f.name));
        funcFile.push(strings.add(f.file));
        funcLine.push(f.line);
      }
      frameFunc.set(f, id);
    }
    return id;
  };

  // Label sets: keys with too many values are dropped first, so that sets
  // differing only in them merge.
  const valuesOfKey = new Map<string, Set<string>>();
  const numericKeys = new Set<string>();
  for (const [samples] of inputs) {
    for (const s of samples) {
      for (const key in s.labels) {
        const value = s.labels[key]!;
        if (typeof value === "number") numericKeys.add(key);
        let set = valuesOfKey.get(key);
        if (set === undefined) valuesOfKey.set(key, (set = new Set()));
        if (set.size <= maxLabelValues) set.add(String(value));
      }
    }
  }
  const droppedLabelKeys = [...valuesOfKey].filter(([, v]) => v.size > maxLabelValues).map(([key]) => key).sort();
  const dropped = new Set(droppedLabelKeys);
  const labelSetIndex = new Map<string, number>([["", 0]]);
  const labelSets: number[][] = [[]];
  const setOf = (labels: Record<string, string | number>): number => {
    const pairs: Array<[string, string]> = [];
    for (const key in labels) if (!dropped.has(key)) pairs.push([key, String(labels[key])]);
    if (pairs.length === 0) return 0;
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const key = pairs.map(([a, b]) => `${a}\u0000${b}`).join("\u0001");
    let id = labelSetIndex.get(key);
    if (id === undefined) {
      id = labelSets.length;
      labelSetIndex.set(key, id);
      labelSets.push(pairs.flatMap(([a, b]) => [strings.add(a), strings.add(b)]));
    }
    return id;
  };

  // The merged tree, in discovery order, as first-child/next-sibling lists:
  // most nodes have a child or two, so a scan beats hashing (parent, func);
  // a node with many children gets a Map (func → child) instead.
  const parent: number[] = [-1];
  const func: number[] = [0];
  const firstChild: number[] = [-1];
  const nextSibling: number[] = [-1];
  const childCount: number[] = [0];
  const childMaps = new Map<number, Map<number, number>>();
  const scanLimit = 16;
  // A node's line is where its function calls the next frame (or where the
  // sample was, for a leaf); one node merges every such line. The line of a
  // call is a property of the edge, so it is kept on the callee, the line of
  // a leaf on the node, each as one line and its weight (nearly always
  // enough) or, once a second line shows up, a Map; the node's heaviest line
  // is picked at the end.
  const callTally = new LineTally();
  const leafTally = new LineTally();
  callTally.push();
  leafTally.push();
  const selfDefault: number[] = [0];
  const childOf = (node: number, fn: number): number => {
    const map = childCount[node]! > scanLimit ? childMaps.get(node) : undefined;
    let c = map !== undefined ? (map.get(fn) ?? -1) : firstChild[node]!;
    if (map === undefined) while (c !== -1 && func[c] !== fn) c = nextSibling[c]!;
    if (c !== -1) return c;
    c = parent.length;
    parent.push(node);
    func.push(fn);
    firstChild.push(-1);
    nextSibling.push(firstChild[node]!);
    firstChild[node] = c;
    childCount.push(0);
    selfDefault.push(0);
    callTally.push();
    leafTally.push();
    if (map !== undefined) map.set(fn, c);
    else if (++childCount[node]! === scanLimit + 1) {
      const m = new Map<number, number>();
      for (let x = firstChild[node]!; x !== -1; x = nextSibling[x]!) m.set(func[x]!, x);
      childMaps.set(node, m);
    }
    return c;
  };
  // Rows: (node, label set, base) → values per sample type.
  const stride = 2 ** 24;
  const rowIndex = new Map<number, number>();
  const rowNode: number[] = [];
  const rowSet: number[] = [];
  const rowBase: number[] = [];
  const rowValues: number[][] = Array.from({ length: k }, () => []);
  // Line rows: (function line, label set, base) → flat and cum per type.
  const frameLine = new Map<DecodedFrame, number>();
  const lineKeyIndex = new Map<string, number>();
  const lineFunc: number[] = [];
  const lineNo: number[] = [];
  const lineSeen: number[] = [];
  const lineOf = (f: DecodedFrame): number => {
    let id = frameLine.get(f);
    if (id === undefined) {
      const fn = funcOf(f);
      const key = `${fn}:${f.line}`;
      id = lineKeyIndex.get(key);
      if (id === undefined) {
        id = lineFunc.length;
        lineKeyIndex.set(key, id);
        lineFunc.push(fn);
        lineNo.push(f.line);
        lineSeen.push(-1);
      }
      frameLine.set(f, id);
    }
    return id;
  };
  const lrIndex = new Map<number, number>();
  const lrLine: number[] = [];
  const lrSet: number[] = [];
  const lrBase: number[] = [];
  const lrFlat: number[][] = Array.from({ length: k }, () => []);
  const lrCum: number[][] = Array.from({ length: k }, () => []);
  const lineRowOf = (line: number, set: number, isBase: number): number => {
    const key = (line * stride + set) * 2 + isBase;
    let r = lrIndex.get(key);
    if (r === undefined) {
      r = lrLine.length;
      lrIndex.set(key, r);
      lrLine.push(line);
      lrSet.push(set);
      lrBase.push(isBase);
      for (let t = 0; t < k; t++) {
        lrFlat[t]!.push(0);
        lrCum[t]!.push(0);
      }
    }
    return r;
  };

  let sampleNo = 0;
  for (const [samples, isBase] of inputs) {
    for (const s of samples) {
      sampleNo++;
      const values = s.values;
      const weight = isBase ? 0 : Math.abs(values[defaultType] ?? 0);
      const frames = s.frames;
      let node = 0;
      for (let i = frames.length - 1; i >= 0; i--) {
        node = childOf(node, funcOf(frames[i]!));
        // The caller (frame i+1) calls this node's function at its line.
        if (i < frames.length - 1) callTally.add(node, frames[i + 1]!.line, weight);
      }
      if (frames.length > 0) leafTally.add(node, frames[0]!.line, weight);
      const set = setOf(s.labels);
      const rkey = (node * stride + set) * 2 + isBase;
      let row = rowIndex.get(rkey);
      if (row === undefined) {
        row = rowNode.length;
        rowIndex.set(rkey, row);
        rowNode.push(node);
        rowSet.push(set);
        rowBase.push(isBase);
        for (let t = 0; t < k; t++) rowValues[t]!.push(0);
      }
      for (let t = 0; t < k; t++) rowValues[t]![row]! += values[t] ?? 0;
      if (!isBase) selfDefault[node]! += values[defaultType] ?? 0;
      // Per line: flat at the leaf, cum once per sample for each line.
      for (let i = 0; i < frames.length; i++) {
        const line = lineOf(frames[i]!);
        if (lineSeen[line] === sampleNo) continue;
        lineSeen[line] = sampleNo;
        const r = lineRowOf(line, set, isBase);
        for (let t = 0; t < k; t++) {
          const v = values[t] ?? 0;
          lrCum[t]![r]! += v;
          if (i === 0) lrFlat[t]![r]! += v;
        }
      }
    }
  }
  if (labelSets.length >= stride) throw new Error("pprof: too many label sets to view");
  const n = parent.length;
  const nodeLine = new Array<number>(n).fill(0);
  const lineCount = new Array<number>(n).fill(0);
  const h = new Heaviest();
  for (let node = 1; node < n; node++) {
    h.reset();
    for (let c = firstChild[node]!; c !== -1; c = nextSibling[c]!) callTally.addTo(h, c);
    leafTally.addTo(h, node);
    nodeLine[node] = h.line;
    lineCount[node] = h.count;
  }

  // Preorder with children heaviest first (in the default sample type, all
  // labels, new profile), ties by name: the layout stays put when the view
  // changes.
  const cum = Float64Array.from(selfDefault, Math.abs);
  for (let i = n - 1; i > 0; i--) cum[parent[i]!]! += cum[i]!;
  const names = funcName.map((i) => strings.list[i]!);
  const byWeight = (a: number, b: number) => {
    const d = cum[b]! - cum[a]!;
    if (d !== 0) return d;
    const na = names[func[a]!]!;
    const nb = names[func[b]!]!;
    return na < nb ? -1 : na > nb ? 1 : a - b;
  };
  const order = new Int32Array(n);
  const depthOf = new Int32Array(n);
  let o = 0;
  const stack = [0];
  const kids: number[] = [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    order[o++] = node;
    kids.length = 0;
    for (let c = firstChild[node]!; c !== -1; c = nextSibling[c]!) kids.push(c);
    if (kids.length > 1) kids.sort(byWeight);
    for (let i = kids.length - 1; i >= 0; i--) {
      depthOf[kids[i]!] = depthOf[node]! + 1;
      stack.push(kids[i]!);
    }
  }
  const position = new Int32Array(n);
  for (let i = 0; i < n; i++) position[order[i]!] = i;

  const columns: Array<[string, VarintWriter]> = [];
  const column = (name: string): VarintWriter => {
    const w = new VarintWriter();
    columns.push([name, w]);
    return w;
  };
  const depthCol = column("depth");
  const funcCol = column("func");
  const lineCol = column("line");
  const linesCol = column("lines");
  let prevDepth = 0;
  for (let i = 0; i < n; i++) {
    const node = order[i]!;
    depthCol.zigzag(depthOf[node]! - prevDepth);
    prevDepth = depthOf[node]!;
    funcCol.uint(func[node]!);
    lineCol.zigzag(nodeLine[node]! - funcLine[func[node]!]!);
    linesCol.uint(lineCount[node]!);
  }
  const diff = base !== undefined;
  const rows = rowNode.map((_, r) => r).sort((a, b) => position[rowNode[a]!]! - position[rowNode[b]!]! || rowSet[a]! - rowSet[b]! || rowBase[a]! - rowBase[b]!);
  const rowNodeCol = column("rowNode");
  const rowSetCol = column("rowSet");
  const rowBaseCol = diff ? column("rowBase") : undefined;
  const valueCols = rowValues.map((_, t) => column(`value${t}`));
  let prevNode = 0;
  for (const r of rows) {
    const at = position[rowNode[r]!]!;
    rowNodeCol.uint(at - prevNode);
    prevNode = at;
    rowSetCol.uint(rowSet[r]!);
    rowBaseCol?.uint(rowBase[r]!);
    for (let t = 0; t < k; t++) valueCols[t]!.zigzag(rowValues[t]![r]!);
  }
  const lrows = lrLine.map((_, r) => r).sort((a, b) => lineFunc[lrLine[a]!]! - lineFunc[lrLine[b]!]! || lineNo[lrLine[a]!]! - lineNo[lrLine[b]!]! || lrSet[a]! - lrSet[b]! || lrBase[a]! - lrBase[b]!);
  const lrFuncCol = column("lrFunc");
  const lrLineCol = column("lrLine");
  const lrSetCol = column("lrSet");
  const lrBaseCol = diff ? column("lrBase") : undefined;
  const lrFlatCols = lrFlat.map((_, t) => column(`lrFlat${t}`));
  const lrCumCols = lrCum.map((_, t) => column(`lrCum${t}`));
  let prevFunc = 0;
  for (const r of lrows) {
    const fn = lineFunc[lrLine[r]!]!;
    lrFuncCol.uint(fn - prevFunc);
    prevFunc = fn;
    lrLineCol.zigzag(lineNo[lrLine[r]!]!);
    lrSetCol.uint(lrSet[r]!);
    lrBaseCol?.uint(lrBase[r]!);
    for (let t = 0; t < k; t++) {
      lrFlatCols[t]!.zigzag(lrFlat[t]![r]!);
      lrCumCols[t]!.zigzag(lrCum[t]![r]!);
    }
  }
  const all = new Uint8Array(columns.reduce((a, [, c]) => a + c.length, 0));
  let at = 0;
  for (const [, c] of columns) {
    all.set(c.bytes(), at);
    at += c.length;
  }
  // Only the sources of functions in the profile travel with it.
  const sources: Record<string, string> = {};
  if (options.sources !== undefined) {
    const files = new Set(funcFile.map((i) => strings.list[i]!));
    for (const [file, text] of Object.entries(options.sources)) if (files.has(file)) sources[file] = text;
  }

  return {
    version: 2,
    title: options.title,
    sampleTypes: p.sampleTypes,
    defaultType,
    durationNanos: p.durationNanos,
    diff,
    normalized: diff && options.normalize === true,
    strings: strings.list,
    funcName,
    funcFile,
    funcLine,
    labelSets,
    numericLabelKeys: [...numericKeys].filter((key) => !dropped.has(key)).sort(),
    droppedLabelKeys,
    nodes: n,
    rows: rows.length,
    lineRows: lrows.length,
    columns: columns.map(([name, c]) => [name, c.length]),
    packed: base64(gzip(all)),
    sources,
  };
}

/** LineTally sums weights by line for each node. Most nodes see one line:
 * it lives in dense arrays (a slot is pushed per node, in order, so they
 * stay packed), and only a node with more lines gets a Map. */
class LineTally {
  private readonly line: number[] = [];
  private readonly weight: number[] = [];
  private readonly more = new Map<number, Map<number, number>>();
  /** push adds a slot with no line. */
  push(): void {
    this.line.push(-1);
    this.weight.push(0);
  }
  add(slot: number, line: number, weight: number): void {
    const first = this.line[slot]!;
    if (first === -1) {
      this.line[slot] = line;
      this.weight[slot] = weight;
    } else if (first === line) {
      this.weight[slot]! += weight;
    } else {
      // The slot's line becomes -2: see more.
      let m = this.more.get(slot);
      if (m === undefined) {
        this.more.set(slot, (m = new Map([[first, this.weight[slot]!]])));
        this.line[slot] = -2;
      }
      m.set(line, (m.get(line) ?? 0) + weight);
    }
  }
  /** addTo adds slot's lines to h. */
  addTo(h: Heaviest, slot: number): void {
    const line = this.line[slot]!;
    if (line >= 0) h.add(line, this.weight[slot]!);
    else if (line === -2) for (const [l, w] of this.more.get(slot)!) h.add(l, w);
  }
}

/** Heaviest finds the line of most weight among those added (the first on
 * a tie) and counts the distinct lines. */
class Heaviest {
  line = 0;
  count = 0;
  private weight = 0;
  private more: Map<number, number> | undefined;
  reset(): void {
    this.line = 0;
    this.count = 0;
    this.weight = 0;
    this.more = undefined;
  }
  add(line: number, weight: number): void {
    if (this.count === 0) {
      [this.line, this.weight, this.count] = [line, weight, 1];
    } else if (this.count === 1 && line === this.line) {
      this.weight += weight;
    } else {
      if (this.more === undefined) this.more = new Map([[this.line, this.weight]]);
      const w = (this.more.get(line) ?? 0) + weight;
      this.more.set(line, w);
      this.count = this.more.size;
      if (w > this.weight || (line === this.line && w >= this.weight)) [this.line, this.weight] = [line, w];
    }
  }
}

/** Interner is an insertion-ordered string table. */
class Interner {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  add(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.index.set(s, i);
      this.list.push(s);
    }
    return i;
  }
}

/** VarintWriter writes unsigned LEB128 varints into a growing buffer. Values
 * are doubles: pprof values are int64, exact here up to 2^53. */
class VarintWriter {
  private buf = new Uint8Array(1024);
  private n = 0;
  uint(v: number): void {
    if (this.n + 10 > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    // Division, not shifts: shifts would truncate to 32 bits.
    while (v >= 128) {
      this.buf[this.n++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.n++] = v;
  }
  zigzag(v: number): void {
    this.uint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  get length(): number {
    return this.n;
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }
}

/** base64 encodes bytes with btoa, which every runtime has. */
function base64(bytes: Uint8Array): string {
  // btoa takes a binary string; chunks of a multiple of 3 bytes encode
  // without padding in between, so their concatenation is the whole.
  const chunk = 3 * 8192;
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    parts.push(btoa(String.fromCharCode(...bytes.subarray(i, Math.min(i + chunk, bytes.length)))));
  }
  return parts.join("");
}

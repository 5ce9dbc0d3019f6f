// view.ts owns `anyprof view`'s data: it turns a pprof file into one
// self-contained HTML page (no network: data, script and style are inline)
// holding a compact flame-graph model, and opens a file in a browser. The
// page's drawing and interaction are view-page.ts's; argument parsing is
// main.ts's.
//
// The model is one merged call tree for every sample type and label filter:
// nodes in preorder (root first, children heaviest first), each a function
// (name + file) with the line that carries most of its value; and the
// profile's samples re-aggregated as (node, label set) rows with one value
// per sample type. The page sums rows into their nodes for the chosen sample
// type and label filter, then adds each node into its parent in reverse
// preorder: two linear passes, no tree per label value. Numeric columns are
// LEB128 varints (zigzag where a value may be negative, deltas where sorted),
// gzip-compressed and base64-encoded in a JSON block, so 100,000 samples stay
// a few MB and decode in milliseconds.

import { spawn, type ChildProcess } from "node:child_process";
import { resolve as resolvePath } from "node:path";
import { gzipSync } from "node:zlib";
import { decodePprof, type Decoded, type DecodedFrame } from "./decode.ts";
import { pageCss, pageScript } from "./view-page.ts";

/** maxLabelValues bounds the values of one label key offered by the filter:
 * a key with more (a request id, a numeric size) is left out of the filter,
 * since one option per value would make the model as large as the samples. */
export const maxLabelValues = 256;

/** FlameData is the model embedded in the page, as JSON: small tables as
 * arrays, the large per-node and per-row columns as varints, gzip-compressed
 * (the page inflates them with DecompressionStream) and base64-encoded. */
export interface FlameData {
  version: 1;
  title: string;
  sampleTypes: Array<{ type: string; unit: string }>;
  /** defaultType is the sample type shown first: the profile's default, else
   * the last one, as pprof picks. */
  defaultType: number;
  /** durationNanos is the profile's duration, shown beside the title. */
  durationNanos: number;
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
  /** droppedLabelKeys had more than maxLabelValues values: the filter does
   * not offer them (the page says so). */
  droppedLabelKeys: string[];
  nodes: number;
  rows: number;
  /** columns names the columns in packed, in order, with their lengths in
   * bytes. Per node, in preorder: depth (zigzag delta from the previous
   * node's), func (function index), line (zigzag delta from the function's
   * base line; the line carrying most of the node's value), lines (how many
   * distinct lines the node merges). Per row, sorted by node: rowNode (delta
   * from the previous row's node), rowSet (label set), value0… (one zigzag
   * column per sample type). */
  columns: Array<[name: string, bytes: number]>;
  /** packed is base64 of the gzip of the columns' varints, one after another. */
  packed: string;
}

/** ViewOptions configure the page. */
export interface ViewOptions {
  /** title heads the page (default "anyprof flame graph"). */
  title?: string;
}

/** renderFlameGraphHtml decodes a pprof file (gzip or not) and returns one
 * self-contained HTML page with its interactive flame graph. It throws
 * "pprof: …" for bytes that are not a profile. */
export function renderFlameGraphHtml(bytes: Uint8Array, options: ViewOptions = {}): string {
  const data = flameData(decodePprof(bytes), options.title ?? "anyprof flame graph");
  // "<" escaped keeps "</script>" and "<!--" in a function name from ending
  // the block; JSON.parse reads \u003c back as "<".
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // The page may load nothing: everything it needs is inline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${pageCss}</style>`,
    "</head>",
    "<body>",
    '<header id="bar">',
    `<h1 id="title">${escapeHtml(data.title)}</h1>`,
    '<label>Sample type <select id="type"></select></label>',
    '<label>Label <select id="filter"><option value="-1">all</option></select></label>',
    '<span class="search"><input id="search" type="search" placeholder="Search functions (regex)" aria-label="Search functions (regular expression, case-insensitive)" autocomplete="off" spellcheck="false" autofocus></span>',
    '<span id="matches" role="status" aria-live="polite"></span>',
    '<span id="total" aria-live="polite"></span>',
    "</header>",
    '<nav id="zoom" aria-label="Zoom path"><button id="reset" type="button" title="Reset zoom (Esc)">Reset zoom</button> <span id="crumbs"></span></nav>',
    '<main id="chart"><canvas id="flame" role="img" aria-label="Flame graph: click a frame to zoom, Escape to reset"></canvas></main>',
    '<div id="tip" role="tooltip" hidden></div>',
    '<footer id="details">Hover a frame for details · click to zoom · click root, Esc or Reset to zoom out · / to search</footer>',
    `<script type="application/json" id="flame-data">${json}</script>`,
    `<script>${pageScript}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** flameData builds the page's model from a decoded profile. */
export function flameData(p: Decoded, title: string): FlameData {
  const k = p.sampleTypes.length;
  let defaultType = k - 1;
  if (p.defaultSampleType !== "") {
    const i = p.sampleTypes.findIndex((t) => t.type === p.defaultSampleType);
    if (i >= 0) defaultType = i;
  }

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
  for (const s of p.samples) {
    for (const [key, value] of Object.entries(s.labels)) {
      let set = valuesOfKey.get(key);
      if (set === undefined) valuesOfKey.set(key, (set = new Set()));
      if (set.size <= maxLabelValues) set.add(String(value));
    }
  }
  const droppedLabelKeys = [...valuesOfKey].filter(([, v]) => v.size > maxLabelValues).map(([key]) => key).sort();
  const dropped = new Set(droppedLabelKeys);
  const labelSetIndex = new Map<string, number>([["", 0]]);
  const labelSets: number[][] = [[]];
  const setOf = (labels: Record<string, string | number>): number => {
    const pairs = Object.entries(labels)
      .filter(([key]) => !dropped.has(key))
      .map(([key, value]) => [key, String(value)] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
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
  // Rows: (node, label set) → values per sample type.
  const rowIndex = new Map<number, number>();
  const rowNode: number[] = [];
  const rowSet: number[] = [];
  const rowValues: number[][] = Array.from({ length: k }, () => []);
  const selfDefault: number[] = [0];
  const stride = 2 ** 24;

  for (const s of p.samples) {
    const weight = Math.abs(s.values[defaultType] ?? 0);
    const frames = s.frames;
    let node = 0;
    for (let i = frames.length - 1; i >= 0; i--) {
      node = childOf(node, funcOf(frames[i]!));
      // The caller (frame i+1) calls this node's function at its line.
      if (i < frames.length - 1) callTally.add(node, frames[i + 1]!.line, weight);
    }
    if (frames.length > 0) leafTally.add(node, frames[0]!.line, weight);
    const set = setOf(s.labels);
    const rkey = node * stride + set;
    let row = rowIndex.get(rkey);
    if (row === undefined) {
      row = rowNode.length;
      rowIndex.set(rkey, row);
      rowNode.push(node);
      rowSet.push(set);
      for (let t = 0; t < k; t++) rowValues[t]!.push(0);
    }
    for (let t = 0; t < k; t++) rowValues[t]![row]! += s.values[t] ?? 0;
    selfDefault[node]! += s.values[defaultType] ?? 0;
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
  // labels), ties by name: the layout stays put when the view changes.
  const cum = Float64Array.from(selfDefault);
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

  const depthCol = new VarintWriter();
  const funcCol = new VarintWriter();
  const lineCol = new VarintWriter();
  const linesCol = new VarintWriter();
  let prevDepth = 0;
  for (let i = 0; i < n; i++) {
    const node = order[i]!;
    depthCol.zigzag(depthOf[node]! - prevDepth);
    prevDepth = depthOf[node]!;
    funcCol.uint(func[node]!);
    lineCol.zigzag(nodeLine[node]! - funcLine[func[node]!]!);
    linesCol.uint(lineCount[node]!);
  }
  const rows = rowNode.map((_, r) => r).sort((a, b) => position[rowNode[a]!]! - position[rowNode[b]!]! || rowSet[a]! - rowSet[b]!);
  const rowNodeCol = new VarintWriter();
  const rowSetCol = new VarintWriter();
  const valueCols = rowValues.map(() => new VarintWriter());
  let prevNode = 0;
  for (const r of rows) {
    const at = position[rowNode[r]!]!;
    rowNodeCol.uint(at - prevNode);
    prevNode = at;
    rowSetCol.uint(rowSet[r]!);
    for (let t = 0; t < k; t++) valueCols[t]!.zigzag(rowValues[t]![r]!);
  }
  const columns: Array<[string, VarintWriter]> = [
    ["depth", depthCol],
    ["func", funcCol],
    ["line", lineCol],
    ["lines", linesCol],
    ["rowNode", rowNodeCol],
    ["rowSet", rowSetCol],
    ...valueCols.map((c, t) => [`value${t}`, c] as [string, VarintWriter]),
  ];
  const all = new Uint8Array(columns.reduce((a, [, c]) => a + c.length, 0));
  let at = 0;
  for (const [, c] of columns) {
    all.set(c.bytes(), at);
    at += c.length;
  }

  return {
    version: 1,
    title,
    sampleTypes: p.sampleTypes,
    defaultType,
    durationNanos: p.durationNanos,
    strings: strings.list,
    funcName,
    funcFile,
    funcLine,
    labelSets,
    droppedLabelKeys,
    nodes: n,
    rows: rows.length,
    columns: columns.map(([name, c]) => [name, c.length]),
    packed: base64(gzipSync(all)),
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

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** OpenResult reports openInBrowser's attempt. */
export interface OpenResult {
  /** opened is true when a browser launcher was started and did not fail. */
  opened: boolean;
  /** command is what was run, when something was. */
  command?: string;
  /** message says what happened, for the user. */
  message: string;
}

/** OpenOptions override what openInBrowser looks at (for tests). */
export interface OpenOptions {
  platform?: string;
  env?: Record<string, string | undefined>;
  /** waitMillis is how long to wait for a launcher that fails quickly. */
  waitMillis?: number;
}

/** openInBrowser opens file in the desktop's browser, best effort: $BROWSER
 * if set, else `open` (macOS), `start` (Windows) or `xdg-open` (elsewhere,
 * only with a display). It never throws; the result says whether a browser
 * was started and, if not, why, naming the file to open by hand. */
export async function openInBrowser(file: string, options: OpenOptions = {}): Promise<OpenResult> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const path = resolvePath(file);
  const byHand = `open ${path} in a browser yourself`;
  let cmd: string;
  let args: string[];
  const browser = env.BROWSER?.split(":").find((b) => b.trim() !== "");
  if (browser !== undefined) {
    const parts = browser.trim().split(/\s+/);
    cmd = parts[0]!;
    const rest = parts.slice(1);
    args = rest.some((a) => a.includes("%s")) ? rest.map((a) => a.replace("%s", path)) : [...rest, path];
  } else if (platform === "darwin") {
    [cmd, args] = ["open", [path]];
  } else if (platform === "win32") {
    // cmd parses its own line: quote the path (spaces), and refuse the
    // characters that would end the quoted string or start a command.
    if (/["&|<>^%]/.test(path)) return { opened: false, message: `anyprof: not opening a path with shell characters in cmd: ${byHand}` };
    [cmd, args] = ["cmd", ["/c", "start", '""', `"${path}"`]];
  } else {
    if (!env.DISPLAY && !env.WAYLAND_DISPLAY) {
      return { opened: false, message: `anyprof: no browser found (no DISPLAY or WAYLAND_DISPLAY, no $BROWSER): ${byHand}` };
    }
    [cmd, args] = ["xdg-open", [path]];
  }
  const command = [cmd, ...args].join(" ");
  return new Promise<OpenResult>((done) => {
    let settled = false;
    const finish = (r: OpenResult) => {
      if (!settled) {
        settled = true;
        done(r);
      }
    };
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { detached: true, stdio: "ignore", env: env as NodeJS.ProcessEnv, windowsVerbatimArguments: platform === "win32" });
    } catch (err) {
      finish({ opened: false, command, message: `anyprof: could not run ${cmd}: ${err instanceof Error ? err.message : String(err)}: ${byHand}` });
      return;
    }
    // A launcher that finds no browser exits non-zero at once; one that
    // found one either exits 0 or keeps running (then it is the browser).
    const timer = setTimeout(() => {
      child.unref();
      finish({ opened: true, command, message: `anyprof: opened ${path} with ${cmd}` });
    }, options.waitMillis ?? 1500);
    child.on("error", (err) => {
      clearTimeout(timer);
      const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? `${cmd} not found` : err.message;
      finish({ opened: false, command, message: `anyprof: no browser found (${why}): ${byHand}` });
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) finish({ opened: true, command, message: `anyprof: opened ${path} with ${cmd}` });
      else finish({ opened: false, command, message: `anyprof: ${cmd} failed (${signal ?? `exit status ${code}`}): ${byHand}` });
    });
  });
}

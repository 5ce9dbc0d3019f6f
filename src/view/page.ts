// page.ts owns the view page's behaviour and look: the script and stylesheet
// that html.ts inlines next to the model (model.ts's ViewData). The script
// decodes the model and answers from it, in the page, with no network: flame
// and icicle graphs on <canvas> (frames narrower than a pixel merge into a
// grey block), go tool pprof -top's table, a sandwich (callers above, callees
// below, merged over every stack) and a per-line source view; filters as
// removable chips (focus, ignore, hide with pprof's meanings; label filters);
// a diff against a base profile; state in the URL hash. It does not know
// pprof's wire format; the model is all it reads.
//
// The script is plain ES2017 in a string (no backticks, no "${" inside), so
// that no build step touches it. For tests it exposes window.__view (state,
// computed tables, timings) and window.__viewReady (performance.now() after
// the first draw).

/** pageCss is the page's stylesheet. */
export const pageCss: string = String.raw`
:root { color-scheme: light; --fg: #1b1b1b; --muted: #4d4d4d; --bg: #fff; --bar: #f3f3f3; --line: #d0d0d0; --accent: #0b57d0; --up: #b3261e; --down: #0b57d0; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
#bar { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; padding: 8px 12px; background: var(--bar); border-bottom: 1px solid var(--line); }
#title { font-size: 16px; margin: 0 4px 0 0; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 32ch; }
#views { display: inline-flex; border: 1px solid #888; border-radius: 5px; overflow: hidden; }
#views button { border: 0; border-radius: 0; border-right: 1px solid #bbb; background: #fff; padding: 3px 10px; }
#views button:last-child { border-right: 0; }
#views button[aria-selected="true"] { background: var(--accent); color: #fff; }
label { display: inline-flex; align-items: center; gap: 6px; color: var(--muted); }
select, input, button { font: inherit; color: var(--fg); background: #fff; border: 1px solid #888; border-radius: 4px; padding: 3px 6px; }
#search { width: 22ch; }
button { cursor: pointer; }
select:focus-visible, input:focus-visible, button:focus-visible, canvas:focus-visible, tr:focus-visible, th button:focus-visible { outline: 3px solid var(--accent); outline-offset: 1px; }
#search.bad, #filter-value.bad { border-color: #b00020; }
#matches { color: #6a1b9a; font-weight: 600; }
#total { margin-left: auto; font-variant-numeric: tabular-nums; font-weight: 600; overflow-wrap: anywhere; }
#filters { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; padding: 6px 12px; border-bottom: 1px solid var(--line); }
#add-filter { display: inline-flex; gap: 6px; align-items: center; }
#filter-value { width: 26ch; }
#chips { display: contents; list-style: none; }
.chip { display: inline-flex; align-items: center; gap: 4px; max-width: 40ch; border-radius: 14px; padding: 2px 10px; background: #e8eefb; border: 1px solid #9db3e6; font-size: 13px; }
.chip span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.chip.ignore, .chip.hide { background: #fbeaea; border-color: #e0a4a4; }
.chip.label { background: #eaf6ec; border-color: #94c9a0; }
#diffnote { color: var(--muted); font-size: 13px; }
#zoom { display: flex; align-items: center; gap: 10px; padding: 6px 12px; color: var(--muted); font-size: 13px; min-width: 0; }
#zoom button { font-size: 13px; padding: 1px 8px; }
#zoom button:disabled { cursor: default; color: #767676; border-color: #bbb; }
#crumbs { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; min-width: 0; }
main { padding: 0 12px 8px; }
canvas { display: block; width: 100%; cursor: pointer; }
#tip { position: fixed; z-index: 3; max-width: min(640px, 90vw); padding: 6px 9px; background: #202124; color: #fff; border-radius: 4px; font-size: 13px; pointer-events: none; box-shadow: 0 2px 8px rgba(0,0,0,.3); overflow-wrap: anywhere; }
#tip b { display: block; margin-bottom: 2px; }
#tip .file { color: #c8d3f5; }
#details { position: sticky; bottom: 0; padding: 6px 12px; background: var(--bar); border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e4e4e4; text-align: right; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
th { position: sticky; top: 0; background: #fafafa; }
th button { border: 0; background: none; padding: 0; font-weight: 600; }
th.name, td.name { text-align: left; width: auto; }
td.name { white-space: normal; overflow-wrap: anywhere; }
col.num { width: 9ch; }
tbody tr { cursor: pointer; }
tbody tr:hover { background: #f1f5fe; }
td.up { color: var(--up); } td.down { color: var(--down); }
.more { color: var(--muted); padding: 6px 8px; }
h2 { font-size: 15px; margin: 10px 0 6px; overflow-wrap: anywhere; }
.pane-label { color: var(--muted); font-size: 13px; margin: 8px 0 2px; }
#source table td.code { text-align: left; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; white-space: pre; overflow: hidden; text-overflow: ellipsis; }
#source td.ln { color: var(--muted); }
#source tr.hot td { background: #fff1e0; }
#source .file { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
.note { color: var(--muted); font-size: 13px; }
`;

/** pageScript is the page's script. */
export const pageScript: string = String.raw`
(function () {
  "use strict";
  var ROW = 18;           // px per frame row
  var MIN_WIDTH = 1;      // frames narrower than this (px) are not drawn
  var TABLE_ROWS = 500;   // rows of the top table put in the DOM at once
  var FONT = "12px ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace";
  var VIEWS = ["flame", "icicle", "top", "sandwich", "source"];

  var data = JSON.parse(document.getElementById("view-data").textContent);
  var strings = data.strings;
  var T = data.sampleTypes.length;
  var N = data.nodes, R = data.rows, L = data.lineRows;
  var $ = function (id) { return document.getElementById(id); };

  function bytesOf(b64) {
    var bin = atob(b64), n = bin.length, u = new Uint8Array(n);
    for (var i = 0; i < n; i++) u[i] = bin.charCodeAt(i);
    return u;
  }
  // readColumn decodes count LEB128 varints (zigzag and/or delta coded)
  // from u[start, end) into out.
  function readColumn(u, start, end, count, zigzag, delta, out) {
    var p = start, prev = 0;
    for (var i = 0; i < count; i++) {
      var b = u[p++], v = b & 127;
      if (b & 128) {
        var m = 128;
        do { b = u[p++]; v += (b & 127) * m; m *= 128; } while (b & 128);
      }
      if (zigzag) v = v % 2 === 1 ? -(v + 1) / 2 : v / 2;
      if (delta) { v += prev; prev = v; }
      out[i] = v;
    }
    if (p !== end) throw new Error("view data: a column holds " + (end - start) + " bytes, read " + (p - start));
    return out;
  }
  if (typeof DecompressionStream === "undefined") {
    $("details").textContent = "This browser cannot inflate the page's data (no DecompressionStream): use a current Chrome, Edge, Firefox or Safari.";
    return;
  }
  // Inflating a Blob's stream loads nothing: the bytes are in the page.
  new Response(new Blob([bytesOf(data.packed)]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer().then(function (buf) {
    start(new Uint8Array(buf));
  }).catch(function (err) {
    $("details").textContent = "Could not read the page's data: " + err;
    throw err;
  });

  // Tree is a call tree in preorder: node 0 is the root, a node's children
  // follow it, each next at previous + size. TreeBuilder makes one from
  // (parent, func) pairs, each parent made before its children; finish lays
  // it out heaviest first. Children are first-child/next-sibling lists in
  // typed arrays: most nodes have a child or two, so a scan beats hashing
  // (a hash table over a million nodes measured 4× slower: a cache miss a
  // lookup); a node with many children gets a Map (func → child).
  //
  // With a prefix, a builder's arrays and its finished tree are scratch
  // memory under that prefix (see scratch): the next builder with the same
  // prefix reuses them.
  var SCAN = 16;
  function TreeBuilder(capacity, prefix) {
    var cap = Math.max(1024, capacity | 0);
    this.n = 1; this.cap = cap; this.prefix = prefix === undefined ? null : prefix;
    this.parent = this.ints("parent", cap); this.func = this.ints("func", cap);
    this.first = this.ints("first", cap); this.next = this.ints("next", cap); this.count = this.ints("count", cap);
    this.parent[0] = -1; this.func[0] = 0; this.first[0] = -1; this.next[0] = -1; this.count[0] = 0;
    this.maps = new Map();
  }
  // ints returns n Int32s: new (zeroed) without a prefix, scratch (not
  // cleared) with one.
  TreeBuilder.prototype.ints = function (k, n) {
    return this.prefix === null ? new Int32Array(n) : scratch(this.prefix + k, Int32Array, n);
  };
  TreeBuilder.prototype.grow = function () {
    var cap = this.cap * 2, self = this;
    // With a prefix, ints may hand back the same memory, larger: set then
    // copies in place.
    ["parent", "func", "first", "next", "count"].forEach(function (k) { var a = self.ints(k, cap); a.set(self[k]); self[k] = a; });
    this.cap = cap;
  };
  TreeBuilder.prototype.child = function (p, f) {
    var c, m = this.count[p] > SCAN ? this.maps.get(p) : undefined;
    if (m !== undefined) { c = m.get(f); if (c !== undefined) return c; }
    else for (c = this.first[p]; c !== -1; c = this.next[c]) if (this.func[c] === f) return c;
    if (this.n === this.cap) this.grow();
    c = this.n++;
    this.parent[c] = p; this.func[c] = f; this.first[c] = -1; this.next[c] = this.first[p]; this.count[c] = 0;
    this.first[p] = c;
    if (m !== undefined) m.set(f, c);
    else if (++this.count[p] === SCAN + 1) {
      m = new Map();
      for (var x = this.first[p]; x !== -1; x = this.next[x]) m.set(this.func[x], x);
      this.maps.set(p, m);
    }
    return c;
  };
  // finish returns the tree in preorder (children by weight, heaviest
  // first, then in the order they were made) and the maps between builder
  // ids and preorder positions (pos[id], order[position]). Children are
  // grouped by parent with a counting sort; a group is sorted on its own.
  TreeBuilder.prototype.finish = function (weight) {
    var n = this.n, parent = this.parent, func = this.func, i, c;
    var start = this.ints("start", n + 1), kids = this.ints("kids", n), fill = this.ints("fill", n);
    start.fill(0); fill.fill(0);
    for (c = 1; c < n; c++) start[parent[c] + 1]++;
    for (i = 0; i < n; i++) start[i + 1] += start[i];
    for (c = 1; c < n; c++) { var q = parent[c]; kids[start[q] + fill[q]++] = c; }
    var byWeight = function (a, b) { return weight[b] - weight[a] || a - b; };
    for (var p = 0; p < n; p++) {
      var lo = start[p], hi = start[p + 1];
      if (hi - lo < 2) continue;
      if (hi - lo > 12) { kids.subarray(lo, hi).sort(byWeight); continue; }
      for (i = lo + 1; i < hi; i++) {
        var k = kids[i], w = weight[k], j = i - 1;
        // Made-order already holds within a group: only a heavier kid moves.
        while (j >= lo && weight[kids[j]] < w) { kids[j + 1] = kids[j]; j--; }
        kids[j + 1] = k;
      }
    }
    var size = this.ints("size", n).fill(1);
    for (c = n - 1; c > 0; c--) size[parent[c]] += size[c];
    var pos = this.ints("pos", n), order = this.ints("order", n);
    pos[0] = 0; order[0] = 0;
    for (p = 0; p < n; p++) {
      var at = pos[p] + 1;
      for (i = start[p]; i < start[p + 1]; i++) { pos[kids[i]] = at; at += size[kids[i]]; }
    }
    var t = this.prefix === null ? newTree(n) : scratchTree(this.prefix + "tree.", n);
    // As newTree's: no lines, no values, until the caller sets them.
    if (this.prefix !== null) { t.line.fill(0); t.lines.fill(0); t.self.fill(0); t.cum.fill(0); t.baseSelf.fill(0); t.baseCum.fill(0); }
    t.parent[0] = -1; t.func[0] = func[0]; t.size[0] = n; t.depth[0] = 0; t.line[0] = 0; t.lines[0] = 0;
    for (c = 1; c < n; c++) {
      var d = pos[c], pd = pos[parent[c]];
      order[d] = c;
      t.func[d] = func[c]; t.parent[d] = pd; t.depth[d] = t.depth[pd] + 1; t.size[d] = size[c];
    }
    return { tree: t, pos: pos, order: order };
  };
  // scratch returns n elements of the typed array kept under name, made
  // (or grown) on first need and reused from one interaction to the next;
  // its contents are whatever the last user left, so a caller writes every
  // element it reads. Why: a fresh array is paid for in page faults on first
  // touch. A new 835k-element Float64Array took 20–25 ms to fill in
  // Chromium on the 2-core test machine, a reused one 1 ms; a hide made
  // ~90 MB of new arrays, most of its 350 ms.
  var arena = new Map();
  function scratch(name, Type, n) {
    var a = arena.get(name);
    if (a === undefined || a.length < n) { a = new Type(n); arena.set(name, a); }
    return a.length === n ? a : a.subarray(0, n);
  }
  // scratchTree is newTree(n) over the arrays kept under prefix: one tree
  // per prefix is live at a time (the next call reuses its memory).
  function scratchTree(prefix, n) {
    return treeOf(n, scratch(prefix + "func", Int32Array, n), scratch(prefix + "parent", Int32Array, n),
      scratch(prefix + "depth", Int32Array, n), scratch(prefix + "size", Int32Array, n),
      scratch(prefix + "line", Float64Array, n), scratch(prefix + "lines", Int32Array, n),
      scratch(prefix + "self", Float64Array, n), scratch(prefix + "cum", Float64Array, n),
      scratch(prefix + "baseSelf", Float64Array, n), scratch(prefix + "baseCum", Float64Array, n));
  }
  function newTree(n) {
    return treeOf(n, new Int32Array(n), new Int32Array(n), new Int32Array(n), new Int32Array(n), new Float64Array(n), new Int32Array(n),
      new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n));
  }
  // treeOf makes every tree the page has, new or scratch, in one place: one
  // shape, so that Chromium's compiled loops, warmed on one kind, do not
  // deoptimize on the other.
  function treeOf(n, func, parent, depth, size, line, lines, self, cum, baseSelf, baseCum) {
    return { n: n, func: func, parent: parent, depth: depth, size: size, line: line, lines: lines, self: self, cum: cum, baseSelf: baseSelf, baseCum: baseCum };
  }
  function sizes(t) {
    t.size.fill(1);
    for (var i = t.n - 1; i > 0; i--) t.size[t.parent[i]] += t.size[i];
  }
  // hideTree returns tree B without the frames of hidden functions (hidden:
  // function → 1), the stacks that then agree merged, as pprof's -hide, and
  // map: B's node → the result's (a hidden frame's is its nearest kept
  // caller's). Siblings that a merge touched are ordered by weight (B's
  // node weights summed, heaviest first); elsewhere B's order stays. Only the
  // nodes on a path to a hidden frame are visited one by one: a subtree
  // without one is kept as a block, copied whole at the end unless a merge
  // into it opens it. On a million-node tree that is a quarter of the nodes.
  // The work is split into small functions with one loop each and no
  // closures: Chromium left one big function with closures unoptimized
  // (every loop 5–10× slower than in Node). The result lives in the
  // scratch arrays named from prefix ("hide." unless given): the next
  // hideTree with that prefix reuses them.
  function hideTree(B, hidden, weight, prefix) {
    var at = prefix === undefined ? "hide." : prefix;
    var N = B.n;
    var h = hideScratch !== null && hideScratch.cap >= N ? hideScratch : (hideScratch = new HideBuilder(N));
    h.reset(B, weight);
    hideMarks(B, hidden, h.has);
    hideWalk(h, B, hidden, weight);
    var rows = scratch(at + "rows", Int32Array, h.n), pos = scratch(at + "pos", Int32Array, h.n);
    rows.fill(0); pos[0] = 0;
    hideRows(h, B.size, rows);
    hidePlace(h, rows, pos, scratch(at + "kids", Int32Array, h.n), scratch(at + "sort", Int32Array, h.n));
    var t = scratchTree(at + "tree.", rows[0]), out = scratch(at + "map", Int32Array, N);
    hideEmit(h, B, rows, pos, t);
    var map = h.map;
    for (var i = 0; i < N; i++) out[i] = pos[map[i]];
    hideBlocks(h, B, pos, t, out);
    return { tree: t, map: out };
  }
  var hideScratch = null;
  // HideBuilder holds the result's nodes while hideTree builds it, in the
  // order made (a parent before its children): the B node each was first
  // made from (src), its parent, its children in made order, whether it is
  // an unopened block (blk), and whether it may get a child twice (multi:
  // merged into, or a hidden child's callees lifted into it), where a child
  // is looked for before it is made. Its arrays are kept from one hide to
  // the next (a hide typed letter by letter would allocate 40 MB a key):
  // make sets every field of a node it makes.
  //
  // A node with many children (more than SCAN) has them in a hash table of
  // (parent, function) → child (hashed[p] once they are): open addressing
  // over slot, a slot in use when its stamp is this hide's gen, so a new
  // hide clears it by counting. A Map per such node, as before, made
  // garbage a collection then had to sweep in the middle of a hide.
  function HideBuilder(cap) {
    this.cap = cap; this.n = 1;
    this.par = new Int32Array(cap); this.src = new Int32Array(cap); this.fn = new Int32Array(cap); this.first = new Int32Array(cap);
    this.last = new Int32Array(cap); this.next = new Int32Array(cap); this.kids = new Int32Array(cap);
    this.lines = new Int32Array(cap); this.map = new Int32Array(cap); this.w = new Float64Array(cap);
    this.blk = new Uint8Array(cap); this.multi = new Uint8Array(cap); this.has = new Uint8Array(cap); this.hashed = new Uint8Array(cap);
    var bits = 10;
    while ((1 << bits) < 2 * cap) bits++;
    this.shift = 32 - bits; this.mask = (1 << bits) - 1; this.gen = 0;
    this.slot = new Int32Array(1 << bits); this.stamp = new Int32Array(1 << bits);
    this.bf = null; this.bLines = null; this.weight = null;
  }
  HideBuilder.prototype.reset = function (B, weight) {
    this.n = 1; this.gen++; this.bf = B.func; this.bLines = B.lines; this.weight = weight;
    this.map.fill(0); this.has.fill(0);
    this.par[0] = -1; this.src[0] = 0; this.fn[0] = B.func[0]; this.first[0] = -1; this.kids[0] = 0; this.blk[0] = 0; this.multi[0] = 0; this.hashed[0] = 0;
    this.lines[0] = B.lines[0]; this.w[0] = weight[0];
  };
  // put enters child c of p, of function f, in the table.
  HideBuilder.prototype.put = function (p, f, c) {
    var stamp = this.stamp, gen = this.gen, mask = this.mask;
    var x = (Math.imul(p, -1640531535) ^ Math.imul(f + 1, -2048144777)) >>> this.shift;
    while (stamp[x] === gen) x = (x + 1) & mask;
    stamp[x] = gen; this.slot[x] = c;
  };
  // make makes a child of p from B's node s (a block when block is 1).
  HideBuilder.prototype.make = function (p, s, block) {
    var c = this.n++;
    this.par[c] = p; this.src[c] = s; this.fn[c] = this.bf[s]; this.blk[c] = block; this.multi[c] = 0; this.first[c] = -1; this.kids[c] = 0;
    this.w[c] = this.weight[s]; this.lines[c] = this.bLines[s]; this.next[c] = -1; this.hashed[c] = 0;
    if (this.first[p] === -1) this.first[p] = c; else this.next[this.last[p]] = c;
    this.last[p] = c;
    if (++this.kids[p] > SCAN + 1 && this.hashed[p] === 1) this.put(p, this.bf[s], c);
    this.map[s] = c;
    return c;
  };
  // find returns p's child of function f, or -1. It reads the builder's
  // own copy of each node's function (fn): looking it up in B through src
  // missed the cache at every sibling.
  HideBuilder.prototype.find = function (p, f) {
    var fn = this.fn, next = this.next, x;
    if (this.kids[p] > SCAN) {
      if (this.hashed[p] === 0) { for (x = this.first[p]; x !== -1; x = next[x]) this.put(p, fn[x], x); this.hashed[p] = 1; }
      var stamp = this.stamp, slot = this.slot, par = this.par, gen = this.gen, mask = this.mask;
      x = (Math.imul(p, -1640531535) ^ Math.imul(f + 1, -2048144777)) >>> this.shift;
      while (stamp[x] === gen) {
        var c = slot[x];
        if (par[c] === p && fn[c] === f) return c;
        x = (x + 1) & mask;
      }
      return -1;
    }
    for (x = this.first[p]; x !== -1; x = next[x]) if (fn[x] === f) return x;
    return -1;
  };
  // hideMarks sets has[i] when i's subtree holds a hidden frame.
  function hideMarks(B, hidden, has) {
    var bp = B.parent, bf = B.func;
    for (var i = B.n - 1; i > 0; i--) { if (hidden[bf[i]] === 1) has[i] = 1; if (has[i] === 1) has[bp[i]] = 1; }
  }
  // hideWalk visits B in preorder, skipping the blocks' insides.
  // The common step, making a node, is make written out: the loop then
  // runs on locals alone (a first hide ran a third faster in Chromium).
  function hideWalk(h, B, hidden, weight) {
    var N = B.n, bp = B.parent, bf = B.func, bs = B.size, bLines = B.lines, map = h.map, has = h.has, multi = h.multi, blk = h.blk;
    var par = h.par, src = h.src, fn = h.fn, first = h.first, last = h.last, next = h.next, kids = h.kids, w = h.w, lines = h.lines, hashed = h.hashed;
    var i = 1;
    while (i < N) {
      var p = map[bp[i]], f = bf[i];
      if (hidden[f] === 1) { map[i] = p; multi[p] = 1; i++; continue; }
      var x = multi[p] === 1 ? h.find(p, f) : -1;
      if (x === -1) {
        var c = h.n++, open = has[i];
        par[c] = p; src[c] = i; fn[c] = f; blk[c] = 1 - open; multi[c] = 0; first[c] = -1; kids[c] = 0; next[c] = -1; hashed[c] = 0;
        w[c] = weight[i]; lines[c] = bLines[i];
        if (first[p] === -1) first[p] = c; else next[last[p]] = c;
        last[p] = c;
        if (++kids[p] > SCAN + 1 && hashed[p] === 1) h.put(p, f, c);
        map[i] = c;
        i += open === 1 ? 1 : bs[i];
        continue;
      }
      // i merges into x: x's children become nodes of their own, and i's
      // are looked for among them.
      map[i] = x;
      if (blk[x] === 1) {
        blk[x] = 0;
        var s0 = h.src[x];
        for (var k = s0 + 1; k < s0 + bs[s0]; k += bs[k]) h.make(x, k, 1);
      }
      multi[x] = 1;
      h.w[x] += weight[i];
      if (bLines[i] > h.lines[x]) h.lines[x] = bLines[i];
      i++;
    }
  }
  // hideRows sets rows[c], the rows node c covers in the result.
  function hideRows(h, bs, rows) {
    var par = h.par, blk = h.blk, src = h.src;
    for (var c = h.n - 1; c >= 0; c--) { rows[c] += blk[c] === 1 ? bs[src[c]] : 1; if (c > 0) rows[par[c]] += rows[c]; }
  }
  // hidePlace sets pos[c], node c's first row: children follow their
  // parent in made order, or heaviest first where a merge touched them.
  function hidePlace(h, rows, pos, kids, tmp) {
    var first = h.first, next = h.next, multi = h.multi, x, k;
    for (var d = 0; d < h.n; d++) {
      if (first[d] === -1) continue;
      var at = pos[d] + 1;
      if (multi[d] === 1) {
        var m = 0;
        for (x = first[d]; x !== -1; x = next[x]) kids[m++] = x;
        hideSort(kids, m, h.w, tmp);
        for (k = 0; k < m; k++) { pos[kids[k]] = at; at += rows[kids[k]]; }
      } else for (x = first[d]; x !== -1; x = next[x]) { pos[x] = at; at += rows[x]; }
    }
  }
  // hideSort orders kids[0, m) by weight w, heaviest first, ties in the
  // order given (made order): insertion for the usual few, else a bottom-up
  // merge through tmp. No comparator closure and no allocation: the
  // built-in sort with one was a fifth of a hide's time in Chromium.
  function hideSort(kids, m, w, tmp) {
    if (m <= 12) {
      for (var i = 1; i < m; i++) {
        var k = kids[i], wk = w[k], j = i - 1;
        while (j >= 0 && w[kids[j]] < wk) { kids[j + 1] = kids[j]; j--; }
        kids[j + 1] = k;
      }
      return;
    }
    var from = kids, to = tmp;
    for (var width = 1; width < m; width *= 2) {
      for (var lo = 0; lo < m; lo += 2 * width) {
        var mid = Math.min(lo + width, m), hi = Math.min(lo + 2 * width, m), a = lo, b = mid, o = lo;
        // Stable: on equal weights the left run's kid goes first.
        while (a < mid && b < hi) to[o++] = w[from[b]] > w[from[a]] ? from[b++] : from[a++];
        while (a < mid) to[o++] = from[a++];
        while (b < hi) to[o++] = from[b++];
      }
      var x = from; from = to; to = x;
    }
    if (from !== kids) for (var c = 0; c < m; c++) kids[c] = from[c];
  }
  // hideEmit writes each made node's own row.
  function hideEmit(h, B, rows, pos, t) {
    var par = h.par, src = h.src, lines = h.lines, bf = B.func, bl = B.line;
    var tf = t.func, tp = t.parent, td = t.depth, ts = t.size, tl = t.line, tls = t.lines;
    tp[0] = -1; td[0] = 0; tf[0] = bf[0]; tl[0] = bl[0]; tls[0] = lines[0]; ts[0] = rows[0];
    for (var d = 1; d < h.n; d++) {
      var r = pos[d], s = src[d], pr = pos[par[d]];
      tf[r] = bf[s]; tp[r] = pr; td[r] = td[pr] + 1; ts[r] = rows[d]; tl[r] = bl[s]; tls[r] = lines[d];
    }
  }
  // hideBlocks copies each block's rows below its own: B's rows s+1 … to
  // r+1 …, parents and depths shifted with them, and maps them (out).
  function hideBlocks(h, B, pos, t, out) {
    var src = h.src, blk = h.blk, bp = B.parent, bd = B.depth, bf = B.func, bs = B.size, bl = B.line, bls = B.lines;
    var tp = t.parent, td = t.depth, tf = t.func, ts = t.size, tl = t.line, tls = t.lines;
    for (var d = 0; d < h.n; d++) {
      var s = src[d];
      if (blk[d] === 0 || bs[s] === 1) continue;
      var r0 = pos[d], shift = r0 - s, dd = td[r0] - bd[s], end = s + bs[s];
      for (var k = s + 1; k < end; k++) {
        var r = k + shift;
        tp[r] = bp[k] + shift; td[r] = bd[k] + dd; tf[r] = bf[k]; ts[r] = bs[k]; tl[r] = bl[k]; tls[r] = bls[k]; out[k] = r;
      }
    }
  }
  // keepPass sets keep[i] for each node of B: all of want's bits among
  // fbits over its path from the root, and no fbad (bits and bad: scratch).
  function keepPass(B, fbits, fbad, want, bits, bad, keep) {
    var bp = B.parent, bf = B.func;
    bits[0] = 0; bad[0] = 0; keep[0] = 0;
    for (var i = 1; i < B.n; i++) {
      var p = bp[i], fn = bf[i], b = bits[p] | fbits[fn], x = bad[p] | fbad[fn];
      bits[i] = b; bad[i] = x;
      keep[i] = x === 0 && b === want ? 1 : 0;
    }
  }
  // firstPass sets first[i] = 1 when no ancestor of i has i's function name
  // (nameOf: function → name): a stack of names by depth, count[name] how
  // often each is on it. count (one per name) and stack (one per depth) are
  // zero on entry.
  function firstPass(t, nameOf, count, stack, first) {
    var depth = t.depth, func = t.func, top = 0;
    first[0] = 0;
    for (var i = 1; i < t.n; i++) {
      var dep = depth[i];
      while (top >= dep) { count[stack[top]]--; top--; }
      var nm = nameOf[func[i]];
      first[i] = count[nm] === 0 ? 1 : 0;
      count[nm]++;
      stack[++top] = nm;
    }
  }
  // warmHide runs hideTree on the first k nodes of B in preorder (a tree:
  // every node's callers come before it), hiding every step-th function,
  // then a sandwich and the table's pass over it (nameOf: function → name,
  // names: how many), for warm: the same kind of tree and arrays as the real
  // ones, so the code Chromium compiles for them is the code the page runs.
  function warmHide(B, k, step, nameOf, names) {
    var funcs = nameOf.length;
    var n = Math.min(k, B.n), t = newTree(n), hidden = new Uint8Array(funcs);
    t.func.set(B.func.subarray(0, n)); t.parent.set(B.parent.subarray(0, n)); t.depth.set(B.depth.subarray(0, n));
    t.line.set(B.line.subarray(0, n)); t.lines.set(B.lines.subarray(0, n));
    sizes(t);
    var w = new Float64Array(n);
    for (var i = n - 1; i > 0; i--) { w[i] += 1; w[t.parent[i]] += w[i]; }
    for (var f = 1; f < hidden.length; f += step) hidden[f] = 1;
    hideTree(t, hidden, w, "warm.");
    for (i = 1; i < n; i++) if (t.size[i] === 1) t.self[i] = 1;
    accumulate(t);
    var first = new Uint8Array(n);
    firstPass(t, nameOf, new Int32Array(names), new Int32Array(n + 1), first);
    sandwichTrees(t, nameOf, first, nameOf[t.func[n >> 1]], "warm.sw.");
    topPass(t, nameOf, first, new Float64Array(names), new Float64Array(names), new Uint8Array(names), new Int32Array(names).fill(-1));
  }
  // sumRows adds each sample row's value to its node of t (new and base
  // apart): rows of admitted label sets (admit), kept nodes (keep, or null
  // for all), and B's node n is t's dmap[n] (or n when dmap is null). A
  // function of its own, on arguments: in the page's closure the loop ran
  // 3-5× slower in Chromium.
  function sumRows(t, rowNode, rowSet, rowBase, vals, admit, keep, dmap) {
    var self = t.self, baseSelf = t.baseSelf;
    for (var r = 0; r < rowNode.length; r++) {
      if (admit[rowSet[r]] === 0) continue;
      var n = rowNode[r];
      if (keep !== null && keep[n] === 0) continue;
      var d = dmap === null ? n : dmap[n];
      // A stack whose every frame is hidden is dropped, as pprof does.
      if (d === 0 && n !== 0) continue;
      if (rowBase[r] === 1) baseSelf[d] += vals[r]; else self[d] += vals[r];
    }
  }
  // sandwichTrees returns the sandwich of the function named target in t
  // (nameOf: function → name; first: t's first occurrences), its callees
  // and callers as trees, in scratch memory under prefix (the next call
  // with that prefix reuses it).
  function sandwichTrees(t, nameOf, first, target, prefix) {
    var cap = t.n + 1, i;
    var ce = new TreeBuilder(cap, prefix + "ce."), cr = new TreeBuilder(cap, prefix + "cr.");
    var v = { ceSelf: scratch(prefix + "ceSelf", Float64Array, cap), ceBase: scratch(prefix + "ceBase", Float64Array, cap),
      crCum: scratch(prefix + "crCum", Float64Array, cap), crBase: scratch(prefix + "crBase", Float64Array, cap), rootFunc: 0 };
    sandwichPass(t, nameOf, first, target, ce, cr, scratch(prefix + "map", Int32Array, t.n), v);
    var rootFunc = v.rootFunc, ceSelf = v.ceSelf, ceBase = v.ceBase, crCum = v.crCum, crBase = v.crBase;
    ce.func[0] = rootFunc; cr.func[0] = rootFunc;
    // Callees: sums from self; callers: each node's value is already its cum.
    var ceCum = scratch(prefix + "ceCum", Float64Array, ce.n);
    ceCum.set(ceSelf.subarray(0, ce.n));
    for (i = ce.n - 1; i > 0; i--) ceCum[ce.parent[i]] += ceCum[i];
    var a1 = ce.finish(ceCum), a2 = cr.finish(crCum);
    var t1 = a1.tree, t2 = a2.tree;
    for (i = 0; i < t1.n; i++) { t1.self[i] = ceSelf[a1.order[i]]; t1.baseSelf[i] = ceBase[a1.order[i]]; }
    accumulate(t1);
    for (i = 0; i < t2.n; i++) { t2.cum[i] = crCum[a2.order[i]]; t2.baseCum[i] = crBase[a2.order[i]]; }
    // A caller's self is its value not passed on to a further caller.
    for (i = 0; i < t2.n; i++) { t2.self[i] = t2.cum[i]; }
    for (i = 1; i < t2.n; i++) t2.self[t2.parent[i]] -= t2.cum[i];
    t1.func[0] = rootFunc; t2.func[0] = rootFunc;
    return { callees: t1, callers: t2, name: "" };
  }
  // sandwichPass builds a sandwich's two trees over every first occurrence
  // (first) of the function named target in D (with a value): ce, its
  // callees (each occurrence's subtree, merged; recursion below stays as it
  // is), summing self into v.ceSelf and v.ceBase; cr, its callers (the path
  // up to the root, nearest caller first), summing the occurrence's cum into
  // v.crCum and v.crBase. mapTo is scratch, one per node of D. On arguments,
  // outside the page's closure, for Chromium's compiler.
  function sandwichPass(D, nameOf, first, target, ce, cr, mapTo, v) {
    var func = D.func, parent = D.parent, size = D.size, self = D.self, baseSelf = D.baseSelf, cum = D.cum, baseCum = D.baseCum;
    var ceSelf = v.ceSelf, ceBase = v.ceBase, crCum = v.crCum, crBase = v.crBase, ceMade = 1, crMade = 1;
    ceSelf[0] = 0; ceBase[0] = 0; crCum[0] = 0; crBase[0] = 0;
    for (var d = 1; d < D.n; d++) {
      if (nameOf[func[d]] !== target || first[d] === 0) continue;
      if (!(cum[d] > 0) && !(baseCum[d] > 0)) continue;
      if (v.rootFunc === 0) v.rootFunc = func[d];
      ceSelf[0] += self[d]; ceBase[0] += baseSelf[d];
      crCum[0] += cum[d]; crBase[0] += baseCum[d];
      var end = d + size[d];
      mapTo[d] = 0;
      for (var j = d + 1; j < end; j++) {
        var c = ce.child(mapTo[parent[j]], func[j]);
        if (c === ceMade) { ceSelf[c] = 0; ceBase[c] = 0; ceMade++; }
        mapTo[j] = c;
        ceSelf[c] += self[j]; ceBase[c] += baseSelf[j];
      }
      var x = 0;
      for (var a = parent[d]; a > 0; a = parent[a]) {
        x = cr.child(x, func[a]);
        if (x === crMade) { crCum[x] = 0; crBase[x] = 0; crMade++; }
        crCum[x] += cum[d]; crBase[x] += baseCum[d];
      }
    }
  }
  // topPass sums t's flat and cum (new minus base) by name (nameOf:
  // function → name) into flat and cum, counting cum at first occurrences
  // only (first), and marks the names seen with a value and the first
  // function of each (file, -1 before). Outside the page's closure, for
  // Chromium's compiler.
  function topPass(t, nameOf, first, flat, cum, seen, file) {
    var func = t.func, self = t.self, baseSelf = t.baseSelf, tc = t.cum, baseCum = t.baseCum;
    for (var d = 1; d < t.n; d++) {
      if (tc[d] === 0 && baseCum[d] === 0) continue;
      var nm = nameOf[func[d]];
      seen[nm] = 1;
      flat[nm] += self[d] - baseSelf[d];
      if (first[d] === 1) cum[nm] += tc[d] - baseCum[d];
      if (file[nm] < 0) file[nm] = func[d];
    }
  }
  // matchPass returns [frames of matching functions (match) with a value,
  // their value not under another match] over tree t; under is scratch.
  function matchPass(t, match, under) {
    var parent = t.parent, func = t.func, cum = t.cum, count = 0, value = 0;
    under[0] = 0;
    for (var i = 1; i < t.n; i++) {
      var p = parent[i];
      under[i] = under[p] === 1 || match[func[p]] === 1 ? 1 : 0;
      if (match[func[i]] === 1 && cum[i] > 0) {
        count++;
        if (under[i] === 0) value += cum[i];
      }
    }
    return [count, value];
  }
  // weightPass sums |value| of the new profile's rows into w by node of t,
  // then up the tree.
  function weightPass(t, rowNode, rowBase, vals, w) {
    for (var r = 0; r < rowNode.length; r++) if (rowBase[r] === 0) w[rowNode[r]] += Math.abs(vals[r]);
    for (var i = t.n - 1; i > 0; i--) w[t.parent[i]] += w[i];
  }
  // spanPass returns the name (nameOf: function → name) whose nodes' subtrees
  // in t span the fewest nodes (span: one per name, zero), or -1.
  function spanPass(t, nameOf, span) {
    var best = -1;
    for (var d = 1; d < t.n; d++) span[nameOf[t.func[d]]] += t.size[d];
    for (var m = 0; m < span.length; m++) if (span[m] > 0 && (best < 0 || span[m] < span[best])) best = m;
    return best;
  }
  function accumulate(t) {
    t.cum.set(t.self); t.baseCum.set(t.baseSelf);
    for (var i = t.n - 1; i > 0; i--) { var p = t.parent[i]; t.cum[p] += t.cum[i]; t.baseCum[p] += t.baseCum[i]; }
  }

  function start(u) {
    var t0 = performance.now();
    var cols = {}, at = 0;
    data.columns.forEach(function (c) { cols[c[0]] = [at, at + c[1]]; at += c[1]; });
    function col(name, count, zigzag, delta, out) {
      if (!cols[name]) return out;
      return readColumn(u, cols[name][0], cols[name][1], count, zigzag, delta, out);
    }
    // B is the profile's tree, as the model has it.
    var B = newTree(N);
    col("depth", N, true, true, B.depth);
    col("func", N, false, false, B.func);
    col("line", N, true, false, B.line);
    col("lines", N, false, false, B.lines);
    for (var j = 0; j < N; j++) B.line[j] += data.funcLine[B.func[j]];
    var last = [0];
    B.parent[0] = -1;
    for (var i = 1; i < N; i++) { B.parent[i] = last[B.depth[i] - 1]; last[B.depth[i]] = i; }
    var maxDepth = last.length;
    sizes(B);
    var rowNode = col("rowNode", R, false, true, new Int32Array(R));
    var rowSet = col("rowSet", R, false, false, new Int32Array(R));
    var rowBase = col("rowBase", R, false, false, new Uint8Array(R));
    var rowValues = [];
    for (var t = 0; t < T; t++) rowValues.push(col("value" + t, R, true, false, new Float64Array(R)));
    var lrFunc = col("lrFunc", L, false, true, new Int32Array(L));
    var lrLine = col("lrLine", L, true, false, new Float64Array(L));
    var lrSet = col("lrSet", L, false, false, new Int32Array(L));
    var lrBase = col("lrBase", L, false, false, new Uint8Array(L));
    var lrFlat = [], lrCum = [];
    for (t = 0; t < T; t++) { lrFlat.push(col("lrFlat" + t, L, true, false, new Float64Array(L))); lrCum.push(col("lrCum" + t, L, true, false, new Float64Array(L))); }

    var F = data.funcName.length;
    var funcNames = data.funcName.map(function (s) { return strings[s]; });
    var funcFiles = data.funcFile.map(function (s) { return strings[s]; });
    // Functions merge by name for the table, the sandwich and the source
    // view, as pprof's default (functions) granularity does.
    var nameIds = new Map(), names = [], nameOf = new Int32Array(F);
    for (var f = 0; f < F; f++) {
      var id = nameIds.get(funcNames[f]);
      if (id === undefined) { id = names.length; nameIds.set(funcNames[f], id); names.push(funcNames[f]); }
      nameOf[f] = id;
    }
    var M = names.length;
    // pprof's total: the sum of |value| over every sample (before filters);
    // in a diff, over the base's samples.
    var pprofTotal = [];
    for (t = 0; t < T; t++) {
      var all = 0, base = 0, vals = rowValues[t];
      for (var r = 0; r < R; r++) { var a = Math.abs(vals[r]); all += a; if (rowBase[r]) base += a; }
      pprofTotal.push(base > 0 ? base : all);
    }
    // Label sets, as pairs of strings; the options offered for label filters.
    var setPairs = data.labelSets.map(function (pairs) {
      var out = [];
      for (var j = 0; j < pairs.length; j += 2) out.push([strings[pairs[j]], strings[pairs[j + 1]]]);
      return out;
    });
    var numericKeys = Object.create(null);
    data.numericLabelKeys.forEach(function (k) { numericKeys[k] = true; });
    var labelOptions = [];
    (function () {
      var seen = Object.create(null);
      setPairs.forEach(function (pairs) {
        pairs.forEach(function (kv) { var s = kv[0] + "=" + kv[1]; if (!seen[s]) { seen[s] = true; labelOptions.push(s); } });
      });
      labelOptions.sort();
      var dl = $("label-options");
      labelOptions.forEach(function (s) { var o = document.createElement("option"); o.value = s; dl.appendChild(o); });
    })();

    var canvas = $("flame"), tip = $("tip"), typeSelect = $("type"), search = $("search");
    data.sampleTypes.forEach(function (st, i) {
      var o = document.createElement("option");
      o.value = String(i);
      o.textContent = st.type + (st.unit ? " (" + st.unit + ")" : "");
      typeSelect.appendChild(o);
    });
    if (data.durationNanos > 0) $("title").title = "duration " + fmt(data.durationNanos, "nanoseconds");
    if (data.diff) $("diffnote").textContent = "diff: new \u2212 base" + (data.normalized ? " (new normalized to the base's total)" : "") + "; widths from new; red grew, blue shrank";
    if (data.droppedLabelKeys.length > 0) $("filter-value").title = "label keys left out (more than 256 values): " + data.droppedLabelKeys.join(", ");

    // ---- state and the URL hash ----
    var state = { view: "flame", type: data.defaultType, filters: [], q: "", fn: "", sort: "flat", desc: true, zoom: "" };
    function parseHash() {
      var p = new URLSearchParams(location.hash.replace(/^#/, ""));
      var s = { view: "flame", type: data.defaultType, filters: [], q: "", fn: "", sort: "flat", desc: true, zoom: "" };
      if (VIEWS.indexOf(p.get("view")) >= 0) s.view = p.get("view");
      var ty = p.get("type");
      if (ty !== null) {
        var ti = data.sampleTypes.findIndex(function (st) { return st.type === ty; });
        if (ti >= 0) s.type = ti;
      }
      p.getAll("f").forEach(function (x) {
        var c = x.indexOf(":");
        if (c > 0) { var flt = makeFilter(x.slice(0, c), x.slice(c + 1)); if (flt.error === undefined) s.filters.push(flt); }
      });
      s.q = p.get("q") || "";
      s.fn = p.get("fn") || "";
      var so = p.get("sort") || "";
      if (/^-?(flat|cum|name)$/.test(so)) { s.desc = so.charAt(0) !== "-"; s.sort = so.replace("-", ""); }
      s.zoom = p.get("zoom") || "";
      return s;
    }
    function hashOf(s) {
      var p = new URLSearchParams();
      if (s.view !== "flame") p.set("view", s.view);
      if (s.type !== data.defaultType) p.set("type", data.sampleTypes[s.type].type);
      s.filters.forEach(function (flt) { p.append("f", flt.kind + ":" + flt.text); });
      if (s.q) p.set("q", s.q);
      if (s.fn) p.set("fn", s.fn);
      if (s.sort !== "flat" || !s.desc) p.set("sort", (s.desc ? "" : "-") + s.sort);
      if (s.zoom) p.set("zoom", s.zoom);
      var h = p.toString();
      return h ? "#" + h : "";
    }
    // commit records the state in the history (the back button undoes it).
    function commit() {
      var h = hashOf(state);
      if (h !== location.hash && !(h === "" && location.hash === "")) history.pushState(null, "", h === "" ? location.pathname + location.search : h);
    }

    // ---- filters ----
    function compile(text) {
      try { return new RegExp(text); } catch (e) { return null; }
    }
    // makeFilter parses one chip: focus/ignore/hide take a regular
    // expression (matched against function names and files, as pprof's);
    // label takes key=value, key!=value, or key>=N / key<=N on numeric labels.
    function makeFilter(kind, text) {
      if (kind === "focus" || kind === "ignore" || kind === "hide") {
        var re = compile(text);
        if (text === "" || re === null) return { error: "not a regular expression: " + text };
        return { kind: kind, text: text, re: re };
      }
      if (kind === "label") {
        var m = /^([^=!<>]+?)\s*(!=|>=|<=|=)\s*([^]*)$/.exec(text);
        if (m === null) return { error: "want key=value, key!=value, key>=N or key<=N: " + text };
        var key = m[1], op = m[2], value = m[3];
        if ((op === ">=" || op === "<=") && (!numericKeys[key] || !isFinite(Number(value)) || value === "")) return { error: key + " is not a numeric label, or " + value + " is not a number" };
        var admit = new Uint8Array(setPairs.length);
        setPairs.forEach(function (pairs, s) {
          var v = null;
          for (var j = 0; j < pairs.length; j++) if (pairs[j][0] === key) v = pairs[j][1];
          var ok;
          if (op === "=") ok = v === value;
          else if (op === "!=") ok = v !== value;
          else if (v === null) ok = false;
          else ok = op === ">=" ? Number(v) >= Number(value) : Number(v) <= Number(value);
          admit[s] = ok ? 1 : 0;
        });
        return { kind: kind, text: key + op + value, admit: admit };
      }
      return { error: "unknown filter " + kind };
    }
    function funcMatches(re) {
      var out = new Uint8Array(F);
      for (var f = 1; f < F; f++) if (re.test(funcNames[f]) || (funcFiles[f] !== "" && re.test(funcFiles[f]))) out[f] = 1;
      return out;
    }

    // ---- the derived tree (after hide) and its sums ----
    var D = B, dmap = null, dKey = null, hideWeight = null;
    // derive applies hide: hidden frames leave the stacks, and stacks that
    // then agree merge (pprof's -hide). Without hide the tree is B.
    function derive() {
      var hides = state.filters.filter(function (x) { return x.kind === "hide"; });
      var key = hides.map(function (x) { return x.text; }).join("\n");
      if (key === dKey) return;
      dKey = key;
      firstKey = null;
      if (hides.length === 0) { D = B; dmap = null; return; }
      var hidden = new Uint8Array(F);
      hides.forEach(function (x) { var m = funcMatches(x.re); for (var f = 0; f < F; f++) hidden[f] |= m[f]; });
      var done = hideTree(B, hidden, weights());
      D = done.tree; dmap = done.map;
    }
    // weights returns B's node weights by which hide orders the siblings a
    // merge touched, as the model orders B: the default sample type's value
    // (new profile, all labels), heaviest first.
    function weights() {
      if (hideWeight !== null) return hideWeight;
      hideWeight = new Float64Array(N);
      weightPass(B, rowNode, rowBase, rowValues[data.defaultType], hideWeight);
      return hideWeight;
    }
    // firstOcc[d] is 1 when no ancestor of d has d's function name: cum by
    // name counts a sample once however often a name recurs on its stack.
    // Made when the table or the sandwich first needs it for a tree (a pass
    // of ~10 ms over a million nodes the graphs do not need).
    // B's are kept (removing the last hide needs no pass); a hide's are
    // scratch.
    var firstOcc = null, firstKey = null, firstB = null;
    function firsts() {
      if (firstKey === D) return;
      firstKey = D;
      if (D === B && firstB !== null) { firstOcc = firstB; return; }
      firstOcc = D === B ? (firstB = new Uint8Array(N)) : scratch("firsts", Uint8Array, D.n);
      firstPass(D, nameOf, new Int32Array(M), new Int32Array(maxDepth + 2), firstOcc);
    }
    var keptLabels = null, keepKey = null, keepNodes = null;
    // kept returns keep[n] = 1 when the samples at B's node n pass focus and
    // ignore: each focus matches some frame of the stack and no ignore
    // matches any (pprof's -focus, -ignore). Kept for the next call while
    // the focus and ignore chips stay the same.
    function kept(focus, ignore) {
      var key = focus.map(function (x) { return x.text; }).join("\n") + "\n\n" + ignore.map(function (x) { return x.text; }).join("\n");
      if (key === keepKey) return keepNodes;
      var fbits = new Int32Array(F), fbad = new Uint8Array(F);
      focus.forEach(function (x, q) { var m = funcMatches(x.re); for (var f = 0; f < F; f++) if (m[f]) fbits[f] |= 1 << q; });
      ignore.forEach(function (x) { var m = funcMatches(x.re); for (var f = 0; f < F; f++) if (m[f]) fbad[f] = 1; });
      keepNodes = scratch("focus.keep", Uint8Array, N);
      keepPass(B, fbits, fbad, (1 << focus.length) - 1, scratch("focus.bits", Int32Array, N), scratch("focus.bad", Uint8Array, N), keepNodes);
      keepKey = key;
      return keepNodes;
    }
    // sum fills D's self, cum, baseSelf and baseCum for the sample type and
    // filters: focus keeps samples with a matching frame, ignore drops them
    // (both on the stacks before hide, as pprof), labels admit label sets.
    function sum() {
      derive();
      var admit = new Uint8Array(setPairs.length).fill(1);
      state.filters.forEach(function (x) { if (x.kind === "label") for (var s = 0; s < admit.length; s++) admit[s] &= x.admit[s]; });
      keptLabels = admit;
      var focus = state.filters.filter(function (x) { return x.kind === "focus"; });
      var ignore = state.filters.filter(function (x) { return x.kind === "ignore"; });
      var keepNode = focus.length > 0 || ignore.length > 0 ? kept(focus, ignore) : null;
      D.self.fill(0); D.baseSelf.fill(0);
      sumRows(D, rowNode, rowSet, rowBase, rowValues[state.type], admit, keepNode, dmap);
      accumulate(D);
    }

    // ---- search ----
    var searchRe = null, funcMatch = new Uint8Array(F);
    function setSearch(q) {
      state.q = q;
      search.classList.remove("bad");
      funcMatch.fill(0);
      searchRe = null;
      if (q === "") return;
      try { searchRe = new RegExp(q, "i"); }
      catch (e) {
        // Not a regular expression: a plain substring.
        search.classList.add("bad");
        searchRe = new RegExp(q.replace(/[.*+?^$()|[\]{}\\]/g, "\\$&"), "i");
      }
      for (var f = 1; f < F; f++) if (searchRe.test(funcNames[f])) funcMatch[f] = 1;
    }
    var matchCount = 0, matchedValue = 0;
    // matchTree counts the search's frames in t; kept while the tree, its
    // sums and the search stay (switching views does not count again).
    var matchKey = null, matchOf = null, matchGot = [0, 0];
    function matchTree(t) {
      matchCount = 0; matchedValue = 0;
      if (searchRe === null) return;
      var k = lastSum + "\u0000" + state.q;
      if (t !== matchOf || k !== matchKey) {
        matchGot = matchPass(t, funcMatch, scratch("match.under", Uint8Array, t.n));
        matchOf = t; matchKey = k;
      }
      matchCount = matchGot[0]; matchedValue = matchGot[1];
    }

    // ---- formatting ----
    // Units: nanoseconds and bytes are scaled; counts get separators.
    function fmt(v, unit) {
      var a = Math.abs(v), d = function (x) { return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2); };
      var sign = v < 0 ? "-" : "";
      if (unit === "nanoseconds") {
        if (a >= 6e10 * 60) return sign + d(a / 3.6e12) + " h";
        if (a >= 6e10 * 2) return sign + d(a / 6e10) + " min";
        if (a >= 1e9) return sign + d(a / 1e9) + " s";
        if (a >= 1e6) return sign + d(a / 1e6) + " ms";
        if (a >= 1e3) return sign + d(a / 1e3) + " \u00b5s";
        return sign + a + " ns";
      }
      if (unit === "bytes") {
        var units = ["B", "KB", "MB", "GB", "TB"], k = 0;
        while (a >= 1024 && k < units.length - 1) { a /= 1024; k++; }
        return sign + (k === 0 ? String(a) : d(a)) + " " + units[k];
      }
      var s = grouped(v);
      return unit && unit !== "count" ? s + " " + unit : s;
    }
    // grouped is v as toLocaleString("en-US") writes it (thousands
    // separated, at most three decimals), without it: its first call
    // loaded the locale data, 20 ms in Chromium.
    function grouped(v) {
      var parts = Math.abs(v).toFixed(3).split("."), frac = parts[1].replace(/0+$/, "");
      var s = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac ? "." + frac : "");
      return (v < 0 && s !== "0" ? "-" : "") + s;
    }
    function unit() { return data.sampleTypes[state.type].unit; }
    function pct(v, of) {
      if (of === 0) return "0%";
      var x = v / of * 100;
      return (Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2)) + "%";
    }
    // pprofPct formats as pprof's measurement.Percentage: the absolute
    // ratio, "100%" near 100, two decimals from 1%, two significant digits
    // (Go's %.2g) below.
    // fixedGo is x.toFixed(d) as Go prints it: exact ties (3.125 at two
    // digits, the odd multiples of 2^-(d+1)) go to even, not up.
    function fixedGo(x, d) {
      var e = x * Math.pow(2, d + 1);
      if (Number.isInteger(e) && Math.abs(e) % 2 === 1) {
        var n = Math.floor(x * Math.pow(10, d));
        if (Math.abs(n) % 2 === 1) n++;
        return (n / Math.pow(10, d)).toFixed(d);
      }
      return x.toFixed(d);
    }
    // significantGo is Go's %.{d}g of x (0 < x, no exponent): d significant
    // digits, exact ties to even (0.625 at two is 0.62), no trailing zeros.
    function significantGo(x, d) {
      return String(Number(fixedGo(x, Math.max(0, d - 1 - Math.floor(Math.log10(x))))));
    }
    function pprofPct(v, of) {
      var r = of === 0 ? 0 : Math.abs(v / of) * 100;
      if (r >= 99.95 && r <= 100.05) return "100%";
      if (r >= 1) return fixedGo(r, 2) + "%";
      if (r === 0) return "0%";
      if (r < 1e-4) return r.toExponential(1).replace(/\.0e/, "e").replace(/e-(\d)$/, "e-0$1") + "%";
      return significantGo(r, 2) + "%";
    }
    function signed(v) { return (data.diff && v > 0 ? "+" : "") + fmt(v, unit()); }

    // ---- colours ----
    var colorCache = new Array(F), dimCache = new Array(F);
    function hash(s) {
      var h = 2166136261;
      for (var i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
      return h >>> 0;
    }
    function color(f) {
      var c = colorCache[f];
      if (c === undefined) {
        if (f === 0) c = "hsl(220, 12%, 80%)";
        else {
          var h = hash(funcNames[f]);
          c = "hsl(" + (4 + h % 46) + ", " + (62 + (h >>> 8) % 24) + "%, " + (64 + (h >>> 16) % 12) + "%)";
        }
        colorCache[f] = c;
      }
      return c;
    }
    function dim(f) {
      var c = dimCache[f];
      if (c === undefined) dimCache[f] = c = "hsl(" + (4 + hash(funcNames[f]) % 46) + ", 8%, 88%)";
      return c;
    }
    // diffColor: red for growth, blue for shrinkage, stronger as the change
    // nears the node's own size; grey for no change.
    function diffColor(t, n) {
      var now = t.cum[n], was = t.baseCum[n], delta = now - was;
      if (delta === 0) return "hsl(220, 10%, 85%)";
      var rel = Math.min(1, Math.abs(delta) / Math.max(Math.abs(was), Math.abs(now), 1));
      return "hsl(" + (delta > 0 ? 2 : 215) + ", " + Math.round(45 + 45 * rel) + "%, " + Math.round(88 - 26 * rel) + "%)";
    }
    var MATCH = "#a21caf", AGG = "#c9c9c9";

    // ---- drawing a tree on a canvas ----
    // Graph holds one canvas's drawing: the tree, its zoom root, direction,
    // and the rectangles drawn (for hit testing): x, width (CSS px), row,
    // node (or -1 for a run of narrow frames, with value rv and count rc).
    function Graph(canvasEl, inverted) {
      this.canvas = canvasEl; this.ctx = canvasEl.getContext("2d"); this.inverted = inverted;
      this.tree = null; this.zoom = 0; this.cursor = -1;
      this.rx = []; this.rw = []; this.rr = []; this.rn = []; this.rv = []; this.rc = []; this.rows = 0;
    }
    Graph.prototype.layout = function (width) {
      var g = this, t = g.tree, z = g.zoom;
      g.rx.length = g.rw.length = g.rr.length = g.rn.length = g.rv.length = g.rc.length = 0;
      g.rows = 0;
      if (!(t.cum[z] > 0)) { g.push(0, width, 0, 0, 0, 0); return; }
      for (var a = t.parent[z]; a >= 0; a = t.parent[a]) g.push(0, width, t.depth[a], a, 0, 0);
      var scale = width / t.cum[z];
      var stackN = [z], stackX = [0];
      while (stackN.length > 0) {
        var n = stackN.pop(), x = stackX.pop();
        g.push(x, t.cum[n] * scale, t.depth[n], n, 0, 0);
        var end = n + t.size[n], cx = x, aggX = 0, aggW = 0, aggV = 0, aggC = 0;
        for (var ch = n + 1; ch < end; ch += t.size[ch]) {
          var v = t.cum[ch];
          if (!(v > 0)) continue;
          var w = v * scale;
          if (w >= MIN_WIDTH) { stackN.push(ch); stackX.push(cx); }
          else { if (aggC === 0) aggX = cx; aggW += w; aggV += v; aggC++; }
          cx += w;
        }
        if (aggW >= MIN_WIDTH) g.push(aggX, aggW, t.depth[n] + 1, -1, aggV, aggC);
      }
    };
    Graph.prototype.push = function (x, w, row, node, v, count) {
      this.rx.push(x); this.rw.push(w); this.rr.push(row); this.rn.push(node); this.rv.push(v); this.rc.push(count);
      if (row + 1 > this.rows) this.rows = row + 1;
    };
    Graph.prototype.y = function (row) { return (this.inverted ? this.rows - 1 - row : row) * ROW; };
    var charWidth = 7.2;
    Graph.prototype.paint = function (width) {
      var g = this, t = g.tree, ctx = g.ctx;
      g.layout(width);
      var height = Math.max(g.rows, 1) * ROW, dpr = window.devicePixelRatio || 1;
      g.canvas.style.height = height + "px";
      g.canvas.width = Math.round(width * dpr);
      g.canvas.height = Math.round(height * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, height);
      ctx.font = FONT;
      ctx.textBaseline = "middle";
      charWidth = ctx.measureText("MMMMMMMMMM").width / 10 || 7.2;
      var zoomRow = t.depth[g.zoom], searching = searchRe !== null;
      for (var i = 0; i < g.rx.length; i++) {
        var x = g.rx[i], w = g.rw[i], y = g.y(g.rr[i]), n = g.rn[i], gap = w > 3 ? 1 : 0;
        if (n < 0) { ctx.fillStyle = AGG; ctx.fillRect(x, y, w - gap, ROW - 1); continue; }
        var f = t.func[n], matched = funcMatch[f] === 1;
        ctx.globalAlpha = g.rr[i] < zoomRow ? 0.55 : 1;
        ctx.fillStyle = matched ? MATCH : searching ? dim(f) : data.diff ? diffColor(t, n) : color(f);
        ctx.fillRect(x, y, w - gap, ROW - 1);
        if (n === g.cursor) { ctx.strokeStyle = "#0b57d0"; ctx.lineWidth = 2; ctx.strokeRect(x + 1, y + 1, Math.max(1, w - gap - 2), ROW - 3); }
        if (w > charWidth * 3 + 6) {
          var name = n === 0 && g === graph ? "root" : funcNames[f];
          var max = Math.floor((w - 6) / charWidth);
          if (name.length > max) name = name.slice(0, Math.max(1, max - 1)) + "\u2026";
          ctx.fillStyle = matched ? "#fff" : searching ? "#444" : "#111";
          ctx.fillText(name, x + 3, y + ROW / 2);
        }
        ctx.globalAlpha = 1;
      }
    };
    Graph.prototype.hit = function (clientX, clientY) {
      var b = this.canvas.getBoundingClientRect(), x = clientX - b.left, row = Math.floor((clientY - b.top) / ROW);
      if (this.inverted) row = this.rows - 1 - row;
      for (var i = this.rx.length - 1; i >= 0; i--) if (this.rr[i] === row && x >= this.rx[i] && x < this.rx[i] + this.rw[i]) return i;
      return -1;
    };
    Graph.prototype.rectOf = function (n) {
      for (var i = 0; i < this.rn.length; i++) if (this.rn[i] === n) return i;
      return -1;
    };

    function describe(t, n, of) {
      var u = unit();
      var out = [fmt(t.cum[n], u) + " (" + pct(t.cum[n], of) + " of total)"];
      if (data.diff) out.push("base " + fmt(t.baseCum[n], u) + ", change " + signed(t.cum[n] - t.baseCum[n]));
      if (t.size[n] > 1 && t.self[n] !== 0) out.push("self " + fmt(t.self[n], u) + " (" + pct(t.self[n], of) + ")");
      var f = t.func[n], file = funcFiles[f] || "";
      if (file && t.line[n] > 0) file += ":" + t.line[n];
      if (t.lines[n] > 1) file += " (+" + (t.lines[n] - 1) + " more line" + (t.lines[n] > 2 ? "s" : "") + ")";
      return { name: n === 0 ? "root" : funcNames[f], lines: out, file: file };
    }
    function describeRect(g, i) {
      if (g.rn[i] < 0) return { name: g.rc[i] + " frames too narrow to draw", lines: [fmt(g.rv[i], unit()) + " (" + pct(g.rv[i], g.tree.cum[0]) + " of total)"], file: "" };
      return describe(g.tree, g.rn[i], g.tree.cum[0]);
    }
    function showTip(d, ev) {
      if (d === null) { tip.hidden = true; return; }
      tip.textContent = "";
      var b = document.createElement("b");
      b.textContent = d.name;
      tip.appendChild(b);
      d.lines.forEach(function (l) { var div = document.createElement("div"); div.textContent = l; tip.appendChild(div); });
      if (d.file) { var fd = document.createElement("div"); fd.className = "file"; fd.textContent = d.file; tip.appendChild(fd); }
      tip.hidden = false;
      var tw = tip.offsetWidth, th = tip.offsetHeight, left = ev.clientX + 14, top = ev.clientY + 16;
      if (left + tw > window.innerWidth - 4) left = Math.max(4, ev.clientX - tw - 14);
      if (top + th > window.innerHeight - 4) top = Math.max(4, ev.clientY - th - 12);
      tip.style.left = left + "px";
      tip.style.top = top + "px";
      details(d);
    }
    function details(d) { $("details").textContent = d.name + " \u2014 " + d.lines.join(" \u00b7 ") + (d.file ? " \u2014 " + d.file : ""); }

    var graph = new Graph(canvas, false), callersG = new Graph($("callers"), true), calleesG = new Graph($("callees"), false);
    function width() { return Math.max(100, $("main").clientWidth - 24); }

    // zoom is kept in the hash as the path of function names from the root.
    function zoomPath(t, n) {
      var out = [];
      for (var a = n; a > 0; a = t.parent[a]) out.unshift(funcNames[t.func[a]]);
      return out.join("\n");
    }
    function zoomNode(t, path) {
      if (!path) return 0;
      var n = 0, parts = path.split("\n");
      for (var i = 0; i < parts.length; i++) {
        var found = -1, end = n + t.size[n];
        for (var c = n + 1; c < end; c += t.size[c]) if (funcNames[t.func[c]] === parts[i] && t.cum[c] > 0) { found = c; break; }
        if (found < 0) return n;
        n = found;
      }
      return n;
    }

    // ---- the top table ----
    var topRows = [];
    // computeTop sums flat and cum by function name over the derived tree
    // (new minus base in a diff), as go tool pprof -top does.
    function computeTop() {
      firsts();
      var flat = new Float64Array(M), cum = new Float64Array(M), seen = new Uint8Array(M);
      var file = new Int32Array(M).fill(-1);
      topPass(D, nameOf, firstOcc, flat, cum, seen, file);
      topRows = [];
      for (var m = 0; m < M; m++) if (seen[m]) topRows.push({ name: names[m], flat: flat[m], cum: cum[m], func: file[m] });
      var by = function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; };
      var key = state.sort, dir = state.desc ? 1 : -1;
      topRows.sort(function (a, b) {
        if (key === "name") return dir * -by(a, b);
        if (key === "cum") return dir * (Math.abs(b.cum) - Math.abs(a.cum)) || by(a, b);
        // pprof's flat order: |flat|, then name, then |cum|.
        return dir * (Math.abs(b.flat) - Math.abs(a.flat)) || by(a, b) || Math.abs(b.cum) - Math.abs(a.cum);
      });
      var total = pprofTotal[state.type], run = 0;
      topRows.forEach(function (r) { run += r.flat; r.sum = run; r.flatPct = pprofPct(r.flat, total); r.sumPct = pprofPct(run, total); r.cumPct = pprofPct(r.cum, total); });
    }
    function renderTop() {
      computeTop();
      var body = $("top-body"), shown = 0, u = unit();
      body.textContent = "";
      var frag = document.createDocumentFragment();
      for (var i = 0; i < topRows.length && shown < TABLE_ROWS; i++) {
        var r = topRows[i];
        if (searchRe !== null && !searchRe.test(r.name)) continue;
        shown++;
        var tr = document.createElement("tr");
        tr.tabIndex = 0;
        tr.dataset.name = r.name;
        var cells = [signed(r.flat), r.flatPct, r.sumPct, signed(r.cum), r.cumPct];
        cells.forEach(function (text, j) {
          var td = document.createElement("td");
          td.textContent = text;
          if (data.diff && (j === 0 || j === 3)) { var v = j === 0 ? r.flat : r.cum; td.className = v > 0 ? "up" : v < 0 ? "down" : ""; }
          tr.appendChild(td);
        });
        var td = document.createElement("td");
        td.className = "name";
        td.textContent = r.name;
        var file = funcFiles[r.func];
        if (file) td.title = file;
        tr.appendChild(td);
        frag.appendChild(tr);
      }
      body.appendChild(frag);
      var matching = searchRe === null ? topRows.length : topRows.filter(function (r) { return searchRe.test(r.name); }).length;
      $("top-more").textContent = matching > shown ? "Showing " + shown + " of " + matching + " functions: search to narrow." : shown + " function" + (shown === 1 ? "" : "s") + "; total for percentages " + fmt(pprofTotal[state.type], u) + (data.diff ? " (the base's)" : "") + ".";
      document.querySelectorAll("#top th button").forEach(function (b) {
        var k = b.dataset.sort;
        b.parentNode.setAttribute("aria-sort", k === state.sort ? (state.desc ? "descending" : "ascending") : "none");
      });
      matchCount = matching;
    }

    // ---- the sandwich ----
    var sandwich = null;
    function nameExists(nm) { return nameIds.has(nm); }
    function computeSandwich(fnName) {
      firsts();
      var sw = sandwichTrees(D, nameOf, firstOcc, nameIds.get(fnName), "sw.");
      sw.name = fnName;
      return sw;
    }
    function renderSandwich() {
      var has = state.fn !== "" && nameExists(state.fn);
      $("sandwich-title").textContent = has ? state.fn : "Pick a function: click a frame in the flame graph or a row of the top table.";
      $("sandwich-panes").hidden = !has;
      if (!has) { sandwich = null; return; }
      sandwich = computeSandwich(state.fn);
      callersG.tree = sandwich.callers; callersG.zoom = 0;
      calleesG.tree = sandwich.callees; calleesG.zoom = 0;
      var w = width();
      callersG.paint(w);
      calleesG.paint(w);
      var total = pprofTotal[state.type];
      $("sandwich-title").textContent = state.fn + " \u2014 " + fmt(sandwich.callees.cum[0], unit()) + " (" + pprofPct(sandwich.callees.cum[0], total) + ")" + (data.diff ? ", change " + signed(sandwich.callees.cum[0] - sandwich.callees.baseCum[0]) : "");
    }

    // ---- the source view ----
    var sourceRows = [];
    function renderSource() {
      var box = $("source");
      box.textContent = "";
      sourceRows = [];
      var has = state.fn !== "" && nameExists(state.fn);
      $("source-title").textContent = has ? state.fn : "Pick a function: click a frame in the flame graph or a row of the top table.";
      if (!has) return;
      var target = nameIds.get(state.fn), u = unit(), total = pprofTotal[state.type];
      var admit = keptLabels;
      if (state.filters.some(function (x) { return x.kind !== "label"; })) {
        var note = document.createElement("p");
        note.className = "note";
        note.textContent = "Per-line values follow the sample type and label filters; focus, ignore and hide do not apply to them.";
        box.appendChild(note);
      }
      var flatV = lrFlat[state.type], cumV = lrCum[state.type];
      // Line rows are sorted by function, then line: a binary search finds a function's.
      function lowerBound(f) { var lo = 0, hi = L; while (lo < hi) { var mid = (lo + hi) >> 1; if (lrFunc[mid] < f) lo = mid + 1; else hi = mid; } return lo; }
      for (var f = 1; f < F; f++) {
        if (nameOf[f] !== target) continue;
        var perLine = new Map();
        for (var r = lowerBound(f); r < L && lrFunc[r] === f; r++) {
          if (!admit[lrSet[r]]) continue;
          var e = perLine.get(lrLine[r]);
          if (e === undefined) perLine.set(lrLine[r], e = { line: lrLine[r], flat: 0, cum: 0 });
          var sign = lrBase[r] ? -1 : 1;
          e.flat += sign * flatV[r]; e.cum += sign * cumV[r];
        }
        var lines = Array.from(perLine.values()).filter(function (x) { return x.flat !== 0 || x.cum !== 0; }).sort(function (a, b) { return a.line - b.line; });
        if (lines.length === 0) continue;
        var file = funcFiles[f], text = data.sources[file], sumFlat = 0, sumCum = 0;
        lines.forEach(function (x) { sumFlat += x.flat; sourceRows.push({ file: file, line: x.line, flat: x.flat, cum: x.cum }); if (x.cum > sumCum) sumCum = x.cum; });
        var h = document.createElement("h2");
        h.className = "file";
        h.textContent = (file || "(no file)") + " \u2014 flat " + fmt(sumFlat, u);
        box.appendChild(h);
        var table = document.createElement("table");
        table.innerHTML = '<colgroup><col class="num"><col class="num"><col class="num"><col></colgroup><thead><tr><th scope="col">line</th><th scope="col">flat</th><th scope="col">cum</th><th scope="col" class="name">' + (text !== undefined ? "source" : "source not in the page") + "</th></tr></thead>";
        var tbody = document.createElement("tbody"), srcLines = text !== undefined ? text.split("\n") : null;
        var byLine = new Map(lines.map(function (x) { return [x.line, x]; }));
        var from = lines[0].line, to = lines[lines.length - 1].line;
        var list = [];
        if (srcLines !== null) {
          from = Math.max(1, from - 3); to = Math.min(srcLines.length, to + 3);
          // A function spread over thousands of lines shows its hot lines only.
          if (to - from > 400) list = lines.map(function (x) { return x.line; });
          else for (var ln = from; ln <= to; ln++) list.push(ln);
        } else list = lines.map(function (x) { return x.line; });
        list.forEach(function (ln) {
          var x = byLine.get(ln), tr = document.createElement("tr");
          if (x !== undefined) tr.className = "hot";
          [String(ln), x ? signed(x.flat) : "", x ? signed(x.cum) : ""].forEach(function (s, j) { var td = document.createElement("td"); td.textContent = s; td.className = j === 0 ? "ln" : ""; if (x && j > 0) td.title = pprofPct(j === 1 ? x.flat : x.cum, total); tr.appendChild(td); });
          var code = document.createElement("td");
          code.className = "code";
          code.textContent = srcLines !== null ? (srcLines[ln - 1] || "") : file + ":" + ln;
          tr.appendChild(code);
          tbody.appendChild(tr);
        });
        table.appendChild(tbody);
        box.appendChild(table);
      }
    }

    // ---- chips ----
    function renderChips() {
      var ul = $("chips");
      ul.textContent = "";
      state.filters.forEach(function (x, i) {
        var li = document.createElement("li");
        li.className = "chip " + x.kind;
        var s = document.createElement("span");
        s.textContent = x.kind + ": " + x.text;
        s.title = x.kind + ": " + x.text;
        li.appendChild(s);
        var b = document.createElement("button");
        b.type = "button";
        b.className = "remove";
        b.textContent = "\u00d7";
        b.setAttribute("aria-label", "Remove filter " + x.kind + ": " + x.text);
        b.addEventListener("click", function () { state.filters.splice(i, 1); commit(); apply(); $("filter-value").focus(); });
        li.appendChild(b);
        ul.appendChild(li);
      });
    }

    // ---- rendering the whole view ----
    var lastSum = null, frameSeq = 0;
    function sumKey() { return state.type + "|" + state.filters.map(function (x) { return x.kind + ":" + x.text; }).join("\n"); }
    function apply() {
      var t0 = performance.now();
      var k = sumKey();
      if (k !== lastSum) { sum(); lastSum = k; }
      if (search.value !== state.q) search.value = state.q;
      setSearch(state.q);
      typeSelect.value = String(state.type);
      renderChips();
      VIEWS.forEach(function (v) {
        var b = $("tab-" + v);
        b.setAttribute("aria-selected", v === state.view ? "true" : "false");
        b.tabIndex = v === state.view ? 0 : -1;
      });
      var graphView = state.view === "flame" || state.view === "icicle";
      $("graph-view").hidden = !graphView;
      $("zoom").hidden = !graphView;
      $("top-view").hidden = state.view !== "top";
      $("sandwich-view").hidden = state.view !== "sandwich";
      $("source-view").hidden = state.view !== "source";
      tip.hidden = true;
      if (graphView) {
        graph.tree = D;
        graph.inverted = state.view === "flame";
        graph.zoom = zoomNode(D, state.zoom);
        if (graph.cursor >= D.n) graph.cursor = -1;
        matchTree(D);
        graph.paint(width());
        crumbs();
      } else if (state.view === "top") renderTop();
      else if (state.view === "sandwich") { renderSandwich(); matchTree(D); }
      else renderSource();
      status();
      // renderMillis: the script's answer (forced layouts included);
      // frameMillis, set a turn after the next frame: what a person waits.
      var api = window.__view, seq = ++frameSeq;
      api.renderMillis = performance.now() - t0;
      api.frameMillis = undefined;
      requestAnimationFrame(function () { setTimeout(function () { if (seq === frameSeq) api.frameMillis = performance.now() - t0; }, 0); });
    }
    function crumbs() {
      var out = [];
      for (var a = graph.zoom; a >= 0; a = D.parent[a]) out.unshift(a === 0 ? "root" : funcNames[D.func[a]]);
      $("crumbs").textContent = out.join(" \u203a ");
      $("reset").disabled = graph.zoom === 0;
    }
    function status() {
      var st = data.sampleTypes[state.type], u = st.unit;
      var labels = state.filters.filter(function (x) { return x.kind === "label"; }).map(function (x) { return x.text; });
      $("total").textContent = "Total " + st.type + ": " + fmt(D.cum[0], u) + (data.diff ? " (base " + fmt(D.baseCum[0], u) + ", change " + signed(D.cum[0] - D.baseCum[0]) + ")" : "") + (labels.length > 0 ? " (" + labels.join(", ") + ")" : "");
      $("matches").textContent = searchRe === null ? "" : state.view === "top" ? matchCount + " function" + (matchCount === 1 ? "" : "s") + " matched" : matchCount + " frame" + (matchCount === 1 ? "" : "s") + " matched \u00b7 " + pct(matchedValue, D.cum[0]) + " of total";
      var api = window.__view;
      api.state = { view: state.view, type: st.type, filters: state.filters.map(function (x) { return x.kind + ":" + x.text; }), q: state.q, fn: state.fn, sort: (state.desc ? "" : "-") + state.sort };
      api.zoomed = graph.tree ? (graph.zoom === 0 ? "root" : funcNames[D.func[graph.zoom]]) : "root";
      api.matches = matchCount;
      api.matchedValue = matchedValue;
      api.total = D.cum[0];
      api.baseTotal = D.baseCum[0];
      api.pprofTotal = pprofTotal[state.type];
      api.totalText = $("total").textContent;
      api.drawn = graph.rx.length;
      api.nodes = D.n;
    }

    // ---- events ----
    function go(change) { change(); commit(); apply(); }
    function selectFunction(name, view) { go(function () { state.fn = name; if (view) state.view = view; }); }
    VIEWS.forEach(function (v, i) {
      var b = $("tab-" + v);
      b.addEventListener("click", function () { go(function () { state.view = v; }); });
      b.addEventListener("keydown", function (ev) {
        if (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft") return;
        ev.preventDefault();
        var next = VIEWS[(i + (ev.key === "ArrowRight" ? 1 : VIEWS.length - 1)) % VIEWS.length];
        go(function () { state.view = next; });
        $("tab-" + next).focus();
      });
    });
    function onGraphMove(g) { return function (ev) { var i = g.hit(ev.clientX, ev.clientY); showTip(i < 0 ? null : describeRect(g, i), ev); }; }
    [graph, callersG, calleesG].forEach(function (g) {
      g.canvas.addEventListener("mousemove", onGraphMove(g));
      g.canvas.addEventListener("mouseleave", function () { tip.hidden = true; });
    });
    canvas.addEventListener("click", function (ev) {
      var i = graph.hit(ev.clientX, ev.clientY);
      if (i < 0 || graph.rn[i] < 0) return;
      var n = graph.rn[i];
      // The zoom root clicked again zooms out one level.
      var to = n === graph.zoom && n !== 0 ? D.parent[n] : n;
      graph.cursor = n;
      go(function () { state.zoom = zoomPath(D, to); if (n !== 0) state.fn = funcNames[D.func[n]]; });
      onGraphMove(graph)(ev);
    });
    [callersG, calleesG].forEach(function (g) {
      g.canvas.addEventListener("click", function (ev) {
        var i = g.hit(ev.clientX, ev.clientY);
        if (i < 0 || g.rn[i] < 0) return;
        selectFunction(funcNames[g.tree.func[g.rn[i]]]);
      });
    });
    // Keyboard on the graph: arrows walk the tree (towards the root, to the
    // heaviest child, to siblings), Enter zooms, s opens the sandwich.
    canvas.addEventListener("keydown", function (ev) {
      var t = D, n = graph.cursor < 0 ? graph.zoom : graph.cursor, to = n;
      var up = graph.inverted ? "ArrowDown" : "ArrowUp", down = graph.inverted ? "ArrowUp" : "ArrowDown";
      if (ev.key === up) { if (t.parent[n] >= 0) to = t.parent[n]; }
      else if (ev.key === down) { var end = n + t.size[n]; for (var c = n + 1; c < end; c += t.size[c]) if (t.cum[c] > 0) { to = c; break; } }
      else if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
        var p = t.parent[n];
        if (p >= 0) {
          var sibs = [];
          for (var s = p + 1; s < p + t.size[p]; s += t.size[s]) if (t.cum[s] > 0) sibs.push(s);
          var k = sibs.indexOf(n) + (ev.key === "ArrowRight" ? 1 : -1);
          if (k >= 0 && k < sibs.length) to = sibs[k];
        }
      } else if (ev.key === "Enter") { ev.preventDefault(); go(function () { state.zoom = zoomPath(t, n); if (n !== 0) state.fn = funcNames[t.func[n]]; }); return; }
      else if (ev.key === "s" && n !== 0) { ev.preventDefault(); selectFunction(funcNames[t.func[n]], "sandwich"); return; }
      else return;
      ev.preventDefault();
      graph.cursor = to;
      graph.paint(width());
      details(describe(t, to, t.cum[0]));
      window.__view.cursor = to === 0 ? "root" : funcNames[t.func[to]];
    });
    $("reset").addEventListener("click", function () { go(function () { state.zoom = ""; }); });
    document.querySelectorAll("#top th button").forEach(function (b) {
      b.addEventListener("click", function () {
        var k = b.dataset.sort;
        go(function () { if (state.sort === k) state.desc = !state.desc; else { state.sort = k; state.desc = k !== "name"; } });
      });
    });
    $("top-body").addEventListener("click", function (ev) {
      var tr = ev.target.closest("tr");
      if (tr) selectFunction(tr.dataset.name, "sandwich");
    });
    $("top-body").addEventListener("keydown", function (ev) {
      var tr = ev.target.closest("tr");
      if (!tr) return;
      if (ev.key === "Enter") { ev.preventDefault(); selectFunction(tr.dataset.name, "sandwich"); }
      else if (ev.key === "ArrowDown" && tr.nextElementSibling) { ev.preventDefault(); tr.nextElementSibling.focus(); }
      else if (ev.key === "ArrowUp" && tr.previousElementSibling) { ev.preventDefault(); tr.previousElementSibling.focus(); }
    });
    $("add-filter").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = $("filter-value"), x = makeFilter($("filter-kind").value, input.value.trim());
      input.classList.toggle("bad", x.error !== undefined);
      $("filter-error").textContent = x.error || "";
      if (x.error !== undefined) return;
      input.value = "";
      go(function () { state.filters.push(x); });
    });
    document.addEventListener("keydown", function (ev) {
      var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement && document.activeElement.tagName);
      if (ev.key === "Escape") { tip.hidden = true; if (state.zoom) go(function () { state.zoom = ""; }); return; }
      if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (ev.key === "/") { ev.preventDefault(); search.focus(); search.select(); return; }
      var v = { f: "flame", i: "icicle", t: "top", w: "sandwich", c: "source" }[ev.key];
      if (v) go(function () { state.view = v; });
    });
    typeSelect.addEventListener("change", function () { go(function () { state.type = Number(typeSelect.value); }); });
    var pending = 0;
    search.addEventListener("input", function () {
      if (pending) cancelAnimationFrame(pending);
      pending = requestAnimationFrame(function () {
        pending = 0;
        // Typing replaces the entry instead of stacking one per key.
        state.q = search.value.trim();
        var h = hashOf(state);
        history.replaceState(null, "", h === "" ? location.pathname + location.search : h);
        apply();
      });
    });
    window.addEventListener("hashchange", function () { restore(); });
    window.addEventListener("popstate", function () { restore(); });
    function restore() {
      var s = parseHash();
      if (hashOf(s) === hashOf(state)) return;
      state = s;
      graph.cursor = -1;
      apply();
    }
    var resizing = 0;
    window.addEventListener("resize", function () {
      if (resizing) cancelAnimationFrame(resizing);
      resizing = requestAnimationFrame(function () { resizing = 0; apply(); });
    });

    window.__view = {
      nodes: N, rows: R, decodeMillis: performance.now() - t0,
      // locate returns the viewport centre of the widest drawn frame of the
      // function named name in a graph ("main", "callers", "callees"), or null.
      locate: function (name, which) {
        var g = which === "callers" ? callersG : which === "callees" ? calleesG : graph, best = -1;
        for (var i = 0; i < g.rx.length; i++) {
          var n = g.rn[i];
          if (n >= 0 && (n === 0 && g === graph ? "root" : funcNames[g.tree.func[n]]) === name && (best < 0 || g.rw[i] > g.rw[best])) best = i;
        }
        if (best < 0) return null;
        var b = g.canvas.getBoundingClientRect();
        return { x: b.left + g.rx[best] + g.rw[best] / 2, y: b.top + g.y(g.rr[best]) + ROW / 2, width: g.rw[best] };
      },
      // top returns the computed table (every function, in the table's order).
      top: function () { computeTop(); return topRows.map(function (r) { return { name: r.name, flat: r.flat, cum: r.cum, flatPct: r.flatPct, sumPct: r.sumPct, cumPct: r.cumPct }; }); },
      source: function () { return sourceRows.slice(); },
      // frames lists a sandwich pane's frames as [name, value] (callers or callees).
      frames: function (which) {
        if (!sandwich) return [];
        var t = sandwich[which], out = [];
        for (var i = 0; i < t.n; i++) out.push([funcNames[t.func[i]], t.cum[i], t.depth[i]]);
        return out;
      }
    };
    state = parseHash();
    apply();
    window.__viewReady = performance.now();
    // warmSandwich runs one sandwich over the page's own tree, for warm,
    // after the small ones warm ran: for the function whose occurrences
    // span the fewest nodes, so that the piece stays short. Not while a
    // sandwich is on screen (its trees are scratch).
    var smallest = -1;
    function warmSmallest() { smallest = N > 1 ? spanPass(B, nameOf, new Float64Array(M)) : -1; }
    function warmSandwich() { if (smallest >= 0 && state.view !== "sandwich") computeSandwich(names[smallest]); }
    warm(B, nameOf, M, [weights, firsts], [warmSmallest, warmSandwich]);
  }
  // warm readies what a hide, focus, search or sandwich will use, after the
  // first draw, one piece a task: it touches their scratch memory (so the
  // first such interaction does not pay its page faults, ~0.3 s over a
  // million nodes), runs first (functions of the page's), runs hideTree on
  // a part of the tree (so Chromium has compiled it before the first hide:
  // its first run over a million nodes took twice its later ones), then
  // last. An interaction waits for at most one piece (~25-40 ms at 1M nodes).
  // scratchBytes is the memory kept for scratch and hide's builder.
  function scratchBytes() {
    var bytes = 0;
    arena.forEach(function (a) { bytes += a.byteLength; });
    if (hideScratch !== null) ["par", "src", "fn", "first", "last", "next", "kids", "lines", "map", "w", "blk", "multi", "has", "hashed", "slot", "stamp"].forEach(function (k) { bytes += hideScratch[k].byteLength; });
    return bytes;
  }
  // touch writes one element of each 4 KiB page of a back unchanged: the
  // page is then the process's, its fault paid; the contents stay (an
  // array may hold a live result: a hide in the URL, a kept focus).
  function touch(a) {
    for (var i = 0, step = 4096 / a.BYTES_PER_ELEMENT; i < a.length; i += step) a[i] = a[i];
  }
  function warm(B, nameOf, names, first, last) {
    var jobs = first.slice(), t = scratchTree("hide.tree.", N);
    ["func", "parent", "depth", "size", "line", "lines", "self", "cum", "baseSelf", "baseCum"].forEach(function (k) { jobs.push(t[k]); });
    [["hide.rows", Int32Array], ["hide.kids", Int32Array], ["hide.sort", Int32Array], ["hide.pos", Int32Array], ["hide.map", Int32Array], ["firsts", Uint8Array], ["focus.bits", Int32Array],
      ["focus.bad", Uint8Array], ["focus.keep", Uint8Array], ["match.under", Uint8Array], ["sw.map", Int32Array]].forEach(function (x) { jobs.push(scratch(x[0], x[1], N)); });
    if (hideScratch === null || hideScratch.cap < N) hideScratch = new HideBuilder(N);
    ["par", "src", "fn", "first", "last", "next", "kids", "lines", "map", "w", "blk", "multi", "has", "hashed", "slot", "stamp"].forEach(function (k) { jobs.push(hideScratch[k]); });
    // A first run on few nodes: cold code is slow, and one piece must stay short.
    [[10000, 7], [40000, 5], [40000, 3]].forEach(function (x) { jobs.push(function () { warmHide(B, x[0], x[1], nameOf, names); }); });
    // The sandwich's arrays are sized by the tree but mostly left
    // untouched: made here, not touched (making 60 MB of them in the first
    // sandwich cost it a collection).
    jobs.push(function () {
      ["sw.ce.", "sw.cr."].forEach(function (p) { ["parent", "func", "first", "next", "count"].forEach(function (k) { scratch(p + k, Int32Array, N + 1); }); });
      ["sw.ceSelf", "sw.ceBase", "sw.crCum", "sw.crBase"].forEach(function (k) { scratch(k, Float64Array, N + 1); });
    });
    jobs.push.apply(jobs, last);
    var longest = 0;
    var step = function () {
      var a = jobs.shift(), t0 = performance.now();
      if (a === undefined) {
        var api = window.__view;
        api.warmMillis = t0 - window.__viewReady; api.warmSliceMaxMillis = longest; api.scratchBytes = scratchBytes();
        return;
      }
      if (typeof a === "function") a(); else touch(a);
      longest = Math.max(longest, performance.now() - t0);
      setTimeout(step, 0);
    };
    setTimeout(step, 0);
  }
})();
`;

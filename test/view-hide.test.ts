// view-hide.test.ts checks the page's hide (hideTree in src/view/page.ts's
// script, taken from the script text and run here) against its definition,
// pprof's -hide: drop every frame of a hidden function from every stack,
// then merge the stacks that agree. Random trees and hides, compared with a
// brute-force answer built from each node's path; the page's own tree and
// builder code are what run. view-pprof.test.ts checks the numbers against
// go tool pprof; this checks the tree itself (paths, merges, lines, layout).
import { expect, test } from "vitest";
import { pageScript } from "../src/view/page.ts";

interface Tree {
  n: number;
  func: Int32Array;
  parent: Int32Array;
  depth: Int32Array;
  size: Int32Array;
  line: Float64Array;
  lines: Int32Array;
}
interface Builder {
  n: number;
  child(p: number, f: number): number;
  finish(weight: Float64Array): { tree: Tree };
}
type HideTree = (b: Tree, hidden: Uint8Array, weight: Float64Array) => { tree: Tree; map: Int32Array };

const from = pageScript.indexOf("  var SCAN = 16;");
const to = pageScript.indexOf("  function accumulate(t) {");
const { TreeBuilder, hideTree } = new Function(`${pageScript.slice(from, to)}; return { TreeBuilder, hideTree };`)() as {
  TreeBuilder: new (capacity?: number) => Builder;
  hideTree: HideTree;
};

function rng(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

/** randomTree builds a preorder tree from `stacks` random stacks over
 * `funcs` functions, with lines that tell nodes apart. */
function randomTree(rand: () => number, stacks: number, funcs: number, maxDepth: number): Tree {
  const tb = new TreeBuilder();
  for (let s = 0; s < stacks; s++) {
    const depth = 1 + Math.floor(rand() * maxDepth);
    let p = 0;
    for (let d = 1; d < depth; d++) p = tb.child(p, Math.floor(rand() ** 2 * funcs));
  }
  const w = new Float64Array(tb.n).map(() => Math.floor(rand() * 5));
  const b = tb.finish(w).tree;
  b.line = new Float64Array(b.n).map((_, i) => i * 3);
  b.lines = new Int32Array(b.n).map((_, i) => (i * 7) % 11);
  return b;
}

function pathOf(t: Tree, i: number): string {
  const p: number[] = [];
  for (; i > 0; i = t.parent[i]!) p.push(t.func[i]!);
  return p.reverse().join("/");
}

test("hide drops hidden frames and merges the stacks that agree (400 random trees)", () => {
  let checked = 0;
  const wrong: string[] = [];
  // One expect at the end: an expect per node made this 10× slower.
  const check = (ok: boolean, what: string) => {
    if (!ok && wrong.length < 10) wrong.push(what);
  };
  for (let trial = 0; trial < 400; trial++) {
    const rand = rng(trial + 1);
    const funcs = 3 + (trial % 9);
    const b = randomTree(rand, 5 + (trial % 50) * 20, funcs, 2 + (trial % 8));
    const hidden = new Uint8Array(funcs).map(() => (rand() < 0.3 ? 1 : 0));
    const weight = new Float64Array(b.n).map(() => Math.floor(rand() * 100));
    // A call before, with another hide, leaves the kept arrays dirty.
    hideTree(b, new Uint8Array(funcs).map(() => (rand() < 0.5 ? 1 : 0)), weight);
    const { tree: t, map } = hideTree(b, hidden, weight);
    // The answer: each node's path without hidden frames; a merged node
    // keeps its first line (preorder) and the largest line count.
    const want = new Map<string, { line: number; lines: number }>();
    for (let i = 0; i < b.n; i++) {
      const kept: number[] = [];
      for (let x = i; x > 0; x = b.parent[x]!) if (!hidden[b.func[x]!]) kept.push(b.func[x]!);
      const key = kept.reverse().join("/");
      check(pathOf(t, map[i]!) === key, `trial ${trial}: node ${i} went to ${pathOf(t, map[i]!)}, want ${key}`);
      if (i > 0 && hidden[b.func[i]!]) continue;
      const o = want.get(key);
      if (o === undefined) want.set(key, { line: b.line[i]!, lines: b.lines[i]! });
      else o.lines = Math.max(o.lines, b.lines[i]!);
    }
    check(t.n === want.size, `trial ${trial}: ${t.n} nodes, want ${want.size}`);
    const seen = new Set<string>();
    const size = new Int32Array(t.n).fill(1);
    for (let d = t.n - 1; d > 0; d--) size[t.parent[d]!]! += size[d]!;
    for (let d = 0; d < t.n; d++) {
      const key = pathOf(t, d);
      check(!seen.has(key), `trial ${trial}: ${key} twice`);
      seen.add(key);
      const o = want.get(key);
      check(o !== undefined && t.line[d] === o.line && t.lines[d] === o.lines, `trial ${trial}: lines of ${key}: ${t.line[d]}, ${t.lines[d]}`);
      check(t.size[d] === size[d], `trial ${trial}: size of ${key}`);
      if (d === 0) continue;
      const p = t.parent[d]!;
      // Preorder: a child follows its parent, inside the parent's span.
      check(d > p && d < p + t.size[p]! && t.depth[d] === t.depth[p]! + 1, `trial ${trial}: layout of ${key}`);
    }
    checked++;
  }
  expect(wrong).toEqual([]);
  expect(checked).toBe(400);
});

test("hiding nothing gives the tree back unchanged, node for node", () => {
  const rand = rng(99);
  const b = randomTree(rand, 3000, 40, 12);
  const weight = new Float64Array(b.n).fill(1);
  const { tree: t, map } = hideTree(b, new Uint8Array(40), weight);
  expect(t.n).toBe(b.n);
  expect([...t.func]).toEqual([...b.func]);
  expect([...t.parent]).toEqual([...b.parent]);
  expect([...map]).toEqual([...Array(b.n).keys()]);
});

test("siblings a merge touched are ordered heaviest first", () => {
  // root → a(h) → x, root → x: hiding h lifts a's x next to root's x; their
  // weights add, and x (1 + 10) passes y (5).
  const tb = new TreeBuilder();
  const H = 0, X = 1, Y = 2;
  const y = tb.child(0, Y);
  const x = tb.child(0, X);
  const h = tb.child(0, H);
  const hx = tb.child(h, X);
  const w = new Float64Array(tb.n);
  w[y] = 5; w[x] = 1; w[h] = 10; w[hx] = 10;
  const b = tb.finish(w).tree;
  b.line = new Float64Array(b.n);
  b.lines = new Int32Array(b.n);
  const weight = new Float64Array(b.n);
  for (let i = 1; i < b.n; i++) weight[i] = b.func[i] === Y ? 5 : b.func[i] === X && b.parent[i] === 0 ? 1 : 10;
  const { tree: t } = hideTree(b, Uint8Array.of(1, 0, 0), weight);
  expect(t.n).toBe(3);
  expect([t.func[1], t.func[2]]).toEqual([X, Y]);
});

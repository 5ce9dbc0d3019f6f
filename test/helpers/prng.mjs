// prng.mjs is the seeded randomness of the fuzz tests: mulberry32 (a tiny
// 32-bit generator, same sequence in every runtime for a seed) and the
// makers of random values built on it. Plain JavaScript, so that Node, Deno
// and Bun import it as it is. It knows nothing of anyprof.

/** mulberry32 returns a function giving uniform numbers in [0, 1) from
 * seed: the same seed, the same sequence. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rand wraps a generator with the picks the fuzzers need. */
export class Rand {
  constructor(seed) {
    this.next = mulberry32(seed);
  }
  /** int returns an integer in [lo, hi]. */
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** pick returns one element of list. */
  pick(list) {
    return list[Math.floor(this.next() * list.length)];
  }
  /** chance returns true with probability p. */
  chance(p) {
    return this.next() < p;
  }
  /** string returns a random string of up to maxLength code units, from
   * ASCII, control characters, quotes and astral characters. */
  string(maxLength = 12) {
    const alphabet = ["a", "Z", "0", " ", "/", "%", "\"", "'", "\\", "<", ">", "&", "\n", "\u0000", "é", "\u{1F600}", "\u202e", "?", "=", "#", ":"];
    let s = "";
    const n = this.int(0, maxLength);
    for (let i = 0; i < n; i++) s += this.pick(alphabet);
    return s;
  }
  /** value returns a random JavaScript value of any kind: numbers at the
   * edges, strings, booleans, null, undefined, symbols, bigints,
   * functions, arrays, objects (nested, circular, with a throwing
   * toString), dates, maps, typed arrays, promises. depth bounds nesting. */
  value(depth = 2) {
    const kinds = [
      () => this.pick([NaN, Infinity, -Infinity, -1, 0, -0, 0.5, 1.5, 1e308, -1e308, 2 ** 53, 2 ** 31, 1e-300, 7, 100, 65536, -65536]),
      () => this.int(-1e6, 1e6),
      () => this.string(),
      () => this.pick(["", "100", "1e3", "NaN", "true", "null", "x".repeat(200), "[object Object]"]),
      () => this.chance(0.5),
      () => null,
      () => undefined,
      () => Symbol(this.string(4)),
      () => BigInt(this.int(-1000, 1000)),
      () => function fuzzFn() {},
      () => () => {},
      () => (depth > 0 ? Array.from({ length: this.int(0, 3) }, () => this.value(depth - 1)) : []),
      () => {
        const o = {};
        if (depth > 0) for (let i = this.int(0, 3); i > 0; i--) o[this.string(5)] = this.value(depth - 1);
        return o;
      },
      () => {
        const o = { a: 1 };
        o.self = o;
        return o;
      },
      () => ({ toString() { throw new Error("toString broke"); }, toJSON() { throw new Error("toJSON broke"); } }),
      () => new Date(this.int(0, 2e12)),
      () => new Map([[1, 2]]),
      () => new Uint8Array(this.int(0, 4)),
      () => Promise.resolve(1),
      () => ({ list: this.pick([[[1, 2]], "nope", [["a"]], [["a", 1]], null]), key: this.pick([1, "x", undefined]) }),
      () => Object.create(null),
    ];
    return this.pick(kinds)();
  }
}

/** shownAs renders value as anyprof's errors do (docs/guarantees.md):
 * strings JSON-quoted, numbers and bigints (with n) as written,
 * Symbol(desc), "function name", arrays and objects as JSON or [object
 * Tag], cut at 80 characters with "…". Written apart from the library's
 * own, so that the tests check the documented form. */
export function shownAs(value) {
  let s;
  if (typeof value === "string") s = JSON.stringify(value);
  else if (typeof value === "number") s = Object.is(value, -0) ? "-0" : String(value);
  else if (typeof value === "bigint") s = `${value}n`;
  else if (typeof value === "symbol") s = value.toString();
  else if (typeof value === "function") s = `function ${value.name || "(anonymous)"}`;
  else if (value === null || value === undefined || typeof value === "boolean") s = String(value);
  else {
    try {
      const j = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
      s = typeof j === "string" ? j : Object.prototype.toString.call(value);
    } catch {
      s = Object.prototype.toString.call(value);
    }
  }
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

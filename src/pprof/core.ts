// core.ts owns the JS side of the WASM core: a typed instantiation of the
// compiler's raw output (no loader), the exchange buffer, and one batch call
// per table. It does not know profile kinds; encode.ts drives it.

import { host } from "../host/host.ts";

/** CoreExports is the WASM core's export list (assembly/index.ts). Pointers
 * and lengths are byte offsets into memory. */
interface CoreExports {
  memory: WebAssembly.Memory;
  setCapBytes(bytes: number): void;
  exchangeBuffer(minBytes: number): number;
  hashBytes(ptr: number, len: number, seed: number): number;
  internStrings(ptr: number, count: number): void;
  internFunctions(ptr: number, count: number): void;
  internLocations(ptr: number, count: number): void;
  internLabelSets(ptr: number, count: number): void;
  addSamples(samplesPtr: number, count: number, valuesPtr: number): number;
  addTreeSamples(nodesPtr: number, nodeCount: number, samplesPtr: number, count: number, valuesPtr: number): number;
  resetProfile(valueCount: number): void;
  buildProfile(metaPtr: number): number;
  outputPtr(): number;
}

/** defaultCapBytes is the cap on the core's memory: a profile that needs more
 * fails with a "pprof:" error instead of growing the process without bound. */
export const defaultCapBytes: number = 512 * 1024 * 1024;

let wasmModule: WebAssembly.Module | undefined;

/** Meta is what a profile carries besides its samples; numbers are string
 * indexes unless named otherwise. */
export interface Meta {
  sampleTypes: ReadonlyArray<readonly [number, number]>;
  periodType: readonly [number, number];
  period: bigint;
  timeNanos: bigint;
  durationNanos: bigint;
  defaultSampleType: number;
  docUrl: number;
  mappingFile: number;
  comments: readonly number[];
}

/** Core is one instance of the WASM core. All of a profile's calls happen in
 * one synchronous run (reset … build), so one instance serves the process. */
export class Core {
  readonly #x: CoreExports;
  #u8: Uint8Array;
  #u32: Uint32Array;
  #f64: Float64Array;
  #i64: BigInt64Array;
  readonly #encoder = new TextEncoder();

  constructor(module: WebAssembly.Module, capBytes: number = defaultCapBytes) {
    let memory: WebAssembly.Memory | undefined;
    const imports = {
      env: {
        // abort is AssemblyScript's trap hook; its message is a UTF-16 string
        // whose byte length sits in the 4 bytes before it.
        abort(msgPtr: number): never {
          let message = "pprof: WASM core aborted";
          if (memory !== undefined && msgPtr !== 0) {
            const bytes = new Uint32Array(memory.buffer, msgPtr - 4, 1)[0]!;
            message = String.fromCharCode(...new Uint16Array(memory.buffer, msgPtr, bytes >>> 1));
          }
          throw new Error(message);
        },
      },
    };
    const instance = new WebAssembly.Instance(module, imports);
    this.#x = instance.exports as unknown as CoreExports;
    memory = this.#x.memory;
    this.#x.setCapBytes(capBytes);
    this.#u8 = new Uint8Array(0);
    this.#u32 = new Uint32Array(0);
    this.#f64 = new Float64Array(0);
    this.#i64 = new BigInt64Array(0);
    this.#views();
  }

  // #views rebuilds the typed views after any call that may grow memory.
  #views(): void {
    const buffer = this.#x.memory.buffer;
    if (this.#u8.buffer !== buffer) {
      this.#u8 = new Uint8Array(buffer);
      this.#u32 = new Uint32Array(buffer);
      this.#f64 = new Float64Array(buffer);
      this.#i64 = new BigInt64Array(buffer);
    }
  }

  /** exchange returns the exchange area's byte offset, grown to minBytes.
   * The offset is 8-aligned; views are fresh after the call. */
  exchange(minBytes: number): number {
    const ptr = this.#x.exchangeBuffer(minBytes);
    this.#views();
    return ptr;
  }

  get u8(): Uint8Array {
    return this.#u8;
  }
  get u32(): Uint32Array {
    return this.#u32;
  }
  get f64(): Float64Array {
    return this.#f64;
  }

  /** reset starts a new profile with valueCount values per sample. */
  reset(valueCount: number): void {
    this.#x.resetProfile(valueCount);
    this.#views();
  }

  /** strings interns the strings and returns their string-table indexes. */
  strings(list: readonly string[]): Uint32Array {
    const n = list.length;
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    let maxBytes = n * 4;
    for (let i = 0; i < n; i++) maxBytes += list[i]!.length * 3;
    const ptr = this.exchange(maxBytes);
    const u8 = this.#u8;
    let at = ptr + n * 4;
    const lengths = this.#u32;
    for (let i = 0; i < n; i++) {
      const s = list[i]!;
      let written: number;
      if (s.length < 64 && isAscii(s)) {
        // Short ASCII strings are the common case; encodeInto costs more per
        // call than copying them.
        for (let j = 0; j < s.length; j++) u8[at + j] = s.charCodeAt(j);
        written = s.length;
      } else {
        written = this.#encoder.encodeInto(s, u8.subarray(at)).written;
      }
      lengths[(ptr >>> 2) + i] = written;
      at += written;
    }
    this.#x.internStrings(ptr, n);
    this.#views();
    return this.#u32.slice(ptr >>> 2, (ptr >>> 2) + n);
  }

  /** records interns count fixed-size u32 records (functions: 4 words,
   * locations: 3) and returns their ids. */
  #records(words: Uint32Array, count: number, wordsPerRecord: number, intern: (ptr: number, n: number) => void): Uint32Array {
    const ptr = this.exchange(count * wordsPerRecord * 4);
    this.#u32.set(words.subarray(0, count * wordsPerRecord), ptr >>> 2);
    intern(ptr, count);
    this.#views();
    return this.#u32.slice(ptr >>> 2, (ptr >>> 2) + count);
  }

  /** functions interns count records of [name, systemName, filename,
   * startLine] and returns their ids. */
  functions(words: Uint32Array, count: number): Uint32Array {
    return this.#records(words, count, 4, this.#x.internFunctions);
  }

  /** locations interns count records of [functionId, line, column] and
   * returns their ids. */
  locations(words: Uint32Array, count: number): Uint32Array {
    return this.#records(words, count, 3, this.#x.internLocations);
  }

  /** labelSets interns label sets; each is a list of [key, str, num, unit]
   * (string indexes, num an integer). An empty set gets id 0. */
  labelSets(sets: ReadonlyArray<ReadonlyArray<readonly [number, number, number, number]>>): Uint32Array {
    let words = 0;
    for (const s of sets) words += 1 + s.length * 5;
    const ptr = this.exchange(words * 4);
    const u32 = this.#u32;
    let w = ptr >>> 2;
    for (const s of sets) {
      u32[w++] = s.length;
      for (const [key, str, num, unit] of s) {
        u32[w] = key;
        u32[w + 1] = str;
        // num is an i64 split into two little-endian words.
        u32[w + 2] = num >>> 0;
        u32[w + 3] = Math.floor(num / 4294967296) >>> 0;
        u32[w + 4] = unit;
        w += 5;
      }
    }
    this.#x.internLabelSets(ptr, sets.length);
    this.#views();
    return this.#u32.slice(ptr >>> 2, (ptr >>> 2) + sets.length);
  }

  /** samples aggregates count samples. words holds, per sample, depth,
   * label-set id, then depth location ids (leaf first); values holds count ×
   * valueCount integers. Returns the number of distinct stacks so far. */
  samples(words: Uint32Array, wordCount: number, count: number, values: Float64Array, valueCount: number): number {
    const valueBytes = count * valueCount * 8;
    const ptr = this.exchange(valueBytes + wordCount * 4);
    // Values first: ptr is 8-aligned, so the f64 area is aligned.
    this.#f64.set(values.subarray(0, count * valueCount), ptr >>> 3);
    this.#u32.set(words.subarray(0, wordCount), (ptr + valueBytes) >>> 2);
    const n = this.#x.addSamples(ptr + valueBytes, count, ptr);
    this.#views();
    return n;
  }

  /** treeSamples aggregates count samples that point into a call tree.
   * nodes holds per node its parent index + 1 (0 for a root) and its
   * location id (0 to leave the frame out); samples holds per sample its node
   * index and label-set id; values holds count × valueCount integers. */
  treeSamples(nodes: Uint32Array, nodeCount: number, samples: Uint32Array, count: number, values: Float64Array, valueCount: number): number {
    const valueBytes = count * valueCount * 8;
    const ptr = this.exchange(valueBytes + (nodeCount + count) * 8);
    this.#f64.set(values.subarray(0, count * valueCount), ptr >>> 3);
    const nodesPtr = ptr + valueBytes;
    const samplesPtr = nodesPtr + nodeCount * 8;
    this.#u32.set(nodes.subarray(0, nodeCount * 2), nodesPtr >>> 2);
    this.#u32.set(samples.subarray(0, count * 2), samplesPtr >>> 2);
    const n = this.#x.addTreeSamples(nodesPtr, nodeCount, samplesPtr, count, ptr);
    this.#views();
    return n;
  }

  /** build writes the Profile message and returns a copy of its bytes. */
  build(meta: Meta): Uint8Array {
    const slots = 10 + meta.sampleTypes.length * 2 + meta.comments.length;
    const ptr = this.exchange(slots * 8);
    const i64 = this.#i64;
    const at = ptr >>> 3;
    i64[at] = meta.timeNanos;
    i64[at + 1] = meta.durationNanos;
    i64[at + 2] = meta.period;
    i64[at + 3] = BigInt(meta.periodType[0]);
    i64[at + 4] = BigInt(meta.periodType[1]);
    i64[at + 5] = BigInt(meta.defaultSampleType);
    i64[at + 6] = BigInt(meta.docUrl);
    i64[at + 7] = BigInt(meta.mappingFile);
    i64[at + 8] = BigInt(meta.sampleTypes.length);
    i64[at + 9] = BigInt(meta.comments.length);
    let s = at + 10;
    for (const [type, unit] of meta.sampleTypes) {
      i64[s++] = BigInt(type);
      i64[s++] = BigInt(unit);
    }
    for (const c of meta.comments) i64[s++] = BigInt(c);
    const len = this.#x.buildProfile(ptr);
    this.#views();
    const out = this.#x.outputPtr();
    return this.#u8.slice(out, out + len);
  }

  /** hash returns xxHash32 of bytes, for tests against reference vectors. */
  hash(bytes: Uint8Array, seed: number): number {
    const ptr = this.exchange(bytes.length);
    this.#u8.set(bytes, ptr);
    return this.#x.hashBytes(ptr, bytes.length, seed) >>> 0;
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

let shared: Core | undefined;

/** withCore runs fn with the process's core instance. If fn throws (a cap
 * overrun, a trap), the instance is dropped and the next call gets a fresh
 * one, since a trap can leave the core's tables half-written. */
export function withCore<T>(fn: (core: Core) => T): T {
  if (shared === undefined) {
    wasmModule ??= host.wasmModule();
    shared = new Core(wasmModule);
  }
  try {
    return fn(shared);
  } catch (err) {
    shared = undefined;
    throw err;
  }
}

/** newCore instantiates a private core from module, for tests and
 * benchmarks that need their own instance or cap. */
export function newCore(module: WebAssembly.Module, capBytes?: number): Core {
  return new Core(module, capBytes);
}

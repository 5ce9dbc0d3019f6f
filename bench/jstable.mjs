// jstable.mjs owns the strongest plain-JS baseline for sample aggregation:
// an open-addressing hash table over typed arrays, doing what the WASM stack
// map does (hash the id sequence, compare by ids, sum k values per stack, in
// first-seen order) with no per-sample allocation. It exists to be beaten
// fairly, so it gets every trick that plain JS allows; each was kept only
// if it measured faster on this workload.

/** StackTable aggregates samples in the core's format ([depth, labelSetId,
 * ids…] per sample) into distinct stacks with summed values. */
export class StackTable {
  constructor(valueCount) {
    this.valueCount = valueCount;
    this.reset();
  }

  /** reset forgets every stack; capacities start small, as the core's do. */
  reset() {
    this.count = 0;
    // slots holds [hash, record word offset + 1] pairs (0 = empty). The hash
    // in the slot spares a pool read on collisions; the record offset in the
    // slot spares an id → record lookup: a hit costs two cache misses (slot,
    // record), not four (slot, entry, key, sums).
    this.slotMask = 255;
    this.slots = new Int32Array(2 * 256);
    // The pool holds one record per stack: k f64 sums, then the sample's own
    // words (depth first, so comparing depth compares lengths). Records
    // start at even words, so the sums are 8-aligned for the f64 view.
    this.buffer = new ArrayBuffer(64 << 10);
    this.pool = new Uint32Array(this.buffer);
    this.sums = new Float64Array(this.buffer);
    this.poolWords = 0;
    // recordStart and recordHash, in first-seen order, serve rehashing and
    // reading the stacks back.
    this.recordStart = new Uint32Array(256);
    this.recordHash = new Int32Array(256);
  }

  /** addSamples aggregates count samples from words[0..wordCount) with
   * valueCount values each in values, and returns the distinct stacks so far. */
  addSamples(words, wordCount, count, values) {
    const k = this.valueCount;
    const sumWords = 2 * k;
    let p = 0;
    for (let s = 0; s < count; s++) {
      const keyWords = words[p] + 2;
      const end = p + keyWords;
      // Four independent multiply-xor lanes keep the multiplier busy instead
      // of waiting on one serial chain (xxHash32's full round measured
      // slower and probed no shorter here).
      let h1 = 0x9e3779b1 ^ keyWords;
      let h2 = 0x85ebca77;
      let h3 = 0xc2b2ae3d;
      let h4 = 0x27d4eb2f;
      let i = p + 1;
      for (; i + 4 <= end; i += 4) {
        h1 = Math.imul(h1 ^ words[i], 0x9e3779b1);
        h2 = Math.imul(h2 ^ words[i + 1], 0x85ebca77);
        h3 = Math.imul(h3 ^ words[i + 2], 0xc2b2ae3d);
        h4 = Math.imul(h4 ^ words[i + 3], 0x27d4eb2f);
      }
      let h = h1 ^ ((h2 << 7) | (h2 >>> 25)) ^ ((h3 << 12) | (h3 >>> 20)) ^ ((h4 << 18) | (h4 >>> 14));
      for (; i < end; i++) h = Math.imul((h ^ words[i]) + 0x27d4eb2f, 0x85ebca77);
      // Final avalanche: the slot index takes the low bits, which the
      // multiplications above fill only from lower input bits.
      h ^= h >>> 15;
      h = Math.imul(h, 0xc2b2ae3d);
      h ^= h >>> 13;

      const slots = this.slots;
      const mask = this.slotMask;
      const pool = this.pool;
      let slot = h & mask;
      let record = -1;
      for (;;) {
        const r = slots[2 * slot + 1];
        if (r === 0) break;
        if (slots[2 * slot] === h) {
          let a = r - 1 + sumWords;
          let b = p;
          while (b < end && pool[a] === words[b]) {
            a++;
            b++;
          }
          if (b === end) {
            record = r - 1;
            break;
          }
        }
        slot = (slot + 1) & mask;
      }
      const vp = s * k;
      if (record >= 0) {
        const sums = this.sums;
        const row = record >> 1;
        for (let j = 0; j < k; j++) sums[row + j] += values[vp + j];
      } else {
        record = this.insert(words, p, keyWords, h, slot);
        const sums = this.sums;
        const row = record >> 1;
        for (let j = 0; j < k; j++) sums[row + j] = values[vp + j];
      }
      p = end;
    }
    return this.count;
  }

  // insert appends a record for the key at words[p..p+keyWords), claims slot,
  // grows what needs growing, and returns the record's word offset. Kept out
  // of addSamples so the hot loop stays small.
  insert(words, p, keyWords, h, slot) {
    const recordWords = (2 * this.valueCount + keyWords + 1) & ~1;
    if (this.poolWords + recordWords > this.pool.length) {
      const buffer = new ArrayBuffer(Math.max(2 * this.buffer.byteLength, 4 * (this.poolWords + recordWords)));
      const pool = new Uint32Array(buffer);
      pool.set(this.pool.subarray(0, this.poolWords));
      this.buffer = buffer;
      this.pool = pool;
      this.sums = new Float64Array(buffer);
    }
    const e = this.count;
    if (e === this.recordStart.length) {
      const starts = new Uint32Array(2 * e);
      starts.set(this.recordStart);
      this.recordStart = starts;
      const hashes = new Int32Array(2 * e);
      hashes.set(this.recordHash);
      this.recordHash = hashes;
    }
    const record = this.poolWords;
    this.pool.set(words.subarray(p, p + keyWords), record + 2 * this.valueCount);
    this.poolWords += recordWords;
    this.recordStart[e] = record;
    this.recordHash[e] = h;
    const id = ++this.count;
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = record + 1;
    // Load factor at most 1/2, as the core's.
    if (id > this.slotMask >> 1) this.rehash(2 * (this.slotMask + 1));
    return record;
  }

  rehash(slotCount) {
    const slots = new Int32Array(2 * slotCount);
    const mask = slotCount - 1;
    for (let e = 0; e < this.count; e++) {
      const h = this.recordHash[e];
      let slot = h & mask;
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = h;
      slots[2 * slot + 1] = this.recordStart[e] + 1;
    }
    this.slots = slots;
    this.slotMask = mask;
  }

  /** stackWords returns the key of stack id (1-based, first-seen order):
   * depth, labelSetId, ids… */
  stackWords(id) {
    const start = this.recordStart[id - 1] + 2 * this.valueCount;
    return this.pool.subarray(start, start + this.pool[start] + 2);
  }

  /** stackSums returns the k sums of stack id. */
  stackSums(id) {
    const row = this.recordStart[id - 1] >> 1;
    return this.sums.subarray(row, row + this.valueCount);
  }
}

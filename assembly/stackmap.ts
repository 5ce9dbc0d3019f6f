// stackmap.ts owns sample aggregation: (label-set id, location ids) → k int64
// values, summed over repeated stacks, in first-seen order. It does not know
// what the ids mean nor how they are encoded.

import { Region } from "./memory";
import { Interner, locations, labelSets } from "./tables";

/** stacks keys are a u32 label-set id followed by the stack's location ids,
 * leaf first; an entry's id indexes its values. */
export const stacks = new Interner();
/** values holds valueCount i64s per stack entry, in entry order. */
export const values = new Region(64 << 10);
let valueCount: u32 = 1;

/** getValueCount returns k, the number of values per sample. */
export function getValueCount(): u32 {
  return valueCount;
}

/** clearStacks forgets every stack and sets k values per sample. */
export function clearStacks(k: u32): void {
  stacks.clear();
  values.clear(256 << 10);
  valueCount = k;
}

/** addSamples aggregates count samples. At samplesPtr, each sample is u32s:
 * depth, label-set id, then depth location ids, leaf first. At valuesPtr are
 * count*k f64 values (exact integers), which are added to the stack's sums.
 * It returns the number of distinct stacks so far. */
export function addSamples(samplesPtr: usize, count: u32, valuesPtr: usize): u32 {
  let p = samplesPtr;
  let k = <usize>valueCount;
  let rowBytes = k << 3;
  for (let i: u32 = 0; i < count; i++) {
    let depth = <usize>load<u32>(p);
    // The key is the label-set id and the ids: contiguous after depth.
    let keyLen = (depth + 1) << 2;
    if (load<u32>(p, 4) > labelSets.count) abort("pprof: sample references an unknown label set");
    let before = stacks.count;
    let id = stacks.intern(p + 4, keyLen);
    let row: usize;
    if (id > before) {
      // Check a stack's ids once, when it is first seen.
      let maxLocation = locations.count;
      for (let j: usize = 0; j < depth; j++) {
        let loc = load<u32>(p + 8 + (j << 2));
        if (loc == 0 || loc > maxLocation) abort("pprof: sample references an unknown location id");
      }
      values.ensure(rowBytes);
      row = values.end();
      values.len += rowBytes;
      for (let j: usize = 0; j < k; j++) {
        store<i64>(row + (j << 3), <i64>load<f64>(valuesPtr + (j << 3)));
      }
    } else {
      row = values.ptr + <usize>(id - 1) * rowBytes;
      for (let j: usize = 0; j < k; j++) {
        let a = row + (j << 3);
        store<i64>(a, load<i64>(a) + <i64>load<f64>(valuesPtr + (j << 3)));
      }
    }
    valuesPtr += rowBytes;
    p += 4 + keyLen;
  }
  return stacks.count;
}

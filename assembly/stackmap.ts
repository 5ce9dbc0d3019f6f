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
// key is scratch space where addTreeSamples assembles a stack's key.
const key = new Region(16 << 10);

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
  let rowBytes = <usize>valueCount << 3;
  for (let i: u32 = 0; i < count; i++) {
    let depth = <usize>load<u32>(p);
    // The key is the label-set id and the ids: contiguous after depth.
    let keyLen = (depth + 1) << 2;
    accumulate(p + 4, keyLen, valuesPtr);
    valuesPtr += rowBytes;
    p += 4 + keyLen;
  }
  return stacks.count;
}

/** accumulate adds the k f64 values at valuesPtr to the stack whose key
 * (label-set id, location ids) is keyLen bytes at keyPtr. */
@inline
function accumulate(keyPtr: usize, keyLen: usize, valuesPtr: usize): void {
  let k = <usize>valueCount;
  let rowBytes = k << 3;
  if (load<u32>(keyPtr) > labelSets.count) abort("pprof: sample references an unknown label set");
  let before = stacks.count;
  let id = stacks.intern(keyPtr, keyLen);
  let row: usize;
  if (id > before) {
    // Check a stack's ids once, when it is first seen.
    let maxLocation = locations.count;
    for (let p = keyPtr + 4; p < keyPtr + keyLen; p += 4) {
      let loc = load<u32>(p);
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
}

/** addTreeSamples aggregates count samples that point into a call tree, as
 * V8 and JSC report CPU profiles. At nodesPtr are nodeCount pairs of u32s:
 * parent index + 1 (0 for a root) and location id (0 for a frame to leave
 * out, such as "(root)"). At samplesPtr are count pairs: node index and
 * label-set id; at valuesPtr, count*k f64 values. A sample's stack is its
 * node's location, then its parent's, up to the root. */
export function addTreeSamples(nodesPtr: usize, nodeCount: u32, samplesPtr: usize, count: u32, valuesPtr: usize): u32 {
  let rowBytes = <usize>valueCount << 3;
  for (let i: u32 = 0; i < count; i++) {
    let s = samplesPtr + (<usize>i << 3);
    let node = load<u32>(s);
    key.len = 0;
    key.ensure(4);
    store<u32>(key.ptr, load<u32>(s, 4));
    key.len = 4;
    // A parent chain longer than the node count is a cycle (bad input).
    let steps: u32 = 0;
    while (true) {
      if (node >= nodeCount) abort("pprof: sample references an unknown node");
      if (++steps > nodeCount) abort("pprof: call tree has a cycle");
      let n = nodesPtr + (<usize>node << 3);
      let loc = load<u32>(n, 4);
      if (loc != 0) {
        key.ensure(4);
        store<u32>(key.end(), loc);
        key.len += 4;
      }
      let parent = load<u32>(n);
      if (parent == 0) break;
      node = parent - 1;
    }
    accumulate(key.ptr, key.len, valuesPtr + <usize>i * rowBytes);
  }
  return stacks.count;
}

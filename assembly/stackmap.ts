// stackmap.ts owns sample aggregation: (label-set id, location ids) → k int64
// values, summed over repeated stacks, in first-seen order. It does not know
// what the ids mean nor how they are encoded.
//
// Layout, chosen for the cost of a lookup (bench/aggregate.mjs): each slot is
// 8 bytes, [hash u32, record offset + 1 u32], so a probe compares hashes
// without touching records; a record is [k × i64 sums][u32 key bytes][key],
// so a hit reads one more cache line, not three. order lists record offsets
// in first-seen order for the builder.

import { Region, bytesEqual } from "./memory";
import { stackHash } from "./hash";
import { locations, labelSets } from "./tables";

const slotTable = new Region(256 << 3);
let slotMask: u32 = 0;
const records = new Region(256 << 10);
const order = new Region(16 << 10);
let count: u32 = 0;
let valueCount: u32 = 1;
// key is scratch space where addTreeSamples assembles a stack's key.
const key = new Region(16 << 10);

function resizeSlots(n: u32): void {
  slotTable.len = 0;
  slotTable.ensure(<usize>n << 3);
  memory.fill(slotTable.ptr, 0, <usize>n << 3);
  slotMask = n - 1;
}
resizeSlots(256);

/** getValueCount returns k, the number of values per sample. */
export function getValueCount(): u32 {
  return valueCount;
}

/** stackCount returns the number of distinct stacks. */
export function stackCount(): u32 {
  return count;
}

/** stackRecord returns where the record of the i-th stack (0-based, in
 * first-seen order) starts: its k sums, then its key length and key. */
@inline
export function stackRecord(i: u32): usize {
  return records.ptr + <usize>load<u32>(order.ptr + (<usize>i << 2));
}

/** clearStacks forgets every stack and sets k values per sample. */
export function clearStacks(k: u32): void {
  records.clear(1 << 20);
  order.clear(64 << 10);
  count = 0;
  valueCount = k;
  if (slotMask + 1 > 4096) slotTable.clear(4096 << 3);
  resizeSlots(256);
}

function rehash(n: u32, rowBytes: usize): void {
  resizeSlots(n);
  let slots = slotTable.ptr;
  let mask = slotMask;
  for (let i: u32 = 0; i < count; i++) {
    let off = load<u32>(order.ptr + (<usize>i << 2));
    let rec = records.ptr + <usize>off;
    let h = stackHash(rec + rowBytes + 4, <usize>load<u32>(rec + rowBytes));
    let s = h & mask;
    while (load<u64>(slots + (<usize>s << 3)) != 0) s = (s + 1) & mask;
    store<u64>(slots + (<usize>s << 3), (<u64>(off + 1) << 32) | <u64>h);
  }
}

/** accumulate adds the k f64 values at valuesPtr to the stack whose key
 * (label-set id, location ids) is keyLen bytes at keyPtr. */
@inline
function accumulate(keyPtr: usize, keyLen: usize, valuesPtr: usize): void {
  let k = <usize>valueCount;
  let rowBytes = k << 3;
  if (load<u32>(keyPtr) > labelSets.count) abort("pprof: sample references an unknown label set");
  let h = stackHash(keyPtr, keyLen);
  let mask = slotMask;
  let slots = slotTable.ptr;
  let s = h & mask;
  while (true) {
    let v = load<u64>(slots + (<usize>s << 3));
    if (v == 0) break;
    if (<u32>v == h) {
      let rec = records.ptr + <usize>(<u32>(v >> 32) - 1);
      if (<usize>load<u32>(rec + rowBytes) == keyLen && bytesEqual(rec + rowBytes + 4, keyPtr, keyLen)) {
        for (let j: usize = 0; j < k; j++) {
          let a = rec + (j << 3);
          store<i64>(a, load<i64>(a) + <i64>load<f64>(valuesPtr + (j << 3)));
        }
        return;
      }
    }
    s = (s + 1) & mask;
  }
  // A new stack: check its ids once, then append its record.
  let maxLocation = locations.count;
  for (let q = keyPtr + 4; q < keyPtr + keyLen; q += 4) {
    let loc = load<u32>(q);
    if (loc == 0 || loc > maxLocation) abort("pprof: sample references an unknown location id");
  }
  // Records stay 8-aligned so that the i64 sums are.
  let recBytes = (rowBytes + 4 + keyLen + 7) & ~(<usize>7);
  records.ensure(recBytes);
  let off = records.len;
  let rec = records.ptr + off;
  for (let j: usize = 0; j < k; j++) store<i64>(rec + (j << 3), <i64>load<f64>(valuesPtr + (j << 3)));
  store<u32>(rec + rowBytes, <u32>keyLen);
  memory.copy(rec + rowBytes + 4, keyPtr, keyLen);
  records.len += recBytes;
  order.ensure(4);
  store<u32>(order.end(), <u32>off);
  order.len += 4;
  count++;
  store<u64>(slots + (<usize>s << 3), (<u64>(<u32>off + 1) << 32) | <u64>h);
  // Keep the load factor at most 1/2 so probes stay short.
  if (count > (mask >> 1)) rehash((mask + 1) << 1, rowBytes);
}

/** addSamples aggregates count samples. At samplesPtr, each sample is u32s:
 * depth, label-set id, then depth location ids, leaf first. At valuesPtr are
 * count*k f64 values (exact integers), which are added to the stack's sums.
 * It returns the number of distinct stacks so far. */
export function addSamples(samplesPtr: usize, n: u32, valuesPtr: usize): u32 {
  let p = samplesPtr;
  let rowBytes = <usize>valueCount << 3;
  for (let i: u32 = 0; i < n; i++) {
    let depth = <usize>load<u32>(p);
    // The key is the label-set id and the ids: contiguous after depth.
    let keyLen = (depth + 1) << 2;
    accumulate(p + 4, keyLen, valuesPtr);
    valuesPtr += rowBytes;
    p += 4 + keyLen;
  }
  return count;
}

/** addTreeSamples aggregates n samples that point into a call tree, as
 * V8 and JSC report CPU profiles. At nodesPtr are nodeCount pairs of u32s:
 * parent index + 1 (0 for a root) and location id (0 for a frame to leave
 * out, such as "(root)"). At samplesPtr are n pairs: node index and
 * label-set id; at valuesPtr, n*k f64 values. A sample's stack is its
 * node's location, then its parent's, up to the root. */
export function addTreeSamples(nodesPtr: usize, nodeCount: u32, samplesPtr: usize, n: u32, valuesPtr: usize): u32 {
  let rowBytes = <usize>valueCount << 3;
  for (let i: u32 = 0; i < n; i++) {
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
      let nd = nodesPtr + (<usize>node << 3);
      let loc = load<u32>(nd, 4);
      if (loc != 0) {
        key.ensure(4);
        store<u32>(key.end(), loc);
        key.len += 4;
      }
      let parent = load<u32>(nd);
      if (parent == 0) break;
      node = parent - 1;
    }
    accumulate(key.ptr, key.len, valuesPtr + <usize>i * rowBytes);
  }
  return count;
}

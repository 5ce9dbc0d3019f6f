// tables.ts owns interning: byte strings in, dense 1-based ids out, in
// insertion order so that output is deterministic. Strings, functions,
// locations and label sets are all interned as byte keys; the stack map
// reuses Interner for its keys. It does not know the protobuf layout.

import { Region, bytesEqual } from "./memory";
import { xxh32 } from "./hash";

// entryBytes is the size of one entry record: key offset, key length, hash.
const entryBytes: usize = 12;

/** Interner maps byte keys to ids 1..count (id is index+1, since 0 means
 * "absent" in the slot table), with open addressing and linear probing. */
@final
export class Interner {
  keys: Region = new Region(4096);
  entries: Region = new Region(1024);
  // slotTable holds a u32 per slot: an entry id, or 0 for empty.
  slotTable: Region = new Region(256 << 2);
  slots: usize = 0;
  slotMask: u32 = 0;
  count: u32 = 0;

  constructor() {
    this.resizeSlots(256);
  }

  /** resizeSlots makes an empty table of n slots (a power of two). Entries
   * keep their hashes, so rehashing never needs the old table. */
  private resizeSlots(n: u32): void {
    let t = this.slotTable;
    t.len = 0;
    t.ensure(<usize>n << 2);
    memory.fill(t.ptr, 0, <usize>n << 2);
    this.slots = t.ptr;
    this.slotMask = n - 1;
  }

  /** intern returns the id of the len-byte key at ptr, adding it if absent. */
  intern(ptr: usize, len: usize): u32 {
    let h = xxh32(ptr, len, 0);
    let mask = this.slotMask;
    let i = h & mask;
    let slots = this.slots;
    let entries = this.entries.ptr;
    let keys = this.keys.ptr;
    while (true) {
      let id = load<u32>(slots + (<usize>i << 2));
      if (id == 0) break;
      let e = entries + <usize>(id - 1) * entryBytes;
      if (load<u32>(e, 8) == h && <usize>load<u32>(e, 4) == len && bytesEqual(keys + <usize>load<u32>(e), ptr, len)) {
        return id;
      }
      i = (i + 1) & mask;
    }
    // Absent: append the key and its entry, then claim the empty slot.
    let off = this.keys.len;
    this.keys.ensure(len);
    memory.copy(this.keys.ptr + off, ptr, len);
    this.keys.len = off + len;
    this.entries.ensure(entryBytes);
    let e = this.entries.end();
    store<u32>(e, <u32>off);
    store<u32>(e, <u32>len, 4);
    store<u32>(e, h, 8);
    this.entries.len += entryBytes;
    let id = ++this.count;
    store<u32>(slots + (<usize>i << 2), id);
    // Keep the load factor at most 1/2 so probes stay short.
    if (id > (mask >> 1)) this.rehash((mask + 1) << 1);
    return id;
  }

  private rehash(n: u32): void {
    this.resizeSlots(n);
    let mask = this.slotMask;
    let slots = this.slots;
    let entries = this.entries.ptr;
    for (let id: u32 = 1; id <= this.count; id++) {
      let i = load<u32>(entries + <usize>(id - 1) * entryBytes + 8) & mask;
      while (load<u32>(slots + (<usize>i << 2)) != 0) i = (i + 1) & mask;
      store<u32>(slots + (<usize>i << 2), id);
    }
  }

  /** keyPtr returns where the key of id starts; valid until the next intern. */
  @inline
  keyPtr(id: u32): usize {
    return this.keys.ptr + <usize>load<u32>(this.entries.ptr + <usize>(id - 1) * entryBytes);
  }

  /** keyLen returns the byte length of the key of id. */
  @inline
  keyLen(id: u32): usize {
    return <usize>load<u32>(this.entries.ptr + <usize>(id - 1) * entryBytes, 4);
  }

  /** clear forgets every key; small buffers are kept for the next profile. */
  clear(): void {
    this.keys.clear(64 << 10);
    this.entries.clear(16 << 10);
    this.count = 0;
    if (this.slotMask + 1 > 4096) this.slotTable.clear(4096 << 2);
    this.resizeSlots(min<u32>(this.slotMask + 1, 4096));
  }
}

/** strings holds the string table; "" is interned first so that a string's
 * index in the table is its id - 1 and "" is index 0, as profile.proto wants. */
export const strings = new Interner();
/** functions keys are 4 u32s: name, system name, filename (string indexes),
 * start line. */
export const functions = new Interner();
/** locations keys are 3 u32s: function id, line, column. */
export const locations = new Interner();
/** labelSets keys are n records of labelBytes: key, str, num (i64), unit. */
export const labelSets = new Interner();

/** labelBytes is the size of one label record in a label-set key. */
export const labelBytes: usize = 20;
export const functionBytes: usize = 16;
export const locationBytes: usize = 12;

/** clearTables empties every table and re-interns "" as string 0. */
export function clearTables(): void {
  strings.clear();
  functions.clear();
  locations.clear();
  labelSets.clear();
  strings.intern(0, 0);
}

/** internStrings interns count strings from the exchange area at ptr: count
 * u32 byte lengths, then the UTF-8 bytes back to back. It overwrites the
 * lengths with the strings' indexes in the string table. */
export function internStrings(ptr: usize, count: u32): void {
  let bytes = ptr + (<usize>count << 2);
  for (let i: u32 = 0; i < count; i++) {
    let slot = ptr + (<usize>i << 2);
    let len = <usize>load<u32>(slot);
    store<u32>(slot, strings.intern(bytes, len) - 1);
    bytes += len;
  }
}

/** internRecords interns count fixed-size records at ptr into table and
 * writes their ids as u32s from ptr on: id i lands at or before record i, so
 * no unread record is overwritten. */
function internRecords(table: Interner, ptr: usize, count: u32, recordBytes: usize, check: (record: usize) => void): void {
  for (let i: u32 = 0; i < count; i++) {
    check(ptr + <usize>i * recordBytes);
    let id = table.intern(ptr + <usize>i * recordBytes, recordBytes);
    store<u32>(ptr + (<usize>i << 2), id);
  }
}

/** internFunctions interns count function records (see functions). */
export function internFunctions(ptr: usize, count: u32): void {
  internRecords(functions, ptr, count, functionBytes, (r: usize): void => {
    let n = strings.count;
    if (load<u32>(r) >= n || load<u32>(r, 4) >= n || load<u32>(r, 8) >= n) abort("pprof: function references an unknown string");
  });
}

/** internLocations interns count location records (see locations). */
export function internLocations(ptr: usize, count: u32): void {
  internRecords(locations, ptr, count, locationBytes, (r: usize): void => {
    let f = load<u32>(r);
    if (f == 0 || f > functions.count) abort("pprof: location references an unknown function id");
  });
}

/** internLabelSets interns count label sets, each a u32 label count followed
 * by that many label records, and writes their ids as u32s from ptr on. An
 * empty set gets id 0, meaning "no labels". */
export function internLabelSets(ptr: usize, count: u32): void {
  let p = ptr;
  for (let i: u32 = 0; i < count; i++) {
    let n = <usize>load<u32>(p);
    let len = n * labelBytes;
    for (let q = p + 4; q < p + 4 + len; q += labelBytes) {
      let strs = strings.count;
      if (load<u32>(q) >= strs || load<u32>(q, 4) >= strs || load<u32>(q, 16) >= strs) abort("pprof: label references an unknown string");
    }
    let id: u32 = n == 0 ? 0 : labelSets.intern(p + 4, len);
    p += 4 + len;
    store<u32>(ptr + (<usize>i << 2), id);
  }
}

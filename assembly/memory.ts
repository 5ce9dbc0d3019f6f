// memory.ts owns the core's growable byte regions and the cap on their total
// size. It knows nothing of protobuf or profiles; every other file allocates
// through Region so that a profile, however malformed its input, can never
// grow the instance past capBytes.

/** capBytes is the most the core's regions may hold together; past it the
 * core aborts with a "pprof:" message instead of growing. Settable by JS. */
let capBytes: usize = 1024 << 20;
let totalBytes: usize = 0;

/** setCapBytes sets the cap on the total bytes of all regions (default 1 GiB). */
export function setCapBytes(bytes: usize): void {
  capBytes = bytes;
}

/** Region is a growable byte area on the heap. ptr may move on every ensure,
 * so callers keep offsets, never pointers, across writes. */
@final
export class Region {
  ptr: usize = 0;
  len: usize = 0;
  cap: usize = 0;

  constructor(initialBytes: usize) {
    this.grow(initialBytes);
  }

  /** ensure makes room for extra more bytes past len. */
  @inline
  ensure(extra: usize): void {
    if (this.len + extra > this.cap) this.grow(this.len + extra);
  }

  /** grow reallocates to at least neededBytes, doubling to keep appends O(1). */
  grow(neededBytes: usize): void {
    let newCap = this.cap < 64 ? <usize>64 : this.cap;
    while (newCap < neededBytes) newCap <<= 1;
    if (totalBytes - this.cap + newCap > capBytes) {
      abort("pprof: profile exceeds the core's memory cap");
    }
    totalBytes = totalBytes - this.cap + newCap;
    this.ptr = this.ptr ? heap.realloc(this.ptr, newCap) : heap.alloc(newCap);
    this.cap = newCap;
  }

  /** clear empties the region; it keeps small buffers and frees large ones so
   * that one huge profile does not pin its memory for the process lifetime. */
  clear(keepBytes: usize): void {
    this.len = 0;
    if (this.cap > keepBytes) {
      heap.free(this.ptr);
      totalBytes -= this.cap;
      this.ptr = 0;
      this.cap = 0;
      this.grow(keepBytes);
    }
  }

  @inline
  end(): usize {
    return this.ptr + this.len;
  }
}

/** bytesEqual reports whether n bytes at a and b are equal, 8 at a time
 * (wasm loads need no alignment). */
export function bytesEqual(a: usize, b: usize, n: usize): bool {
  while (n >= 8) {
    if (load<u64>(a) != load<u64>(b)) return false;
    a += 8;
    b += 8;
    n -= 8;
  }
  while (n >= 4) {
    if (load<u32>(a) != load<u32>(b)) return false;
    a += 4;
    b += 4;
    n -= 4;
  }
  while (n > 0) {
    if (load<u8>(a) != load<u8>(b)) return false;
    a++;
    b++;
    n--;
  }
  return true;
}

// exchange is the batch area JS fills before each call (never one call per
// frame or per sample).
const exchange = new Region(64 << 10);

/** exchangeBuffer returns the exchange area, grown to at least minBytes. Any
 * call may move it; JS must re-read the pointer and rebuild its views. */
export function exchangeBuffer(minBytes: usize): usize {
  exchange.len = 0;
  exchange.ensure(minBytes);
  return exchange.ptr;
}

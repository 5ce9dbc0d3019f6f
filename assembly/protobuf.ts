// protobuf.ts owns the protobuf wire encoding into a Region: varints, packed
// repeated fields and length-delimited nested messages. It knows no message
// schema; builder.ts owns the field numbers.
//
// Method names follow the wire types; Opt skips the proto3 default (zero),
// a plural is packed.

import { Region } from "./memory";

const wireVarint: u32 = 0;
const wireBytes: u32 = 2;

/** maxVarintBytes is the longest varint (a negative int64). */
export const maxVarintBytes: usize = 10;

@final
export class Writer {
  out: Region;

  constructor(out: Region) {
    this.out = out;
  }

  /** reset empties the output. */
  reset(): void {
    this.out.len = 0;
  }

  // putVarint writes v with no bounds check: callers ensure room first.
  @inline
  private putVarint(v: u64): void {
    let p = this.out.end();
    let start = p;
    while (v >= 0x80) {
      store<u8>(p++, <u8>(v | 0x80));
      v >>= 7;
    }
    store<u8>(p++, <u8>v);
    this.out.len += p - start;
  }

  @inline
  private tag(field: u32, wire: u32): void {
    this.putVarint(<u64>((field << 3) | wire));
  }

  /** uint64 writes field as a varint, even when zero. */
  uint64(field: u32, v: u64): void {
    this.out.ensure(2 * maxVarintBytes);
    this.tag(field, wireVarint);
    this.putVarint(v);
  }

  /** int64 writes field as a varint (two's complement, 10 bytes if negative). */
  @inline
  int64(field: u32, v: i64): void {
    this.uint64(field, <u64>v);
  }

  /** int64Opt writes field unless v is zero. */
  @inline
  int64Opt(field: u32, v: i64): void {
    if (v != 0) this.uint64(field, <u64>v);
  }

  /** uint64Opt writes field unless v is zero. */
  @inline
  uint64Opt(field: u32, v: u64): void {
    if (v != 0) this.uint64(field, v);
  }

  /** boolOpt writes field as 1 when v is true. */
  @inline
  boolOpt(field: u32, v: bool): void {
    if (v) this.uint64(field, 1);
  }

  /** bytes writes field as len bytes copied from ptr. */
  bytes(field: u32, ptr: usize, len: usize): void {
    this.out.ensure(2 * maxVarintBytes + len);
    this.tag(field, wireBytes);
    this.putVarint(<u64>len);
    memory.copy(this.out.end(), ptr, len);
    this.out.len += len;
  }

  /** uint64sFromU32 writes n u32s at ptr as one packed repeated uint64 field;
   * nothing when n is zero. */
  uint64sFromU32(field: u32, ptr: usize, n: usize): void {
    if (n == 0) return;
    let mark = this.startMessage(field);
    this.out.ensure(n * 5);
    for (let i: usize = 0; i < n; i++) this.putVarint(<u64>load<u32>(ptr + (i << 2)));
    this.endMessage(mark);
  }

  /** int64s writes n i64s at ptr as one packed repeated int64 field; nothing
   * when n is zero. */
  int64s(field: u32, ptr: usize, n: usize): void {
    if (n == 0) return;
    let mark = this.startMessage(field);
    this.out.ensure(n * maxVarintBytes);
    for (let i: usize = 0; i < n; i++) this.putVarint(<u64>load<i64>(ptr + (i << 3)));
    this.endMessage(mark);
  }

  /** startMessage opens a length-delimited field and returns a mark for
   * endMessage. It reserves one length byte, enough for bodies under 128
   * bytes; endMessage shifts longer bodies. Marks are offsets, so they stay
   * valid when the output grows. */
  startMessage(field: u32): usize {
    this.out.ensure(maxVarintBytes + 1);
    this.tag(field, wireBytes);
    let mark = this.out.len;
    this.out.len += 1;
    return mark;
  }

  /** endMessage writes the length of the body opened at mark. */
  endMessage(mark: usize): void {
    let bodyStart = mark + 1;
    let bodyLen = this.out.len - bodyStart;
    if (bodyLen < 0x80) {
      store<u8>(this.out.ptr + mark, <u8>bodyLen);
      return;
    }
    let n: usize = 1;
    for (let v = bodyLen >> 7; v != 0; v >>= 7) n++;
    this.out.ensure(n - 1);
    let base = this.out.ptr;
    memory.copy(base + mark + n, base + bodyStart, bodyLen);
    let p = base + mark;
    let v = bodyLen;
    while (v >= 0x80) {
      store<u8>(p++, <u8>(v | 0x80));
      v >>= 7;
    }
    store<u8>(p, <u8>v);
    this.out.len += n - 1;
  }
}

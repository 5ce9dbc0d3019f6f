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

  /** sample writes a message field holding a packed repeated uint64 field
   * (n u32 ids at ids) and a packed repeated int64 field (k i64s at vals),
   * sized exactly first: the hot loop of a profile, where endMessage's
   * shifting and the varint loop's branches would cost most. */
  sample(field: u32, idsField: u32, ids: usize, n: usize, valsField: u32, vals: usize, k: usize): void {
    let idsBytes: usize = 0;
    for (let i: usize = 0; i < n; i++) idsBytes += varintSize(<u64>load<u32>(ids + (i << 2)));
    let valsBytes: usize = 0;
    for (let i: usize = 0; i < k; i++) valsBytes += varintSize(<u64>load<i64>(vals + (i << 3)));
    let body: usize = 0;
    if (n != 0) body += 1 + varintSize(<u64>idsBytes) + idsBytes;
    if (k != 0) body += 1 + varintSize(<u64>valsBytes) + valsBytes;
    // 8 bytes of slack for putU32Varint's wide store.
    this.out.ensure(1 + maxVarintBytes + body + 8);
    let p = this.out.end();
    let start = p;
    p = putVarintAt(p, <u64>((field << 3) | wireBytes));
    p = putVarintAt(p, <u64>body);
    if (n != 0) {
      p = putVarintAt(p, <u64>((idsField << 3) | wireBytes));
      p = putVarintAt(p, <u64>idsBytes);
      for (let i: usize = 0; i < n; i++) p = putU32Varint(p, load<u32>(ids + (i << 2)));
    }
    if (k != 0) {
      p = putVarintAt(p, <u64>((valsField << 3) | wireBytes));
      p = putVarintAt(p, <u64>valsBytes);
      for (let i: usize = 0; i < k; i++) p = putVarintAt(p, <u64>load<i64>(vals + (i << 3)));
    }
    this.out.len += p - start;
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

/** varintSize returns how many bytes v takes as a varint (1 to 10). */
@inline
function varintSize(v: u64): usize {
  return <usize>((<u32>(63 - clz<u64>(v | 1)) * 9 + 73) >> 6);
}

@inline
function putVarintAt(p: usize, v: u64): usize {
  while (v >= 0x80) {
    store<u8>(p++, <u8>(v | 0x80));
    v >>= 7;
  }
  store<u8>(p++, <u8>v);
  return p;
}

/** putU32Varint writes v as a varint with one unaligned 8-byte store (the
 * caller leaves 8 bytes of slack): no data-dependent branch, so a mix of 1-,
 * 2- and 3-byte ids costs no mispredictions. */
@inline
function putU32Varint(p: usize, v: u32): usize {
  let x = <u64>v;
  let spread = (x & 0x7f) | ((x & 0x3f80) << 1) | ((x & 0x1fc000) << 2) | ((x & 0xfe00000) << 3) | ((x & 0xf0000000) << 4);
  let n = varintSize(x);
  // A continuation bit on every byte but the last.
  let cont = <u64>0x0000008080808080 & ((<u64>1 << (<u64>(n - 1) << 3)) - 1);
  store<u64>(p, spread | cont);
  return p + n;
}

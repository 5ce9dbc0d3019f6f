// hash.ts owns xxHash32 over bytes in linear memory (the published XXH32
// algorithm). Stack keys are sequences of u32 ids, so the 16-byte stripe loop
// carries nearly all the work.

const PRIME1: u32 = 0x9e3779b1;
const PRIME2: u32 = 0x85ebca77;
const PRIME3: u32 = 0xc2b2ae3d;
const PRIME4: u32 = 0x27d4eb2f;
const PRIME5: u32 = 0x165667b1;

@inline
function round(acc: u32, lane: u32): u32 {
  return rotl<u32>(acc + lane * PRIME2, 13) * PRIME1;
}

/** xxh32 returns the XXH32 hash of len bytes at ptr with the given seed. */
export function xxh32(ptr: usize, len: usize, seed: u32): u32 {
  let end = ptr + len;
  let acc: u32;
  if (len >= 16) {
    let v1 = seed + PRIME1 + PRIME2;
    let v2 = seed + PRIME2;
    let v3 = seed;
    let v4 = seed - PRIME1;
    let limit = end - 16;
    do {
      v1 = round(v1, load<u32>(ptr));
      v2 = round(v2, load<u32>(ptr, 4));
      v3 = round(v3, load<u32>(ptr, 8));
      v4 = round(v4, load<u32>(ptr, 12));
      ptr += 16;
    } while (ptr <= limit);
    acc = rotl<u32>(v1, 1) + rotl<u32>(v2, 7) + rotl<u32>(v3, 12) + rotl<u32>(v4, 18);
  } else {
    acc = seed + PRIME5;
  }
  acc += <u32>len;
  while (ptr + 4 <= end) {
    acc = rotl<u32>(acc + load<u32>(ptr) * PRIME3, 17) * PRIME4;
    ptr += 4;
  }
  while (ptr < end) {
    acc = rotl<u32>(acc + <u32>load<u8>(ptr) * PRIME5, 11) * PRIME1;
    ptr++;
  }
  acc ^= acc >> 15;
  acc *= PRIME2;
  acc ^= acc >> 13;
  acc *= PRIME3;
  acc ^= acc >> 16;
  return acc;
}

/** hashBytes exposes xxh32 to JS for tests against the reference vectors. */
export function hashBytes(ptr: usize, len: usize, seed: u32): u32 {
  return xxh32(ptr, len, seed);
}

const M1: u64 = 0x9e3779b97f4a7c15;
const M2: u64 = 0xc2b2ae3d27d4eb4f;
const M3: u64 = 0x165667b19e3779f9;
const M4: u64 = 0xd6e8feb86659fd93;

/** stackHash hashes a stack key (u32 ids, so len is a multiple of 4) with
 * four independent 64-bit multiply-xor lanes over 32-byte stripes, folded
 * and finished murmur-style. It is not XXH32: stack keys never leave the
 * core, and this measured ~25% faster per aggregated sample with probe
 * lengths as short (bench/aggregate.mjs). */
@inline
export function stackHash(p: usize, len: usize): u32 {
  let a: u64 = M1 ^ <u64>len;
  let b: u64 = M2;
  let c: u64 = M3;
  let d: u64 = M4;
  let end = p + len;
  while (p + 32 <= end) {
    a = (a ^ load<u64>(p)) * M1;
    b = (b ^ load<u64>(p, 8)) * M2;
    c = (c ^ load<u64>(p, 16)) * M3;
    d = (d ^ load<u64>(p, 24)) * M4;
    p += 32;
  }
  let h = a ^ rotl<u64>(b, 17) ^ rotl<u64>(c, 31) ^ rotl<u64>(d, 47);
  while (p + 8 <= end) {
    h = (h ^ load<u64>(p)) * M1;
    p += 8;
  }
  if (p < end) h = (h ^ <u64>load<u32>(p)) * M2;
  h ^= h >> 32;
  h *= M3;
  h ^= h >> 29;
  return <u32>h;
}

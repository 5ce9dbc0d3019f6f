// gzip.ts owns compression of profiles. pako is pure JS, so output is the
// same bytes in every runtime (the header's mtime is 0), which golden tests
// and byte-identical profiles need; native CompressionStream is async and
// its bytes differ between zlib builds.

import { gzip as pakoGzip } from "pako";

/** gzip returns bytes gzip-compressed at the default level. */
export function gzip(bytes: Uint8Array): Uint8Array {
  return pakoGzip(bytes);
}

// gzip.ts owns compression of profiles: the runtime's native gzip where the
// adapter provides one (node:zlib's gzipSync: 3× pako's speed here and the
// same bytes, bench/gzip.mjs), else pako, which is pure JS and so works in
// every runtime. Either way output is deterministic: the same profile gives
// the same bytes in the same runtime (header mtime 0).

import { gzip as pakoGzip } from "pako";
import { host } from "./host.ts";

/** gzip returns bytes gzip-compressed at the default level. */
export function gzip(bytes: Uint8Array): Uint8Array {
  return host.gzipSync !== undefined ? host.gzipSync(bytes) : pakoGzip(bytes);
}

// gzip.ts owns compression of profiles through the adapter's gzipSync: the
// runtime's native zlib on Node, Deno and Bun (3× pako's speed here, and the
// same bytes: bench/gzip.mjs), pako where there is none (workerd, browsers;
// see gzip-pako.ts). The core imports no compression library itself, so
// that no bare package import stands between Deno and our entry points.
// Output is deterministic: the same profile gives the same bytes in the same
// runtime (header mtime 0).

import { host } from "./host.ts";

/** gzip returns bytes gzip-compressed at the default level. */
export function gzip(bytes: Uint8Array): Uint8Array {
  return host.gzipSync(bytes);
}

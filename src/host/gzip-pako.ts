// gzip-pako.ts is gzip for runtimes without a native synchronous one
// (workerd, browsers): pako, pure JS. It sits at the top of src/ because
// workerd resolves a bare import relative to the importing module's folder.

import { gzip } from "pako";

/** pakoGzip gzip-compresses bytes at the default level, header mtime 0. */
export function pakoGzip(bytes: Uint8Array): Uint8Array {
  return gzip(bytes);
}

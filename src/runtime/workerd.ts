// workerd.ts is the edge-worker adapter: the core comes from a .wasm module
// import, since workerd forbids compiling WASM from bytes; labels use
// AsyncLocalStorage (nodejs_compat or nodejs_als). workerd has no in-process
// CPU sampler: profile a worker from outside with `anyprof attach`.

import { AsyncLocalStorage } from "node:async_hooks";
import { pakoGzip } from "../host/gzip-pako.ts";
import { setHost } from "../host/host.ts";
import { fileWasmModule } from "../wasm/file.ts";

setHost({
  gzipSync: pakoGzip,
  runtime: "workerd",
  wasmModule: fileWasmModule,
  newAsyncStore: () => new AsyncLocalStorage(),
  requestScopedPromises: true,
});

export * from "./api.ts";
export { pprofListener, servePprof } from "./serve-none.ts";

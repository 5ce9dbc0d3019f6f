// workerd.ts is the edge-worker adapter: the core comes from a .wasm module
// import, since workerd forbids compiling WASM from bytes.

import { setHost } from "../host.ts";
import { fileWasmModule } from "../wasm/file.ts";

setHost({ runtime: "workerd", wasmModule: fileWasmModule });

export * from "../api.ts";

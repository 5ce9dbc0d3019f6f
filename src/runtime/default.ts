// default.ts is the adapter for runtimes without a condition of their own
// (browsers, other engines): the inlined core and the shared API.

import { setHost } from "../host.ts";
import { inlineWasmModule } from "../wasm/inline.ts";

setHost({ runtime: "default", wasmModule: inlineWasmModule });

export * from "../api.ts";

// deno.ts is the deno adapter: it injects deno's functions into the core and
// re-exports the public API. Nothing else.

import { setHost } from "../host.ts";
import { inlineWasmModule } from "../wasm/inline.ts";

setHost({ runtime: "deno", wasmModule: inlineWasmModule });

export * from "../api.ts";

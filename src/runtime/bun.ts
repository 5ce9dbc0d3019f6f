// bun.ts is the bun adapter: it injects bun's functions into the core and
// re-exports the public API. Nothing else.

import { setHost } from "../host.ts";
import { inlineWasmModule } from "../wasm/inline.ts";

setHost({ runtime: "bun", wasmModule: inlineWasmModule });

export * from "../api.ts";

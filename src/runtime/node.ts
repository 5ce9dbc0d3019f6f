// node.ts is the node adapter: it injects node's functions into the core and
// re-exports the public API. Nothing else.

import { setHost } from "../host.ts";
import { inlineWasmModule } from "../wasm/inline.ts";

setHost({ runtime: "node", wasmModule: inlineWasmModule });

export * from "../api.ts";

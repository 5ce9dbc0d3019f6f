// file.ts yields the WASM core as a module imported from its .wasm file, for
// workerd, which refuses to compile WASM from bytes at run time.

import wasmModule from "./anyprof.wasm";

/** fileWasmModule returns the module the bundler or runtime compiled. */
export function fileWasmModule(): WebAssembly.Module {
  return wasmModule;
}

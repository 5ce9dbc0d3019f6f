// inline.ts yields the WASM core from bytes inlined as base64, for every
// runtime that may compile WASM from bytes (all but workerd).

import { wasmBase64 } from "./anyprof.wasm.base64.ts";

/** inlineWasmModule compiles the inlined core; callers cache the result. */
export function inlineWasmModule(): WebAssembly.Module {
  const text = atob(wasmBase64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new WebAssembly.Module(bytes);
}

// core.ts gives tests their own WASM core instance, compiled from the built
// file (scripts/build.mjs), with an optional memory cap.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { newCore, type Core } from "../../src/pprof/core.ts";

let module: WebAssembly.Module | undefined;

/** wasmModule returns the compiled build/anyprof.wasm. */
export function wasmModule(): WebAssembly.Module {
  module ??= new WebAssembly.Module(readFileSync(fileURLToPath(new URL("../../build/anyprof.wasm", import.meta.url))));
  return module;
}

/** freshCore returns a new core instance. */
export function freshCore(capBytes?: number): Core {
  return newCore(wasmModule(), capBytes);
}

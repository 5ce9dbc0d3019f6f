// wasm.d.ts types `import m from "./x.wasm"` as workerd and bundlers give it.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

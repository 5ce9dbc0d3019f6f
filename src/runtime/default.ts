// default.ts is the adapter for runtimes without a condition of their own
// (browsers, other engines): the inlined core, and a label store that holds
// for synchronous code only, since there is no AsyncLocalStorage to carry it
// across await. No CPU sampler.

import { pakoGzip } from "../host/gzip-pako.ts";
import { setHost, type AsyncStore } from "../host/host.ts";
import { inlineWasmModule } from "../wasm/inline.ts";

// syncStore is AsyncLocalStorage's contract restricted to synchronous code.
function syncStore<T>(): AsyncStore<T> {
  let value: T | undefined;
  return {
    run<R>(store: T, fn: () => R): R {
      const saved = value;
      value = store;
      try {
        return fn();
      } finally {
        value = saved;
      }
    },
    getStore: () => value,
    enterWith: (store: T) => void (value = store),
  };
}

setHost({ gzipSync: pakoGzip, runtime: "default", wasmModule: inlineWasmModule, newAsyncStore: syncStore });

export * from "./api.ts";
export { pprofListener, servePprof } from "./serve-none.ts";

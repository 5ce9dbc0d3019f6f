// host.ts owns what the runtime-neutral core needs from a runtime, injected
// by the adapter in src/runtime/: the core never touches process, Deno, Bun
// or node:* itself.

/** Host is the set of functions an adapter provides. */
export interface Host {
  /** runtime names the adapter, for comments and diagnostics. */
  runtime: string;
  /** wasmModule yields the compiled WASM core. */
  wasmModule(): WebAssembly.Module;
  /** nowNanos is the wall clock in nanoseconds since the Unix epoch. */
  nowNanos(): bigint;
}

const unconfigured = (): never => {
  throw new Error("pprof: no runtime adapter: import anyprof through its package entry point");
};

/** host is the current adapter's functions; setHost replaces them. */
export const host: Host = {
  runtime: "unknown",
  wasmModule: unconfigured,
  nowNanos: () => BigInt(Date.now()) * 1_000_000n,
};

/** setHost installs an adapter's functions (called once, at import). */
export function setHost(parts: Partial<Host>): void {
  Object.assign(host, parts);
}

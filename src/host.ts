// host.ts owns what the runtime-neutral core needs from a runtime, injected
// by the adapter in src/runtime/: the core never touches process, Deno, Bun
// or node:* itself.

/** AsyncStore is the part of AsyncLocalStorage that labels use. */
export interface AsyncStore<T> {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
  enterWith(store: T): void;
}

/** ContinuationHooks are called around every async callback (a promise
 * continuation, a timer): before it runs, with its async context already
 * current, and after. */
export interface ContinuationHooks {
  before(): void;
  after(): void;
}

/** ContinuationTracker switches continuation hooks on and off. */
export interface ContinuationTracker {
  enable(): void;
  disable(): void;
}

/** CpuProfileNode is a node of a V8/JSC call tree (the .cpuprofile shape). */
export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId?: string | number };
  children?: number[];
  parent?: number;
  hitCount?: number;
}

/** CpuProfileShape is the Chrome .cpuprofile shape: a call tree, the node of
 * each sample, and the time since the previous sample (µs). */
export interface CpuProfileShape {
  nodes: CpuProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** CpuSampler is a runtime's CPU sampler. Each method may answer at once
 * (Node's in-process inspector does) or with a promise. */
export interface CpuSampler {
  /** start begins sampling every intervalMicros and returns host.nowMicros()
   * read as close as it can to the moment the profile's startTime stamps. */
  start(intervalMicros: number): number | Promise<number>;
  /** stop ends sampling and returns the profile. */
  stop(): CpuProfileShape | Promise<CpuProfileShape>;
  /** close releases the sampler (its inspector session). */
  close(): void;
}

/** AsyncResourceHooks are called when an async resource (a timer, a
 * socket, a request…) is created, inside the call that creates it, and when
 * it is destroyed: async_hooks' init and destroy. */
export interface AsyncResourceHooks {
  init(asyncId: number, type: string, triggerAsyncId: number): void;
  destroy(asyncId: number): void;
}

/** Host is the set of functions an adapter provides. */
export interface Host {
  /** runtime names the adapter, for comments and diagnostics. */
  runtime: string;
  /** wasmModule yields the compiled WASM core. */
  wasmModule(): WebAssembly.Module;
  /** nowNanos is the wall clock in nanoseconds since the Unix epoch. */
  nowNanos(): bigint;
  /** nowMicros is a monotonic clock in µs (any origin). */
  nowMicros(): number;
  /** newAsyncStore makes an AsyncLocalStorage. */
  newAsyncStore<T>(): AsyncStore<T>;
  /** trackContinuations makes a tracker calling hooks around async
   * callbacks, where the runtime has them (Node's async_hooks); absent
   * elsewhere. */
  trackContinuations?: (hooks: ContinuationHooks) => ContinuationTracker;
  /** newCpuSampler makes the runtime's CPU sampler; absent where there is
   * none in-process (workerd). */
  newCpuSampler?: () => CpuSampler;
  /** activeResourceTypes lists the type of each async resource keeping the
   * event loop alive (process.getActiveResourcesInfo()); absent where the
   * runtime cannot tell (Bun's answers [] always, workerd's throws). */
  activeResourceTypes?: () => string[];
  /** trackAsyncResources makes a tracker calling hooks as async resources
   * are created and destroyed (async_hooks init/destroy); absent where those
   * hooks do not fire (Bun, workerd). */
  trackAsyncResources?: (hooks: AsyncResourceHooks) => ContinuationTracker;
  /** asyncResourceCoverage says which resources trackAsyncResources sees
   * when it is not all of them (Deno), for the goroutine profile's comment. */
  asyncResourceCoverage?: string;
  /** trackWorkers makes a tracker calling onCreate inside each worker
   * constructor call, with a function on the stack just above the creator's
   * frames (for captureStack); absent where no worker can be created. */
  trackWorkers?: (onCreate: (above: Function) => void) => ContinuationTracker;
  /** workerCoverage says which workers trackWorkers sees when it is not all
   * of them (Deno, Bun), for the threadcreate profile's comment. */
  workerCoverage?: string;
  /** gzipSync is the runtime's native gzip (default level, mtime 0), where
   * it has one; pako serves otherwise. */
  gzipSync?: (bytes: Uint8Array) => Uint8Array;
  /** unrefTimer lets a timer not keep the process alive. */
  unrefTimer(timer: unknown): void;
}

const unconfigured = (): never => {
  throw new Error("pprof: no runtime adapter: import anyprof through its package entry point");
};

/** host is the current adapter's functions; setHost replaces them. */
export const host: Host = {
  runtime: "unknown",
  wasmModule: unconfigured,
  nowNanos: () => BigInt(Date.now()) * 1_000_000n,
  nowMicros: () => performance.now() * 1000,
  newAsyncStore: unconfigured,
  unrefTimer: () => {},
};

/** setHost installs an adapter's functions (called once, at import). */
export function setHost(parts: Partial<Host>): void {
  Object.assign(host, parts);
}

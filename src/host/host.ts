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
  /** positionTicks counts the node's own samples by source line (1-based),
   * where the engine knows the line (V8 always, JSC outside its FTL tier). */
  positionTicks?: Array<{ line: number; ticks: number }>;
}

/** CpuProfileShape is the Chrome .cpuprofile shape: a call tree, the node of
 * each sample, and the time since the previous sample (µs). */
export interface CpuProfileShape {
  nodes: CpuProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
  /** clockOffsetMicros, set by a sampler that knows it, is its timestamps
   * minus host.nowMicros(); without it, startTime minus the clock start()
   * returned stands in, which also counts the moments between that read
   * and the engine stamping startTime (not a .cpuprofile field). */
  clockOffsetMicros?: number;
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

/** HeapProfileNode is a node of V8's sampling heap profile tree (the
 * .heapprofile shape): a function, the bytes V8 attributes to it, its
 * callees. Line and column are 0-based and locate the function's start. */
export interface HeapProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId?: string | number };
  selfSize: number;
  children?: HeapProfileNode[];
}

/** HeapProfileShape is V8's sampling heap profile: the call tree, and one
 * entry per sampled object with its node and its size in bytes already
 * scaled by V8 to stand for every allocation the sample represents (object
 * size × V8's rounded 1/(1−e^(−size/rate))). */
export interface HeapProfileShape {
  head: HeapProfileNode;
  samples?: Array<{ size: number; nodeId: number; ordinal: number }>;
}

/** HeapSampler is a runtime's sampling heap profiler. Each method may answer
 * at once (Node's in-process inspector does) or with a promise. */
export interface HeapSampler {
  /** start samples one object per rateBytes allocated, on average;
   * includeCollected keeps the samples of objects the GC has collected. */
  start(rateBytes: number, includeCollected: boolean): void | Promise<void>;
  /** profile returns the samples held after a full collection (V8's
   * inspector always runs one first); restart then begins a new sample set,
   * dropping the samples returned. */
  profile(restart: boolean): HeapProfileShape | Promise<HeapProfileShape>;
  /** stop ends sampling and releases the sampler (its inspector session). */
  stop(): void;
}

/** HeapCensus counts the live objects by type, for a runtime with no
 * sampling heap profiler (Bun). A type's bytes are 0 where the census has
 * no sizes; heapBytes is the runtime's heap size, which may exceed the sum
 * over types. */
export interface HeapCensus {
  types: Array<{ type: string; objects: number; bytes: number }>;
  heapBytes: number;
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
  /** newHeapSampler makes the runtime's sampling heap profiler; absent
   * where there is none in-process (Bun, workerd). */
  newHeapSampler?: () => HeapSampler;
  /** heapCensus counts live objects by type after a full collection, for
   * a runtime without newHeapSampler that can (Bun): from a heap snapshot
   * (class names, bytes by type) when snapshot is true, else from cheaper
   * counts by cell type, without bytes. */
  heapCensus?: (snapshot: boolean) => HeapCensus;
  /** memoryStats returns the runtime's own memory figures, grouped by the
   * call that gave them (e.g. "process.memoryUsage()"), for the heap
   * profile's text form; absent where there are none (workerd). */
  memoryStats?: () => Record<string, object>;
  /** newBlockSampler makes the CPU sampler the block profiler keeps running
   * while it is on: like newCpuSampler, but a stop followed at once by a
   * start must not pause the application (V8 re-logs all compiled code when
   * its sampler restarts). Where absent, newCpuSampler is used. */
  newBlockSampler?: () => CpuSampler;
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
  /** gzipSync compresses at the default level with header mtime 0: the
   * runtime's native zlib, or pako (gzip-pako.ts) where there is none. */
  gzipSync: (bytes: Uint8Array) => Uint8Array;
  /** commandLine is the program's argv, for /debug/pprof/cmdline. */
  commandLine?: () => string[];
  /** collectGarbage runs a full collection where the runtime lets a
   * program ask for one (heap?gc=1). */
  collectGarbage?: () => void;
  /** unrefTimer lets a timer not keep the process alive. */
  unrefTimer(timer: unknown): void;
  /** ownScriptUrls are the script URL prefixes of anyprof's own code (the
   * package's dist/ and src/, from own.ts's ownScriptPrefixes), so that CPU
   * profiles fold its frames into one "(anyprof)" frame; absent where they
   * cannot be told (anyprof bundled into the application's file). */
  ownScriptUrls?: readonly string[];
  /** threadCpuMicros reads the CPU time the calling (main) thread has used,
   * in µs (any origin), so that CPU profiles carry real CPU time rather
   * than wall time; absent where the runtime has no thread CPU clock. */
  threadCpuMicros?: () => number;
  /** threadCpuClock names threadCpuMicros's source, for the profile's
   * comments (e.g. "/proc/thread-self/schedstat"). */
  threadCpuClock?: string;
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
  gzipSync: unconfigured,
  unrefTimer: () => {},
};

/** setHost installs an adapter's functions (called once, at import). */
export function setHost(parts: Partial<Host>): void {
  Object.assign(host, parts);
}

// host.ts owns what the runtime-neutral core needs from a runtime, injected
// by the adapter in src/runtime/: the core never touches process, Deno, Bun
// or node:* itself.

/** AsyncStore is the part of AsyncLocalStorage that labels use. */
export interface AsyncStore<T> {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
  enterWith(store: T): void;
  /** storeOfCallback, where given, is what a ContinuationHooks.before must
   * read instead of getStore: the store of the callback about to run, which
   * getStore does not see yet there (Node >= 24 enters an AsyncResource's
   * context only after its before hooks). */
  storeOfCallback?(): T | undefined;
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
  /** stopThen, where present, is stop in two synchronous halves: it ends
   * the chunk now (as stop does) and returns the function that builds the
   * profile from what the runtime handed over (Node: parsing its JSON), for
   * the caller to run in a later turn of the event loop, so that the
   * application runs between the two. */
  stopThen?(): () => CpuProfileShape;
  /** close releases the sampler (its inspector session). */
  close(): void;
}

/** RecorderTimeline is a chunk's label timeline as a CpuRecorder takes it
 * (profiles/labels.ts' Timeline, seen from below: sets by their pairs). */
export interface RecorderTimeline {
  readonly times: Float64Array;
  readonly ids: Uint32Array;
  readonly length: number;
  readonly overflowed: boolean;
  readonly sets: ReadonlyArray<{ readonly list: ReadonlyArray<readonly [string, string]> }>;
}

/** CpuRecorder samples and converts a CPU profile somewhere other than
 * the application's thread (Node: a worker thread); the profile layer
 * hands it each chunk's label timeline and asks for the bytes at the end. */
export interface CpuRecorder {
  /** start begins sampling every intervalMicros and resolves to
   * host.nowMicros() read as the first chunk began. */
  start(intervalMicros: number, includeIdle: boolean): Promise<number>;
  /** cut ends the current chunk, beginning the next one first when
   * restart is set (so the sampler never stops), and hands the ended chunk
   * with timeline, the labels logged during it, over for conversion. */
  cut(timeline: RecorderTimeline, restart: boolean): void;
  /** finish resolves to the gzip pprof of every chunk cut so far. */
  finish(timeNanos: bigint, durationNanos: bigint, comments: readonly string[]): Promise<Uint8Array>;
  /** finishSync is finish for exit handlers, which cannot wait: it blocks
   * until the bytes are ready. */
  finishSync(timeNanos: bigint, durationNanos: bigint, comments: readonly string[]): Uint8Array;
  /** sampleCount is the number of samples converted so far. */
  readonly sampleCount: number;
  /** close ends any running chunk; the recorder is not used again. */
  close(): void;
}

/** ThreadPairs are the labels that name a thread in a profile, e.g.
 * [["thread", "pool (#3)"], ["thread_name", "pool"]]. */
export type ThreadPairs = ReadonlyArray<readonly [string, string]>;

/** ThreadChunk is a stretch of another thread's (a worker's) CPU profile:
 * the pairs naming the thread, its samples on host.nowMicros()'s clock,
 * and, where the thread's CPU clock could be read, that clock at the
 * chunk's start and end (host clock times, CPU µs). */
export interface ThreadChunk {
  thread: ThreadPairs;
  profile: CpuProfileShape;
  cpu?: { timesMicros: number[]; cpuMicros: number[] };
}

/** ThreadSampler samples the application's other threads (Node's
 * worker_threads) beside the main thread's CpuSampler, including the
 * threads that start and end while it runs. */
export interface ThreadSampler {
  /** mainThread names the calling thread, whose samples the core labels. */
  readonly mainThread: ThreadPairs;
  /** start begins sampling every thread running now and each one that
   * starts later, every intervalMicros. */
  start(intervalMicros: number): Promise<void>;
  /** cut resolves to every chunk ended since the last cut: each running
   * thread's current one (a new one begins at once when restart is set),
   * and those of threads that ended meanwhile. It never rejects; a thread
   * that does not answer in time gives its chunk to the next cut. */
  cut(restart: boolean): Promise<ThreadChunk[]>;
  /** comments says what the threads' samples are and what was missed. */
  comments(): string[];
  /** close stops sampling every thread; it is not used again. */
  close(): void;
}

/** ThreadHeapSampler samples the live heap of the application's other
 * threads (Node's worker_threads) beside the main thread's HeapSampler,
 * including the threads that start later; a thread that ended has no live
 * heap left to report. */
export interface ThreadHeapSampler {
  /** mainThread names the calling thread, whose samples the core labels. */
  readonly mainThread: ThreadPairs;
  /** start samples one object per rateBytes allocated in every thread. */
  start(rateBytes: number): Promise<void>;
  /** profiles resolves to each running thread's sampling heap profile
   * (after a full collection in that thread: V8's inspector forces one).
   * It never rejects; a thread that does not answer in time is left out. */
  profiles(): Promise<Array<{ thread: ThreadPairs; profile: HeapProfileShape }>>;
  /** comments says what was missed. */
  comments(): string[];
  /** close stops sampling every thread. */
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
  /** profile returns the samples held: after a full collection where the
   * sampler forces one (V8's inspector always does), else as of now, with
   * garbage not yet collected still counted (Node 26's v8.startHeapProfile
   * sampling, like Datadog's); restart then begins a new sample set,
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

/** HostFiles is the part of a file system the files exporter uses; paths
 * are the runtime's own (absolute or relative to its working directory). */
export interface HostFiles {
  /** mkdirAll makes dir and its parents where missing. */
  mkdirAll(dir: string): Promise<void>;
  /** writeFile writes bytes to path whole: to a temporary name first, then
   * renamed, so that a reader (a log shipper) never sees half a file. */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /** list returns the regular files of dir with their sizes in bytes. */
  list(dir: string): Promise<Array<{ name: string; bytes: number }>>;
  /** remove deletes path; an absent path is not an error. */
  remove(path: string): Promise<void>;
  /** join joins path segments with the platform's separator. */
  join(...parts: string[]): string;
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
  /** labelsAfterAwait is absent where CPU samples taken after an await
   * carry the labels of their context (Node); elsewhere it says what labels
   * do follow there, for the one-time warning of labels.ts. */
  labelsAfterAwait?: string;
  /** newCpuSampler makes the runtime's CPU sampler, for a profile sampling
   * every intervalMicros when given (an adapter may pick its sampler by
   * it); absent where there is none in-process (workerd). */
  newCpuSampler?: (intervalMicros?: number) => CpuSampler;
  /** newCpuRecorder, where present and answering, makes a CpuRecorder
   * that startCPUProfile uses instead of newCpuSampler when asked to
   * (offThread): chunks converted off the application's thread. It returns
   * undefined when it cannot serve now
   * (another inspector session would hear its chunks, or it runs from
   * TypeScript sources); then newCpuSampler is used. */
  newCpuRecorder?: () => CpuRecorder | undefined;
  /** newThreadSampler makes a sampler of the application's other threads
   * (worker_threads), for CPU profiles started with threads; absent where
   * the runtime cannot reach them (threadsUnsupported says why). */
  newThreadSampler?: () => ThreadSampler;
  /** newThreadHeapSampler makes a heap sampler of the application's other
   * threads, for heap profiling started with threads; absent where the
   * runtime cannot reach them. */
  newThreadHeapSampler?: () => ThreadHeapSampler;
  /** threadsUnsupported says why this runtime has no newThreadSampler,
   * for the error a profile asking for threads gets. */
  threadsUnsupported?: string;
  /** newHeapSampler makes the runtime's sampling heap profiler; absent
   * where there is none in-process (Bun, workerd). */
  newHeapSampler?: () => HeapSampler;
  /** heapProfileNearHeapLimit has the runtime write its sampling heap
   * profile to a file, up to count times, when the heap nears its limit;
   * absent where it cannot (only Node 26 can). */
  heapProfileNearHeapLimit?: (count: number) => void;
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
  /** requestScopedPromises is true where a promise created while serving
   * one request cannot settle in another (workerd): the HTTP handler then
   * does not share one collection between concurrent requests. */
  requestScopedPromises?: boolean;
  /** unrefTimer lets a timer not keep the process alive. */
  unrefTimer(timer: unknown): void;
  /** fetch is the runtime's fetch, for exporters (every runtime has one;
   * an adapter may give a better one). */
  fetch: typeof fetch;
  /** files is the file system, for the files exporter; absent where there
   * is none (workerd). */
  files?: HostFiles;
  /** onExit registers fn to run once when the program is about to exit on
   * its own (Node's beforeExit) or is asked to (SIGTERM, after which the
   * signal's default action still happens), waiting for it at most
   * timeoutMillis; it returns the function that unregisters it. Absent
   * where the runtime has no such hook. */
  onExit?: (fn: () => Promise<void>, timeoutMillis: number) => () => void;
  /** readFile returns a local file's bytes, for source maps and the
   * scripts that name them; a string says why not: "no such file", larger
   * than maxBytes, not a regular file, or the runtime may not read it
   * without asking (Deno's permission prompt). It never throws. */
  readFile?: (path: string, maxBytes: number) => Uint8Array | string;
  /** workingDirectory is the program's directory, the default root that
   * source map files may be read from. */
  workingDirectory?: () => string | undefined;
  /** findSourceMap returns the source map payload the runtime itself holds
   * for a script (Node's module.findSourceMap, filled when the program runs
   * with --enable-source-maps); undefined when it holds none. */
  findSourceMap?: (url: string) => unknown;
  /** transpiledSource returns the JavaScript the runtime actually runs for
   * a module it transpiled itself (Deno's emit cache for .ts), whose inline
   * map leads back to the file: the engine's profilers report positions in
   * that code, not in the file. Undefined where there is none; "" where
   * there is but it cannot be read (no permission). */
  transpiledSource?: (url: string) => string | undefined;
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
  // A late lookup: a program (or a test) that replaces globalThis.fetch
  // after import is still heard.
  fetch: (input, init) => globalThis.fetch(input, init),
};

/** setHost installs an adapter's functions (called once, at import). */
export function setHost(parts: Partial<Host>): void {
  Object.assign(host, parts);
}

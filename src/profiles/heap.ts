// heap.ts owns Go's memory profiles: the predefined "heap" (in-use types)
// and "allocs" (allocated types) profiles, registered at import, and the
// sampler behind them, which runs only from startHeapProfiling() on, like
// Go's MemProfileRate. V8 (Node, Deno) samples allocations with stacks;
// Bun has no such sampler, so its heap profile is a census of live objects
// by type; workerd has neither in-process. A profile a runtime cannot fill
// is a valid, empty profile whose comment says why. This file does not
// convert runtime data (heapprofile.ts) or lay out text (heaptext.ts).

import { encodeProfile, type Label, type ProfileSpec, type StackSample } from "../pprof/encode.ts";
import { gzip } from "../host/gzip.ts";
import { recordsFromCensus, recordsFromSamplingProfile, HeapSums, type HeapRecord } from "../pprof/heapprofile.ts";
import { formatHeapProfile, type HeapTextRecord } from "../pprof/heaptext.ts";
import { host, type HeapProfileShape, type HeapSampler, type ThreadHeapSampler, type ThreadPairs } from "../host/host.ts";
import { registerBuiltin, type Snapshot } from "./profile.ts";
import { checkWriter, writeAll, type ProfileWriter } from "../host/writer.ts";
import { checkBoolean, checkOptions, given, shown } from "../host/validate.ts";

/** HeapProfileOptions tunes startHeapProfiling. */
export interface HeapProfileOptions {
  /** threads samples the application's other threads too (Node's
   * worker_threads, including those started later): the heap profile then
   * has each worker's live heap beside the main thread's, every sample
   * labelled with its thread (thread="pool (#3)", thread_name="pool"; the
   * main thread's "main (#0)"); default false. The allocs profile stays the
   * main thread's. See docs/threads.md. */
  threads?: boolean;
  /** rateBytes is the average number of bytes allocated between two
   * samples, like Go's runtime.MemProfileRate (default 512 KiB). */
  rateBytes?: number;
  /** includeCollected keeps the samples of objects the GC has collected, so
   * that allocs reports every sampled allocation. V8 then cannot tell which
   * samples are still live: the heap profile is empty while it is on. */
  includeCollected?: boolean;
  /** bunHeapSnapshot (Bun only; ignored elsewhere) takes each heap profile
   * from a JSC heap snapshot, which gives class names and bytes by type,
   * instead of bun:jsc heapStats() counts by cell type; it pauses the
   * process for about 2 µs per live object (see the README). */
  bunHeapSnapshot?: boolean;
  /** nearHeapLimitProfiles (Node 26 only; an error elsewhere) has V8 write
   * the sampling heap profile as a .heapprofile file, up to this many
   * times, when the heap nears its limit: what was live, by allocation
   * stack, just before an out-of-memory crash. Node writes it into
   * --diagnostic-dir (default: the working directory) as
   * Heap.<date>.<time>.<pid>.<tid>.<seq>.heapprofile; `anyprof convert`
   * turns it into pprof. */
  nearHeapLimitProfiles?: number;
}

/** HeapProfileName names the two memory profiles. */
export type HeapProfileName = "heap" | "allocs";

/** defaultHeapRateBytes is Go's default MemProfileRate, 512 KiB. */
export const defaultHeapRateBytes: number = 512 * 1024;

interface Sampling {
  /** sampler is V8's; undefined where a census stands in for it (Bun). */
  readonly sampler: HeapSampler | undefined;
  readonly rateBytes: number;
  readonly includeCollected: boolean;
  readonly bunHeapSnapshot: boolean;
  /** sums holds allocs' totals over sampler restarts (includeCollected). */
  readonly sums: HeapSums;
  started: Promise<void>;
  /** ready is set once sampling has begun (started resolved). */
  ready: boolean;
  /** threads samples the other threads, when asked for. */
  threads?: ThreadHeapSampler;
}

let sampling: Sampling | undefined;
const recordCounts: Record<HeapProfileName, number> = { heap: 0, allocs: 0 };
const textEncoder = new TextEncoder();

// Sampler calls are serialized (Deno answers later, and a write must not
// overlap a restart or a stop). A call made while none is pending runs at
// once, so that on Node, whose inspector answers synchronously, sampling
// has begun by the time startHeapProfiling returns.
let pendingCalls = 0;
let tail: Promise<unknown> = Promise.resolve();
// inStep is true while a step runs synchronously: a synchronous write from
// an interrupt (anyprof record's rescue of a busy program) must not
// re-enter the sampler then.
let inStep = false;

function runStep<T>(step: () => T): T {
  inStep = true;
  try {
    return step();
  } finally {
    inStep = false;
  }
}

function serialize<T>(step: () => T | Promise<T>): Promise<T> {
  let out: Promise<T>;
  if (pendingCalls === 0) {
    try {
      const result = runStep(step);
      if (!(result instanceof Promise)) return Promise.resolve(result);
      out = result;
    } catch (err) {
      return Promise.reject(err);
    }
  } else {
    out = tail.then(step);
  }
  pendingCalls++;
  const settled = out.finally(() => void pendingCalls--);
  tail = settled.catch(() => {});
  return settled;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** startHeapProfiling starts sampling allocations for the heap and allocs
 * profiles, which cover only what is sampled from then on. It throws for
 * bad options, for a sampler already running with other options, and where
 * the runtime has no heap view at all (workerd); started again with the
 * same options it is a no-op. The promise resolves once sampling has begun
 * (at once on Node; Deno answers later) and rejects if the sampler could
 * not start (Deno without --allow-sys). Bun has no sampler: its heap
 * profile is a census taken when written, whose kind starting chooses
 * (bunHeapSnapshot); this resolves at once. */
export function startHeapProfiling(options: HeapProfileOptions = {}): Promise<void> {
  const o = checkOptions("startHeapProfiling", options);
  const rateBytes = given(o.rateBytes, defaultHeapRateBytes);
  if (typeof rateBytes !== "number" || !Number.isInteger(rateBytes) || rateBytes < 1 || rateBytes > 2 ** 30) {
    throw new Error(`pprof: heap sampling rate must be an integer from 1 to 2^30 bytes, got ${shown(rateBytes)}`);
  }
  const includeCollected = checkBoolean("includeCollected", o.includeCollected) === true;
  const bunHeapSnapshot = checkBoolean("bunHeapSnapshot", o.bunHeapSnapshot) === true;
  const threads = checkBoolean("threads", o.threads) === true;
  const nearLimit = given(o.nearHeapLimitProfiles, undefined) as number | undefined;
  if (nearLimit !== undefined) {
    if (typeof nearLimit !== "number" || !Number.isInteger(nearLimit) || nearLimit < 1 || nearLimit > 2 ** 31 - 1) {
      throw new Error(`pprof: nearHeapLimitProfiles must be a positive integer, got ${shown(nearLimit)}`);
    }
    if (host.heapProfileNearHeapLimit === undefined) {
      throw new Error(`pprof: nearHeapLimitProfiles needs Node 26 (v8.setHeapProfileNearHeapLimit), not ${host.runtime}; Node 20-24 offer --heapsnapshot-near-heap-limit (a heap snapshot)`);
    }
  }
  if (sampling !== undefined) {
    const s = sampling;
    if (s.rateBytes === rateBytes && s.includeCollected === includeCollected && s.bunHeapSnapshot === bunHeapSnapshot && (s.threads !== undefined) === threads) {
      return nearLimit === undefined ? s.started : s.started.then(() => host.heapProfileNearHeapLimit!(nearLimit));
    }
    throw new Error(
      `pprof: heap profiling already started with rateBytes ${s.rateBytes}, includeCollected ${s.includeCollected}, bunHeapSnapshot ${s.bunHeapSnapshot}${s.threads !== undefined ? ", threads true" : ""}: call stopHeapProfiling() first`,
    );
  }
  if (threads && host.newThreadHeapSampler === undefined) {
    throw new Error(`pprof: threads: ${host.threadsUnsupported ?? `${host.runtime} cannot sample the heap of its other threads`}`);
  }
  if (host.newHeapSampler === undefined) {
    if (host.heapCensus === undefined) {
      throw new Error(`pprof: no in-process heap sampler in ${host.runtime}; profile it from outside over the inspector protocol (HeapProfiler.startSampling)`);
    }
    // A census samples nothing: starting only chooses its kind.
    sampling = { sampler: undefined, rateBytes, includeCollected, bunHeapSnapshot, sums: new HeapSums(), started: Promise.resolve(), ready: true };
    return sampling.started;
  }
  let sampler: HeapSampler;
  let threadSampler: ThreadHeapSampler | undefined;
  try {
    sampler = host.newHeapSampler();
  } catch (err) {
    throw new Error(`pprof: could not start the heap sampler: ${message(err)}`, { cause: err });
  }
  try {
    threadSampler = threads ? host.newThreadHeapSampler!() : undefined;
  } catch (err) {
    sampler.stop();
    throw new Error(`pprof: threads: ${message(err)}`, { cause: err });
  }
  const s: Sampling = { sampler, rateBytes, includeCollected, bunHeapSnapshot, sums: new HeapSums(), started: Promise.resolve(), ready: false, threads: threadSampler };
  sampling = s;
  s.started = serialize(async () => {
    await sampler.start(rateBytes, includeCollected);
    await threadSampler?.start(rateBytes);
  }).then(() => {
    s.ready = true;
    // Armed once sampling runs: V8 writes the profile of the sampler
    // started by v8.startHeapProfile, which is ours on Node 26.
    if (nearLimit !== undefined) host.heapProfileNearHeapLimit!(nearLimit);
  }, (err: unknown) => {
    // A sampler that failed to start leaves no sampling behind.
    if (sampling === s) sampling = undefined;
    try {
      sampler.stop();
      threadSampler?.close();
    } catch {
      // Nothing to release.
    }
    throw new Error(`pprof: could not start the heap sampler: ${message(err)}`, { cause: err });
  });
  // A caller who ignores the promise must not have its process taken down.
  s.started.catch(() => {});
  return s.started;
}

/** heapRateEnv is the environment variable that starts heap profiling at
 * import, like Go's GODEBUG=memprofilerate=N. */
export const heapRateEnv = "ANYPROF_MEMPROFILERATE";

/** startHeapProfilingFromEnv starts heap profiling at import when value (the
 * adapter's reading of ANYPROF_MEMPROFILERATE) is a rate in bytes; absent,
 * empty or 0 does nothing, as in Go. Importing must not fail: a bad value or
 * a sampler that cannot start is reported with console.warn. */
export function startHeapProfilingFromEnv(value: string | undefined): void {
  if (value === undefined || value === "" || value === "0") return;
  const warn = (err: unknown) => console.warn(`anyprof: ${heapRateEnv}=${value}: ${message(err)}`);
  try {
    startHeapProfiling({ rateBytes: Number(value) }).catch(warn);
  } catch (err) {
    warn(err);
  }
}

/** stopHeapProfiling stops sampling and drops what was sampled; the heap
 * and allocs profiles are empty until the next startHeapProfiling. Without
 * sampling it is a no-op. */
export async function stopHeapProfiling(): Promise<void> {
  const s = sampling;
  if (s === undefined) return;
  sampling = undefined;
  // Queued now, not after an await: a start that follows at once (stop not
  // awaited) must find V8's one heap sampler stopped, not stopped under it.
  await serialize(async () => {
    await s.started.catch(() => {});
    s.threads?.close();
    if (s.sampler !== undefined) await s.sampler.stop();
  }).catch(() => {});
}

/** writeHeapProfile writes the heap profile, like Go's WriteHeapProfile
 * (Lookup("heap").WriteTo(w, 0)), and resolves to the bytes written. Every
 * heap profile follows a full collection where the runtime's sampler forces
 * one (V8's inspector on Node 20-24 and Deno; the Bun census runs
 * Bun.gc(true)); on Node 26 none is forced, so that a write holds a large
 * heap for milliseconds, not a collection: objects dead since the last
 * collection still count, as in Go between collections (?gc=1 runs one). */
export async function writeHeapProfile(w?: ProfileWriter): Promise<Uint8Array> {
  checkWriter(w);
  const bytes = await heapProfileBytes("heap", 0);
  await writeAll(w, bytes);
  return bytes;
}

interface Reading {
  readonly records: readonly HeapRecord[];
  readonly rateBytes: number;
  readonly comments: readonly string[];
}

const scaling = (name: HeapProfileName) => {
  const [objects, space] = name === "heap" ? ["inuse_objects", "inuse_space"] : ["alloc_objects", "alloc_space"];
  return (
    `${name}: ${space} is V8's estimate of all the bytes the samples stand for (each scaled by 1/(1-e^(-size/rate)), like Go's scaleHeapSample); ` +
    `${objects} counts the sampled objects themselves, unscaled, since V8 reports a sample's scaled bytes but not its object's size ` +
    "(the bytes label gives the size where a sample shows it: objects over 2.2 × rate)"
  );
};

// readAtOnce reads what needs no V8 sampler: a census (Bun), or an empty
// profile saying why there is nothing (no sampler, sampling not started,
// or started with options this profile cannot show). undefined means the
// sampler must be asked.
function readAtOnce(name: HeapProfileName): Reading | undefined {
  const empty = (...comments: string[]): Reading => ({ records: [], rateBytes: sampling?.rateBytes ?? defaultHeapRateBytes, comments });
  if (host.newHeapSampler === undefined) {
    if (host.heapCensus === undefined) {
      return empty(`${name}: no in-process heap sampler in ${host.runtime}: profile it from outside over the inspector protocol (HeapProfiler.startSampling)`);
    }
    if (name === "allocs") {
      return empty(`allocs: ${host.runtime} has no allocation sampler, so allocations (and objects already collected) are not reported; the heap profile lists live objects by type`);
    }
    const snapshot = sampling?.bunHeapSnapshot === true;
    let census;
    try {
      census = host.heapCensus(snapshot);
    } catch (err) {
      throw new Error(`pprof: heap census failed: ${message(err)}`, { cause: err });
    }
    const rest = "one sample of their own, (heap bytes not attributed to a type)";
    return {
      records: recordsFromCensus(census),
      rateBytes: 1,
      comments: snapshot
        ? [
            `heap: ${host.runtime} has no sampling heap profiler: these are the live objects by type from a heap snapshot after a full collection, every object counted (none sampled), not allocation sites`,
            `heap: a type's bytes are its objects' own cell sizes; heap bytes outside them (such as array elements and out-of-line properties) are ${rest}`,
          ]
        : [
            `heap: ${host.runtime} has no sampling heap profiler: these are the live objects by cell type from bun:jsc heapStats() after a full collection (every plain object is "Object"), every object counted (none sampled), not allocation sites`,
            `heap: heapStats() gives no bytes by type: the whole heap's bytes are ${rest}; startHeapProfiling({ bunHeapSnapshot: true }) takes a heap snapshot instead, with class names and bytes by type, at a far longer pause`,
          ],
    };
  }
  const s = sampling;
  if (s === undefined || s.sampler === undefined) return notStarted(name);
  if (name === "heap" && s.includeCollected) {
    return empty(
      "heap: sampling keeps the samples of collected objects (startHeapProfiling({ includeCollected: true })) and V8 cannot tell which are still live; start without includeCollected for the heap profile",
    );
  }
  if (name === "allocs" && !s.includeCollected) {
    return empty(
      "allocs: V8 keeps the samples of live objects only, so allocations already collected are not reported; startHeapProfiling({ includeCollected: true }) keeps them (and empties the heap profile)",
    );
  }
  return undefined;
}

function notStarted(name: HeapProfileName): Reading {
  return {
    records: [],
    rateBytes: sampling?.rateBytes ?? defaultHeapRateBytes,
    comments: [`${name}: heap profiling has not started: call startHeapProfiling() (a heap profile covers only what is sampled after it starts)`],
  };
}

// sampled turns the V8 sampler's profile into the named profile's reading.
function sampled(name: HeapProfileName, s: Sampling, profile: HeapProfileShape): Reading {
  const rate = s.rateBytes;
  let records = recordsFromSamplingProfile(profile, rate);
  if (name === "allocs") {
    s.sums.add(records);
    records = s.sums.records();
  }
  const what =
    name === "heap"
      ? `heap: live objects sampled by V8's sampling heap profiler since startHeapProfiling(), one per ${rate} bytes allocated on average, after a full collection`
      : `allocs: every object sampled by V8's sampling heap profiler since startHeapProfiling({ includeCollected: true }), one per ${rate} bytes allocated on average, collected since or not`;
  return { records, rateBytes: rate, comments: [what, scaling(name)] };
}

// withThreads labels the main thread's records and adds the workers'
// (workers undefined: they could not be asked, at exit); allocs stays the
// main thread's, since its sums cover restarts the workers do not make.
function withThreads(name: HeapProfileName, reading: Reading, threads: ThreadHeapSampler, workers: Array<{ thread: ThreadPairs; profile: HeapProfileShape }> | undefined): Reading {
  const records: HeapRecord[] = reading.records.map((r) => ({ ...r, thread: threads.mainThread }));
  const comments = [...reading.comments];
  if (name === "allocs") {
    comments.push("threads: allocs has the main thread's allocations only; the heap profile has each worker's live heap");
  } else if (workers === undefined) {
    comments.push("threads: written synchronously (an exit hook): the workers' heaps could not be asked for and are not in this profile");
  } else {
    for (const w of workers) for (const r of recordsFromSamplingProfile(w.profile, reading.rateBytes)) records.push({ ...r, thread: w.thread });
    comments.push(...threads.comments());
  }
  return { ...reading, records, comments };
}

// read reads what the runtime can say for the named profile.
async function read(name: HeapProfileName): Promise<Reading> {
  const atOnce = readAtOnce(name);
  if (atOnce !== undefined) return atOnce;
  const s = sampling!;
  try {
    await s.started;
  } catch {
    // startHeapProfiling's caller hears why; the profile is as if never started.
    return notStarted(name);
  }
  let profile;
  try {
    // allocs restarts the sampler after each read and sums the sample sets,
    // so that V8 holds only what was sampled since the last write.
    profile = await serialize(() => s.sampler!.profile(name === "allocs"));
  } catch (err) {
    throw new Error(`pprof: heap sampler failed: ${message(err)}`, { cause: err });
  }
  const reading = sampled(name, s, profile);
  return s.threads === undefined ? reading : withThreads(name, reading, s.threads, await s.threads.profiles());
}

/** heapSamplerIdle reports whether no call to the heap sampler is queued
 * or running, so that writeHeapProfileSync may run now (from an interrupt,
 * it must not re-enter a call in progress). */
export function heapSamplerIdle(): boolean {
  return pendingCalls === 0 && !inStep;
}

/** writeHeapProfileSync returns the heap profile (gzip pprof, as
 * writeHeapProfile) synchronously, for exit hooks and interrupts, which
 * cannot wait; undefined when the runtime's sampler answers only later
 * (Deno), is still starting, or is in the middle of a call. */
export function writeHeapProfileSync(): Uint8Array | undefined {
  let reading = readAtOnce("heap");
  if (reading === undefined) {
    const s = sampling!;
    if (!s.ready || !heapSamplerIdle()) return undefined;
    let profile;
    try {
      profile = runStep(() => s.sampler!.profile(false));
    } catch (err) {
      throw new Error(`pprof: heap sampler failed: ${message(err)}`, { cause: err });
    }
    if (profile instanceof Promise) {
      profile.catch(() => {});
      return undefined;
    }
    reading = sampled("heap", s, profile);
    // An exit hook cannot wait for the workers: the main thread's only.
    if (s.threads !== undefined) reading = withThreads("heap", reading, s.threads, undefined);
  }
  const { spec, samples } = snapshotOf("heap", reading);
  return gzip(encodeProfile(spec, samples).proto);
}

/** heapSnapshot reads the named profile's records and turns them into its
 * spec and samples (what delta profiles subtract). */
async function heapSnapshot(name: HeapProfileName): Promise<Snapshot & { reading: Reading }> {
  return snapshotOf(name, await read(name));
}

function snapshotOf(name: HeapProfileName, snap: Reading): Snapshot & { reading: Reading } {
  recordCounts[name] = snap.records.length;
  const [objects, space] = name === "heap" ? ["inuse_objects", "inuse_space"] : ["alloc_objects", "alloc_space"];
  const spec: ProfileSpec = {
    sampleTypes: [
      [objects, "count"],
      [space, "bytes"],
    ],
    periodType: ["space", "bytes"],
    period: snap.rateBytes,
    timeNanos: host.nowNanos(),
    // As Go: allocs names its default, heap's is its last type.
    defaultSampleType: name === "allocs" ? "alloc_space" : undefined,
    comments: snap.comments,
  };
  const samples: StackSample[] = snap.records.map((r) => ({
    frames: r.frames,
    values: [Math.round(r.objects), Math.round(r.bytes)],
    labels: r.objectBytes > 0 || r.thread !== undefined ? [...(r.thread ?? []), ...(r.objectBytes > 0 ? [["bytes", r.objectBytes, ""] as Label] : [])] : undefined,
  }));
  return { spec, samples, reading: snap };
}

/** heapProfileBytes writes the named profile: debug <= 0 gzip pprof, else
 * Go's heap text form. The handler runs ?gc=1's collection before calling
 * it (most samplers force one anyway; Node 26's does not). */
export async function heapProfileBytes(name: HeapProfileName, debug: number): Promise<Uint8Array> {
  const { spec, samples, reading: snap } = await heapSnapshot(name);
  const { proto, locationIds } = encodeProfile(spec, samples);
  if (debug <= 0) return gzip(proto);
  const text: HeapTextRecord[] = snap.records.map((r, i) => ({
    inuseObjects: name === "heap" ? r.objects : 0,
    inuseBytes: name === "heap" ? r.bytes : 0,
    allocObjects: name === "allocs" ? r.objects : 0,
    allocBytes: name === "allocs" ? r.bytes : 0,
    ids: locationIds[i]!,
    frames: r.frames,
  }));
  const notes = [...snap.comments, `${name}: the ${name === "heap" ? "alloc" : "inuse"} columns are 0: this profile does not measure them`];
  let memory: Record<string, object> | undefined;
  try {
    memory = host.memoryStats?.();
  } catch (err) {
    notes.push(`memory figures failed: ${message(err)}`);
  }
  return textEncoder.encode(formatHeapProfile(text, snap.rateBytes, notes, memory, host.runtime));
}

// The predefined profiles exist from import on, on every runtime; they cost
// nothing until written, and sample nothing until startHeapProfiling.
for (const name of ["heap", "allocs"] as const) {
  registerBuiltin(name, {
    count: () => recordCounts[name],
    write: (debug) => heapProfileBytes(name, debug),
    snapshot: async () => {
      const { spec, samples } = await heapSnapshot(name);
      return { spec, samples };
    },
  });
}

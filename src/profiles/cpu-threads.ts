// cpu-threads.ts owns the part of a CPU profile that covers the
// application's other threads (startCPUProfile's threads option): it gets
// the runtime's ThreadSampler, or the "pprof: threads: …" error where the
// runtime has none, and adds the chunks it hands over to the profile, each
// sample labelled with its thread. Sampling the threads is the adapter's
// (src/runtime/node-threads.ts); this file never touches a thread.

import type { CpuProfileConverter } from "../pprof/cpuprofile.ts";
import type { Timeline } from "../pprof/labelset.ts";
import { host, type ThreadChunk, type ThreadSampler } from "../host/host.ts";

// noLabels is the timeline of a thread chunk: the application's labels
// (runWithLabels) are the main thread's; a worker's samples carry only the
// thread's own pairs.
const noLabels: Timeline = { times: new Float64Array(0), ids: new Uint32Array(0), length: 0, sets: [], overflowed: false };

/** newThreadSampler returns the runtime's ThreadSampler, or throws the
 * "pprof: threads: …" error saying why this runtime has none. */
export function newThreadSampler(): ThreadSampler {
  if (host.newThreadSampler === undefined) {
    throw new Error(`pprof: threads: ${host.threadsUnsupported ?? `${host.runtime} cannot profile its other threads`}`);
  }
  try {
    return host.newThreadSampler();
  } catch (err) {
    throw new Error(`pprof: threads: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** addThreadChunks adds each chunk to converter with its thread's labels;
 * a thread's clock is the host's (offset 0: V8 stamps every isolate's
 * samples on one monotonic clock). */
export function addThreadChunks(converter: CpuProfileConverter, chunks: readonly ThreadChunk[]): void {
  for (const c of chunks) {
    converter.add(c.profile, { timeline: noLabels, offsetMicros: 0, thread: c.thread }, c.cpu !== undefined ? { ...c.cpu, offsetMicros: 0 } : undefined);
  }
}

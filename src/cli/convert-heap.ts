// convert-heap.ts converts V8's .heapprofile JSON (a sampling heap profile:
// Node 26's near-heap-limit file, node --heap-prof, DevTools) into a gzip
// pprof heap profile, for `anyprof convert`. It does not read files or
// parse arguments (main.ts does).

import { encodeProfile, type Label, type StackSample } from "../pprof/encode.ts";
import { recordsFromSamplingProfile } from "../pprof/heapprofile.ts";
import { gzip } from "../host/gzip.ts";
import type { HeapProfileShape } from "../host/host.ts";
import type { Symbolizer } from "../pprof/symbolizer.ts";

/** isHeapProfile reports whether parsed JSON has a .heapprofile's shape
 * (a head node) rather than a .cpuprofile's (a nodes array). */
export function isHeapProfile(parsed: unknown): parsed is HeapProfileShape {
  return parsed !== null && typeof parsed === "object" && typeof (parsed as { head?: unknown }).head === "object" && (parsed as { head?: unknown }).head !== null;
}

/** convertHeapProfile converts a parsed .heapprofile into gzip pprof with
 * inuse_objects/count and inuse_space/bytes. rateBytes is the sampling rate
 * the profile was taken at, which the file does not record; it only tells
 * which samples stand for one object of known size (a `bytes` label). */
export function convertHeapProfile(profile: HeapProfileShape, rateBytes: number, source: string): Uint8Array {
  return heapProfileBytes(profile, rateBytes, 0n, [
    `heap: converted from ${source}, V8's sampling heap profile: the objects sampled and live when it was written (without a collection first, where Node 26 wrote it near the heap limit)`,
    "heap: inuse_space is V8's estimate of all the bytes the samples stand for; inuse_objects counts the sampled objects themselves, unscaled",
  ]);
}

/** heapProfileBytes encodes V8's sampling heap profile as a gzip pprof heap
 * profile (inuse_objects/count, inuse_space/bytes, period rateBytes), the
 * shape `convert` and `attach --heap` both write; symbolizer maps frames
 * (undefined: the default source mapper, null: none). */
export function heapProfileBytes(profile: HeapProfileShape, rateBytes: number, timeNanos: bigint, comments: string[], symbolizer?: Symbolizer | null): Uint8Array {
  const samples: StackSample[] = recordsFromSamplingProfile(profile, rateBytes).map((r) => ({
    frames: r.frames,
    values: [Math.round(r.objects), Math.round(r.bytes)],
    labels: r.objectBytes > 0 ? [["bytes", r.objectBytes, ""] as Label] : undefined,
  }));
  const spec = {
    sampleTypes: [
      ["inuse_objects", "count"],
      ["inuse_space", "bytes"],
    ] as const,
    periodType: ["space", "bytes"] as const,
    period: rateBytes,
    timeNanos,
    comments,
  };
  return gzip(encodeProfile(spec, samples, symbolizer).proto);
}

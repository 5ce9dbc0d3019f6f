// handle-heap-sampler.ts builds a HeapSampler on Node's v8.startHeapProfile()
// (Node 26), which starts V8's sampling heap profiler without the flag that
// makes every read of it run a full collection first: the inspector's
// HeapProfiler.startSampling always sets that flag (a write held an 80 MB
// heap for 24 ms, a 1 GB heap for most of a second). The samples are read
// with HeapProfiler.getSamplingProfile on an inspector session, which
// reads V8's one sampling heap profiler whoever started it and, with the
// flag off, collects nothing. It does not pick when to be used (node.ts
// does) and imports no runtime module: the adapter passes both in, and the
// hook that runs at exit.

import type { HeapProfileShape, HeapSampler } from "../host/host.ts";
import type { SessionLike } from "./inspector.ts";

/** HeapProfileHandle is what v8.startHeapProfile() returns. */
export interface HeapProfileHandle {
  /** stop ends sampling and returns the profile as .heapprofile JSON text. */
  stop(): string | undefined;
}

/** StartHeapProfile is v8.startHeapProfile. */
export type StartHeapProfile = (options: {
  sampleInterval: number;
  forceGC: boolean;
  includeObjectsCollectedByMajorGC: boolean;
  includeObjectsCollectedByMinorGC: boolean;
}) => HeapProfileHandle;

/** handleHeapSampler returns a HeapSampler that samples with
 * startHeapProfile (no forced collection) and reads the samples through a
 * new Session without stopping them. Node answers both at once, so every
 * method answers synchronously. */
export function handleHeapSampler(startHeapProfile: StartHeapProfile, Session: new () => SessionLike, atExit: (fn: () => void) => void): HeapSampler {
  let handle: HeapProfileHandle | undefined;
  let options: Parameters<StartHeapProfile>[0] | undefined;
  let session: SessionLike | undefined;
  let exitHooked = false;
  const begin = (): void => {
    handle = startHeapProfile(options!);
    // Node 26.10 crashes (SIGSEGV) in 1 exit of 10-20 when a
    // v8.startHeapProfile() profile is still running as the process tears
    // down with anyprof loaded (measured: 5 of 20 with
    // nearHeapLimitProfiles armed, 2 of 20 without, 0 of 20 when the
    // handle is stopped first): stop it on the way out.
    if (!exitHooked) {
      exitHooked = true;
      atExit(() => {
        try {
          handle?.stop();
        } catch {
          // Already stopped.
        }
        handle = undefined;
      });
    }
  };
  return {
    start(rateBytes: number, includeCollected: boolean): void {
      options = { sampleInterval: rateBytes, forceGC: false, includeObjectsCollectedByMajorGC: includeCollected, includeObjectsCollectedByMinorGC: includeCollected };
      begin();
    },
    profile(restart: boolean): HeapProfileShape {
      if (handle === undefined) throw new Error("heap sampler is not started");
      if (restart) {
        // stop hands over every sample and drops them; sampling resumes at once.
        const text = handle.stop();
        handle = undefined;
        begin();
        if (text === undefined) throw new Error("v8.startHeapProfile() handle returned no profile");
        return JSON.parse(text) as HeapProfileShape;
      }
      if (session === undefined) {
        session = new Session();
        session.connect();
      }
      let got: HeapProfileShape | undefined;
      let failure: Error | null = null;
      session.post("HeapProfiler.getSamplingProfile", {}, (err, res) => {
        failure = err;
        got = (res as { profile?: HeapProfileShape } | undefined)?.profile;
      });
      if (failure !== null) throw new Error(`HeapProfiler.getSamplingProfile: ${(failure as Error).message}`);
      if (got === undefined) throw new Error("HeapProfiler.getSamplingProfile: no answer");
      return got;
    },
    stop(): void {
      // stop builds a profile nobody reads: the price of releasing V8's
      // sampler through the API that started it.
      try {
        handle?.stop();
      } catch {
        // Already stopped.
      }
      handle = undefined;
      session?.disconnect();
      session = undefined;
    },
  };
}

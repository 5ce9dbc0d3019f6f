// inspector.ts builds a CpuSampler and a HeapSampler on an in-process
// inspector Session (the node:inspector API, which Node, Deno and Bun all
// offer; Bun's has no HeapProfiler domain). The adapter passes
// the Session class in; this file imports no runtime module itself. Node
// answers posts synchronously, Deno and Bun later: both are handled, and the
// synchronous path stays synchronous.

import type { CpuProfileShape, CpuSampler, HeapProfileShape, HeapSampler } from "../host/host.ts";

/** SessionLike is the part of node:inspector's Session the sampler uses. */
export interface SessionLike {
  connect(): void;
  disconnect(): void;
  post(method: string, params: object, callback: (err: Error | null, result: unknown) => void): void;
}

type Answer<T> = T | Promise<T>;

// post sends method and returns its result at once when the session answered
// synchronously, else a promise of it.
function post<T>(session: SessionLike, method: string, params: object = {}): Answer<T> {
  let done = false;
  let error: Error | null = null;
  let result: unknown;
  let resolve: ((v: T) => void) | undefined;
  let reject: ((e: Error) => void) | undefined;
  session.post(method, params, (err, res) => {
    done = true;
    error = err;
    result = res;
    if (err) reject?.(new Error(`${method}: ${err.message}`));
    else resolve?.(res as T);
  });
  if (done) {
    if (error) throw new Error(`${method}: ${(error as Error).message}`);
    return result as T;
  }
  return new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
}

function then<A, B>(a: Answer<A>, f: (a: A) => Answer<B>): Answer<B> {
  return a instanceof Promise ? a.then(f) : f(a);
}

/** inspectorCpuSampler returns a sampler on a new Session; nowMicros is the
 * clock the label timeline uses. It is read just before Profiler.start is
 * sent: the profile's startTime is stamped when V8 begins handling it, and
 * the handling then takes milliseconds (V8 logs all existing code), so the
 * reading after it would skew every label by that much. */
export function inspectorCpuSampler(Session: new () => SessionLike, nowMicros: () => number): CpuSampler {
  const session = new Session();
  session.connect();
  let enabled = false;
  return {
    start(intervalMicros: number): Answer<number> {
      const enable = enabled ? undefined : post<unknown>(session, "Profiler.enable");
      enabled = true;
      return then(enable, () =>
        then(post<unknown>(session, "Profiler.setSamplingInterval", { interval: Math.max(1, Math.round(intervalMicros)) }), () => {
          const before = nowMicros();
          return then(post<unknown>(session, "Profiler.start"), () => before);
        }),
      );
    },
    stop(): Answer<CpuProfileShape> {
      return then(post<{ profile: CpuProfileShape }>(session, "Profiler.stop"), (r) => r.profile);
    },
    close(): void {
      // Disable and disconnect are best effort; an asynchronous answer may
      // arrive after the disconnect and is dropped rather than left unhandled.
      try {
        const disabled = post(session, "Profiler.disable");
        if (disabled instanceof Promise) disabled.catch(() => {});
      } catch {
        // Nothing to release.
      }
      session.disconnect();
    },
  };
}

/** inspectorHeapSampler returns a HeapSampler on a new Session, driving
 * V8's sampling heap profiler (HeapProfiler.startSampling). V8's inspector
 * runs a full collection before every profile it returns. */
export function inspectorHeapSampler(Session: new () => SessionLike): HeapSampler {
  const session = new Session();
  session.connect();
  let params: object = {};
  const start = (): Answer<unknown> => post<unknown>(session, "HeapProfiler.startSampling", params);
  return {
    start(rateBytes: number, includeCollected: boolean): Answer<void> {
      params = { samplingInterval: rateBytes, includeObjectsCollectedByMajorGC: includeCollected, includeObjectsCollectedByMinorGC: includeCollected };
      return then(post<unknown>(session, "HeapProfiler.enable"), () => then(start(), () => undefined));
    },
    profile(restart: boolean): Answer<HeapProfileShape> {
      if (!restart) return then(post<{ profile: HeapProfileShape }>(session, "HeapProfiler.getSamplingProfile"), (r) => r.profile);
      // stopSampling returns every sample and drops them; sampling resumes at once.
      return then(post<{ profile: HeapProfileShape }>(session, "HeapProfiler.stopSampling"), (r) => then(start(), () => r.profile));
    },
    stop(): void {
      // HeapProfiler.disable stops sampling without building a profile (and
      // so without the full collection stopSampling would run first).
      try {
        const disabled = post(session, "HeapProfiler.disable");
        if (disabled instanceof Promise) disabled.catch(() => {});
      } catch {
        // Nothing to release.
      }
      session.disconnect();
    },
  };
}

// samplers.ts wraps Bun's two in-process CPU samplers behind one shape for
// the probes: start(intervalMicros) and stop() → normalized samples (time in
// the sampler's own clock, µs; stack leaf first) plus the raw output and the
// clock readings taken around start. It does not analyse anything.
//
//  - "inspector": node:inspector Session, Profiler domain (what anyprof uses
//    today). In Bun 1.4.5 Session.post does the work synchronously inside
//    post() and only defers the callback to a microtask; Profiler.stop
//    returns JSON.parse(stopCPUProfiler()). Times: profile.startTime (epoch
//    µs, from JSC's MonotonicTime::approximateWallTime at stop) + timeDeltas.
//  - "jsc": bun:jsc startSamplingProfiler(dir?, intervalMicros?) and
//    samplingProfilerStackTraces() → { interval (s), sources, traces:
//    [{ timestamp (s, MonotonicTime: CLOCK_MONOTONIC on Linux), frames leaf
//    first: { name, sourceURL, sourceID, line, column, category, location,
//    flags } }] }. Reading the traces releases them; sampling goes on. There
//    is no stop in bun:jsc: jsc.profile(noop) pauses the shared profiler and
//    clears its data when it returns, which is the stop used here.

import { Session } from "node:inspector";
// @ts-ignore bun:jsc types are not installed
import * as jsc from "bun:jsc";

export interface Frame {
  name: string;
  url: string;
  line: number; // as the sampler reports it
  column: number;
}

export interface Sample {
  t: number; // µs, sampler clock
  stack: Frame[]; // leaf first
}

export interface Stopped {
  samples: Sample[];
  stopMillis: number; // stop call → data in JS (normalized samples excluded)
  raw: unknown;
  endTime?: number;
  startTime?: number;
}

export interface Clocks {
  perf: number; // performance.now() µs
  date: number; // Date.now() µs
  wall: number; // (performance.timeOrigin + performance.now()) µs
}

export function readClocks(): Clocks {
  const p = performance.now();
  return { perf: p * 1000, date: Date.now() * 1000, wall: (performance.timeOrigin + p) * 1000 };
}

export interface ProbeSampler {
  start(intervalMicros: number): Promise<Clocks>; // clocks read just before sampling begins
  stop(): Promise<Stopped>;
}

function postAsync(s: Session, method: string, params: object = {}): Promise<any> {
  return new Promise((resolve, reject) => s.post(method, params, (err: Error | null, res: unknown) => (err ? reject(err) : resolve(res))));
}

export function inspectorSampler(): ProbeSampler {
  const s = new Session();
  s.connect();
  return {
    async start(intervalMicros) {
      await postAsync(s, "Profiler.enable");
      await postAsync(s, "Profiler.setSamplingInterval", { interval: intervalMicros });
      const before = readClocks();
      await postAsync(s, "Profiler.start");
      return before;
    },
    async stop() {
      const t0 = performance.now();
      const { profile } = await postAsync(s, "Profiler.stop");
      const stopMillis = performance.now() - t0;
      s.disconnect();
      const byId = new Map<number, any>();
      for (const n of profile.nodes) byId.set(n.id, n);
      const parent = new Map<number, number>();
      for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      const samples: Sample[] = [];
      let t = profile.startTime;
      for (let i = 0; i < profile.samples.length; i++) {
        t += profile.timeDeltas[i];
        const stack: Frame[] = [];
        for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
          const cf = byId.get(id).callFrame;
          if (cf.functionName === "(root)") break;
          stack.push({ name: cf.functionName, url: cf.url, line: cf.lineNumber, column: cf.columnNumber });
        }
        samples.push({ t, stack });
      }
      return { samples, stopMillis, raw: profile, startTime: profile.startTime, endTime: profile.endTime };
    },
  };
}

export function jscSampler(): ProbeSampler {
  return {
    async start(intervalMicros) {
      const before = readClocks();
      jsc.startSamplingProfiler(undefined, intervalMicros);
      return before;
    },
    async stop() {
      const t0 = performance.now();
      const data = jsc.samplingProfilerStackTraces();
      jsc.profile(() => {}); // pauses the profiler and clears what it holds
      const stopMillis = performance.now() - t0;
      const samples: Sample[] = data.traces.map((tr: any) => ({
        t: tr.timestamp * 1e6,
        stack: tr.frames.map((f: any) => ({ name: f.name, url: f.sourceURL ?? "", line: f.line, column: f.column })),
      }));
      return { samples, stopMillis, raw: data };
    },
  };
}

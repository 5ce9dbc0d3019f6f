// shared-sampler.ts lets several CPU samplers share an engine that has only
// one: in Bun (JSC), every inspector session drives the same sampling
// profiler, so a second session's Profiler.stop stops the first's profile
// and its setSamplingInterval fails while the first runs. startCPUProfile
// and the block profiler each want a sampler of their own; here each gets a
// consumer of one underlying sampler, which runs while any consumer runs, at
// the smallest interval any asks for. Whenever it must stop (a consumer
// stops, or a faster one starts) its samples go to every running consumer.
// A consumer alone sees exactly what the underlying sampler gives it.

import type { CpuProfileNode, CpuProfileShape, CpuSampler } from "../host/host.ts";

interface Chunk {
  readonly profile: CpuProfileShape;
  /** offsetMicros is the chunk's clock minus the host clock. */
  readonly offsetMicros: number;
  /** whole is true when the consumer saw the chunk from its start. */
  readonly whole: boolean;
}

interface Consumer {
  intervalMicros: number;
  /** clockAtStart is the host clock when the consumer started. */
  clockAtStart: number;
  chunks: Chunk[];
}

/** shareSampler returns a newCpuSampler whose samplers are consumers of one
 * sampler made by newSampler (made when the first consumer starts, closed
 * when the last one stops). nowMicros is the host clock. */
export function shareSampler(newSampler: () => CpuSampler, nowMicros: () => number): () => CpuSampler {
  let under: CpuSampler | undefined;
  let runningInterval = 0; // 0: stopped
  let clockAtStart = 0; // host clock when the underlying sampler started
  const running = new Set<Consumer>();
  // Underlying calls are serialized: each consumer call waits its turn.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const out = tail.then(step);
    tail = out.catch(() => {});
    return out;
  };

  // stopUnder stops the underlying sampler and hands its chunk to every
  // running consumer.
  const stopUnder = async (): Promise<void> => {
    const profile = await under!.stop();
    runningInterval = 0;
    const offsetMicros = profile.startTime - clockAtStart;
    for (const c of running) c.chunks.push({ profile, offsetMicros, whole: c.clockAtStart <= clockAtStart });
  };
  const startUnder = async (intervalMicros: number): Promise<void> => {
    under ??= newSampler();
    clockAtStart = await under.start(intervalMicros);
    runningInterval = intervalMicros;
  };
  const fastest = (): number => Math.min(...[...running].map((c) => c.intervalMicros));

  return () => {
    const me: Consumer = { intervalMicros: 0, clockAtStart: 0, chunks: [] };
    return {
      start: (intervalMicros: number): Promise<number> =>
        serial(async () => {
          me.intervalMicros = intervalMicros;
          me.chunks = [];
          if (runningInterval !== 0 && runningInterval <= intervalMicros) {
            me.clockAtStart = nowMicros();
            running.add(me);
            return me.clockAtStart;
          }
          if (runningInterval !== 0) await stopUnder();
          running.add(me);
          await startUnder(fastest());
          me.clockAtStart = clockAtStart;
          return me.clockAtStart;
        }),
      stop: (): Promise<CpuProfileShape> =>
        serial(async () => {
          if (!running.has(me)) throw new Error("Profiler is not started");
          await stopUnder();
          running.delete(me);
          if (running.size > 0) await startUnder(fastest());
          return merge(me);
        }),
      close: (): void => {
        void serial(async () => {
          running.delete(me);
          if (running.size > 0 || under === undefined) return;
          const last = under;
          under = undefined;
          try {
            if (runningInterval !== 0) await last.stop();
          } catch {
            // Nobody wants these samples any more.
          }
          runningInterval = 0;
          last.close();
        }).catch(() => {});
      },
    };
  };
}

/** merge joins a consumer's chunks into one profile on the first chunk's
 * clock, keeping only samples taken after the consumer started. A consumer
 * that saw one chunk whole gets it unchanged. */
function merge(c: Consumer): CpuProfileShape {
  const first = c.chunks[0];
  if (first === undefined) throw new Error("Profiler is not started");
  if (c.chunks.length === 1 && first.whole) return first.profile;
  const clock0 = first.offsetMicros;
  const startTime = c.clockAtStart + clock0;
  const nodes: CpuProfileNode[] = [];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let idBase = 0;
  let previous = startTime;
  let endTime = startTime;
  for (const { profile, offsetMicros } of c.chunks) {
    let maxId = 0;
    for (const n of profile.nodes) {
      maxId = Math.max(maxId, n.id);
      nodes.push({
        ...n,
        id: n.id + idBase,
        ...(n.parent !== undefined ? { parent: n.parent + idBase } : {}),
        ...(n.children !== undefined ? { children: n.children.map((id) => id + idBase) } : {}),
      });
    }
    const shift = clock0 - offsetMicros; // this chunk's clock → the first's
    let t = profile.startTime;
    const deltas = profile.timeDeltas ?? [];
    (profile.samples ?? []).forEach((node, i) => {
      t += deltas[i] ?? 0;
      const at = t + shift;
      if (at < startTime) return;
      samples.push(node + idBase);
      timeDeltas.push(at - previous);
      previous = at;
    });
    endTime = Math.max(endTime, profile.endTime + shift);
    idBase += maxId + 1;
  }
  return { nodes, samples, timeDeltas, startTime, endTime };
}

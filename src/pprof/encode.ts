// encode.ts owns turning JS-side stacks of frames into a pprof Profile
// through the WASM core: strings, functions, locations, label sets and
// samples each cross in one batch. It does not capture stacks or compress.

import { withCore, type Meta } from "./core.ts";
import type { Frame } from "../host/stack.ts";
import { StringBatch } from "./strings.ts";
import { symbolizeSession, type Symbolizer } from "./symbolizer.ts";

/** Label is one sample label: a string value, or a number with a unit. */
export type Label = readonly [key: string, value: string] | readonly [key: string, value: number, unit: string];

/** StackSample is one sample: frames leaf first, one value per sample type. */
export interface StackSample {
  /** frames is the stack, leaf first. */
  readonly frames: readonly Frame[];
  /** values has one value per sample type, in the spec's order. */
  readonly values: readonly number[];
  /** labels are the sample's labels, if any. */
  readonly labels?: readonly Label[];
}

/** ProfileSpec is everything in a profile but its samples. */
export interface ProfileSpec {
  /** sampleTypes are the [type, unit] of each sample value, e.g. ["cpu", "nanoseconds"]. */
  readonly sampleTypes: ReadonlyArray<readonly [type: string, unit: string]>;
  /** periodType is the [type, unit] of period. */
  readonly periodType: readonly [type: string, unit: string];
  /** period is the sampling period, in periodType's unit. */
  readonly period: number;
  /** timeNanos is when the profile was collected, ns since the Unix epoch. */
  readonly timeNanos?: bigint;
  /** durationNanos is how long the profile covers. */
  readonly durationNanos?: bigint;
  /** defaultSampleType is the sample type viewers show first. */
  readonly defaultSampleType?: string;
  /** comments are free-form notes readers show (go tool pprof -comments). */
  readonly comments?: readonly string[];
  /** docUrl links to documentation of the profile's meaning. */
  readonly docUrl?: string;
}

/** Encoded is a Profile message and the location id of each frame of each
 * sample (for the legacy text form, which prints the same ids). */
export interface Encoded {
  readonly proto: Uint8Array;
  readonly locationIds: ReadonlyArray<Uint32Array>;
}

/** encodeProfile writes spec and samples as an uncompressed Profile message.
 * Same input, same bytes: every table is filled in first-seen order. Frames
 * are mapped to their original source by symbolizer (the process's current
 * one when absent, none when null). */
export function encodeProfile(spec: ProfileSpec, samples: readonly StackSample[], symbolizer?: Symbolizer | null): Encoded {
  const k = spec.sampleTypes.length;
  for (const s of samples) {
    if (s.values.length !== k) throw new Error(`pprof: sample has ${s.values.length} values, want ${k}`);
  }
  // Strings, in first-seen order: the spec's first, as Go writes them.
  const strings = new StringBatch();
  const str = (s: string): number => strings.add(s);
  const types = spec.sampleTypes.map(([t, u]) => [str(t), str(u)] as const);
  const periodType = [str(spec.periodType[0]), str(spec.periodType[1])] as const;
  const defaultSampleType = str(spec.defaultSampleType ?? "");
  const comments = (spec.comments ?? []).map(str);
  const docUrl = str(spec.docUrl ?? "");
  const symbols = symbolizeSession(symbolizer);

  // Locations: one per distinct frame; functions: one per (name, file, start).
  const locationIndex = new Map<string, number>();
  const functionIndex = new Map<string, number>();
  const functionWords: number[] = [];
  const locationWords: number[] = [];
  const sampleLocations: number[][] = [];
  for (const s of samples) {
    const locs: number[] = [];
    for (const f of s.frames) {
      const key = `${f.functionName}\n${f.url}\n${f.line}\n${f.column}\n${f.startLine}`;
      let loc = locationIndex.get(key);
      if (loc === undefined) {
        // A source map, when the symbolizer has one, gives the original
        // name, file and position, and the generated ones become the system
        // name. A call site's start line maps only where it is the call's
        // own line (an engine frame's); elsewhere it is not known.
        const m = symbols?.frame(f.functionName, f.url, f.line, f.column, f.engine === true);
        const name = str(m?.name ?? f.functionName);
        const systemName = m !== undefined ? str(m.systemName) : name;
        const file = str(m?.url ?? f.url);
        const startLine = m === undefined ? f.startLine : f.startLine === f.line ? m.startLine : 0;
        const fkey = `${name},${systemName},${file},${startLine}`;
        let fn = functionIndex.get(fkey);
        if (fn === undefined) {
          fn = functionIndex.size;
          functionIndex.set(fkey, fn);
          functionWords.push(name, systemName, file, startLine);
        }
        loc = locationIndex.size;
        locationIndex.set(key, loc);
        locationWords.push(fn, m?.line ?? f.line, m?.column ?? f.column);
      }
      locs.push(loc);
    }
    sampleLocations.push(locs);
  }
  // The slot a label does not use is "" (string id 0 in the core), not
  // batch position 0, which is the first sample type's name.
  const none = str("");
  const symbolComments = (symbols?.comments() ?? []).map(str);
  const labelSets: Array<Array<readonly [number, number, number, number]>> = samples.map((s) =>
    (s.labels ?? []).map((l) => (l.length === 2 ? [str(l[0]), str(l[1]), 0, none] : [str(l[0]), none, l[1], str(l[2])])),
  );

  return withCore((core) => {
    core.reset(k);
    const stringIds = core.strings(strings.list);
    const s = (i: number): number => stringIds[i]!;
    const fnWords = Uint32Array.from(functionWords, (v, i) => (i % 4 === 3 ? v : s(v)));
    const fnIds = core.functions(fnWords, functionWords.length / 4);
    const locWords = Uint32Array.from(locationWords, (v, i) => (i % 3 === 0 ? fnIds[v]! : v));
    const locIds = core.locations(locWords, locationWords.length / 3);
    const setIds = core.labelSets(labelSets.map((set) => set.map(([a, b, c, d]) => [s(a), s(b), c, s(d)] as const)));

    let words = 0;
    for (const locs of sampleLocations) words += 2 + locs.length;
    const sampleWords = new Uint32Array(words);
    const values = new Float64Array(samples.length * k);
    const locationIds: Uint32Array[] = [];
    let w = 0;
    samples.forEach((sample, i) => {
      const locs = sampleLocations[i]!;
      sampleWords[w++] = locs.length;
      sampleWords[w++] = setIds[i]!;
      const ids = new Uint32Array(locs.length);
      locs.forEach((l, j) => (ids[j] = locIds[l]!));
      sampleWords.set(ids, w);
      w += ids.length;
      locationIds.push(ids);
      for (let j = 0; j < k; j++) values[i * k + j] = sample.values[j]!;
    });
    core.samples(sampleWords, words, samples.length, values, k);
    const meta: Meta = {
      sampleTypes: types.map(([t, u]) => [s(t), s(u)] as const),
      periodType: [s(periodType[0]), s(periodType[1])],
      period: BigInt(spec.period),
      timeNanos: spec.timeNanos ?? 0n,
      durationNanos: spec.durationNanos ?? 0n,
      defaultSampleType: s(defaultSampleType),
      docUrl: s(docUrl),
      mappingFile: 0,
      comments: [...comments, ...symbolComments].map(s),
    };
    return { proto: core.build(meta), locationIds };
  });
}

/** Snapshot is a profile's contents before encoding: what delta profiles
 * (HTTP ?seconds=N) subtract. */
export interface Snapshot {
  /** spec is everything but the samples. */
  spec: ProfileSpec;
  /** samples are the profile's samples. */
  samples: StackSample[];
}

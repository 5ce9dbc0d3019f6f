// labels.ts owns Go's profiler labels (pprof.Labels, Do, WithLabels,
// SetGoroutineLabels, Label, ForLabels) on an async-context store injected by
// the adapter, and the timeline of label changes that lets CPU samples carry
// the labels that were active when they were taken. It does not sample.

import { host, type AsyncStore, type ContinuationTracker } from "../host/host.ts";
import { LabelSet, type Timeline } from "../pprof/labelset.ts";

export { LabelSet, type Timeline };

const emptySet = LabelSet.of([]);

function canonical(pairs: Map<string, string>): LabelSet {
  const list = [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return LabelSet.of(list);
}

/** labels returns a LabelSet from key, value, key, value… like Go's
 * pprof.Labels; a key given twice keeps its last value. */
export function labels(...keyValues: string[]): LabelSet {
  if (keyValues.length % 2 !== 0) throw new Error("uneven number of arguments to pprof.Labels");
  const pairs = new Map<string, string>();
  for (let i = 0; i < keyValues.length; i += 2) pairs.set(String(keyValues[i]), String(keyValues[i + 1]));
  return canonical(pairs);
}

let store: AsyncStore<LabelSet> | undefined;

function getStore(): AsyncStore<LabelSet> {
  store ??= host.newAsyncStore<LabelSet>();
  return store;
}

function currentSet(): LabelSet {
  return store?.getStore() ?? emptySet;
}

function merge(base: LabelSet, add: LabelSet): LabelSet {
  if (base.list.length === 0) return add;
  const pairs = new Map(base.list);
  for (const [k, v] of add.list) pairs.set(k, v);
  return canonical(pairs);
}

/** runWithLabels runs fn with the current labels plus set (set wins on a
 * shared key), like Go's pprof.Do; it returns fn's result (a promise for an
 * async fn), and the labels follow fn's async work. */
export function runWithLabels<T>(set: LabelSet, fn: () => T): T {
  const s = getStore();
  const merged = merge(currentSet(), set);
  const previous = current;
  enter(merged);
  try {
    const result = s.run(merged, fn);
    if (recording && host.labelsAfterAwait !== undefined && typeof (result as { then?: unknown } | null)?.then === "function") warnAfterAwait("runWithLabels with an async function");
    return result;
  } finally {
    enter(previous);
  }
}

let warnedAfterAwait = false;

// warnAfterAwait tells, once per process, that a CPU profile will not show
// the labels of code after an await on this runtime: without it a label
// breakdown that silently misses most of a request's time looks true.
function warnAfterAwait(what: string): void {
  if (warnedAfterAwait) return;
  warnedAfterAwait = true;
  console.warn(`pprof: ${what} during a CPU profile: samples after its first await carry no labels here (${host.runtime}): ${host.labelsAfterAwait}. This warning is printed once.`);
}

/** withLabels returns the current labels plus set, like Go's WithLabels. */
export function withLabels(set: LabelSet): LabelSet {
  return merge(currentSet(), set);
}

/** setLabels replaces the labels of the current async context and the work
 * it starts from here on, like Go's SetGoroutineLabels. */
export function setLabels(set: LabelSet): void {
  getStore().enterWith(set);
  enter(set);
  if (recording && host.labelsAfterAwait !== undefined) warnAfterAwait("setLabels");
}

/** label returns the value of key in the current labels, or undefined. */
export function label(key: string): string | undefined {
  return currentSet().get(key);
}

/** forLabels calls fn with each current label in key order until fn
 * returns false, like Go's ForLabels. */
export function forLabels(fn: (key: string, value: string) => boolean | void): void {
  for (const [k, v] of currentSet().list) if (fn(k, v) === false) return;
}

// The timeline: while a CPU profile runs, every change of the current label
// set is logged with the host clock, so that samples can be matched to the
// labels active at their timestamps. Changes come from runWithLabels and
// setLabels, and, where the runtime has continuation hooks, from every async
// callback, which runs in the context it was created in. The hooks are on
// only while a profile runs: labels cost nothing otherwise. Sets get ids
// only within one log, so memory follows the sets seen in one chunk.
const stack: Array<LabelSet | undefined> = [];
let current: LabelSet | undefined;
let recording = false;
let tracker: ContinuationTracker | undefined;
let times = new Float64Array(0);
let ids = new Uint32Array(0);
let length = 0;
let capEntries = 0;
let overflowed = false;
// setIds numbers this log's sets by content; sets[id] is the set (0: none).
let setIds = new Map<string, number>();
let sets: LabelSet[] = [emptySet];

function track(on: boolean): void {
  if (host.trackContinuations === undefined) return;
  tracker ??= host.trackContinuations({
    before: () => {
      stack.push(current);
      enter(store?.getStore());
    },
    after: () => enter(stack.pop()),
  });
  if (on) tracker.enable();
  else {
    tracker.disable();
    stack.length = 0;
  }
}

function idOf(set: LabelSet | undefined): number {
  if (set === undefined || set.list.length === 0) return 0;
  let id = setIds.get(set.key);
  if (id === undefined) {
    id = sets.length;
    setIds.set(set.key, id);
    sets.push(set);
  }
  return id;
}

function enter(set: LabelSet | undefined): void {
  if (set === current) return;
  current = set;
  if (!recording) return;
  if (length === times.length) {
    if (length >= capEntries) {
      overflowed = true;
      return;
    }
    const n = Math.min(capEntries, Math.max(1024, length * 2));
    const t = new Float64Array(n);
    t.set(times);
    const d = new Uint32Array(n);
    d.set(ids);
    times = t;
    ids = d;
  }
  times[length] = host.nowMicros();
  ids[length++] = idOf(set);
}

/** startTimeline starts logging label changes, at most capEntries of them
 * until the next takeTimeline. */
export function startTimeline(cap: number): void {
  if (!recording) {
    track(true);
    current = store?.getStore();
  }
  recording = true;
  capEntries = cap;
  length = 0;
  overflowed = false;
  setIds = new Map();
  sets = [emptySet];
  times = new Float64Array(Math.min(cap, 1024));
  ids = new Uint32Array(Math.min(cap, 1024));
  // The first entry is the state the profile starts in.
  times[0] = host.nowMicros();
  ids[0] = idOf(current);
  length = 1;
}

/** takeTimeline returns the changes logged so far and starts a new log whose
 * first entry is the current state; stop ends logging. */
export function takeTimeline(stop: boolean): Timeline {
  const taken: Timeline = { times, ids, length, sets, overflowed };
  if (stop) {
    recording = false;
    track(false);
    times = new Float64Array(0);
    ids = new Uint32Array(0);
    length = 0;
    setIds = new Map();
    sets = [emptySet];
  } else {
    startTimeline(capEntries);
  }
  return taken;
}

/** timelineRecording reports whether label changes are being logged. */
export function timelineRecording(): boolean {
  return recording;
}

// labels.ts owns Go's profiler labels (pprof.Labels, Do, WithLabels,
// SetGoroutineLabels, Label, ForLabels) on an async-context store injected by
// the adapter, and the timeline of label changes that lets CPU samples carry
// the labels that were active when they were taken. It does not sample.

import { host, type AsyncStore, type ContinuationTracker } from "../host/host.ts";
import { LabelSet, type Timeline } from "../pprof/labelset.ts";
import { checkFunction, shown } from "../host/validate.ts";

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
  // Built in key order by insertion: a server calls this per request, and
  // a Map, a spread and a sort cost more than the few pairs it is given.
  const list: Array<readonly [string, string]> = [];
  for (let i = 0; i < keyValues.length; i += 2) {
    const k: unknown = keyValues[i];
    const v: unknown = keyValues[i + 1];
    // Go's Labels takes strings only; String() of an object would make a
    // label "[object Object]" that no one meant.
    if (typeof k !== "string") throw new Error(`pprof: labels: key ${i / 2} must be a string, got ${shown(k)}`);
    if (typeof v !== "string") throw new Error(`pprof: labels: value of ${JSON.stringify(k)} must be a string, got ${shown(v)}`);
    let at = list.length;
    while (at > 0 && list[at - 1]![0] > k) at--;
    if (at > 0 && list[at - 1]![0] === k) list[at - 1] = [k, v];
    else list.splice(at, 0, [k, v]);
  }
  return LabelSet.of(list);
}

/** checkLabelSet throws "pprof: <fn>: …" unless set is a LabelSet. Sets
 * from another copy of anyprof (a bundle beside node_modules) pass when
 * they have a LabelSet's shape: sorted string pairs and a key. Checked
 * where a set is given, because the async hooks that read it later run
 * inside the host's own callbacks, where a throw would end the process. */
function checkLabelSet(fn: string, set: unknown): asserts set is LabelSet {
  if (set instanceof LabelSet) return;
  const s = set as { list?: unknown; key?: unknown } | null;
  if (
    s !== null &&
    typeof s === "object" &&
    typeof s.key === "string" &&
    Array.isArray(s.list) &&
    s.list.every((p: unknown) => Array.isArray(p) && p.length === 2 && typeof p[0] === "string" && typeof p[1] === "string")
  ) {
    return;
  }
  throw new Error(`pprof: ${fn}: want a LabelSet from labels(…), got ${shown(set)}`);
}

let store: AsyncStore<LabelSet> | undefined;

function getStore(): AsyncStore<LabelSet> {
  if (store === undefined) {
    store = host.newAsyncStore<LabelSet>();
    // The first labels of a process that is already profiling: from now on
    // async callbacks can carry a set, so the hooks that log them start.
    if (recording) track(true);
  }
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
  checkLabelSet("runWithLabels", set);
  checkFunction("runWithLabels: fn", fn);
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
  checkLabelSet("withLabels", set);
  return merge(currentSet(), set);
}

/** setLabels replaces the labels of the current async context and the work
 * it starts from here on, like Go's SetGoroutineLabels. */
export function setLabels(set: LabelSet): void {
  checkLabelSet("setLabels", set);
  getStore().enterWith(set);
  enter(set);
  if (recording && host.labelsAfterAwait !== undefined) warnAfterAwait("setLabels");
}

/** label returns the value of key in the current labels, or undefined. */
export function label(key: string): string | undefined {
  if (typeof key !== "string") throw new Error(`pprof: label: key must be a string, got ${shown(key)}`);
  return currentSet().get(key);
}

/** forLabels calls fn with each current label in key order until fn
 * returns false, like Go's ForLabels. */
export function forLabels(fn: (key: string, value: string) => boolean | void): void {
  checkFunction("forLabels: fn", fn);
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
// current is the set of the code running now; logged is the set of the
// timeline's last entry. They differ between an async callback's end and
// the next callback's start (see after, in track).
let current: LabelSet | undefined;
let logged: LabelSet | undefined;
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

// tracking is true while the continuation hooks are on: while a profile
// runs, and only once some code has used labels (the store exists). Before
// that no callback can carry a set, and a profile without labels should not
// pay for hooks around every callback (Node runs its own machinery around
// every promise while any before/after hook is enabled).
let tracking = false;

function track(on: boolean): void {
  if (host.trackContinuations === undefined || on === tracking || (on && store === undefined)) return;
  tracking = on;
  // The hooks run inside the host's own callbacks, where a throw ends the
  // process (Node's async_hooks): whatever happens, they swallow it.
  tracker ??= host.trackContinuations({
    before: () => {
      try {
        stack.push(current);
        enter(store === undefined ? undefined : store.storeOfCallback !== undefined ? store.storeOfCallback() : store.getStore());
      } catch {
        // Nothing to undo: the timeline keeps its last entry.
      }
    },
    // after restores the set. Inside another callback (runInAsyncScope,
    // an EventEmitterAsyncResource's listener) that one's code goes on, so
    // the change is logged. At the outermost level it is not: the next
    // callback's before logs its own set, and most callbacks are followed
    // at once by another (a microtask queue drains, a timer list runs),
    // often of the same request, whose set would be logged again. What runs
    // between the two, Node's loop and its native code, keeps the set of
    // the callback before it; idle time is not sampled as CPU. Reading the
    // clock is most of a hook body's cost (60-220 ns a read, measured on
    // Node 20-26): this halves the reads or better.
    after: () => {
      try {
        const set = stack.pop();
        if (stack.length > 0) enter(set);
        else current = set;
      } catch {
        // As in before.
      }
    },
  });
  if (on) tracker.enable();
  else {
    tracker.disable();
    stack.length = 0;
  }
}

function idOf(set: LabelSet | undefined): number {
  // Sets are checked where given; a store another library filled is not.
  if (set === undefined || set === null || typeof set !== "object" || !Array.isArray(set.list) || set.list.length === 0) return 0;
  let id = setIds.get(set.key);
  if (id === undefined) {
    id = sets.length;
    setIds.set(set.key, id);
    sets.push(set);
  }
  return id;
}

function enter(set: LabelSet | undefined): void {
  current = set;
  if (set === logged || !recording) return;
  logged = set;
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
    logged = current;
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
  ids[0] = idOf(logged);
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

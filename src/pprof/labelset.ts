// labelset.ts owns the label model the encoders read: an immutable, sorted
// LabelSet and the Timeline of label changes that CPU samples are matched
// against. Setting and propagating labels is Go's API, in profiles/labels.ts;
// this file knows no async context.

/** LabelSet is an immutable set of key/value labels, sorted by key, as Go's
 * LabelSet. Build one with labels(). Sets are plain objects, never kept in a
 * process-wide table: per-request labels (trace ids) must not accumulate. */
export class LabelSet {
  /** list holds the [key, value] pairs sorted by key, one per key. */
  readonly list: ReadonlyArray<readonly [string, string]>;
  /** key identifies the set's contents: equal sets have equal keys. */
  readonly key: string;

  private constructor(list: ReadonlyArray<readonly [string, string]>) {
    this.list = list;
    this.key = JSON.stringify(list);
  }

  /** of returns a LabelSet of sorted pairs with unique keys. */
  static of(list: ReadonlyArray<readonly [string, string]>): LabelSet {
    return new LabelSet(list);
  }

  /** get returns the value of key, or undefined. */
  get(key: string): string | undefined {
    for (const [k, v] of this.list) if (k === key) return v;
    return undefined;
  }
}

/** Timeline is a snapshot of label changes: at times[i] (host clock, µs) the
 * label set sets[ids[i]] became current (id 0: no labels). */
export interface Timeline {
  readonly times: Float64Array;
  readonly ids: Uint32Array;
  readonly length: number;
  readonly sets: readonly LabelSet[];
  /** overflowed is true when changes past capEntries were dropped. */
  readonly overflowed: boolean;
}

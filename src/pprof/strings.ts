// strings.ts owns the JS side of string batching: distinct strings gathered
// in first-seen order, so that they cross into the core in one call.

/** StringBatch collects distinct strings; add returns a string's position
 * in list, which indexes the ids the core returns for list. */
export class StringBatch {
  readonly list: string[] = [];
  readonly #index = new Map<string, number>();

  /** add returns s's position in list, appending it if new. */
  add(s: string): number {
    let i = this.#index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.#index.set(s, i);
      this.list.push(s);
    }
    return i;
  }
}

// text.ts owns the legacy text forms (debug >= 1), in the shape of Go's
// printCountProfile: a header, then each distinct stack with its count, most
// frequent first, and one "#" line per frame. It does not encode protobuf.

import type { Frame } from "../host/stack.ts";

/** CountStack is one distinct stack with its count and its frames' location
 * ids (the same ids the protobuf form uses). */
export interface CountStack {
  readonly count: number;
  readonly ids: ArrayLike<number>;
  readonly frames: readonly Frame[];
}

/** tabAlign lays out tab-separated cells like Go's text/tabwriter with
 * minwidth 1, tabwidth 8, padding 1 and tab padding: each column of a block
 * of lines is as wide as its widest cell plus one, rounded up to a tab stop.
 * The last cell of a line is not aligned. */
export function tabAlign(lines: readonly string[]): string {
  const rows = lines.map((l) => l.split("\t"));
  const columns = Math.max(0, ...rows.map((r) => r.length - 1));
  const widths: number[] = [];
  for (let c = 0; c < columns; c++) {
    let w = 0;
    for (const r of rows) if (c < r.length - 1) w = Math.max(w, r[c]!.length);
    widths.push(Math.ceil((w + 1) / 8) * 8);
  }
  return rows
    .map((r) => {
      let out = "";
      for (let c = 0; c < r.length - 1; c++) out += r[c] + "\t".repeat(Math.ceil((widths[c]! - r[c]!.length) / 8));
      return out + r[r.length - 1] + "\n";
    })
    .join("");
}

const hex = (n: number): string => "0x" + n.toString(16);

/** stackKey is Go's key for a stack: "@ 0x1 0x2 …". */
function stackKey(ids: ArrayLike<number>): string {
  let key = "@";
  for (let i = 0; i < ids.length; i++) key += " " + hex(ids[i]!);
  return key;
}

/** countStacks groups samples (one per value) into distinct stacks by their
 * location ids, counting each, for formatCountProfile. */
export function countStacks(frames: ReadonlyArray<readonly Frame[]>, locationIds: ReadonlyArray<Uint32Array>): CountStack[] {
  const byKey = new Map<string, { count: number; ids: Uint32Array; frames: readonly Frame[] }>();
  frames.forEach((f, i) => {
    const ids = locationIds[i]!;
    const key = ids.join(",");
    const seen = byKey.get(key);
    if (seen !== undefined) seen.count++;
    else byKey.set(key, { count: 1, ids, frames: f });
  });
  return [...byKey.values()];
}

/** formatCountProfile returns name's legacy text form: `<name> profile:
 * total N`, then per stack `count @ ids…` and `#\tid\tfunction\tfile:line:col`
 * lines, stacks ordered by count (descending) then key, as Go sorts them. */
export function formatCountProfile(name: string, total: number, stacks: readonly CountStack[]): string {
  const keyed = stacks.map((s) => ({ s, key: stackKey(s.ids) }));
  keyed.sort((a, b) => b.s.count - a.s.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let out = `${name} profile: total ${total}\n`;
  for (const { s, key } of keyed) {
    out += `${s.count} ${key}\n`;
    const lines = s.frames.map((f, i) => `#\t${hex(s.ids[i]!)}\t${f.functionName}\t${f.url}:${f.line}:${f.column}`);
    out += tabAlign(lines) + "\n";
  }
  return out;
}

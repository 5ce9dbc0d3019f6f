// pprof.ts decodes profiles with protobufjs against test/profile.proto (an
// independent decoder), checks google/pprof's CheckValid invariants, and
// gives tests a resolved view: samples with function names and labels.
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

const root = protobuf.loadSync(fileURLToPath(new URL("../profile.proto", import.meta.url)));
const ProfileType = root.lookupType("perftools.profiles.Profile");

export interface RawProfile {
  sampleType: { type: number; unit: number }[];
  sample: { locationId: number[]; value: number[]; label: { key: number; str: number; num: number; numUnit: number }[] }[];
  mapping: { id: number; filename: number; hasFunctions: boolean }[];
  location: { id: number; mappingId: number; line: { functionId: number; line: number; column: number }[] }[];
  function: { id: number; name: number; systemName: number; filename: number; startLine: number }[];
  stringTable: string[];
  timeNanos: number;
  durationNanos: number;
  periodType?: { type: number; unit: number };
  period: number;
  comment: number[];
  defaultSampleType: number;
  docUrl: number;
}

/** decodeProto decodes an uncompressed Profile message. */
export function decodeProto(bytes: Uint8Array): RawProfile {
  const msg = ProfileType.decode(bytes);
  return ProfileType.toObject(msg, { longs: Number, arrays: true, defaults: true }) as unknown as RawProfile;
}

/** decodeProfile decodes a gzip-compressed profile (or an uncompressed one). */
export function decodeProfile(bytes: Uint8Array): RawProfile {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  return decodeProto(raw);
}

/** checkValid returns the violations of google/pprof's CheckValid invariants
 * (and of profile.proto's string-table rules); [] when the profile is valid. */
export function checkValid(p: RawProfile): string[] {
  const errors: string[] = [];
  const strings = p.stringTable;
  if (strings.length === 0 || strings[0] !== "") errors.push(`string_table[0]: got ${JSON.stringify(strings[0])}, want ""`);
  const str = (what: string, i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= strings.length) errors.push(`${what}: string index ${i} out of range [0, ${strings.length})`);
  };
  const k = p.sampleType.length;
  if (k === 0 && p.sample.length !== 0) errors.push("missing sample type information");
  p.sampleType.forEach((t, i) => {
    str(`sample_type[${i}].type`, t.type);
    str(`sample_type[${i}].unit`, t.unit);
  });
  const ids = (what: string, list: { id: number }[]) => {
    const seen = new Set<number>();
    for (const x of list) {
      if (x.id === 0) errors.push(`${what} id is 0`);
      if (seen.has(x.id)) errors.push(`${what} id ${x.id} is not unique`);
      seen.add(x.id);
    }
    return seen;
  };
  const mappings = ids("mapping", p.mapping);
  const functions = ids("function", p.function);
  const locations = ids("location", p.location);
  for (const f of p.function) {
    str(`function ${f.id} name`, f.name);
    str(`function ${f.id} system_name`, f.systemName);
    str(`function ${f.id} filename`, f.filename);
  }
  for (const m of p.mapping) str(`mapping ${m.id} filename`, m.filename);
  for (const l of p.location) {
    if (l.mappingId !== 0 && !mappings.has(l.mappingId)) errors.push(`location ${l.id} has mapping id ${l.mappingId}, not in mappings`);
    for (const ln of l.line) {
      if (ln.functionId === 0 || !functions.has(ln.functionId)) errors.push(`location ${l.id} has function id ${ln.functionId}, not in functions`);
    }
  }
  p.sample.forEach((s, i) => {
    if (s.value.length !== k) errors.push(`sample ${i}: got ${s.value.length} values, want ${k}`);
    for (const id of s.locationId) if (!locations.has(id)) errors.push(`sample ${i}: location id ${id} not in locations`);
    for (const l of s.label) {
      str(`sample ${i} label key`, l.key);
      str(`sample ${i} label str`, l.str);
      str(`sample ${i} label num_unit`, l.numUnit);
    }
  });
  if (p.periodType) {
    str("period_type.type", p.periodType.type);
    str("period_type.unit", p.periodType.unit);
  }
  p.comment.forEach((c, i) => str(`comment[${i}]`, c));
  str("default_sample_type", p.defaultSampleType);
  str("doc_url", p.docUrl);
  return errors;
}

export interface ResolvedFrame {
  functionName: string;
  file: string;
  line: number;
  column: number;
  startLine: number;
}

export interface ResolvedSample {
  frames: ResolvedFrame[];
  values: number[];
  labels: Record<string, string | number>;
}

export interface Resolved {
  raw: RawProfile;
  sampleTypes: string[];
  periodType: string;
  samples: ResolvedSample[];
  comments: string[];
}

const repo = fileURLToPath(new URL("../..", import.meta.url));
/** ownCodePrefixes are the script names of anyprof's own code in this
 * checkout (src/ and dist/, as file: URLs and as paths). */
export const ownCodePrefixes: string[] = ["src/", "dist/"].flatMap((d) => [`file://${repo}${d}`, `${repo}${d}`]);

/** ownFramesOutside lists the frames of anyprof's own code that are not
 * folded into "(anyprof)" (as "function file:line"); [] when there are none. */
export function ownFramesOutside(p: Resolved): string[] {
  const out = new Set<string>();
  for (const s of p.samples) {
    for (const f of s.frames) {
      if (ownCodePrefixes.some((x) => f.file.startsWith(x))) out.add(`${f.functionName} ${f.file}:${f.line}`);
    }
  }
  return [...out];
}

/** resolve decodes bytes, asserts CheckValid, and resolves ids to names.
 * For a CPU profile it also asserts that no frame of anyprof's own code
 * appears outside the "(anyprof)" frame its converter folds them into. */
export function resolve(bytes: Uint8Array): Resolved {
  const raw = decodeProfile(bytes);
  const errors = checkValid(raw);
  if (errors.length > 0) throw new Error(`CheckValid failed:\n${errors.join("\n")}`);
  const s = raw.stringTable;
  const fns = new Map(raw.function.map((f) => [f.id, f]));
  const locs = new Map(raw.location.map((l) => [l.id, l]));
  const samples = raw.sample.map((smp) => ({
    frames: smp.locationId.map((id) => {
      const line = locs.get(id)!.line[0]!;
      const f = fns.get(line.functionId)!;
      return { functionName: s[f.name]!, file: s[f.filename]!, line: line.line, column: line.column, startLine: f.startLine };
    }),
    values: smp.value,
    labels: Object.fromEntries(smp.label.map((l) => [s[l.key]!, l.str !== 0 ? s[l.str]! : l.num])),
  }));
  const resolved: Resolved = {
    raw,
    sampleTypes: raw.sampleType.map((t) => `${s[t.type]}/${s[t.unit]}`),
    periodType: raw.periodType ? `${s[raw.periodType.type]}/${s[raw.periodType.unit]}` : "",
    samples,
    comments: raw.comment.map((c) => s[c]!),
  };
  if (resolved.sampleTypes.includes("cpu/nanoseconds")) {
    const leaked = ownFramesOutside(resolved);
    if (leaked.length > 0) throw new Error(`anyprof's own frames outside (anyprof) in a CPU profile:\n${leaked.slice(0, 20).join("\n")}`);
  }
  return resolved;
}

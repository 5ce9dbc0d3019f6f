// decode.ts reads any pprof file (gzip-compressed or not, ours or Go's) with
// protobufjs against profile.proto's schema, given here as a protobufjs JSON
// descriptor so that no .proto file has to be found at run time. It resolves
// ids to names (and, per frame, files and lines) for the CLI and the viewer
// (view/); it does not format. It bounds the decompressed size.

import protobuf from "protobufjs";
import { Inflate } from "pako";

/** maxDecompressedBytes bounds a profile's decompressed size: a small gzip
 * file can inflate without end (a "gzip bomb"), and far before this no
 * profile fits in memory as decoded objects anyway. */
export const maxDecompressedBytes: number = 256 * 1024 * 1024;

const int64 = (id: number) => ({ type: "int64", id });
const uint64 = (id: number) => ({ type: "uint64", id });
const repeated = (type: string, id: number) => ({ rule: "repeated", type, id });

const schema = protobuf.Root.fromJSON({
  nested: {
    Profile: {
      fields: {
        sampleType: repeated("ValueType", 1),
        sample: repeated("Sample", 2),
        mapping: repeated("Mapping", 3),
        location: repeated("Location", 4),
        function: repeated("Function", 5),
        stringTable: repeated("string", 6),
        timeNanos: int64(9),
        durationNanos: int64(10),
        periodType: { type: "ValueType", id: 11 },
        period: int64(12),
        comment: repeated("int64", 13),
        defaultSampleType: int64(14),
      },
    },
    ValueType: { fields: { type: int64(1), unit: int64(2) } },
    Sample: { fields: { locationId: repeated("uint64", 1), value: repeated("int64", 2), label: repeated("Label", 3) } },
    Label: { fields: { key: int64(1), str: int64(2), num: int64(3), numUnit: int64(4) } },
    Mapping: { fields: { id: uint64(1), filename: int64(5) } },
    Location: { fields: { id: uint64(1), mappingId: uint64(2), address: uint64(3), line: repeated("Line", 4) } },
    Line: { fields: { functionId: uint64(1), line: int64(2), column: int64(3) } },
    Function: { fields: { id: uint64(1), name: int64(2), systemName: int64(3), filename: int64(4), startLine: int64(5) } },
  },
});
const ProfileType = schema.lookupType("Profile");

/** DecodedFrame is one frame of a stack: a function and the line in it.
 * Frames from the same line of the same location are one shared object, so
 * identity comparison (a Map keyed by frame) is cheap. A location without
 * lines (an address only) has name "0x…", its mapping's file, and line 0. */
export interface DecodedFrame {
  name: string;
  file: string;
  line: number;
}

/** DecodedSample is a sample with its stack as function names, leaf first;
 * frames is the same stack with files and lines (frames[i].name === stack[i]). */
export interface DecodedSample {
  stack: string[];
  frames: DecodedFrame[];
  values: number[];
  labels: Record<string, string | number>;
}

/** Decoded is a profile with ids resolved. */
export interface Decoded {
  sampleTypes: Array<{ type: string; unit: string }>;
  defaultSampleType: string;
  periodType: { type: string; unit: string } | undefined;
  durationNanos: number;
  /** timeNanos is when the profile began (Unix ns; 0 when unset). */
  timeNanos: number;
  samples: DecodedSample[];
}

interface Raw {
  sampleType: Array<{ type: number; unit: number }>;
  sample: Array<{ locationId: number[]; value: number[]; label: Array<{ key: number; str: number; num: number }> }>;
  mapping: Array<{ id: number; filename: number }>;
  location: Array<{ id: number; mappingId: number; line: Array<{ functionId: number; line: number }>; address: number }>;
  function: Array<{ id: number; name: number; filename: number }>;
  stringTable: string[];
  periodType?: { type: number; unit: number };
  durationNanos: number;
  timeNanos: number;
  defaultSampleType: number;
}

/** decodePprof decodes bytes as a pprof profile. It throws "pprof: …" for
 * input that is not one (a bad gzip stream, a bad protobuf message). */
export function decodePprof(bytes: Uint8Array, limitBytes: number = maxDecompressedBytes): Decoded {
  // go tool pprof's words: an empty file is not an empty profile.
  if (bytes.length === 0) throw new Error("pprof: parsing profile: empty input file");
  let raw: Uint8Array = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipBounded(bytes, limitBytes);
    } catch (err) {
      if (err instanceof TooLarge) throw new Error(`pprof: decompressed profile larger than the ${limitBytes / (1024 * 1024)} MiB limit`);
      throw new Error(`pprof: decompressing profile: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  let p: Raw;
  try {
    p = ProfileType.toObject(ProfileType.decode(raw), { longs: Number, arrays: true, defaults: true }) as unknown as Raw;
  } catch (err) {
    throw new Error(`pprof: parsing profile: ${err instanceof Error ? err.message : String(err)}`);
  }
  const s = (i: number) => p.stringTable[i] ?? "";
  const fnName = new Map(p.function.map((f) => [f.id, s(f.name)]));
  const fnFile = new Map(p.function.map((f) => [f.id, s(f.filename)]));
  const mapFile = new Map(p.mapping.map((m) => [m.id, s(m.filename)]));
  // A location with inlined frames has several lines: innermost first.
  const locFrames = new Map<number, DecodedFrame[]>(
    p.location.map((l) => [
      l.id,
      l.line.length > 0
        ? l.line.map((ln) => ({ name: fnName.get(ln.functionId) ?? "?", file: fnFile.get(ln.functionId) ?? "", line: ln.line }))
        : [{ name: `0x${l.address.toString(16)}`, file: mapFile.get(l.mappingId) ?? "", line: 0 }],
    ]),
  );
  const unknownFrames = new Map<number, DecodedFrame[]>();
  const framesOf = (id: number): DecodedFrame[] => {
    let f = locFrames.get(id) ?? unknownFrames.get(id);
    if (f === undefined) unknownFrames.set(id, (f = [{ name: `?${id}`, file: "", line: 0 }]));
    return f;
  };
  return {
    sampleTypes: p.sampleType.map((t) => ({ type: s(t.type), unit: s(t.unit) })),
    defaultSampleType: s(p.defaultSampleType),
    periodType: p.periodType ? { type: s(p.periodType.type), unit: s(p.periodType.unit) } : undefined,
    durationNanos: p.durationNanos,
    timeNanos: Number(p.timeNanos ?? 0),
    samples: p.sample.map((smp) => {
      // Loops, not flatMap: this runs once per frame of every sample.
      const stack: string[] = [];
      const frames: DecodedFrame[] = [];
      for (const id of smp.locationId) {
        for (const f of framesOf(id)) {
          frames.push(f);
          stack.push(f.name);
        }
      }
      return {
        stack,
        frames,
        values: smp.value,
        labels: Object.fromEntries(smp.label.map((l) => [s(l.key), l.str !== 0 ? s(l.str) : l.num])),
      };
    }),
  };
}

class TooLarge extends Error {}

// gunzipBounded inflates gzip bytes, throwing TooLarge as soon as the output
// passes limitBytes: pako hands the output over chunk by chunk, so a gzip
// bomb costs at most the limit, not its full size.
function gunzipBounded(bytes: Uint8Array, limitBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflate = new Inflate();
  inflate.onData = (chunk: Uint8Array) => {
    total += chunk.length;
    if (total > limitBytes) throw new TooLarge();
    chunks.push(chunk);
  };
  inflate.push(bytes, true);
  if (inflate.err) throw new Error(inflate.msg || `zlib error ${inflate.err}`);
  return concatBytes(chunks, total);
}

/** concatBytes joins chunks whose lengths add up to total into one array
 * (the chunk itself when there is one). */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

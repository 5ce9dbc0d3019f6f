// setup.mjs owns loading what the benchmarks run against: the built WASM core
// (build/anyprof.wasm through dist/pprof/core.js, exactly what the package ships)
// and the independent decoder used to check every candidate's output
// (protobufjs on test/profile.proto, read only). It does no timing.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { newCore } from "../dist/pprof/core.js";

const wasmPath = fileURLToPath(new URL("../build/anyprof.wasm", import.meta.url));
const protoPath = fileURLToPath(new URL("../test/profile.proto", import.meta.url));

/** wasmModule is the compiled core, compiled once per process. */
export const wasmModule = new WebAssembly.Module(readFileSync(wasmPath));

/** makeCore returns a fresh core instance. */
export function makeCore() {
  return newCore(wasmModule);
}

/** ProfileType is profile.proto's Profile message for protobufjs; the
 * protobufjs candidate encodes with it too. */
export const ProfileType = protobuf.loadSync(protoPath).lookupType("perftools.profiles.Profile");

/** decodeProfile decodes an uncompressed Profile message to plain objects
 * with int64s as numbers (every value here is below 2^53). */
export function decodeProfile(bytes) {
  return ProfileType.toObject(ProfileType.decode(bytes), { longs: Number, arrays: true, defaults: true });
}

/** emptyMeta is a build meta block with no strings, for profiles that are
 * built only to be read back. */
export const emptyMeta = {
  sampleTypes: [
    [0, 0],
    [0, 0],
  ],
  periodType: [0, 0],
  period: 0n,
  timeNanos: 0n,
  durationNanos: 0n,
  defaultSampleType: 0,
  docUrl: 0,
  mappingFile: 0,
  comments: [],
};

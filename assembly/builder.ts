// builder.ts owns the Profile message of google/pprof's profile.proto: the
// only file that knows its field numbers. It writes the tables and the stack
// map, in field-number order, into one output region.

import { Region } from "./memory";
import { Writer } from "./protobuf";
import { strings, functions, locations, labelSets, labelBytes, clearTables } from "./tables";
import { stackCount, stackRecord, getValueCount, clearStacks } from "./stackmap";

// Profile
const tagProfile_SampleType: u32 = 1; // repeated ValueType
const tagProfile_Sample: u32 = 2; // repeated Sample
const tagProfile_Mapping: u32 = 3; // repeated Mapping
const tagProfile_Location: u32 = 4; // repeated Location
const tagProfile_Function: u32 = 5; // repeated Function
const tagProfile_StringTable: u32 = 6; // repeated string
const tagProfile_TimeNanos: u32 = 9; // int64
const tagProfile_DurationNanos: u32 = 10; // int64
const tagProfile_PeriodType: u32 = 11; // ValueType
const tagProfile_Period: u32 = 12; // int64
const tagProfile_Comment: u32 = 13; // repeated int64 (string index)
const tagProfile_DefaultSampleType: u32 = 14; // int64 (string index)
const tagProfile_DocUrl: u32 = 15; // int64 (string index)

// ValueType
const tagValueType_Type: u32 = 1; // int64 (string index)
const tagValueType_Unit: u32 = 2; // int64 (string index)

// Sample
const tagSample_Location: u32 = 1; // repeated uint64
const tagSample_Value: u32 = 2; // repeated int64
const tagSample_Label: u32 = 3; // repeated Label

// Label
const tagLabel_Key: u32 = 1; // int64 (string index)
const tagLabel_Str: u32 = 2; // int64 (string index)
const tagLabel_Num: u32 = 3; // int64
const tagLabel_NumUnit: u32 = 4; // int64 (string index)

// Mapping
const tagMapping_ID: u32 = 1; // uint64
const tagMapping_Filename: u32 = 5; // int64 (string index)
const tagMapping_HasFunctions: u32 = 7; // bool
const tagMapping_HasFilenames: u32 = 8; // bool
const tagMapping_HasLineNumbers: u32 = 9; // bool

// Location
const tagLocation_ID: u32 = 1; // uint64
const tagLocation_MappingID: u32 = 2; // uint64
const tagLocation_Line: u32 = 4; // repeated Line

// Line
const tagLine_FunctionID: u32 = 1; // uint64
const tagLine_Line: u32 = 2; // int64
const tagLine_Column: u32 = 3; // int64

// Function
const tagFunction_ID: u32 = 1; // uint64
const tagFunction_Name: u32 = 2; // int64 (string index)
const tagFunction_SystemName: u32 = 3; // int64 (string index)
const tagFunction_Filename: u32 = 4; // int64 (string index)
const tagFunction_StartLine: u32 = 5; // int64

// Offsets of the i64 slots of the meta block that JS fills before build.
const metaTimeNanos = 0;
const metaDurationNanos = 1;
const metaPeriod = 2;
const metaPeriodType = 3;
const metaPeriodUnit = 4;
const metaDefaultSampleType = 5;
const metaDocUrl = 6;
const metaMappingFile = 7;
const metaSampleTypeCount = 8;
const metaCommentCount = 9;
/** metaHeaderSlots is where the sample-type pairs start, then the comments. */
const metaHeaderSlots = 10;

// The single mapping every location points at: JavaScript has no binaries,
// but pprof tools expect one mapping, and has_functions tells them not to
// symbolize.
const mappingID: u64 = 1;

const output = new Region(256 << 10);
const writer = new Writer(output);

/** resetProfile forgets every table and stack and starts a profile of k
 * values per sample. */
export function resetProfile(k: u32): void {
  clearTables();
  clearStacks(k);
  output.clear(1 << 20);
}

@inline
function meta(ptr: usize, slot: i32): i64 {
  return load<i64>(ptr + (<usize>slot << 3));
}

function valueType(field: u32, type: i64, unit: i64): void {
  let m = writer.startMessage(field);
  writer.int64Opt(tagValueType_Type, type);
  writer.int64Opt(tagValueType_Unit, unit);
  writer.endMessage(m);
}

/** buildProfile writes the whole Profile message from the tables, the stack
 * map and the meta block at metaPtr (i64 slots, see meta* above; all strings
 * already interned), and returns its length in bytes; outputPtr gives where. */
export function buildProfile(metaPtr: usize): u32 {
  let sampleTypeSlots = <i32>meta(metaPtr, metaSampleTypeCount) * 2 + <i32>meta(metaPtr, metaCommentCount);
  for (let slot = metaPeriodType; slot < metaHeaderSlots + sampleTypeSlots; slot++) {
    if (slot == metaSampleTypeCount || slot == metaCommentCount) continue;
    let v = meta(metaPtr, slot);
    if (v < 0 || v >= <i64>strings.count) abort("pprof: profile references an unknown string");
  }
  writer.reset();
  let k = <usize>getValueCount();
  let sampleTypes = <usize>meta(metaPtr, metaSampleTypeCount);
  if (sampleTypes != k) abort("pprof: sample type count differs from values per sample");
  let typesPtr = metaPtr + (<usize>metaHeaderSlots << 3);
  for (let i: usize = 0; i < sampleTypes; i++) {
    valueType(tagProfile_SampleType, load<i64>(typesPtr + (i << 4)), load<i64>(typesPtr + (i << 4) + 8));
  }

  let rowBytes = k << 3;
  let n = stackCount();
  for (let i: u32 = 0; i < n; i++) {
    let rec = stackRecord(i);
    let key = rec + rowBytes + 4;
    let depth = (<usize>load<u32>(rec + rowBytes) >> 2) - 1;
    let set = load<u32>(key);
    if (set == 0) {
      // The common case, sized exactly up front: no length shifting.
      writer.sample(tagProfile_Sample, tagSample_Location, key + 4, depth, tagSample_Value, rec, k);
      continue;
    }
    let m = writer.startMessage(tagProfile_Sample);
    writer.uint64sFromU32(tagSample_Location, key + 4, depth);
    writer.int64s(tagSample_Value, rec, k);
    writeLabels(set);
    writer.endMessage(m);
  }

  let m = writer.startMessage(tagProfile_Mapping);
  writer.uint64(tagMapping_ID, mappingID);
  writer.int64Opt(tagMapping_Filename, meta(metaPtr, metaMappingFile));
  writer.boolOpt(tagMapping_HasFunctions, true);
  writer.boolOpt(tagMapping_HasFilenames, true);
  writer.boolOpt(tagMapping_HasLineNumbers, true);
  writer.endMessage(m);

  for (let id: u32 = 1; id <= locations.count; id++) {
    let key = locations.keyPtr(id);
    let lm = writer.startMessage(tagProfile_Location);
    writer.uint64(tagLocation_ID, id);
    writer.uint64(tagLocation_MappingID, mappingID);
    let line = writer.startMessage(tagLocation_Line);
    writer.uint64Opt(tagLine_FunctionID, load<u32>(key));
    writer.int64Opt(tagLine_Line, load<u32>(key, 4));
    writer.int64Opt(tagLine_Column, load<u32>(key, 8));
    writer.endMessage(line);
    writer.endMessage(lm);
  }

  for (let id: u32 = 1; id <= functions.count; id++) {
    let key = functions.keyPtr(id);
    let fm = writer.startMessage(tagProfile_Function);
    writer.uint64(tagFunction_ID, id);
    writer.int64Opt(tagFunction_Name, load<u32>(key));
    writer.int64Opt(tagFunction_SystemName, load<u32>(key, 4));
    writer.int64Opt(tagFunction_Filename, load<u32>(key, 8));
    writer.int64Opt(tagFunction_StartLine, load<u32>(key, 12));
    writer.endMessage(fm);
  }

  for (let id: u32 = 1; id <= strings.count; id++) {
    writer.bytes(tagProfile_StringTable, strings.keyPtr(id), strings.keyLen(id));
  }

  writer.int64Opt(tagProfile_TimeNanos, meta(metaPtr, metaTimeNanos));
  writer.int64Opt(tagProfile_DurationNanos, meta(metaPtr, metaDurationNanos));
  valueType(tagProfile_PeriodType, meta(metaPtr, metaPeriodType), meta(metaPtr, metaPeriodUnit));
  writer.int64Opt(tagProfile_Period, meta(metaPtr, metaPeriod));
  let comments = <usize>meta(metaPtr, metaCommentCount);
  writer.int64s(tagProfile_Comment, typesPtr + (sampleTypes << 4), comments);
  writer.int64Opt(tagProfile_DefaultSampleType, meta(metaPtr, metaDefaultSampleType));
  writer.int64Opt(tagProfile_DocUrl, meta(metaPtr, metaDocUrl));
  return <u32>output.len;
}

function writeLabels(set: u32): void {
  let p = labelSets.keyPtr(set);
  let end = p + labelSets.keyLen(set);
  while (p < end) {
    let m = writer.startMessage(tagSample_Label);
    writer.int64Opt(tagLabel_Key, load<u32>(p));
    writer.int64Opt(tagLabel_Str, load<u32>(p, 4));
    writer.int64Opt(tagLabel_Num, load<i64>(p, 8));
    writer.int64Opt(tagLabel_NumUnit, load<u32>(p, 16));
    writer.endMessage(m);
    p += labelBytes;
  }
}

/** outputPtr returns where the last built profile starts. */
export function outputPtr(): usize {
  return output.ptr;
}

// api.ts is the public export list shared by every runtime entry point.
export { Profile, newProfile, lookup, profiles, type ProfileOptions } from "./profile.ts";
export { startCPUProfile, stopCPUProfile, type CpuProfileOptions } from "./cpu.ts";
export { startHeapProfiling, stopHeapProfiling, writeHeapProfile, type HeapProfileOptions } from "./heap.ts";
export { LabelSet, labels, runWithLabels, withLabels, setLabels, label, forLabels } from "./labels.ts";
export type { ProfileWriter } from "./writer.ts";
export type { Frame } from "./stack.ts";
export { startGoroutineTracking, stopGoroutineTracking, type GoroutineTrackingOptions } from "./goroutine.ts";
export { startThreadCreateTracking, stopThreadCreateTracking } from "./threadcreate.ts";
export { startBlockProfiling, stopBlockProfiling, type BlockProfileOptions } from "./block.ts";
// mutex.ts exports nothing: importing it registers the (always empty) mutex profile.
import "./mutex.ts";
export { pprofHandler, type PprofHandler, type PprofHandlerOptions, type ServeOptions, type PprofServer } from "./http.ts";
export type { PprofListener } from "./runtime/listener.ts";

// api.ts is the public export list shared by every runtime entry point.
export { Profile, newProfile, lookup, profiles, type ProfileOptions, type Snapshot } from "../profiles/profile.ts";
export { startCPUProfile, stopCPUProfile, type CpuProfileOptions } from "../profiles/cpu.ts";
export { startHeapProfiling, stopHeapProfiling, writeHeapProfile, type HeapProfileOptions } from "../profiles/heap.ts";
export { LabelSet, labels, runWithLabels, withLabels, setLabels, label, forLabels } from "../profiles/labels.ts";
export type { ProfileWriter, WriteOptions } from "../host/writer.ts";
export type { Frame } from "../host/stack.ts";
export type { Label, ProfileSpec, StackSample } from "../pprof/encode.ts";
export { startGoroutineTracking, stopGoroutineTracking, type GoroutineTrackingOptions } from "../profiles/goroutine.ts";
export { startThreadCreateTracking, stopThreadCreateTracking } from "../profiles/threadcreate.ts";
export { startBlockProfiling, stopBlockProfiling, type BlockProfileOptions } from "../profiles/block.ts";
// mutex.ts exports nothing: importing it registers the (always empty) mutex profile.
import "../profiles/mutex.ts";
export { startContinuousProfiling, stopContinuousProfiling, continuousStats, type ContinuousProfilingOptions, type ContinuousStats, type ProfileExporter, type ProfilePeriod, type PeriodProfile, type ExporterStats } from "../profiles/continuous.ts";
export { pyroscopeExporter, type PyroscopeOptions } from "../export/pyroscope.ts";
export { otelCollectorExporter, type OtelCollectorOptions } from "../export/otel-collector.ts";
export { filesExporter, type FilesOptions } from "../export/files.ts";
export type { QueueOptions, QueueStats, QueueView } from "../export/queue.ts";
export type { SpanLabelsOption } from "../profiles/spans.ts";
export { pprofHandler, type PprofHandler, type PprofHandlerOptions, type ServeOptions, type PprofServer } from "../http/http.ts";
export type { PprofListener, IncomingLike, ServerResponseLike } from "./listener.ts";

// bun.ts is the Bun adapter: Bun's node:inspector Profiler domain is the CPU
// sampler (its profile's startTime is epoch µs; the timeline offset absorbs
// that), AsyncLocalStorage carries labels; Bun's async_hooks are a no-op, so
// no continuation tracking is installed.

import { AsyncLocalStorage } from "node:async_hooks";
import { Session } from "node:inspector";
import { setHost } from "../host.ts";
import { inlineWasmModule } from "../wasm/inline.ts";
import { inspectorCpuSampler } from "./inspector.ts";

declare const Bun: { version: string };

const nowMicros = (): number => performance.now() * 1000;

setHost({
  runtime: `bun ${Bun.version}`,
  wasmModule: inlineWasmModule,
  nowMicros,
  newAsyncStore: () => new AsyncLocalStorage(),
  newCpuSampler: () => inspectorCpuSampler(Session, nowMicros),
  unrefTimer: (t) => (t as { unref?: () => void }).unref?.(),
});

export * from "../api.ts";

// node.ts is the Node adapter: it injects Node's functions into the core
// (inspector CPU sampler, AsyncLocalStorage, async_hooks continuation
// tracking, hrtime) and re-exports the public API. Nothing else.

import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { Session } from "node:inspector";
import { gzipSync } from "node:zlib";
import { setHost, type ContinuationHooks } from "../host.ts";
import { inlineWasmModule } from "../wasm/inline.ts";
import { inspectorCpuSampler } from "./inspector.ts";

// hrtime is CLOCK_MONOTONIC, the clock V8 stamps samples with.
const nowMicros = (): number => Number(process.hrtime.bigint()) / 1000;

setHost({
  runtime: `node ${process.versions.node}`,
  wasmModule: inlineWasmModule,
  nowMicros,
  newAsyncStore: () => new AsyncLocalStorage(),
  trackContinuations: (hooks: ContinuationHooks) => createHook({ before: hooks.before, after: hooks.after }),
  newCpuSampler: () => inspectorCpuSampler(Session, nowMicros),
  gzipSync: (bytes) => gzipSync(bytes),
  unrefTimer: (t) => (t as { unref?: () => void }).unref?.(),
});

export * from "../api.ts";

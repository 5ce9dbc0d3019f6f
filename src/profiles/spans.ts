// spans.ts owns trace ↔ profile links: while on, every OpenTelemetry
// context.with() that makes a span active also runs with profiler labels
// span_id (16 hex digits) and span_name (when the span exposes its name, as
// the SDK's spans do), Pyroscope's span-profiles convention, so CPU samples
// taken inside the span carry them. It wraps the program's registered
// context manager; it does not create spans nor depend on
// @opentelemetry/api being installed (an optional peer, loaded on demand).

import { forLabels, labels, runWithLabels, setLabels, type LabelSet } from "./labels.ts";

/** ContextManagerLike is OpenTelemetry's ContextManager interface. */
interface ContextManagerLike {
  active(): unknown;
  with(context: unknown, fn: (...args: unknown[]) => unknown, thisArg?: unknown, ...args: unknown[]): unknown;
  bind(context: unknown, target: unknown): unknown;
  enable(): ContextManagerLike;
  disable(): ContextManagerLike;
}

interface SpanLike {
  spanContext(): { spanId: string };
  name?: unknown;
}

/** OtelApiLike is the part of @opentelemetry/api used here. */
export interface OtelApiLike {
  context: { disable(): void; setGlobalContextManager(m: ContextManagerLike): boolean };
  trace: { getSpan(context: unknown): SpanLike | undefined };
}

/** SpanLabelsOption is true (load @opentelemetry/api), the
 * @opentelemetry/api module itself (its context and trace objects are used),
 * or false. */
export type SpanLabelsOption = boolean | object;

const invalidSpanId = "0000000000000000";

// Label sets by span (id and name): a span is made active many times over
// its life (every callback bound to it), and building a LabelSet costs
// microseconds. Cleared when full, so it stays bounded.
const spanSetCap = 4096;

/** startSpanLabels wraps the registered context manager and returns the
 * function that puts it back. It throws when the API cannot be loaded or
 * no context manager is registered (labels need one to follow async work). */
export async function startSpanLabels(option: SpanLabelsOption): Promise<() => void> {
  let api: OtelApiLike;
  if (option === true) {
    // A variable specifier: bundlers leave an optional peer alone.
    const specifier = "@opentelemetry/api";
    try {
      api = (await import(specifier)) as OtelApiLike;
    } catch (err) {
      throw new Error(`pprof: spanLabels: cannot load @opentelemetry/api: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  } else {
    api = option as OtelApiLike;
  }
  const ctx = api.context as OtelApiLike["context"] & { _getContextManager?: () => ContextManagerLike };
  const inner = ctx._getContextManager?.();
  if (inner === undefined || typeof inner.with !== "function" || inner.constructor?.name === "NoopContextManager") {
    throw new Error("pprof: spanLabels: no OpenTelemetry context manager registered (register AsyncLocalStorageContextManager first)");
  }
  const setFor = new Map<string, LabelSet>();
  const wrapper: ContextManagerLike = {
    active: () => inner.active(),
    with(context, fn, thisArg, ...args) {
      const span = api.trace.getSpan(context);
      const spanId = span?.spanContext().spanId;
      if (spanId === undefined || spanId === invalidSpanId) return inner.with(context, fn, thisArg, ...args);
      let staleName = false;
      forLabels((k) => !(staleName = k === "span_name"));
      const name = typeof span!.name === "string" && span!.name !== "" ? span!.name : undefined;
      const key = name === undefined ? spanId : `${spanId}\u0000${name}`;
      let set = setFor.get(key);
      if (set === undefined) {
        if (setFor.size >= spanSetCap) setFor.clear();
        set = name === undefined ? labels("span_id", spanId) : labels("span_id", spanId, "span_name", name);
        setFor.set(key, set);
      }
      const spanSet = set;
      return runWithLabels(spanSet, () => {
        // A child span without a name must not keep its parent's.
        if (staleName && name === undefined) setLabels(withoutKey("span_name"));
        return inner.with(context, fn, thisArg, ...args);
      });
    },
    bind: (context, target) => inner.bind(context, target),
    enable() {
      inner.enable();
      return wrapper;
    },
    disable() {
      inner.disable();
      return wrapper;
    },
  };
  // The API keeps one global manager and replaces it only after disable(),
  // which also disables the manager: enable it again under the wrapper.
  ctx.disable();
  ctx.setGlobalContextManager(wrapper);
  inner.enable();
  return () => {
    ctx.disable();
    ctx.setGlobalContextManager(inner);
    inner.enable();
  };
}

function withoutKey(key: string): LabelSet {
  const kv: string[] = [];
  forLabels((k, v) => {
    if (k !== key) kv.push(k, v);
    return true;
  });
  return labels(...kv);
}

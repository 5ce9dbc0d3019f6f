// continuous-spans.test.ts tests trace ↔ profile links on Node: with
// @opentelemetry/api and its AsyncLocalStorage context manager registered,
// CPU samples taken inside a span (across awaits) carry its span_id, and
// samples outside carry none; turning it off puts the manager back.
import { afterEach, describe, expect, it } from "vitest";
import { context, trace, TraceFlags } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { startContinuousProfiling, stopContinuousProfiling, type ProfilePeriod } from "../src/runtime/node.ts";
import { resolve } from "./helpers/pprof.ts";
import { goPprof } from "./helpers/gotool.ts";

afterEach(async () => {
  await stopContinuousProfiling(500);
});

function inSpanWork(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = (x + Math.sqrt(x + 1)) % 1e6;
  return x;
}
function outsideWork(ms: number): number {
  const end = performance.now() + ms;
  let x = 1;
  while (performance.now() < end) x = (x * 1.000001 + Math.cbrt(x)) % 1e6;
  return x;
}
const pause = () => new Promise((r) => setTimeout(r, 1));

describe("span_id labels from OpenTelemetry's active span (Node)", () => {
  it("finds the span's CPU under its span_id, across awaits, and nothing else under it", async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    expect(context.setGlobalContextManager(manager)).toBe(true);
    try {
      const periods: ProfilePeriod[] = [];
      await startContinuousProfiling({ periodSeconds: 0.25, spanLabels: true, exporters: [{ name: "mem", export: (p) => void periods.push(p) }], exitFlushMillis: 0 });
      const spanId = "00f067aa0ba902b7";
      const span = trace.wrapSpanContext({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId, traceFlags: TraceFlags.SAMPLED });
      const inside = context.with(trace.setSpan(context.active(), span), async () => {
        for (let i = 0; i < 60; i++) {
          inSpanWork(6);
          await pause();
        }
      });
      const outside = (async () => {
        for (let i = 0; i < 60; i++) {
          outsideWork(6);
          await pause();
        }
      })();
      await Promise.all([inside, outside]);
      await stopContinuousProfiling(1000);
      let inSpanLabelled = 0;
      let inSpanTotal = 0;
      let outsideLabelled = 0;
      let outsideTotal = 0;
      for (const p of periods) {
        const cpu = p.profiles.find((x) => x.name === "cpu")!;
        const r = resolve(cpu.bytes);
        for (const s of r.samples) {
          const names = s.frames.map((f) => f.functionName);
          const n = s.values[0]!;
          if (names.includes("inSpanWork")) {
            inSpanTotal += n;
            if (s.labels.span_id === spanId) inSpanLabelled += n;
          }
          if (names.includes("outsideWork")) {
            outsideTotal += n;
            if (s.labels.span_id !== undefined) outsideLabelled += n;
          }
        }
      }
      // Go reads the label too.
      const withLabel = periods.map((p) => goPprof(p.profiles[0]!.bytes, "-raw")).join("\n");
      expect(withLabel).toContain(`span_id:[${spanId}]`);
      expect(inSpanTotal).toBeGreaterThan(5);
      expect(outsideTotal).toBeGreaterThan(5);
      // Nearly all of the span's samples carry its id (a sample may land
      // between a continuation's start and its label switch), none outside.
      expect(inSpanLabelled / inSpanTotal, `${inSpanLabelled}/${inSpanTotal} in-span samples labelled`).toBeGreaterThan(0.9);
      expect(outsideLabelled).toBe(0);
    } finally {
      context.disable();
    }
  });

  it("puts the context manager back when stopped, and refuses to start without one", async () => {
    context.disable();
    await expect(startContinuousProfiling({ periodSeconds: 1, spanLabels: true, exporters: [{ name: "x", export() {} }], exitFlushMillis: 0 })).rejects.toThrow(
      "pprof: spanLabels: no OpenTelemetry context manager registered",
    );
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      await startContinuousProfiling({ periodSeconds: 1, spanLabels: true, exporters: [{ name: "x", export() {} }], exitFlushMillis: 0 });
      const span = trace.wrapSpanContext({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "1111111111111111", traceFlags: 1 });
      // The wrapper keeps OpenTelemetry's own behaviour: the span is active inside.
      const seen = context.with(trace.setSpan(context.active(), span), () => trace.getSpan(context.active())?.spanContext().spanId);
      expect(seen).toBe("1111111111111111");
      await stopContinuousProfiling(500);
      // Back to the program's manager: a new with() goes straight to it.
      let calls = 0;
      const original = manager.with.bind(manager);
      manager.with = ((...args: Parameters<typeof manager.with>) => {
        calls++;
        return original(...args);
      }) as typeof manager.with;
      context.with(context.active(), () => 1);
      expect(calls).toBe(1);
    } finally {
      context.disable();
    }
  });
});

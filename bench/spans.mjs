// spans.mjs measures what span labels cost: OpenTelemetry's context.with()
// making a span active (the call an instrumentation library makes per
// span), with anyprof's span labels on and off, while continuous profiling
// runs, in alternating rounds. Usage: node bench/spans.mjs [rounds=7]
// Needs dist/ (node scripts/build.mjs).
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import * as anyprof from "../dist/runtime/node.js";
import { fixed, gc, loadAverage, machine, median, table } from "./harness.mjs";

const rounds = Number(process.argv[2] ?? 7);
const calls = 200_000;
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const spans = Array.from({ length: 64 }, (_, i) => trace.wrapSpanContext({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: (i + 1).toString(16).padStart(16, "0"), traceFlags: 1 }));
let sink = 0;
const body = () => (sink += 1);

function timeWith() {
  gc();
  const root = context.active();
  const start = performance.now();
  for (let i = 0; i < calls; i++) context.with(trace.setSpan(root, spans[i & 63]), body);
  return ((performance.now() - start) * 1e6) / calls; // ns per call
}

const noop = { name: "noop", export() {} };
const off = [];
const on = [];
for (let r = 0; r < rounds; r++) {
  for (const labelsOn of r % 2 ? [true, false] : [false, true]) {
    await anyprof.startContinuousProfiling({ periodSeconds: 60, spanLabels: labelsOn, exporters: [noop], exitFlushMillis: 0 });
    timeWith(); // warm
    (labelsOn ? on : off).push(timeWith());
    await anyprof.stopContinuousProfiling(0);
  }
}
const m = machine();
console.log(`# Span labels: cost of context.with(span) (${calls} calls per round, ${rounds} rounds)\n`);
console.log(`${m.cpuModel}, ${m.cores} cores, Node ${m.node}; load average ${loadAverage()}; ${m.date}\n`);
console.log(table(["span labels", "ns per context.with, median"], [["off", fixed(median(off), 0)], ["on", fixed(median(on), 0)]]));
console.log(`\nadded per span activation: ${fixed(median(on) - median(off), 0)} ns (×${fixed(median(on) / median(off), 2)})`);
void sink;

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

// fresh spans: every activation is a span never seen before (the worst case).
const fresh = Array.from({ length: calls }, (_, i) => trace.wrapSpanContext({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: (i + 1000).toString(16).padStart(16, "0"), traceFlags: 1 }));

// timeWith returns ns per context.with over 64 spans activated again and
// again (a span's callbacks), or over spans seen once.
function timeWith(seen) {
  gc();
  const root = context.active();
  const start = performance.now();
  if (seen) for (let i = 0; i < calls; i++) context.with(trace.setSpan(root, spans[i & 63]), body);
  else for (let i = 0; i < calls; i++) context.with(trace.setSpan(root, fresh[i]), body);
  return ((performance.now() - start) * 1e6) / calls;
}

const noop = { name: "noop", export() {} };
const off = [];
const onSeen = [];
const onFresh = [];
for (let r = 0; r < rounds; r++) {
  for (const labelsOn of r % 2 ? [true, false] : [false, true]) {
    await anyprof.startContinuousProfiling({ periodSeconds: 60, spanLabels: labelsOn, exporters: [noop], exitFlushMillis: 0 });
    timeWith(true); // warm
    if (labelsOn) {
      onSeen.push(timeWith(true));
      onFresh.push(timeWith(false));
    } else {
      off.push(timeWith(true));
    }
    await anyprof.stopContinuousProfiling(0);
  }
}
const m = machine();
console.log(`# Span labels: cost of context.with(span) (${calls} calls per round, ${rounds} rounds)\n`);
console.log(`${m.cpuModel}, ${m.cores} cores, Node ${m.node}; load average ${loadAverage()}; ${m.date}\n`);
console.log(
  table(
    ["span labels", "ns per context.with, median"],
    [["off", fixed(median(off), 0)], ["on, a span activated again", fixed(median(onSeen), 0)], ["on, a span's first activation", fixed(median(onFresh), 0)]],
  ),
);
console.log(`\nadded per activation: ${fixed(median(onSeen) - median(off), 0)} ns again, ${fixed(median(onFresh) - median(off), 0)} ns the first time`);
void sink;

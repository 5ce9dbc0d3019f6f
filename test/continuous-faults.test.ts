// continuous-faults.test.ts injects every backend fault the issue lists
// into a real receiver on 127.0.0.1 while an application keeps working on
// Node: the receiver down, answering 500, 429 with Retry-After, stalling
// (a 30 s stall, shortened by a 300 ms request timeout), and resetting the
// connection mid-body. Each time the application keeps its pace (event-loop
// delay and work done, against a no-fault phase of the same run), the queue
// stays under its cap, pushes resume after recovery, and every window is
// accounted for: delivered, or counted as dropped or failed.
import { afterEach, describe, expect, it } from "vitest";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { continuousStats, pyroscopeExporter, startContinuousProfiling, stopContinuousProfiling } from "../src/runtime/node.ts";
import { startReceiver, type Fault, type Receiver } from "./helpers/receivers.ts";
import { goPprof, parseRaw } from "./helpers/gotool.ts";

const receivers: Receiver[] = [];
afterEach(async () => {
  await stopContinuousProfiling(500);
  for (const r of receivers.splice(0)) await r.close().catch(() => {});
});

function work(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = (x + Math.sqrt(x + 1)) % 1e6;
  return x;
}
const tick = () => new Promise((r) => setImmediate(r));

interface Phase {
  // p99DelayMillis is the 99th percentile event-loop delay: the pace the
  // application kept. The maximum is one sample, which on a loaded machine
  // is whenever the OS ran another process.
  p99DelayMillis: number;
  workUnits: number;
  maxQueued: number;
  maxQueuedBytes: number;
}

// phase runs the application for ms: 4 ms work units, yielding between.
async function phase(ms: number, queued: () => { queued: number; queuedBytes: number }): Promise<Phase> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let workUnits = 0;
  let maxQueued = 0;
  let maxQueuedBytes = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    work(4);
    workUnits++;
    const q = queued();
    maxQueued = Math.max(maxQueued, q.queued);
    maxQueuedBytes = Math.max(maxQueuedBytes, q.queuedBytes);
    await tick();
  }
  h.disable();
  return { p99DelayMillis: h.percentile(99) / 1e6, workUnits, maxQueued, maxQueuedBytes };
}

const maxItems = 4;
const maxBytes = 4 << 20;

async function faultRun(fault: Fault, options: { down?: boolean; faultMillis?: number } = {}) {
  let rx = await startReceiver();
  const port = Number(new URL(rx.url).port);
  const url = rx.url;
  if (options.down) await rx.close();
  else receivers.push(rx);
  const exporter = pyroscopeExporter({ url, appName: "faults", maxItems, maxBytes, timeoutMillis: 300, backoffMillis: 50, maxBackoffMillis: 1500, maxAttempts: 3 });
  const queued = () => exporter.queue.stats();
  await startContinuousProfiling({ periodSeconds: 0.1, exporters: [exporter], exitFlushMillis: 0 });
  const baseline = await phase(800, queued);
  const okBefore = rx.received.length;
  if (!options.down) rx.fault = fault;
  const faulty = await phase(options.faultMillis ?? 1800, queued);
  const statsInFault = exporter.queue.stats();
  if (options.down) {
    rx = await startReceiver(port);
    receivers.push(rx);
  } else {
    rx.fault = { kind: "none" };
  }
  const recoveredAt = Date.now();
  const after = await phase(1800, queued);
  await stopContinuousProfiling(5000);
  const s = exporter.queue.stats();
  return { rx, baseline, faulty, after, okBefore, statsInFault, s, periods: continuousStats().periods, recoveredAt };
}

function checkSurvived(r: Awaited<ReturnType<typeof faultRun>>): void {
  // The application kept its pace while the backend misbehaved. (250 ms:
  // beside busy neighbours a p99 of ~100 ms is the scheduler's, measured;
  // a push that held the thread would cost its 300 ms timeout.)
  expect(r.faulty.p99DelayMillis, `p99 event-loop delay in the fault ${r.faulty.p99DelayMillis} ms vs ${r.baseline.p99DelayMillis} ms before`).toBeLessThan(Math.max(250, 4 * r.baseline.p99DelayMillis));
  const rateBefore = r.baseline.workUnits / 800;
  const rateFault = r.faulty.workUnits / 1800;
  expect(rateFault, "work rate in the fault vs before").toBeGreaterThan(0.5 * rateBefore);
  // Bounded memory: never more than the cap held.
  for (const p of [r.baseline, r.faulty, r.after]) {
    expect(p.maxQueued).toBeLessThanOrEqual(maxItems);
    expect(p.maxQueuedBytes).toBeLessThanOrEqual(maxBytes);
  }
  // Pushes resumed after recovery, the newest window included.
  const resumed = r.rx.received.filter((x) => x.atMillis >= r.recoveredAt);
  expect(resumed.length, "pushes after recovery").toBeGreaterThan(3);
  for (const x of resumed.slice(-2)) expect(parseRaw(goPprof(x.profile, "-raw")).sampleTypes.join(" ")).toContain("cpu/nanoseconds");
  // Every window is accounted for: delivered, or counted as lost.
  expect(r.s.queued).toBe(0);
  // Delivery is at least once: a request whose answer came after its
  // timeout (this receiver shares the test's thread) is sent again, so
  // windows are counted by content (time_nanos makes each one unique).
  const delivered = new Set(r.rx.received.map((x) => Buffer.from(x.proto).toString("base64"))).size;
  expect(delivered + r.s.dropped + r.s.failed, `delivered ${delivered} + dropped ${r.s.dropped} + failed ${r.s.failed} vs periods ${r.periods}`).toBe(r.periods);
  expect(r.s.dropped + r.s.failed, "the fault cost some windows, counted").toBeGreaterThan(0);
}

describe("continuous profiling survives a misbehaving backend (Node)", () => {
  it("receiver down (connection refused), then up on the same port", async () => {
    const r = await faultRun({ kind: "none" }, { down: true });
    checkSurvived(r);
    expect(r.statsInFault.lastError).toMatch(/fetch failed|ECONNREFUSED/);
  });

  it("HTTP 500", async () => {
    const r = await faultRun({ kind: "status", status: 500 });
    checkSurvived(r);
    expect(r.statsInFault.lastError).toMatch(/^HTTP 500/);
    expect(r.s.retries).toBeGreaterThan(0);
  });

  it("HTTP 429 with Retry-After: the next attempt waits as asked", async () => {
    const r = await faultRun({ kind: "status", status: 429, retryAfter: "1" }, { faultMillis: 2500 });
    checkSurvived(r);
    expect(r.statsInFault.lastError).toMatch(/^HTTP 429/);
    // Attempts while 429 was answered, after the first: each ≥ 1 s apart.
    const faultAttempts = r.rx.attemptsAt.filter((t) => t < r.recoveredAt).slice(r.okBefore);
    expect(faultAttempts.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < faultAttempts.length; i++) expect(faultAttempts[i]! - faultAttempts[i - 1]!).toBeGreaterThanOrEqual(950);
  });

  it("a stalled backend (never answers) is cut by the request timeout", async () => {
    const r = await faultRun({ kind: "stall" });
    checkSurvived(r);
    expect(r.statsInFault.lastError).toContain("timeout after 300 ms");
  });

  it("a connection reset mid-body", async () => {
    const r = await faultRun({ kind: "reset" });
    checkSurvived(r);
    expect(r.statsInFault.lastError).toBeDefined();
  });
});

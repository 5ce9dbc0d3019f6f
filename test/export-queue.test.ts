// export-queue.test.ts tests the exporters' shared queue against a real
// receiver on 127.0.0.1: drop-oldest at the cap (never the request on the
// wire), the byte cap, no retry of a refused request, close, and
// Retry-After parsing.
import { afterEach, describe, expect, it } from "vitest";
import { PushQueue, retryAfterMillis } from "../src/export/queue.ts";
import "../src/runtime/node.ts";
import { gzipSync } from "node:zlib";
import { startReceiver, type Receiver } from "./helpers/receivers.ts";

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});
// body n is a gzip stream whose content carries n, to tell requests apart.
const body = (n: number): Uint8Array => gzipSync(new Uint8Array([0x48, n]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("PushQueue", () => {
  it("drops the oldest waiting request when full, never the one on the wire, and counts it", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    rx.fault = { kind: "stall" };
    const q = new PushQueue({ maxItems: 2, timeoutMillis: 400, backoffMillis: 10, maxAttempts: 10 });
    const url = `${rx.url}/v1/pprof`;
    q.push({ url, headers: {}, body: body(1) });
    // #1 reaches the receiver and stalls there.
    while (rx.attempts < 1) await sleep(10);
    for (let n = 2; n <= 5; n++) q.push({ url, headers: {}, body: body(n) });
    expect(q.stats().queued).toBe(2);
    expect(q.stats().dropped).toBe(3);
    rx.fault = { kind: "none" };
    await q.flush(5000);
    // Delivery is at least once: a request that timed out on a loaded
    // machine may have been taken too, so #1 may come twice; 2-4 never.
    expect([...new Set(rx.received.map((r) => r.proto[1]))]).toEqual([1, 5]);
    const s = q.stats();
    expect(s.sent).toBe(2);
    expect(s.retries).toBeGreaterThanOrEqual(1);
    expect(s.lastError).toContain("timeout after 400 ms");
  });

  it("drops a request bigger than maxBytes, and keeps the bytes held under it", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    rx.fault = { kind: "stall" };
    const q = new PushQueue({ maxBytes: 50, timeoutMillis: 300 });
    q.push({ url: rx.url + "/v1/pprof", headers: {}, body: new Uint8Array(51) });
    expect(q.stats()).toMatchObject({ queued: 0, dropped: 1 });
    for (let n = 0; n < 4; n++) q.push({ url: rx.url + "/v1/pprof", headers: {}, body: body(n) });
    expect(q.stats().queuedBytes).toBeLessThanOrEqual(50);
    q.close();
    expect(q.stats()).toMatchObject({ queued: 0, queuedBytes: 0 });
  });

  it("does not retry a request the backend refuses (400), and counts it failed", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    rx.fault = { kind: "status", status: 400 };
    const q = new PushQueue({ backoffMillis: 10 });
    q.push({ url: rx.url + "/v1/pprof", headers: {}, body: body(1) });
    await q.flush(3000);
    expect(q.stats()).toMatchObject({ failed: 1, retries: 0, sent: 0, queued: 0 });
    expect(rx.attempts).toBe(1);
    expect(q.stats().lastError).toBe("HTTP 400: fault 400");
  });

  it("gives up after maxAttempts on a 503", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    rx.fault = { kind: "status", status: 503 };
    const q = new PushQueue({ backoffMillis: 5, maxAttempts: 3 });
    q.push({ url: rx.url + "/v1/pprof", headers: {}, body: body(1) });
    await q.flush(5000);
    expect(rx.attempts).toBe(3);
    expect(q.stats()).toMatchObject({ failed: 1, retries: 2 });
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-12-06T12:00:00Z");
    expect(retryAfterMillis("3", now)).toBe(3000);
    expect(retryAfterMillis("Sun, 06 Dec 2026 12:00:02 GMT", now)).toBe(2000);
    expect(retryAfterMillis("Sun, 06 Dec 2026 11:00:00 GMT", now)).toBe(0);
    expect(retryAfterMillis("soon", now)).toBeUndefined();
    expect(retryAfterMillis(null, now)).toBeUndefined();
  });
});

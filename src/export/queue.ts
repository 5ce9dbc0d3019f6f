// queue.ts owns delivery for every HTTP exporter: a bounded queue of
// requests sent one at a time off the application's hot path, with a
// timeout per request, retries with capped exponential backoff and full
// jitter, and Retry-After. When full it drops the oldest request and counts
// it. It never throws into the caller, never keeps the process alive with a
// timer of its own, and holds at most maxItems requests / maxBytes bytes.
// It does not know what it sends (pyroscope.ts, otel-collector.ts build
// the requests).

import { host } from "../host/host.ts";
import type { ExporterStats } from "../profiles/continuous.ts";

/** PushRequest is one HTTP request an exporter wants delivered. */
export interface PushRequest {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** QueueOptions bounds and paces delivery; every field has a default. */
export interface QueueOptions {
  /** maxItems caps the requests held, the one in flight included (default 16). */
  maxItems?: number;
  /** maxBytes caps the bytes of the bodies held (default 16 MiB). */
  maxBytes?: number;
  /** timeoutMillis bounds each request, from send to the whole response
   * (default 10 000). */
  timeoutMillis?: number;
  /** maxAttempts is how often one request is tried before it is dropped
   * (default 5). */
  maxAttempts?: number;
  /** backoffMillis is the first retry's backoff ceiling, doubled per
   * attempt (default 1 000). */
  backoffMillis?: number;
  /** maxBackoffMillis caps the backoff, and a Retry-After (default 60 000). */
  maxBackoffMillis?: number;
  /** fetch replaces host.fetch (a proxy agent, a test). */
  fetch?: typeof fetch;
}

/** QueueStats counts what a queue did since it was made: the counters an
 * exporter reports (queued includes the request in flight; failed counts
 * refusals, 4xx other than 408/429, and requests out of attempts). */
export type QueueStats = ExporterStats;

interface Item {
  request: PushRequest;
  attempts: number;
}

// retryable statuses: the backend may take the same request later.
const retryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** retryAfterMillis reads a Retry-After header (delay-seconds or an
 * HTTP-date) as milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMillis(value: string | null, nowMillis: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMillis);
}

/** checkPushURL returns raw when it is an http: or https: URL, else throws
 * naming it and who it is for. */
export function checkPushURL(raw: unknown, who: string): string {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    throw new Error(`pprof: ${who} url ${JSON.stringify(raw)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`pprof: ${who} url ${JSON.stringify(raw)} must be http: or https:`);
  return String(raw);
}

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min) throw new Error(`pprof: ${name} must be a number ≥ ${min}, got ${value}`);
  return value;
}

/** QueueView is the part of an exporter's queue its users may read. */
export interface QueueView {
  /** stats returns the queue's counters. */
  stats(): QueueStats;
}

/** PushQueue delivers requests in order, one at a time. */
export class PushQueue {
  readonly #items: Item[] = [];
  #bytes = 0;
  readonly #maxItems: number;
  readonly #maxBytes: number;
  readonly #timeoutMillis: number;
  readonly #maxAttempts: number;
  readonly #backoffMillis: number;
  readonly #maxBackoffMillis: number;
  readonly #fetch: typeof fetch | undefined;
  #stats: QueueStats = { queued: 0, queuedBytes: 0, sent: 0, sentBytes: 0, dropped: 0, failed: 0, retries: 0 };
  // #running is the send loop while it runs; #wake cuts a backoff short.
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #closed = false;
  // #inFlight is the item being sent: never dropped for room, since its
  // bytes are already on the wire.
  #inFlight: Item | undefined;
  #abort: AbortController | undefined;

  /** The constructor checks the options: a bad value throws, naming it. */
  constructor(options: QueueOptions = {}) {
    this.#maxItems = Math.floor(positive("maxItems", options.maxItems, 16));
    this.#maxBytes = positive("maxBytes", options.maxBytes, 16 << 20);
    this.#timeoutMillis = positive("timeoutMillis", options.timeoutMillis, 10_000);
    this.#maxAttempts = Math.floor(positive("maxAttempts", options.maxAttempts, 5));
    this.#backoffMillis = positive("backoffMillis", options.backoffMillis, 1000, 0);
    this.#maxBackoffMillis = positive("maxBackoffMillis", options.maxBackoffMillis, 60_000, 0);
    this.#fetch = options.fetch;
  }

  /** push queues request and returns at once; when the queue is full the
   * oldest requests not in flight are dropped (and counted) to make room.
   * A request larger than maxBytes alone is dropped. It never throws. */
  push(request: PushRequest): void {
    if (this.#closed) {
      this.#stats.dropped++;
      return;
    }
    const size = request.body.byteLength;
    if (size > this.#maxBytes) {
      this.#stats.dropped++;
      this.#stats.lastError = `request of ${size} bytes exceeds maxBytes ${this.#maxBytes}`;
      return;
    }
    while (this.#items.length >= this.#maxItems || this.#bytes + size > this.#maxBytes) {
      const victim = this.#items.findIndex((it) => it !== this.#inFlight);
      if (victim < 0) break;
      this.#bytes -= this.#items[victim]!.request.body.byteLength;
      this.#items.splice(victim, 1);
      this.#stats.dropped++;
    }
    this.#items.push({ request, attempts: 0 });
    this.#bytes += size;
    this.#kick();
  }

  /** stats returns a copy of the counters. */
  stats(): QueueStats {
    return { ...this.#stats, queued: this.#items.length, queuedBytes: this.#bytes };
  }

  /** flush resolves when the queue is empty or after timeoutMillis,
   * whichever is first, retrying at once rather than after a backoff; it
   * keeps the program alive meanwhile. */
  async flush(timeoutMillis: number): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    while (this.#items.length > 0 && Date.now() < deadline) {
      this.#wake?.();
      this.#kick();
      const left = deadline - Date.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      // This timer is not unref'd: whoever flushes waits for the pushes
      // (bounded by timeoutMillis), and a socket of ours may be unref'd
      // (Node's host.fetch), so without it the program could end first.
      await Promise.race([this.#running ?? Promise.resolve(), new Promise<void>((r) => (timer = setTimeout(r, Math.min(left, 50))))]);
      clearTimeout(timer);
    }
  }

  /** close aborts the request in flight and drops what is held (counted
   * as dropped); later pushes are dropped too. */
  close(): void {
    this.#closed = true;
    this.#stats.dropped += this.#items.length;
    this.#items.length = 0;
    this.#bytes = 0;
    this.#abort?.abort();
    this.#wake?.();
  }

  #kick(): void {
    if (this.#running !== undefined || this.#closed) return;
    this.#running = this.#loop()
      .catch((err: unknown) => void (this.#stats.lastError = `queue: ${String(err)}`))
      .finally(() => {
        this.#running = undefined;
        if (this.#items.length > 0 && !this.#closed) this.#kick();
      });
  }

  async #loop(): Promise<void> {
    while (this.#items.length > 0 && !this.#closed) {
      const item = this.#items[0]!;
      this.#inFlight = item;
      let waitMillis: number | undefined;
      try {
        waitMillis = await this.#attempt(item);
      } finally {
        this.#inFlight = undefined;
      }
      if (waitMillis === undefined) {
        // Done with it, sent or given up: it may have been dropped by
        // close meanwhile, so find it rather than shift.
        const at = this.#items.indexOf(item);
        if (at >= 0) {
          this.#items.splice(at, 1);
          this.#bytes -= item.request.body.byteLength;
        }
      } else {
        await this.#sleep(waitMillis);
      }
    }
  }

  // #attempt sends item once; it returns undefined when the item is done
  // with (sent, refused or out of attempts), else the wait before the next
  // attempt.
  async #attempt(item: Item): Promise<number | undefined> {
    item.attempts++;
    if (item.attempts > 1) this.#stats.retries++;
    const abort = new AbortController();
    this.#abort = abort;
    const timer = setTimeout(() => abort.abort(new Error(`timeout after ${this.#timeoutMillis} ms`)), this.#timeoutMillis);
    host.unrefTimer(timer);
    let status = 0;
    let retryAfter: string | null = null;
    let error: string | undefined;
    try {
      const doFetch = this.#fetch ?? host.fetch;
      const response = await doFetch(item.request.url, {
        method: "POST",
        headers: item.request.headers,
        body: item.request.body as Uint8Array<ArrayBuffer>,
        signal: abort.signal,
      });
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      // Reading the body to its end frees the connection; the timeout
      // still covers a backend that stalls here.
      const text = await response.text();
      if (!response.ok) error = `HTTP ${status}: ${text.slice(0, 200)}`;
    } catch (err) {
      error = abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason.message : err instanceof Error ? err.message : String(err);
      if (err instanceof Error && err.cause instanceof Error) error += ` (${err.cause.message})`;
    } finally {
      clearTimeout(timer);
      this.#abort = undefined;
    }
    if (error === undefined) {
      this.#stats.sent++;
      this.#stats.sentBytes += item.request.body.byteLength;
      return undefined;
    }
    this.#stats.lastError = error;
    if (this.#closed) return undefined;
    if ((status !== 0 && !retryableStatus(status)) || item.attempts >= this.#maxAttempts) {
      this.#stats.failed++;
      return undefined;
    }
    const asked = retryAfterMillis(retryAfter, Date.now());
    if (asked !== undefined) return Math.min(asked, this.#maxBackoffMillis);
    // Full jitter: a fleet restarted together does not retry together.
    const ceiling = Math.min(this.#maxBackoffMillis, this.#backoffMillis * 2 ** (item.attempts - 1));
    return Math.random() * ceiling;
  }

  #sleep(millis: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, millis);
      host.unrefTimer(timer);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }
}

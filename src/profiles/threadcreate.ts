// threadcreate.ts owns the predefined "threadcreate" profile: worker threads
// created, each under the stack that created it, counted from
// startThreadCreateTracking() on (Go's profile counts from program start;
// JavaScript has no record of workers created before someone looked). It
// wraps no constructor until tracking starts.

import { encodeProfile } from "../pprof/encode.ts";
import { gzip } from "../host/gzip.ts";
import { host, type ContinuationTracker } from "../host/host.ts";
import { registerBuiltin, type Snapshot } from "./profile.ts";
import { captureStack, defaultMaxDepth, type Frame } from "../host/stack.ts";
import { formatCountProfile, type CountStack } from "../pprof/text.ts";

let tracker: ContinuationTracker | undefined;
let tracking = false;
let everTracked = false;
// Created workers, aggregated by stack: the profile is cumulative, as Go's.
const created = new Map<string, { frames: readonly Frame[]; count: number }>();
let total = 0;
const textEncoder = new TextEncoder();

const unknownCreator: Frame = { functionName: "(unknown)", url: "", line: 0, column: 0, startLine: 0 };

function onCreate(above: Function): void {
  let frames: readonly Frame[] = captureStack(above, 0, defaultMaxDepth + 2);
  // JSC shows the Proxy's construct machinery as native frames first.
  let first = 0;
  while (first < frames.length && frames[first]!.url === "[native code]") first++;
  frames = frames.slice(first, first + defaultMaxDepth);
  // A runtime that gives no stack still created a thread: count it.
  if (frames.length === 0) frames = [unknownCreator];
  const key = frames.map((f) => `${f.functionName}\n${f.url}\n${f.line}\n${f.column}`).join("\n");
  const seen = created.get(key);
  if (seen !== undefined) seen.count++;
  else created.set(key, { frames, count: 1 });
  total++;
}

/** startThreadCreateTracking makes the threadcreate profile count every
 * worker created from now on, with its creation stack, by wrapping the
 * runtime's Worker constructor in a Proxy (instanceof still holds). It
 * costs nothing but a stack capture per worker. It throws where no worker
 * can be created (workerd); calling it again while on does nothing. */
export function startThreadCreateTracking(): void {
  if (host.trackWorkers === undefined) throw new Error(`pprof: ${host.runtime} cannot create worker threads: nothing to track`);
  if (tracking) return;
  tracker ??= host.trackWorkers(onCreate);
  tracker.enable();
  tracking = true;
  everTracked = true;
}

/** stopThreadCreateTracking restores the Worker constructor; the workers
 * counted so far stay in the profile. */
export function stopThreadCreateTracking(): void {
  if (!tracking) return;
  tracker!.disable();
  tracking = false;
}

function comments(): string[] {
  if (host.trackWorkers === undefined) return [`threadcreate: ${host.runtime} cannot create worker threads, so this profile is empty`];
  const out = [
    everTracked
      ? "threadcreate: worker threads created while startThreadCreateTracking() was on, by creation stack"
      : "threadcreate: tracking is off, so this profile is empty; startThreadCreateTracking() counts the workers created from then on, with their creation stacks",
  ];
  if (host.workerCoverage !== undefined) out.push(`threadcreate: ${host.workerCoverage}`);
  return out;
}

// pprofSnapshot is the profile before encoding (also what HTTP ?seconds=
// deltas subtract).
function pprofSnapshot(): Snapshot {
  return {
    spec: { sampleTypes: [["threadcreate", "count"]], periodType: ["threadcreate", "count"], period: 1, timeNanos: host.nowNanos(), comments: comments() },
    samples: [...created.values()].map((e) => ({ frames: e.frames, values: [e.count] })),
  };
}

function write(debug: number): Uint8Array {
  const entries = [...created.values()];
  const { spec, samples } = pprofSnapshot();
  const { proto, locationIds } = encodeProfile(spec, samples);
  if (debug <= 0) return gzip(proto);
  const stacks: CountStack[] = entries.map((e, i) => ({ count: e.count, ids: locationIds[i]!, frames: e.frames }));
  return textEncoder.encode(formatCountProfile("threadcreate", total, stacks));
}

registerBuiltin("threadcreate", { count: () => total, write, snapshot: pprofSnapshot });

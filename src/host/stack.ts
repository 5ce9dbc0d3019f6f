// stack.ts owns capturing the caller's stack as frames, like Go's
// runtime.Callers: structured CallSites through Error.captureStackTrace where
// the runtime has them (V8, and JSC's emulation in Bun), else a parse of
// Error().stack. It does not intern or encode.

/** Frame is one stack frame; lines and columns are 1-based, 0 if unknown. */
export interface Frame {
  /** functionName is the function's name, or a made-up one such as "(anonymous) x.js:3". */
  readonly functionName: string;
  /** url is the script's URL or path, "" if unknown. */
  readonly url: string;
  /** line is the frame's current line. */
  readonly line: number;
  /** column is the frame's current column. */
  readonly column: number;
  /** startLine is the line where the function starts, 0 if unknown. */
  readonly startLine: number;
  /** engine marks a position from the engine's profilers (an inspector
   * call tree), which no runtime has source-mapped, unlike the CallSites of
   * a runtime that maps them for the TypeScript it runs (Deno). */
  readonly engine?: boolean;
}

/** defaultMaxDepth is Go's stack depth for Profile.Add. */
export const defaultMaxDepth: number = 32;

interface CallSiteLike {
  getFunctionName(): string | null;
  getMethodName?(): string | null;
  getTypeName?(): string | null;
  getFileName(): string | null | undefined;
  getScriptNameOrSourceURL?(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  getEnclosingLineNumber?(): number | null;
  isNative?(): boolean;
}

type ErrorCtor = ErrorConstructor & {
  captureStackTrace?(target: object, ctor?: Function): void;
  prepareStackTrace?: (err: Error, sites: CallSiteLike[]) => unknown;
  stackTraceLimit?: number;
};

const ErrorWithCapture = Error as ErrorCtor;

function frameFromCallSite(site: CallSiteLike): Frame {
  const url = site.getFileName() ?? site.getScriptNameOrSourceURL?.() ?? "";
  return {
    functionName: site.getFunctionName() || "(anonymous)",
    url: url ?? "",
    line: site.getLineNumber() ?? 0,
    column: site.getColumnNumber() ?? 0,
    startLine: site.getEnclosingLineNumber?.() ?? 0,
  };
}

// V8: "    at fn (file:line:col)", "    at file:line:col", "    at async fn (…)".
const v8Line = /^\s*at (?:async )?(?:(.*?) \((.*?)(?::(\d+))?(?::(\d+))?\)|(.*?)(?::(\d+))?(?::(\d+))?)$/;
// JSC and SpiderMonkey: "fn@file:line:col", "@file:line:col".
const jscLine = /^(.*?)@(.*?)(?::(\d+))?(?::(\d+))?$/;

/** parseStack turns an Error().stack string into frames (the fallback where
 * CallSites are missing). Lines it cannot read are skipped. */
export function parseStack(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const text of stack.split("\n")) {
    let m = v8Line.exec(text);
    if (m !== null) {
      const named = m[2] !== undefined;
      frames.push({
        functionName: (named ? m[1] : "") || "(anonymous)",
        url: (named ? m[2] : m[5]) ?? "",
        line: Number((named ? m[3] : m[6]) ?? 0),
        column: Number((named ? m[4] : m[7]) ?? 0),
        startLine: 0,
      });
      continue;
    }
    m = jscLine.exec(text);
    if (m !== null) {
      frames.push({
        functionName: m[1] || "(anonymous)",
        url: m[2] ?? "",
        line: Number(m[3] ?? 0),
        column: Number(m[4] ?? 0),
        startLine: 0,
      });
    }
  }
  return frames;
}

/** captureStack returns up to maxDepth frames of the stack above the call to
 * `above` (a function on the current stack), skipping the first skip frames.
 * It never throws: a runtime without stacks yields []. */
export function captureStack(above: Function, skip: number, maxDepth: number): Frame[] {
  const holder: { stack?: unknown } = {};
  const savedPrepare = ErrorWithCapture.prepareStackTrace;
  const savedLimit = ErrorWithCapture.stackTraceLimit;
  try {
    ErrorWithCapture.stackTraceLimit = skip + maxDepth;
    if (typeof ErrorWithCapture.captureStackTrace === "function") {
      ErrorWithCapture.prepareStackTrace = (_err, sites) => sites;
      ErrorWithCapture.captureStackTrace(holder, above);
      const raw = holder.stack;
      if (Array.isArray(raw)) {
        return (raw as CallSiteLike[]).slice(skip, skip + maxDepth).map(frameFromCallSite);
      }
      // CallSites were not honored: fall back to the text the runtime gave.
      ErrorWithCapture.prepareStackTrace = savedPrepare;
      ErrorWithCapture.captureStackTrace(holder, above);
      if (typeof holder.stack === "string") {
        return parseStack(holder.stack).slice(skip, skip + maxDepth);
      }
      return [];
    }
    // No captureStackTrace: drop the frames of captureStack and its caller.
    const text = new Error().stack ?? "";
    return parseStack(text).slice(2 + skip, 2 + skip + maxDepth);
  } catch {
    return [];
  } finally {
    ErrorWithCapture.prepareStackTrace = savedPrepare;
    ErrorWithCapture.stackTraceLimit = savedLimit;
  }
}

// names.ts owns how a call frame without a usable function name is named in
// every profile, so that the CPU and heap converters of every runtime agree.
// It does not shorten or demangle names that the runtime gave.

/** baseName returns the last path segment of a script URL. */
export function baseName(url: string): string {
  const i = url.lastIndexOf("/");
  return i >= 0 ? url.slice(i + 1) : url;
}

/** frameName returns the name a frame is shown under, from the runtime's
 * function name, script URL and 1-based line and column (0: unknown). A
 * module's or script's top level — V8's nameless frame at 1:1, JSC's
 * "(module)" — is "(module) <file>" on every runtime; any other nameless
 * function is "(anonymous) <file>:<line>". */
export function frameName(functionName: string, url: string, line: number, column: number): string {
  const topLevel = functionName === "(module)" || (functionName === "" && line === 1 && column === 1);
  if (topLevel) return url !== "" ? `(module) ${baseName(url)}` : "(module)";
  if (functionName !== "") return functionName;
  return url !== "" ? `(anonymous) ${baseName(url)}:${line}` : "(anonymous)";
}

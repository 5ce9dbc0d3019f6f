// handle-json.ts reads the .cpuprofile text that Node's v8.startCpuProfile()
// handle returns from stop(). Node writes a call frame's functionName and
// url into that text without escaping them (measured on 24.21 and 26.10):
// a RegExp that V8 compiled to native code during the profile is a frame
// named "RegExp: <its source>", and a source with a quote or a backslash
// (marked's block rules, any /\d+/) makes the whole text invalid JSON; a
// Windows path in a url would do the same. Text without a backslash that
// parses is used as it is.

import type { CpuProfileShape } from "../host/host.ts";

// rawCallFrame matches one call frame as Node writes it, keys in Node's
// order; its two strings are taken raw, each up to the first text that can
// follow it: the frame's next keys after the name, and after the url the
// end of the frame followed by the node's next key ("children",
// "positionTicks") or the node's end. A name or url containing that exact
// text would end early: the parse after the repair then fails and says so.
const rawCallFrame = /"callFrame":\{"functionName":"([\s\S]*?)","lineNumber":(-?\d+),"columnNumber":(-?\d+),"scriptId":(\d+),"url":"([\s\S]*?)"\}(?=,"[A-Za-z]+":|\}[,\]])/g;

// lineBreaksEscaped writes a name's line breaks as RegExp's source does
// (\n, \r), the name Node 20 and 22 give the same RegExp through the
// inspector: a pprof function name stays on one line.
const lineBreaksEscaped = (name: string): string => name.replace(/\n/g, "\\n").replace(/\r/g, "\\r");

/** parseHandleProfile parses the text of a v8.startCpuProfile() handle's
 * stop(). Text with a backslash or that is not JSON gets each call frame's
 * functionName and url escaped first; a SyntaxError from the parse after
 * that is thrown (the sampler then reports the profile failed). */
export function parseHandleProfile(text: string): CpuProfileShape {
  // Node escapes nothing, so a backslash is always a name's or a url's own:
  // text with one may parse and still be wrong (/\tx\b/ read as a tab and
  // a backspace). Without one, valid text is read as it is.
  if (!text.includes("\\")) {
    try {
      return JSON.parse(text) as CpuProfileShape;
    } catch {
      // A quote or a line break: the repair below.
    }
  }
  const escaped = text.replace(
    rawCallFrame,
    (_all, name: string, line: string, column: string, scriptId: string, url: string) =>
      `"callFrame":{"functionName":${JSON.stringify(lineBreaksEscaped(name))},"lineNumber":${line},"columnNumber":${column},"scriptId":${scriptId},"url":${JSON.stringify(url)}}`,
  );
  return JSON.parse(escaped) as CpuProfileShape;
}

// regexp-names.mjs profiles code whose regular expressions are hot enough
// for V8 to compile them to native code during the profile: V8 names such
// a frame "RegExp: <source>", and these sources hold a quote, backslashes
// and a newline (what Node's v8.startCpuProfile() writes unescaped). It
// prints one JSON line: the sources and the profile in base64, for
// test/handle-json.test.ts.
import { startCPUProfile, stopCPUProfile } from "anyprof";

const quoted = /"(\d+)"\s*\\/;
const multiline = new RegExp('^a\nb[^"\\\\]*$');
const lines = ['"12" \\', "a\nbcd", '"x" /', "a\nb\"c"];

await startCPUProfile(undefined, { hz: 1000 });
const end = performance.now() + 400;
let matched = 0;
while (performance.now() < end) for (const l of lines) matched += (quoted.test(l) ? 1 : 0) + (multiline.test(l) ? 1 : 0);
const bytes = await stopCPUProfile();
console.log(JSON.stringify({ sources: [quoted.source, multiline.source], matched, profile: Buffer.from(bytes).toString("base64") }));

// regexp-names.mjs profiles code whose regular expressions are hot enough
// for V8 to compile them to native code during the profile: V8 names such
// a frame "RegExp: <source>", and these sources hold a quote, backslashes,
// a newline and \t\b (what Node's v8.startCpuProfile() writes unescaped). It
// prints one JSON line: the sources and the profile in base64, for
// test/handle-json.test.ts.
import { startCPUProfile, stopCPUProfile } from "anyprof";

const quoted = /"(\d+)"\s*\\/;
const multiline = new RegExp('^a\nb[^"\\\\]*$');
// Its raw text is valid JSON, read wrong: a tab and a backspace.
const tabbed = /\tword\b/;
const lines = ['"12" \\', "a\nbcd", '"x" /', "a\nb\"c", "a\tword b"];

await startCPUProfile(undefined, { hz: 1000 });
// 400 ms of the process's CPU time (at most 10 s of wall time): a busy
// machine still yields a few hundred samples, a dozen or more per RegExp.
const cpuMillis = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const until = cpuMillis() + 400;
const deadline = performance.now() + 10_000;
let matched = 0;
while (cpuMillis() < until && performance.now() < deadline) {
  for (let i = 0; i < 1000; i++) for (const l of lines) matched += (quoted.test(l) ? 1 : 0) + (multiline.test(l) ? 1 : 0) + (tabbed.test(l) ? 1 : 0);
}
const bytes = await stopCPUProfile();
console.log(JSON.stringify({ sources: [quoted.source, multiline.source, tabbed.source], matched, profile: Buffer.from(bytes).toString("base64") }));

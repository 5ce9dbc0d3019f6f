// e2e.ts checks label attribution end to end through anyprof itself (the
// built dist/, Bun adapter): startCPUProfile at 1 kHz, a hot phase of
// hotSeconds (default 8, so that the sampler's timestamp drift can build up
// within one 10 s chunk), with 30 × (spinSync 2 ms under
// runWithLabels(fn=spinSync), spinOther 1–3 ms unlabelled) before it (the
// "early" pair of functions, labelled fn=spinSyncEarly) and after it
// ("late"), stopCPUProfile, and decodes the pprof: per block, the share of
// spinSync samples labelled and of spinOther samples wrongly labelled.
//
//   node_modules/.bin/bun bench/bun-sampler/e2e.ts <asis|fixed> [hotSeconds=8] [distDir=dist] [--dump f.json]
//
// asis:  the adapter as built (inspectorCpuSampler on node:inspector).
// fixed: the same sampler wrapped by spreadTruncatedDeltas
//        (src/runtime/bun-deltas.ts), as src/runtime/bun.ts ships it.

import { gunzipSync } from "node:zlib";
import { resolve } from "node:path";
import { Profile } from "pprof-format";
import { Session } from "node:inspector";
import { hotPhase, spinOther, spinSync } from "./workload.ts";

const [mode = "asis", hotArg = "8", distArg = "dist"] = process.argv.slice(2);
const dist = resolve(import.meta.dir, "../..", distArg);
const api = await import(`${dist}/runtime/bun.js`);
const { setHost } = await import(`${dist}/host.js`);
const { inspectorCpuSampler } = await import(`${dist}/runtime/inspector.js`);
const { spreadTruncatedDeltas } = await import(`${dist}/runtime/bun-deltas.js`);

// capture keeps what the sampler returned, for --dump.
const captured: { before: number[]; profiles: unknown[] } = { before: [], profiles: [] };
function capture(sampler: any) {
  return {
    start: (i: number) => {
      const r = sampler.start(i);
      return r instanceof Promise ? r.then((b: number) => (captured.before.push(b), b)) : (captured.before.push(r), r);
    },
    stop: () => {
      const r = sampler.stop();
      return r instanceof Promise ? r.then((p: unknown) => (captured.profiles.push(p), p)) : (captured.profiles.push(r), r);
    },
    close: () => sampler.close(),
  };
}
const nowMicros = () => performance.now() * 1000;
setHost({
  newCpuSampler: () =>
    mode === "fixed" ? capture(spreadTruncatedDeltas(inspectorCpuSampler(Session, nowMicros))) : capture(inspectorCpuSampler(Session, nowMicros)),
});
const windows: [string, number, number][] = [];
function spinSyncEarly(ms: number) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x++;
  return x;
}
function spinOtherEarly(ms: number) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x++;
  return x;
}

await api.startCPUProfile(undefined, { hz: 1000 });
let sink = 0;
const earlySet = api.labels("fn", "spinSyncEarly");
for (let i = 0; i < 30; i++) {
  const a = performance.now();
  sink += api.runWithLabels(earlySet, () => spinSyncEarly(2));
  const b = performance.now();
  sink += spinOtherEarly(1 + 0.5 * ((i * 3) % 5));
  windows.push(["spinSyncEarly", a, b], ["spinOtherEarly", b, performance.now()]);
}
const end = performance.now() + Number(hotArg) * 1000;
while (performance.now() < end) sink ^= hotPhase(10, 100_000);
const set = api.labels("fn", "spinSync");
for (let i = 0; i < 30; i++) {
  const a = performance.now();
  sink += api.runWithLabels(set, () => spinSync(2));
  const b = performance.now();
  sink += spinOther(1 + 0.5 * ((i * 3) % 5));
  windows.push(["spinSync", a, b], ["spinOther", b, performance.now()]);
}
const bytes: Uint8Array = await api.stopCPUProfile();
const p = Profile.decode(gunzipSync(bytes));
const str = (i: number | bigint) => p.stringTable.strings[Number(i)];
const fnName = new Map<string, string>();
for (const f of p.function) fnName.set(String(f.id), str(f.name));
const locFns = new Map<string, string[]>();
for (const l of p.location) locFns.set(String(l.id), l.line.map((ln: any) => fnName.get(String(ln.functionId))!));
function tally(sync: string, other: string) {
  let syncN = 0, syncLabelled = 0, otherN = 0, otherLabelled = 0;
  for (const s of p.sample) {
    const names = s.locationId.flatMap((id: any) => locFns.get(String(id)) ?? []);
    const labelled = s.label.some((l: any) => str(l.key) === "fn" && str(l.str) === sync);
    const n = Number(s.value[0]);
    if (names.includes(sync)) { syncN += n; if (labelled) syncLabelled += n; }
    else if (names.includes(other)) { otherN += n; if (labelled) otherLabelled += n; }
  }
  return { syncSamples: syncN, syncLabelled: +(syncLabelled / syncN).toFixed(3), otherSamples: otherN, otherWronglyLabelled: +(otherLabelled / otherN).toFixed(3) };
}
console.log(JSON.stringify({ mode, hotSeconds: Number(hotArg), early: tally("spinSyncEarly", "spinOtherEarly"), late: tally("spinSync", "spinOther"), sink }));
const dumpAt = process.argv.indexOf("--dump");
if (dumpAt > 0) (await import("node:fs")).writeFileSync(process.argv[dumpAt + 1]!, JSON.stringify({ captured, windows }));

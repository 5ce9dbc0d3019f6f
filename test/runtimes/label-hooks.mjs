// label-hooks.mjs checks, for test/label-hooks.test.ts, what the label hooks
// cost and where they must stay exact. It prints one JSON line: the async
// id a promise continuation sees with no profile, with a profile and no
// labels, and once labels are used (Node gives every promise its own id only
// while async hooks are on), and a 1 kHz profile (gzip pprof, base64) of
// work that ends one callback and starts another at once: a labelled
// setImmediate followed by an unlabelled one, a labelled listener of an
// EventEmitterAsyncResource followed by unlabelled code in the same
// callback, and labelled work after an await.
import { executionAsyncId } from "node:async_hooks";
import { EventEmitterAsyncResource } from "node:events";
import { labels, runWithLabels, startCPUProfile, stopCPUProfile } from "anyprof";

const cpuMillis = (before) => {
  const u = process.cpuUsage(before);
  return (u.user + u.system) / 1000;
};
// Each spin runs until it has used ms of CPU, so that samples land on a
// busy machine; each has its own loop, so that no inlining hides its frame.
function labelledImmediateSpin(ms) {
  const before = process.cpuUsage();
  let x = 1;
  while (cpuMillis(before) < ms) for (let i = 0; i < 1e4; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
function unlabelledImmediateSpin(ms) {
  const before = process.cpuUsage();
  let x = 1;
  while (cpuMillis(before) < ms) for (let i = 0; i < 1e4; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
function emitterSpin(ms) {
  const before = process.cpuUsage();
  let x = 1;
  while (cpuMillis(before) < ms) for (let i = 0; i < 1e4; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
function afterEmitSpin(ms) {
  const before = process.cpuUsage();
  let x = 1;
  while (cpuMillis(before) < ms) for (let i = 0; i < 1e4; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}
function afterAwaitSpin(ms) {
  const before = process.cpuUsage();
  let x = 1;
  while (cpuMillis(before) < ms) for (let i = 0; i < 1e4; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return x;
}

const probe = () => new Promise((r) => setImmediate(() => Promise.resolve().then(() => r(executionAsyncId()))));
const idNoProfile = await probe();
await startCPUProfile(undefined, { hz: 1000 });
const idProfileOnly = await probe();

const ms = 200;
// A labelled immediate, then an unlabelled one queued right behind it.
await new Promise((done) => {
  runWithLabels(labels("phase", "immediate"), () => setImmediate(() => labelledImmediateSpin(ms)));
  setImmediate(() => {
    unlabelledImmediateSpin(ms);
    done();
  });
});
const idWithLabels = await probe();
// A listener runs in its resource's labels; the code after emit does not.
const emitter = runWithLabels(labels("phase", "emitter"), () => new EventEmitterAsyncResource({ name: "label-hooks" }));
emitter.on("go", () => emitterSpin(ms));
await new Promise((done) =>
  setImmediate(() => {
    emitter.emit("go");
    afterEmitSpin(ms);
    done();
  }),
);
await runWithLabels(labels("phase", "await"), async () => {
  await new Promise((r) => setTimeout(r, 1));
  afterAwaitSpin(ms);
});
const profile = await stopCPUProfile();
console.log(JSON.stringify({ idNoProfile, idProfileOnly, idWithLabels, profile: Buffer.from(profile).toString("base64") }));

// threads-self-worker.mjs is the Worker of threads-self.mjs: it asks for
// threads (which fails as on the main thread), then profiles itself while
// burning burnInSelf, and posts the error and the profile's bytes back.
const entry = typeof Deno === "object" ? new URL("../../src/runtime/deno.ts", import.meta.url).href : "anyprof";
const anyprof = await import(entry);

function burnInSelf(ms) {
  let x = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) x = (x * 31 + 7) | 0;
  return x;
}

let workerError = "no error";
try {
  await anyprof.startCPUProfile(undefined, { threads: true });
  await anyprof.stopCPUProfile();
} catch (err) {
  workerError = err.message;
}
await anyprof.startCPUProfile(undefined, { hz: 1000 });
burnInSelf(400);
const bytes = await anyprof.stopCPUProfile();
self.postMessage({ workerError, bytes });

// threads-self.mjs shows what Deno and Bun allow for worker profiling:
// startCPUProfile({ threads: true }) fails on the main thread with a
// "pprof: threads:" error (their inspector cannot reach a worker from the
// main thread), while a Worker that imports anyprof profiles itself
// (threads-self-worker.mjs). It prints one JSON line: both errors and the
// worker's profile (base64).
const entry = typeof Deno === "object" ? new URL("../../src/runtime/deno.ts", import.meta.url).href : "anyprof";
const anyprof = await import(entry);

async function threadsError() {
  try {
    await anyprof.startCPUProfile(undefined, { threads: true });
    await anyprof.stopCPUProfile();
    return "no error";
  } catch (err) {
    return err.message;
  }
}

const mainError = await threadsError();
const w = new Worker(new URL("./threads-self-worker.mjs", import.meta.url).href, { type: "module" });
const { workerError, bytes } = await new Promise((resolve, reject) => {
  w.onmessage = (e) => resolve(e.data);
  w.onerror = (e) => reject(new Error(e.message));
});
w.terminate();
let b64 = "";
for (let i = 0; i < bytes.length; i += 0x8000) b64 += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
console.log(JSON.stringify({ mainError, workerError, profile: btoa(b64) }));

// predefined-worker.mjs is the worker predefined-conformance.mjs starts: it
// says hello and waits to be terminated. As a web Worker (Deno, Bun) it has
// a global postMessage; under node:worker_threads it has parentPort.
if (typeof self !== "undefined" && typeof self.postMessage === "function") {
  self.postMessage("hello");
} else {
  const { parentPort } = await import("node:worker_threads");
  parentPort.postMessage("hello");
}

// attach-worker.mjs is the worker test/cli-attach.test.ts profiles from
// outside (`workerd serve --inspector-addr`): each request burns CPU in
// burnInWorker for ?n= iterations (bounded). workerd has no in-process
// profiler, so `anyprof attach` is how a worker gets a CPU profile.
//
// The test sends its requests once the profiler runs: workerd's sampler
// loses the frames of code compiled before it started, and attach cannot
// make V8 compile it again there (see src/cli/attach.ts, deoptimizeAll).

/** burnInWorker spins through iterations of integer arithmetic: no calls,
 * no allocation, so its samples have it as the leaf. A fixed count, not a
 * time: a worker's clock does not advance while it computes. */
function burnInWorker(iterations) {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x * 1103515245 + 12345 + i) | 0;
  return x;
}

export default {
  async fetch(request) {
    const n = Math.min(Number(new URL(request.url).searchParams.get("n") ?? "1000000") || 0, 50_000_000);
    return new Response(String(burnInWorker(n)));
  },
};

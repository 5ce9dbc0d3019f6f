// attach-deno.mjs is the process test/cli-attach.test.ts profiles from
// outside (`deno run --inspect`): it burns CPU in burnInDeno, yielding to
// the event loop between slices, until it is killed. It needs no --allow-*.

/** burnInDeno spins through iterations of integer arithmetic: no calls, no
 * allocation, so its samples have it as the leaf. */
function burnInDeno(iterations) {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x * 1103515245 + 12345 + i) | 0;
  return x;
}

let sink = 0;
function tick() {
  sink ^= burnInDeno(2_000_000);
  setTimeout(tick, 0);
}
tick();
globalThis.attachSink = () => sink;

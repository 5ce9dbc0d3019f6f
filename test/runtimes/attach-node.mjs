// attach-node.mjs is the process test/cli-attach.test.ts profiles from
// outside (`node --inspect`): it burns CPU in burnInNode and keeps a ring of
// 8 KiB arrays live, replaced from allocInNode, until it is killed. It
// yields to the event loop between slices, as a server would.

/** burnInNode spins through iterations of integer arithmetic: no calls, no
 * allocation, so its samples have it as the leaf. */
function burnInNode(iterations) {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x * 1103515245 + 12345 + i) | 0;
  return x;
}

// The ring holds 8 MiB: about 1 s of allocation at this rate, so what a
// heap profile of a second or more finds live was allocated during it.
const ring = new Array(1024);
let next = 0;

/** allocInNode replaces two ring slots with fresh 8 KiB arrays. */
function allocInNode() {
  for (let j = 0; j < 2; j++) {
    ring[next % ring.length] = new Array(1024).fill(next);
    next++;
  }
}

let sink = 0;
function tick() {
  sink ^= burnInNode(2_000_000);
  allocInNode();
  setImmediate(tick);
}
tick();
// Kept reachable, so the burn cannot be optimized away.
globalThis.attachSink = () => sink;

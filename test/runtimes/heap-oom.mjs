// heap-oom.mjs leaks until the heap is exhausted, with anyprof's heap
// profiling armed to leave a profile behind near the heap limit (Node 26).
// test/heap-oom.test.ts runs it with a small --max-old-space-size and looks
// for the leaking function in the file. With "probe", it only reports what
// startHeapProfiling says about the option (Node 20-24 refuse it).
import { startHeapProfiling } from "anyprof";

if (process.argv[2] === "probe") {
  try {
    await startHeapProfiling({ rateBytes: 64 * 1024, nearHeapLimitProfiles: 1 });
    console.log(JSON.stringify({ error: "none" }));
  } catch (err) {
    console.log(JSON.stringify({ error: err.message }));
  }
  process.exit(0);
}

await startHeapProfiling({ rateBytes: 64 * 1024, nearHeapLimitProfiles: 1 });
const cache = new Map();
let n = 0;
// leakySessionCache keeps every entry: the leak.
function leakySessionCache(count) {
  for (let i = 0; i < count; i++, n++) cache.set(`session-${n}`, { id: n, user: `user-${n}`, scopes: ["read", "write", String(n)] });
}
// churnRequests allocates garbage only, so that the leak has company.
function churnRequests(count) {
  let total = 0;
  for (let i = 0; i < count; i++) total += JSON.stringify({ i, path: `/api/${i}` }).length;
  return total;
}
for (;;) {
  leakySessionCache(20_000);
  churnRequests(20_000);
  await null;
}

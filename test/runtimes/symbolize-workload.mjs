// symbolize-workload.mjs profiles a built artifact (a tsc service, an
// esbuild bundle, marked's published build, or the TypeScript sources run
// directly) for test/symbolize-runtimes.test.ts: a CPU profile of its hot
// loop and, where the runtime has a sampler, a heap profile of its
// allocations. It prints one JSON line with the profiles in base64.
//   argv: <kind: service|marked> <module path or specifier> [cpuMillis] [http]
// cpuMillis is CPU time of the process for the API path, wall time for http.
// With "http", both profiles come through pprofHandler's /debug/pprof/
// profile?seconds= and heap routes instead of the API.

import process from "node:process";

// cpuMillis is the process's CPU time: the profiled work runs for CPU time,
// not wall time, so that a loaded machine still yields enough samples.
const cpuMillis = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const b64 = (bytes) => btoa(Array.from(bytes, (c) => String.fromCharCode(c)).join(""));

/** workload runs the profiles with anyprof (the runtime's entry point). */
export async function workload(anyprof, argv) {
  const [kind, target, millisArg, via] = argv;
  const millis = Number(millisArg ?? 1500);
  const mod = await import(target.startsWith("/") ? new URL("file://" + target).href : target);
  let busy;
  let allocate;
  if (kind === "marked") {
    const md = "# Title\n\nSome *emphasis*, **strong**, `code`, a [link](http://example.com/a%20b) and ![img](x.png).\n\n- item one\n- item two\n\n> quote\n\n".repeat(20);
    busy = (ms) => {
      const end = Date.now() + ms;
      let n = 0;
      while (Date.now() < end) n += mod.marked.parse(md).length;
      return n;
    };
    allocate = () => Array.from({ length: 200 }, () => mod.marked.lexer(md));
  } else {
    busy = (ms) => mod.busyFor(ms);
    allocate = () => mod.buildIndex(20_000);
  }
  // No warm-up before the profile: V8 records which functions it inlined
  // only for code it compiles while profiling, so a handleRequest optimized
  // during a warm-up showed checksumRounds's time as its own (Deno, about 1
  // run in 20: 2 of 40 with a 200 ms warm-up, 0 of 48 without).
  if (via === "http") {
    const handler = anyprof.pprofHandler({ hz: 500 });
    let stop = false;
    const spin = () => {
      if (stop) return;
      busy(10);
      setTimeout(spin, 0);
    };
    spin();
    const get = async (path) => new Uint8Array(await (await handler(new Request(`http://127.0.0.1/debug/pprof/${path}`))).arrayBuffer());
    const cpu = await get(`profile?seconds=${Math.max(1, Math.round(millis / 1000))}`);
    stop = true;
    // The handler starts heap sampling at Go's rate when it is created.
    anyprof.stopHeapProfiling();
    await anyprof.startHeapProfiling({ rateBytes: 4096 });
    globalThis.keep = allocate();
    const heap = await get("heap");
    return JSON.stringify({ cpu: b64(cpu), heap: b64(heap) });
  }
  await anyprof.startCPUProfile(undefined, { hz: 500 });
  const until = cpuMillis() + millis;
  while (cpuMillis() < until) busy(20);
  const cpu = await anyprof.stopCPUProfile();
  let heap;
  try {
    await anyprof.startHeapProfiling({ rateBytes: 4096 });
    globalThis.keep = allocate();
    heap = b64(await anyprof.writeHeapProfile());
    anyprof.stopHeapProfiling();
  } catch (err) {
    heap = undefined;
    console.error(`heap: ${err.message}`);
  }
  return JSON.stringify({ cpu: b64(cpu), heap });
}

// threads-work.mjs is a small worker_threads workload with no anyprof in
// it (for `anyprof record --threads`), also imported by threads-paths.mjs:
// two workers, "busy-a" and "busy-b", burn workA and workB in 5 ms tasks
// for millis (argv[2], default 1500), while the main thread burns mainWork.
import { Worker } from "node:worker_threads";

const body100 = Array.from({ length: 100 }, (_, k) => `x = (x * 31 + i + ${k}) | 0;`).join(" ");
const worker = (name, fn, millis) =>
  new Worker(
    `const end = Date.now() + ${millis};
     function ${fn}() {
       let x = 0;
       const until = Date.now() + 5;
       while (Date.now() < until) for (let i = 0; i < 1e3; i++) { ${body100} }
       if (Date.now() < end) setImmediate(${fn});
       return x;
     }
     ${fn}();`,
    { eval: true, name },
  );

function mainWork(ms) {
  let x = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) for (let i = 0; i < 1e4; i++) x = (x * 17 + i) | 0;
  return x;
}

/** work runs the workload and resolves to the workers' names and threadIds. */
export async function work(millis) {
  const ws = [worker("busy-a", "workA", millis), worker("busy-b", "workB", millis)];
  const ids = ws.map((w) => ({ name: w.threadId === ws[0].threadId ? "busy-a" : "busy-b", threadId: w.threadId }));
  const ended = Promise.all(ws.map((w) => new Promise((r) => w.on("exit", r))));
  // The main thread works in slices, so that the inspector's messages and
  // the workers' answers get through.
  const end = Date.now() + millis;
  while (Date.now() < end) {
    mainWork(20);
    await new Promise((r) => setImmediate(r));
  }
  await ended;
  return ids;
}

if (import.meta.url === `file://${process.argv[1]}`) await work(Number(process.argv[2] ?? 1500));

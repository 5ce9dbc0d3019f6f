// rescue.ts runs in a worker thread of a Node program under `anyprof record`
// so that Ctrl-C still gives a profile when the program's main thread is
// stuck in a synchronous loop and can run no signal handler — the hung
// program is the one people most want to profile.
//
// The CLI writes "signal\n" on a pipe (fd ANYPROF_RECORD_FD) when it
// gets Ctrl-C or SIGTERM. If the preload's own signal handler has not run
// within graceMillis (it sets handled[0]), this worker asks the main thread,
// through an inspector session connected to it, to evaluate the preload's
// rescue function: V8 runs it in an interrupt, between two operations of
// the stuck loop, and it writes the profiles synchronously. The worker then
// answers "rescued\n" (the CLI ends the program) or "failed <why>\n".
// Nothing here runs until a signal comes; Deno and Bun cannot connect a
// session to the main thread, so they have no rescue. The worker also
// passes the preload's sample counts to the CLI ("samples N\n"), for its
// progress line.

import { Session } from "node:inspector";
import { Socket } from "node:net";
import { createInterface } from "node:readline";
import { parentPort, workerData } from "node:worker_threads";

interface RescueData {
  /** fd is the pipe to the CLI. */
  fd: number;
  /** handled is set by the preload's signal handler once it has run. */
  handled: Int32Array;
  /** graceMillis is how long the main thread has to run that handler. */
  graceMillis: number;
}

/** retryMillis and maxTries bound the retries while the interrupt keeps
 * landing inside one of anyprof's own steps (each takes milliseconds). */
const retryMillis = 20;
const maxTries = 100;

const { fd, handled, graceMillis } = workerData as RescueData;
const pipe = new Socket({ fd, readable: true, writable: true });
// The CLI going away must not take the program down with an EPIPE.
pipe.on("error", () => {});
let session: Session | undefined;
let rescuing = false;

function answer(line: string): void {
  pipe.write(`${line}\n`);
}

// evaluate runs the preload's rescue function on the main thread and
// resolves to what it returned: "written", or "busy" for another try.
function evaluate(): Promise<string> {
  if (session === undefined) {
    session = new Session();
    session.connectToMainThread();
  }
  const s = session;
  return new Promise((resolve, reject) => {
    s.post("Runtime.evaluate", { expression: `globalThis[Symbol.for("anyprof.record.rescue")]()`, returnByValue: true }, (err, res) => {
      if (err !== null) return reject(err);
      if (res.exceptionDetails !== undefined) return reject(new Error(res.exceptionDetails.exception?.description ?? res.exceptionDetails.text));
      resolve(String(res.result.value));
    });
  });
}

async function rescue(): Promise<void> {
  for (let tries = 0; tries < maxTries; tries++) {
    if (Atomics.load(handled, 0) === 1) return;
    const got = await evaluate();
    if (got === "written") return answer("rescued");
    await new Promise((r) => setTimeout(r, retryMillis));
  }
  answer("failed the main thread stayed inside anyprof's own work");
}

const lines = createInterface({ input: pipe });
// readline re-emits the pipe's errors: the CLI going away is not one.
lines.on("error", () => {});
lines.on("line", (line) => {
  if (line !== "signal" || rescuing) return;
  rescuing = true;
  setTimeout(() => {
    if (Atomics.load(handled, 0) === 1) {
      rescuing = false;
      return;
    }
    rescue().then(
      () => void (rescuing = false),
      (err: unknown) => {
        rescuing = false;
        answer(`failed ${err instanceof Error ? err.message : String(err)}`.replace(/\n/g, " "));
      },
    );
  }, graceMillis);
});

// The preload's sample counts, for the CLI's progress line.
parentPort?.on("message", (m: { samples?: unknown }) => {
  if (typeof m.samples === "number") answer(`samples ${m.samples}`);
});

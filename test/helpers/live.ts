// live.ts owns the long-running child processes that tests talk to while
// they run (a runtime under its inspector, a Deno, Bun or workerd server):
// starting one in the repo root, collecting its output, waiting for a line
// or pattern in it, ending it, and taking it down with the test process.
// test/helpers/spawn.ts is for processes that run to completion instead.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { root } from "./spawn.ts";

/** LiveOptions are how LiveProcess children differ; every field is optional. */
export interface LiveOptions {
  /** stdin "pipe" is for a child that reads commands on stdin and exits
   * when it closes (the Deno and Bun servers): a test writes to
   * child.stdin, kill() closes it instead of sending SIGTERM, and a test
   * runner that dies takes the child along. "ignore" (the default) gives
   * the child no stdin, and kill() sends SIGTERM. */
  stdin?: "pipe" | "ignore";
  /** stderr "matched" (the default) adds stderr to what find() and next()
   * read, for a child that announces itself there (Node's and Deno's
   * "Debugger listening on ws://…"); "apart" keeps it out of them, in
   * stderr(), so that warnings cannot pass for an answer. */
  stderr?: "matched" | "apart";
  /** controlFd opens fd 3 as a pipe, read like stdout: workerd's
   * --control-fd=3, which reports the ports it bound. */
  controlFd?: boolean;
}

/** LiveProcess is one spawned child that runs until kill(): find() and
 * next() wait on what it writes, and a wait fails with how it exited when
 * it exits first. The child is SIGKILLed if the test process exits without
 * kill(), and after 60 s in any case. */
export class LiveProcess {
  readonly child: ChildProcess;
  /** #text is everything the matched streams wrote, for find(). */
  #text = "";
  #stderr = "";
  /** #lines are the matched streams' unread JSON lines, for next(). */
  #lines: Array<Record<string, unknown>> = [];
  #waiters: Array<() => void> = [];
  /** #exited says how the child ended, once it has. */
  #exited: string | undefined;
  readonly #stdinEnds: boolean;
  readonly #stderrApart: boolean;

  /** constructor spawns cmd with args in the repo root; a missing cmd
   * throws, so a test that needs a runtime binary fails, never skips. */
  constructor(cmd: string, args: string[], options: LiveOptions = {}) {
    this.#stdinEnds = options.stdin === "pipe";
    this.#stderrApart = options.stderr === "apart";
    if (!existsSync(cmd)) throw new Error(`missing runtime binary ${cmd}: run \`npm ci\` (it is a devDependency)`);
    const stdin = options.stdin ?? "ignore";
    this.child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      stdio: options.controlFd ? [stdin, "pipe", "pipe", "pipe"] : [stdin, "pipe", "pipe"],
      // A last resort, should a test hang: nothing here runs this long.
      timeout: 60_000,
      killSignal: "SIGKILL",
    });
    this.#read(this.child.stdout!, true);
    this.#read(this.child.stderr!, !this.#stderrApart);
    if (options.controlFd) this.#read(this.child.stdio[3] as NodeJS.ReadableStream, true);
    // Should the test process end without kill(), the child goes with it.
    const orphan = () => this.child.kill("SIGKILL");
    process.once("exit", orphan);
    this.child.once("exit", () => process.off("exit", orphan));
    this.child.on("error", (err) => {
      this.#exited = `spawn error: ${err.message}`;
      this.#wake();
    });
    this.child.on("exit", (code, signal) => {
      this.#exited = `exited with ${signal ?? `code ${code}`}`;
      this.#wake();
    });
  }

  /** #read collects one stream: into stderr() when it is stderr kept
   * apart, else into the text and JSON lines that waits look at. Each
   * stream keeps its own partial line, so that stdout and fd 3 writing at
   * once cannot splice two lines into one. */
  #read(stream: NodeJS.ReadableStream, matched: boolean): void {
    let partial = "";
    stream.setEncoding("utf8").on("data", (d: string) => {
      if (!matched) {
        this.#stderr += d;
        return;
      }
      this.#text += d;
      partial += d;
      let nl: number;
      while ((nl = partial.indexOf("\n")) >= 0) {
        const l = partial.slice(0, nl).trim();
        partial = partial.slice(nl + 1);
        if (!l.startsWith("{")) continue;
        try {
          this.#lines.push(JSON.parse(l) as Record<string, unknown>);
        } catch {
          // Not JSON after all: find() still sees it in the text.
        }
      }
      this.#wake();
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** stderr returns what the child wrote to stderr so far when it is kept
   * apart ("" when stderr is matched: it is in find()'s failures then). */
  stderr(): string {
    return this.#stderr;
  }

  /** find resolves to the first match of re in what the matched streams
   * wrote so far, failing when the child exits first or after ms. It
   * consumes nothing: two finds may match the same text. */
  find(what: string, re: RegExp, ms: number): Promise<RegExpMatchArray> {
    return this.#until(what, ms, `no match of ${re}`, () => this.#text.match(re) ?? undefined);
  }

  /** next resolves to the first unread JSON line (one starting with "{")
   * that matches, and marks it read, failing when the child exits first or
   * after ms. */
  next(what: string, match: (l: Record<string, unknown>) => boolean, ms: number): Promise<Record<string, unknown>> {
    return this.#until(what, ms, "no matching line", () => {
      const i = this.#lines.findIndex(match);
      return i >= 0 ? this.#lines.splice(i, 1)[0]! : undefined;
    });
  }

  /** #until resolves to probe's first answer, probing again whenever the
   * child writes or exits. The failure carries the child's output, since
   * the reason a runtime did not answer is usually in it. */
  async #until<T>(what: string, ms: number, none: string, probe: () => T | undefined): Promise<T> {
    const deadline = performance.now() + ms;
    for (;;) {
      const got = probe();
      if (got !== undefined) return got;
      const fail = (why: string) =>
        new Error(`${what}: ${why}\n--- output\n${this.#text}${this.#stderrApart ? `\n--- stderr\n${this.#stderr}` : ""}`);
      if (this.#exited !== undefined) throw fail(`the process ${this.#exited}`);
      const left = deadline - performance.now();
      if (left <= 0) throw fail(`${none} within ${ms} ms`);
      await new Promise<void>((wake) => {
        const t = setTimeout(wake, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          wake();
        });
      });
    }
  }

  /** kill ends the child and resolves once it has exited: it closes stdin
   * when that is piped (see LiveOptions.stdin), else sends SIGTERM; then
   * SIGKILL if the child lingers 2 s. An exited child resolves at once. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((done) => this.child.once("exit", () => done()));
    if (this.#stdinEnds) this.child.stdin!.end();
    else this.child.kill("SIGTERM");
    const t = setTimeout(() => this.child.kill("SIGKILL"), 2_000);
    await exited;
    clearTimeout(t);
  }
}

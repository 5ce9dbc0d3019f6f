// thread-cpu.ts finds the CPU clock of the calling (main) thread for the
// adapters: process.threadCpuUsage() where the runtime has it (Node ≥ 23.9,
// Bun, Deno), else Linux's /proc/thread-self/schedstat (Node 20 and 22).
// The adapter passes its process object and file reader in; this file
// imports no runtime module itself.

/** ThreadCpuClock is a thread CPU clock and the name of its source. */
export interface ThreadCpuClock {
  threadCpuMicros: () => number;
  threadCpuClock: string;
}

interface ProcessLike {
  threadCpuUsage?: () => { user: number; system: number };
}

const schedstat = "/proc/thread-self/schedstat";

/** threadCpuClock returns the best thread CPU clock available: the /proc
 * file first where preferProc is set and it can be read (Deno's
 * threadCpuUsage counts in 10 ms steps), then threadCpuUsage, then the
 * /proc file; undefined where there is none (Node 20/22 off Linux). Each
 * candidate is read once here, so that one that fails is never chosen. */
export function threadCpuClock(proc: ProcessLike, readFile: ((path: string) => string) | undefined, preferProc = false): Partial<ThreadCpuClock> {
  const fromProc = (): ThreadCpuClock | undefined => {
    if (readFile === undefined) return undefined;
    // The first field is the time the thread has run on a CPU, in ns.
    const read = (): number => Number(readFile(schedstat).split(" ", 1)[0]) / 1000;
    return works(read) ? { threadCpuMicros: read, threadCpuClock: schedstat } : undefined;
  };
  const fromUsage = (): ThreadCpuClock | undefined => {
    const usage = proc.threadCpuUsage;
    if (typeof usage !== "function") return undefined;
    const read = (): number => {
      const u = usage.call(proc);
      return u.user + u.system;
    };
    return works(read) ? { threadCpuMicros: read, threadCpuClock: "process.threadCpuUsage()" } : undefined;
  };
  return (preferProc ? (fromProc() ?? fromUsage()) : (fromUsage() ?? fromProc())) ?? {};
}

function works(read: () => number): boolean {
  try {
    const v = read();
    return Number.isFinite(v) && v >= 0;
  } catch {
    return false;
  }
}

// own.ts marks the async resources anyprof creates itself (its timers), so
// that the goroutine profile, which lists the application's pending async
// work, leaves them out. A flag rather than a file check: in a bundled
// application anyprof's code and the application's share one file.

let depth = 0;

/** own runs fn, which creates anyprof's own async resources, and returns
 * its result; resources created meanwhile are not the application's. */
export function own<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

/** creatingOwn reports whether anyprof is creating its own resources now. */
export function creatingOwn(): boolean {
  return depth > 0;
}

// mutex.ts owns the predefined "mutex" profile. JavaScript has no mutexes:
// a JS thread never waits on a lock another holds (Atomics.wait between
// workers is the one exception, and no runtime reports it). The profile is
// therefore always a valid, empty contention profile whose comment says
// why, so that scrapers asking for it by name (Grafana Alloy does by
// default) get an answer rather than an error.

import { contentionSnapshot, writeContention } from "../pprof/contention.ts";
import { registerBuiltin } from "./profile.ts";

const why = "mutex: JavaScript has no mutexes (code on one thread never waits for a lock another holds), so this profile is always empty; event-loop blocking is in the block profile";

registerBuiltin("mutex", {
  count: () => 0,
  write: (debug) => writeContention("mutex", [], [why], debug),
  snapshot: () => contentionSnapshot([], [why]),
});

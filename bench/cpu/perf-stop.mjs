// perf-stop.mjs splits the native part of a stop, which --cpu-prof cannot
// see: it records `perf record -g` of three 3 s, 1 kHz profiles of the deep
// workload, stopped either through node:inspector's Profiler.stop (what
// anyprof's Node adapter calls) or through @datadog/pprof's time.stop(), and
// sorts the samples under each stop into steps by the innermost frame that
// names one. Linux only; needs perf(1) and perf_event access. Not part of
// run.mjs.
//
// Usage: node bench/cpu/perf-stop.mjs
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine, fixed, syncSession, table } from "./lib.mjs";

const modeAt = process.argv.indexOf("--child");

if (modeAt > 0) {
  const mode = process.argv[modeAt + 1];
  console.log(process.pid); // the parent removes our /tmp/perf-<pid>.map
  const { makeDeep } = await import("./workloads.mjs");
  const runDeep = makeDeep();
  const none = () => 0;
  runDeep(500, 1, none);
  for (let round = 0; round < 3; round++) {
    if (mode === "inspector") {
      const { session, post } = syncSession();
      post("Profiler.enable");
      post("Profiler.setSamplingInterval", { interval: 1000 });
      post("Profiler.start");
      runDeep(3000, round, none);
      post("Profiler.stop");
      session.disconnect();
    } else {
      const { time } = await import("@datadog/pprof");
      time.start({ intervalMicros: 1000 });
      runDeep(3000, round, none);
      time.stop();
    }
  }
} else {
  const self = fileURLToPath(import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), "anyprof-perf-"));
  const out = [describeMachine(), `Command: node ${process.argv.slice(1).join(" ")}\n`, "### Inside the stop, native frames included (perf record -g)\n"];
  try {
    for (const [mode, marker, steps] of [
      [
        "inspector",
        "DomainDispatcherImpl::stop",
        [
          ["V8 CpuProfiler::StopProfiling (stop the sampler thread)", /CpuProfiler::StopProfiling|StopSynchronously/],
          ["delete V8's profile tree", /~ProfileTree|~CpuProfile|CpuProfile::Delete/],
          ["Node: JSON.parse of the message", /JsonParser|JsonParse/],
          ["Node: make a JS string of the message", /NewFromTwoByte|NewFromUtf8|String::New|StringBuffer|JSBindingsSessionDelegate/],
          ["V8 inspector: serialize the message (CBOR, then JSON)", /serializeForFrontend|AppendSerialized|cbor|crdtp::json/],
          ["V8 inspector: build the protocol Profile objects", /createCPUProfile|flattenNodesTree|buildInspectorObjectFor/],
        ],
      ],
      [
        "datadog",
        "WallProfiler::Stop|profile-serializer",
        [
          ["JS: serializeTimeProfile (pprof-format objects)", /profile-serializer/],
          ["native: translate V8's tree into JS objects", /TranslateTimeProfile/],
          ["native: delete V8's profile tree", /~ProfileTree|~CpuProfile|CpuProfile::Delete/],
          ["native: V8 CpuProfiler::StopProfiling and the rest", /WallProfiler::Stop/],
        ],
      ],
    ]) {
      const data = join(dir, `${mode}.data`);
      const rec = spawnSync("perf", ["record", "-F", "2000", "-g", "-o", data, "--", process.execPath, "--perf-basic-prof", self, "--child", mode], { encoding: "utf8" });
      if (rec.status !== 0) throw new Error(`perf record failed: ${rec.stderr || rec.error}`);
      const script = spawnSync("perf", ["script", "-i", data, "-F", "ip,sym"], { encoding: "utf8", maxBuffer: 1 << 30 });
      rmSync(`/tmp/perf-${rec.stdout.trim()}.map`, { force: true });
      if (script.status !== 0) throw new Error(`perf script failed: ${script.stderr}`);
      const markerRe = new RegExp(marker);
      const counts = new Map();
      let n = 0;
      for (const block of script.stdout.split(/\n\s*\n/)) {
        const frames = block.trim().split("\n").map((l) => l.trim().replace(/^[0-9a-f]+ /, ""));
        if (!frames.some((f) => markerRe.test(f))) continue;
        n++;
        let step = "other";
        outer: for (const f of frames) {
          for (const [name, re] of steps) {
            if (re.test(f)) {
              step = name;
              break outer;
            }
          }
        }
        counts.set(step, (counts.get(step) ?? 0) + 1);
      }
      out.push(`${mode === "inspector" ? "node:inspector `Profiler.stop`" : "@datadog/pprof `time.stop()`"} (${n} perf samples over three stops):\n`);
      out.push(table(["step", "share"], [...counts].sort((a, b) => b[1] - a[1]).map(([s, c]) => [s, `${fixed((100 * c) / n, 0)} %`])));
      out.push("");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(out.join("\n"));
}

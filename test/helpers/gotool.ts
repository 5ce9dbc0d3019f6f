// gotool.ts runs Go's own `go tool pprof` (Debian's golang-go, installed by
// scripts/test.mjs) on profiles the suite writes. A missing go fails loudly.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** goPprof runs `go tool pprof args… file` on bytes and returns its stdout. */
export function goPprof(bytes: Uint8Array, ...args: string[]): string {
  if (spawnSync("go", ["version"], { stdio: "ignore" }).status !== 0) {
    throw new Error("go is not installed: `npm test` installs Debian's golang-go when run as root");
  }
  const dir = mkdtempSync(join(tmpdir(), "anyprof-go-"));
  const file = join(dir, "profile.pb.gz");
  writeFileSync(file, bytes);
  return execFileSync("go", ["tool", "pprof", ...args, file], {
    encoding: "utf8",
    env: { ...process.env, HOME: process.env.HOME ?? dir, PPROF_TMPDIR: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** goPprofUrl runs `go tool pprof args… url`: Go's own HTTP client fetching
 * the profile. Asynchronous, so that a server in this process can answer. */
export function goPprofUrl(url: string, ...args: string[]): Promise<string> {
  if (spawnSync("go", ["version"], { stdio: "ignore" }).status !== 0) {
    throw new Error("go is not installed: `npm test` installs Debian's golang-go when run as root");
  }
  const dir = mkdtempSync(join(tmpdir(), "anyprof-go-"));
  return new Promise((resolve, reject) => {
    execFile(
      "go",
      ["tool", "pprof", ...args, url],
      { encoding: "utf8", env: { ...process.env, HOME: process.env.HOME ?? dir, PPROF_TMPDIR: dir }, timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`go tool pprof ${url}: ${err.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

/** RawSample is one sample of `go tool pprof -raw`: its values and location ids. */
export interface RawSample {
  values: number[];
  locations: number[];
}

/** parseRaw reads the Samples section of `go tool pprof -raw` output. */
export function parseRaw(out: string): { sampleTypes: string[]; samples: RawSample[] } {
  const lines = out.split("\n");
  const start = lines.indexOf("Samples:");
  if (start < 0) throw new Error(`no Samples: section in go tool pprof -raw output:\n${out}`);
  const sampleTypes = lines[start + 1]!.trim().split(/\s+/);
  const samples: RawSample[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith(" ")) break;
    const m = /^\s+([-\d ]+):((?: \d+)*)\s*$/.exec(line);
    if (m === null) continue; // label lines
    samples.push({ values: m[1]!.trim().split(/\s+/).map(Number), locations: m[2]!.trim() ? m[2]!.trim().split(" ").map(Number) : [] });
  }
  return { sampleTypes, samples };
}

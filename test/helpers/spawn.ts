// spawn.ts runs a runtime binary from devDependencies in the repo root and
// collects its output. A binary that is missing rejects, so a test that
// needs it fails instead of skipping.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root: string = fileURLToPath(new URL("../..", import.meta.url));

/** bin returns the path of a devDependency's binary. */
export const bin = (name: string): string => join(root, "node_modules/.bin", name);

/** node22, node24 and node26 are the npm `node` packages' binaries. */
export const node22: string = join(root, "node_modules/node22/bin/node");
export const node24: string = join(root, "node_modules/node24/bin/node");
export const node26: string = join(root, "node_modules/node26/bin/node");

/** spawnTimeoutMillis bounds one runtime's run: each takes well under a
 * second alone, but this machine has two cores shared with other test files. */
export const spawnTimeoutMillis = 30_000;

export interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  millis: number;
}

/** run spawns cmd in the repo root and collects its output; a binary that
 * is missing rejects, so the test fails instead of skipping. */
export function run(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMillis: number = spawnTimeoutMillis): Promise<Run> {
  if (!existsSync(cmd)) {
    return Promise.reject(new Error(`missing runtime binary ${cmd}: run \`npm ci\` (it is a devDependency)`));
  }
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", ...env },
      // stdin is not a terminal, so Deno denies a permission rather than
      // prompting for it: a missing --allow-* fails instead of hanging.
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutMillis,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code, signal) => done({ stdout, stderr, code, signal, millis: performance.now() - started }));
  });
}


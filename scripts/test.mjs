// test.mjs is `npm test`: on a fresh clone it installs what the tests need
// (npm devDependencies; Debian's golang-go for `go tool pprof` when go is
// missing and we are root), builds the generated files, then runs vitest.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

if (!existsSync(join(root, "node_modules/.package-lock.json"))) {
  console.log("test: installing npm dependencies (npm ci)");
  run("npm", ["ci"]);
}
if (!has("go")) {
  if (process.getuid?.() === 0) {
    console.log("test: installing Debian's golang-go for `go tool pprof`");
    run("sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go"]);
  } else {
    console.error("test: `go` is missing and we are not root: the go tool pprof tests will fail");
  }
}
run(process.execPath, [join(root, "scripts/build.mjs")]);
const vitest = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(vitest.status ?? 1);

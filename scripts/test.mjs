// test.mjs is `npm test`: on a fresh clone it installs what the tests need
// (npm devDependencies; Debian's golang-go for `go tool pprof` when go is
// missing, and Debian's chromium for the index page test when
// /usr/bin/chromium is missing, both only as root), builds the generated
// files, then runs vitest.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

if (!existsSync(join(root, "node_modules/.package-lock.json"))) {
  console.log("test: installing npm dependencies (npm ci)");
  run("npm", ["ci"]);
}
// aptInstall installs a Debian package, updating the package lists once.
let aptUpdated = false;
const aptInstall = (pkg) => {
  const update = aptUpdated ? "" : "apt-get update -qq && ";
  run("sh", ["-c", `${update}DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`]);
  aptUpdated = true;
};
if (!has("go")) {
  if (process.getuid?.() === 0) {
    console.log("test: installing Debian's golang-go for `go tool pprof`");
    aptInstall("golang-go");
  } else {
    console.error("test: `go` is missing and we are not root: the go tool pprof tests will fail");
  }
}
// playwright-core (a devDependency) drives Debian's chromium, not a
// downloaded browser: test/http-browser.test.ts renders the index page.
if (!existsSync("/usr/bin/chromium")) {
  if (process.getuid?.() === 0) {
    console.log("test: installing Debian's chromium for the /debug/pprof/ index page test");
    aptInstall("chromium");
  } else {
    console.error("test: /usr/bin/chromium is missing and we are not root: test/http-browser.test.ts will fail");
  }
}
run(process.execPath, [join(root, "scripts/build.mjs")]);
const results = join(root, "test-output", "vitest.json");
rmSync(results, { force: true });
const vitest = spawnSync(
  process.execPath,
  [join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit" },
);
// The plain closing line CI reads: counts from vitest's JSON report.
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
}
process.exit(vitest.status ?? 1);

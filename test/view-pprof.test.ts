// view-pprof.test.ts owns the viewer's numbers against go tool pprof's: the
// page's top table (in headless chromium) equals `go tool pprof -top` for
// the same filters (-focus, -ignore, -hide, -tagfocus, -tagignore) and its
// diff equals `-diff_base` (with and without -normalize); `anyprof top
// --diff-base` and `anyprof report` too. It runs each view on real profiles
// written by Node, Deno and Bun (our profiler) and by a Go program
// (runtime/pprof), and the live page at /debug/pprof/ui/ of a real server.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { servePprof } from "../src/runtime/node.ts";
import { decodePprof } from "../src/pprof/decode.ts";
import { computeTop } from "../src/cli/top.ts";
import { formatReport } from "../src/cli/report.ts";
import { renderFlameGraphHtml } from "../src/cli/view.ts";
import { normalizeSamples } from "../src/view/model.ts";
import { synthesize, type Synthetic } from "./helpers/synthetic.ts";
import { launchChromium, openView, viewport, type PageTopRow } from "./helpers/browser.ts";
import { goPprof } from "./helpers/gotool.ts";
import { bin, root } from "./helpers/spawn.ts";

const outDir = join(root, "test-output");
const scratch = mkdtempSync(join(tmpdir(), "anyprof-view-"));
let browser: Browser;
let current: Synthetic;
let baseline: Synthetic;

beforeAll(async () => {
  const launching = launchChromium();
  mkdirSync(outDir, { recursive: true });
  // Same call graph (same seed), other weights: a plausible before/after.
  current = synthesize(3000);
  baseline = synthesize(2500, 20261126, 1.3);
  browser = await launching;
});
afterAll(async () => {
  await browser?.close();
});

interface GoRow {
  flat: number;
  flatPct: string;
  sumPct: string;
  cum: number;
  cumPct: string;
  name: string;
}

/** goTop runs go tool pprof -top on a profile (integer sample type) and
 * parses its rows; the "(inline)" label go prints after a name is not part
 * of the name. */
function goTop(bytes: Uint8Array, ...flags: string[]): GoRow[] {
  const out = goPprof(bytes, "-top", "-nodecount=100000", ...flags);
  const rows: GoRow[] = [];
  for (const line of out.split("\n")) {
    const m = /^\s*(-?\d+)\s+(\S+%)\s+(\S+%)\s+(-?\d+)\s+(\S+%)\s+(.+)$/.exec(line);
    if (m !== null) rows.push({ flat: Number(m[1]), flatPct: m[2]!, sumPct: m[3]!, cum: Number(m[4]), cumPct: m[5]!, name: m[6]!.replace(/ \((partial-)?inline\)$/, "") });
  }
  if (rows.length === 0 && !/accounting for 0,/.test(out)) throw new Error(`no rows in go tool pprof -top output:\n${out}`);
  return rows;
}

/** pageTop opens a page at hash and returns its table. */
async function pageTop(page: Page, file: string, hash: string): Promise<PageTopRow[]> {
  const { errors } = await openView(page, `${pathToFileURL(file).href}#${hash}`);
  const rows = await page.evaluate(() => window.__view.top());
  expect(errors, `page errors at #${hash}`).toEqual([]);
  return rows;
}

/** sameAsGo checks every row go prints: the same flat, cum and percentages,
 * in the same order; sum% while the two lists agree row by row. */
function sameAsGo(ours: PageTopRow[], go: GoRow[], what: string): void {
  expect(go.length, `${what}: go's rows`).toBeGreaterThan(0);
  const byName = new Map(ours.map((r) => [r.name, r]));
  for (const g of go) {
    const o = byName.get(g.name);
    expect(o, `${what}: ${g.name} in the page's table`).toBeDefined();
    expect([o!.flat, o!.cum, o!.flatPct, o!.cumPct], `${what}: ${g.name} flat, cum, flat%, cum%`).toEqual([g.flat, g.cum, g.flatPct, g.cumPct]);
  }
  const goNames = new Set(go.map((g) => g.name));
  expect(ours.filter((r) => goNames.has(r.name)).map((r) => r.name), `${what}: order`).toEqual(go.map((g) => g.name));
  for (let i = 0; i < go.length && ours[i]!.name === go[i]!.name; i++) expect(ours[i]!.sumPct, `${what}: sum% of ${go[i]!.name}`).toBe(go[i]!.sumPct);
}

/** hashOf builds the page's hash for a view, a sample type and filter chips. */
function hashOf(type: string, chips: string[], extra = "view=top"): string {
  const p = new URLSearchParams(extra);
  p.set("type", type);
  for (const c of chips) p.append("f", c);
  return p.toString();
}

const filterCases: Array<[chips: string[], goFlags: string[]]> = [
  [[], []],
  [["focus:^app\\.handleCheckout$"], ["-focus=^app\\.handleCheckout$"]],
  [["ignore:cache\\."], ["-ignore=cache\\."]],
  [["hide:^main$|^http\\."], ["-hide=^main$|^http\\."]],
  [["label:route=/checkout"], ["-tagfocus=route=^/checkout$"]],
  [["label:route!=/search"], ["-tagignore=route=^/search$"]],
  [["label:shard>=2"], ["-tagfocus=shard=2:"]],
  [["focus:db\\.", "hide:^util\\.", "label:route!=/search"], ["-focus=db\\.", "-hide=^util\\.", "-tagignore=route=^/search$"]],
];

test("the top table equals go tool pprof -top for each filter (-focus, -ignore, -hide, -tagfocus, -tagignore)", async () => {
  const file = join(outDir, "view-parity.html");
  writeFileSync(file, renderFlameGraphHtml(current.bytes, { title: "parity" }));
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  for (const [chips, flags] of filterCases) {
    const ours = await pageTop(page, file, hashOf("samples", chips));
    expect(await page.evaluate(() => window.__view.state.filters), "chips from the hash").toEqual(chips);
    sameAsGo(ours, goTop(current.bytes, "-sample_index=samples", ...flags), chips.join(" ") || "no filter");
  }
  // The table on screen shows the same as its model: the first rows' cells.
  const cells = await page.locator("#top-body tr").first().locator("td").allTextContents();
  const first = (await page.evaluate(() => window.__view.top()))[0]!;
  expect(cells.slice(1, 3).concat(cells[4]!, cells[5]!)).toEqual([first.flatPct, first.sumPct, first.cumPct, first.name]);
  await page.screenshot({ path: join(outDir, "view-parity-top.png") });
  await page.close();
});

test("the diff equals go tool pprof -top -diff_base, with and without -normalize; anyprof top --diff-base too", async () => {
  const baseFile = join(scratch, "base.pb.gz");
  writeFileSync(baseFile, baseline.bytes);
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  for (const normalize of [false, true]) {
    const file = join(outDir, `view-diff${normalize ? "-normalized" : ""}.html`);
    writeFileSync(file, renderFlameGraphHtml(current.bytes, { title: "diff", base: baseline.bytes, normalize }));
    const goFlags = [`-diff_base=${baseFile}`, ...(normalize ? ["-normalize"] : [])];
    for (const [chips, flags] of [filterCases[0]!, filterCases[4]!]) {
      const what = `diff${normalize ? " -normalize" : ""} ${chips.join(" ")}`;
      const ours = await pageTop(page, file, hashOf("samples", chips));
      const go = goTop(current.bytes, "-sample_index=samples", ...goFlags, ...flags);
      expect(go.some((g) => g.flat < 0), `${what}: go shows some shrinkage`).toBe(true);
      sameAsGo(ours, go, what);
      if (chips.length === 0) {
        // The page's total for percentages is the base's, as pprof's.
        expect(await page.evaluate(() => window.__view.pprofTotal), `${what}: total`).toBe(baseline.totals[0]!.all);
        // anyprof top --diff-base: the same rows as go, in go's order.
        const cli = computeTop(decodePprof(current.bytes), { sampleIndex: "samples", base: decodePprof(baseline.bytes), normalize });
        expect(cli.rows.map((r) => [r.name, r.flat, r.cum]), `${what}: anyprof top`).toEqual(go.map((g) => [g.name, g.flat, g.cum]));
      }
    }
    // Colour by change, widths from the new profile: a flame of the diff.
    await openView(page, `${pathToFileURL(file).href}#view=icicle`);
    const scaled = normalize ? normalizeSamples(decodePprof(current.bytes).samples, decodePprof(baseline.bytes).samples, 2) : decodePprof(current.bytes).samples;
    expect(await page.evaluate(() => window.__view.total), "widths from the new profile").toBe(scaled.reduce((a, s) => a + s.values[1]!, 0));
    expect(await page.locator("#diffnote").textContent()).toContain(normalize ? "normalized" : "new − base");
    await page.screenshot({ path: join(outDir, `view-diff${normalize ? "-normalized" : ""}.png`) });
  }
  await openView(page, `${pathToFileURL(join(outDir, "view-diff.html")).href}#view=top&type=samples`);
  const deltaCells = await page.locator("#top-body tr").first().locator("td").allTextContents();
  expect(deltaCells[0], "the table shows signed deltas").toMatch(/^[+-][\d,]+$/);
  await page.screenshot({ path: join(outDir, "view-diff-top.png") });
  await page.close();
}, 60_000);

/** workload is a program for Node, Deno and Bun: two labelled handlers under
 * our CPU profiler, the profile written to ANYPROF_OUT. */
const workload = `import { writeFileSync } from "node:fs";
import process from "node:process";
const { startCPUProfile, stopCPUProfile, runWithLabels, labels } = await import(process.env.ANYPROF_ENTRY);
function spin(ms) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) x += Math.sqrt(i);
  }
  return x;
}
// Not tail calls: Bun's JSC drops the frames of strict-mode tail calls.
function handleCheckout() { const x = spin(300); return x + 1; }
function handleSearch() { const x = spin(150); return x + 1; }
await startCPUProfile(undefined, { hz: 500 });
runWithLabels(labels("route", "/checkout"), () => handleCheckout());
runWithLabels(labels("route", "/search"), () => handleSearch());
writeFileSync(process.env.ANYPROF_OUT, await stopCPUProfile());
`;

/** goProgram writes a CPU profile with runtime/pprof: two labelled handlers. */
const goProgram = `package main

import (
	"context"
	"math"
	"os"
	"runtime/pprof"
	"time"
)

func spin(d time.Duration) float64 {
	x := 0.0
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 1000; i++ {
			x += math.Sqrt(float64(i))
		}
	}
	return x
}

func handleCheckout() float64 { return spin(400 * time.Millisecond) }
func handleSearch() float64   { return spin(200 * time.Millisecond) }

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	pprof.Do(context.Background(), pprof.Labels("route", "/checkout"), func(context.Context) { handleCheckout() })
	pprof.Do(context.Background(), pprof.Labels("route", "/search"), func(context.Context) { handleSearch() })
	pprof.StopCPUProfile()
	f.Close()
}
`;

function profileFrom(runtime: string): Uint8Array {
  const out = join(scratch, `${runtime}.pb.gz`);
  if (runtime === "go") {
    if (spawnSync("go", ["version"], { stdio: "ignore" }).status !== 0) throw new Error("go is not installed: `npm test` installs Debian's golang-go when run as root");
    const dir = join(scratch, "goprog");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "main.go"), goProgram);
    execFileSync("go", ["run", "main.go", out], { cwd: dir, env: { ...process.env, HOME: process.env.HOME ?? scratch, GO111MODULE: "off" }, stdio: "pipe", timeout: 180_000 });
    return readFileSync(out);
  }
  const script = join(scratch, "workload.mjs");
  writeFileSync(script, workload);
  const entry =
    runtime === "node" ? pathToFileURL(join(root, "dist/runtime/node.js")).href : pathToFileURL(join(root, `src/runtime/${runtime}.ts`)).href;
  const [cmd, args] = runtime === "node" ? [process.execPath, [script]] : runtime === "deno" ? [bin("deno"), ["run", "-A", script]] : [bin("bun"), [script]];
  execFileSync(cmd, args, { env: { ...process.env, ANYPROF_ENTRY: entry, ANYPROF_OUT: out }, stdio: "pipe", timeout: 60_000 });
  return readFileSync(out);
}

describe("real profiles from each runtime, in each view", () => {
  for (const runtime of ["node", "deno", "bun", "go"] as const) {
    test(`${runtime}: flame, icicle, top (= go tool pprof), filters, sandwich, source`, async () => {
      const bytes = profileFrom(runtime);
      const p = decodePprof(bytes);
      const handler = (name: string) => (runtime === "go" ? `main.${name}` : name);
      const file = join(outDir, `view-${runtime}.html`);
      writeFileSync(file, renderFlameGraphHtml(bytes, { title: `${runtime} cpu` }));
      const page = await browser.newPage({ viewport });
      page.setDefaultTimeout(15_000);
      // Counts: Go's sample type "samples", ours "samples" too.
      const type = p.sampleTypes[0]!.type;
      expect(type).toBe("samples");
      for (const [chips, flags] of [
        [[], []],
        [["label:route=/checkout"], ["-tagfocus=route=^/checkout$"]],
        [[`focus:${handler("handleSearch")}`], [`-focus=${handler("handleSearch")}`]],
        [[`hide:${handler("spin")}`], [`-hide=${handler("spin")}`]],
      ] as Array<[string[], string[]]>) {
        sameAsGo(await pageTop(page, file, hashOf(type, chips)), goTop(bytes, `-sample_index=${type}`, ...flags), `${runtime} ${chips.join(" ") || "no filter"}`);
      }
      // The labelled handlers are there, and the label filter splits them.
      await openView(page, `${pathToFileURL(file).href}#${hashOf(type, ["label:route=/checkout"], "view=icicle")}`);
      expect(await page.evaluate((h) => window.__view.locate(h) !== null, handler("handleCheckout")), "checkout drawn").toBe(true);
      expect(await page.evaluate((h) => window.__view.locate(h), handler("handleSearch")), "search filtered out").toBeNull();
      await page.screenshot({ path: join(outDir, `view-${runtime}-icicle.png`) });
      await openView(page, `${pathToFileURL(file).href}#view=flame`);
      expect(await page.evaluate((h) => window.__view.locate(h) !== null, handler("handleSearch"))).toBe(true);
      await page.screenshot({ path: join(outDir, `view-${runtime}-flame.png`) });
      // Sandwich of spin: its callers are the two handlers.
      await openView(page, `${pathToFileURL(file).href}#view=sandwich&fn=${encodeURIComponent(handler("spin"))}`);
      const callers = (await page.evaluate(() => window.__view.frames("callers"))).filter((f) => f[2] === 1).map((f) => f[0]);
      expect(callers.sort(), `${runtime}: callers of spin`).toEqual([handler("handleCheckout"), handler("handleSearch")].sort());
      await page.screenshot({ path: join(outDir, `view-${runtime}-sandwich.png`) });
      // Source: the script is on disk, so its lines are in the page with values.
      await openView(page, `${pathToFileURL(file).href}#view=source&fn=${encodeURIComponent(handler("spin"))}`);
      const lines = await page.evaluate(() => window.__view.source());
      expect(lines.length, `${runtime}: lines of spin`).toBeGreaterThan(0);
      // Hot rows: the function's line, or (line-level leaves) the loop's lines.
      const code = await page.locator("#source tr.hot td.code").allTextContents();
      // Go's samples carry the executing line; V8's and JSC's call frames
      // the function's own line (where it is declared).
      expect(code.join("\n"), `${runtime}: spin's source text`).toMatch(runtime === "go" ? /time\.Now|math\.Sqrt|for / : /function spin\(ms\)|performance\.now\(\) < end|Math\.sqrt\(i\)/);
      await page.screenshot({ path: join(outDir, `view-${runtime}-source.png`) });
      await page.close();
    }, 240_000);
  }
});

test("anyprof report: top by flat and cum with file:line, hottest paths, labels, regressions", () => {
  const text = formatReport(decodePprof(current.bytes), { title: "new.pb.gz", base: decodePprof(baseline.bytes), baseTitle: "old.pb.gz", sampleIndex: "samples" });
  writeFileSync(join(outDir, "view-report.md"), text);
  const top = computeTop(decodePprof(current.bytes), { sampleIndex: "samples" });
  expect(text).toContain("# Profile: new.pb.gz");
  expect(text).toContain(`total **${current.totals[0]!.all}**`);
  const flatRow = new RegExp(`^\\| ${top.rows[0]!.flat} \\| [\\d.]+% \\| ${top.rows[0]!.cum} \\| [\\d.]+% \\| \`${top.rows[0]!.name.replace(/\./g, "\\.")}\` \\| /srv/app/src/\\S+\\.js:\\d+ \\|$`, "m");
  expect(text, "the heaviest function by flat with file:line").toMatch(flatRow);
  expect(text).toMatch(/^## Hottest paths\n\n1\. \*\*\d+\*\* \([\d.]+%\) — `main` → `app\.handle/m);
  expect(text).toMatch(new RegExp(`^\\| \`/catalog\` \\| ${current.totals[0]!["/catalog"]} \\|`, "m"));
  expect(text).toMatch(/^### Biggest regressions\n\n\| change \(cum\)/m);
  const diff = computeTop(decodePprof(current.bytes), { sampleIndex: "samples", base: decodePprof(baseline.bytes), cum: true });
  const worst = diff.rows.filter((r) => r.cum > 0).sort((a, b) => b.cum - a.cum)[0]!;
  expect(text, "the biggest regression").toMatch(new RegExp(`^\\| \\+${worst.cum} \\| [\\d.]+% \\| .* \\| \`${worst.name.replace(/\./g, "\\.")}\``, "m"));
});

test("live: /debug/pprof/ui/ serves the page over the process's own profiles, behind the token and maxSeconds", async () => {
  const server = await servePprof({ port: 0, token: "s3cret", maxSeconds: 5 });
  const page = await browser.newPage({ viewport, extraHTTPHeaders: { Authorization: "Bearer s3cret" } });
  page.setDefaultTimeout(20_000);
  // Busy work in this process while the CPU profile runs.
  const busy = setInterval(() => {
    const end = performance.now() + 20;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
  }, 25);
  try {
    const anonymous = await fetch(`${server.url}ui/`);
    expect(anonymous.status, "no token").toBe(401);
    const tooLong = await fetch(`${server.url}ui/profile?seconds=60`, { headers: { Authorization: "Bearer s3cret" } });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toBe("profile duration exceeds the server's maximum of 5 seconds\n");
    const redirect = await fetch(`${server.url}ui`, { headers: { Authorization: "Bearer s3cret" }, redirect: "manual" });
    expect(redirect.status).toBe(301);
    await page.goto(`${server.url}ui/`);
    const links = await page.locator("a").allTextContents();
    expect(links).toContain("heap");
    expect(links).toContain("profile");
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    const { errors } = await openView(page, `${server.url}ui/profile?seconds=1#view=top`);
    expect(errors).toEqual([]);
    expect(requests, "the page loads nothing else").toEqual([`${server.url}ui/profile?seconds=1`]);
    const rows = await page.evaluate(() => window.__view.top());
    expect(rows.length, "functions in the live CPU profile").toBeGreaterThan(0);
    expect(await page.title()).toBe("profile (1 s)");
    await page.screenshot({ path: join(outDir, "view-live-top.png") });
    await openView(page, `${server.url}ui/heap#view=icicle`);
    expect(await page.evaluate(() => window.__view.state.type)).toMatch(/^inuse_space$|^space$/);
    await page.screenshot({ path: join(outDir, "view-live-heap.png") });
  } finally {
    clearInterval(busy);
    await page.close();
    await server.close();
  }
}, 60_000);

test("the command line: view --base, top --diff-base/--focus, report --base; bad input named", () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [join(root, "dist/cli/main.js"), ...args], { encoding: "utf8", cwd: scratch, timeout: 60_000 });
  const newFile = join(scratch, "new.pb.gz");
  const oldFile = join(scratch, "old.pb.gz");
  writeFileSync(newFile, current.bytes);
  writeFileSync(oldFile, baseline.bytes);
  const view = cli(["view", newFile, "--base", oldFile, "--normalize", "-o", join(scratch, "diff.html")]);
  expect(view.status, view.stderr).toBe(0);
  expect(readFileSync(join(scratch, "diff.html"), "utf8")).toContain('"diff":true,"normalized":true');
  const top = cli(["top", newFile, "--diff-base", oldFile, "--sample-index", "samples", "-n", "5"]);
  expect(top.status, top.stderr).toBe(0);
  const want = goTop(current.bytes, "-sample_index=samples", `-diff_base=${oldFile}`).slice(0, 5).map((g) => g.name);
  expect(top.stdout.trim().split("\n").slice(3).map((l) => l.trim().split(/\s+/).slice(5).join(" ")), "anyprof top --diff-base names").toEqual(want);
  const focused = cli(["top", newFile, "--focus", "^app\\.handleSearch$", "--sample-index", "samples"]);
  expect(focused.status, focused.stderr).toBe(0);
  const goFocused = goTop(current.bytes, "-sample_index=samples", "-focus=^app\\.handleSearch$").slice(0, 20);
  expect(focused.stdout.trim().split("\n").slice(3).map((l) => l.trim().split(/\s+/)), "anyprof top --focus").toEqual(goFocused.map((g) => [String(g.flat), g.flatPct, g.sumPct, String(g.cum), g.cumPct, g.name]));
  const report = cli(["report", newFile, "--base", oldFile, "--sample-index", "samples"]);
  expect(report.status, report.stderr).toBe(0);
  expect(report.stdout).toMatch(/^# Profile: \S+new\.pb\.gz\n/);
  expect(report.stdout).toContain("### Biggest regressions");
  const bad = cli(["top", newFile, "--focus", "("]);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/^anyprof top: --focus: parsing regexp "\(": /);
  const noBase = cli(["view", newFile, "--normalize"]);
  expect(noBase.status).toBe(2);
  expect(noBase.stderr).toBe("anyprof view: --normalize needs --base\n");
  const notProfile = cli(["report", newFile, "--base", join(root, "package.json")]);
  expect(notProfile.status).toBe(1);
  expect(notProfile.stderr).toMatch(/^anyprof: \S+package\.json: /);
}, 60_000);

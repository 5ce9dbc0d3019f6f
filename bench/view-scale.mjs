// view-scale.mjs owns `npm run bench:view`: the viewer's 1M-sample page
// (bench/view-scale-profile.mjs, the profile test/view-scale.test.ts uses)
// driven through test/view-scale.test.ts's steps in headless Chromium, on a
// fresh page each round, against a baseline: the same page with the page
// script of another git revision (--base REF, default d03dba0, the viewer
// before scratch memory and the warm-up). Rounds alternate the two pages.
// It prints, per step, the median and maximum of the script's answer
// (window.__view.renderMillis) and of the time to the next frame
// (frameMillis; "—" for a baseline that does not report it), and the ratio
// of the script medians (this ÷ base: below 1 is faster).
//
//   node bench/view-scale.mjs [--rounds 5] [--base REF]
//
// Needs dist/ (node scripts/build.mjs), git, and Debian's chromium.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { transformSync } from "esbuild";
import "../dist/runtime/node.js";
import { encodeProfile } from "../dist/pprof/encode.js";
import { gzip } from "../dist/host/gzip.js";
import { renderFlameGraphHtml } from "../dist/cli/view.js";
import { pageScript } from "../dist/view/page.js";
import { loadAverage, machine, median, table } from "./harness.mjs";
import { scaleProfile } from "./view-scale-profile.mjs";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args[at + 1];
};
const rounds = Number(flag("--rounds", "5"));
const baseRef = flag("--base", "d03dba0");
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bench: --rounds wants a positive integer, got ${flag("--rounds")}`);
const chromiumPath = "/usr/bin/chromium";
if (!existsSync(chromiumPath)) throw new Error(`bench: missing ${chromiumPath} (apt-get install -y chromium)`);

/** scriptAt returns page.ts's pageScript at git revision ref, compiled here. */
async function scriptAt(ref, dir) {
  const root = new URL("..", import.meta.url).pathname;
  const ts = execFileSync("git", ["-C", root, "show", `${ref}:src/view/page.ts`], { encoding: "utf8", maxBuffer: 1 << 26 });
  const file = join(dir, "base-page.mjs");
  writeFileSync(file, transformSync(ts, { loader: "ts", format: "esm" }).code);
  return (await import(pathToFileURL(file).href)).pageScript;
}

/** drive opens file in a browser of its own (pages of one browser share a
 * renderer process, and one page's garbage would be collected during the
 * next's steps), waits for its warm-up (or 3 s for a page without one),
 * runs the steps and returns { step: [script, frame] }. */
async function drive(file) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(60_000);
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => window.__viewReady !== undefined);
  const out = { open: [await page.evaluate(() => window.__viewReady), undefined] };
  await page.waitForFunction(() => window.__view.warmMillis !== undefined || performance.now() - window.__viewReady > 3000);
  const step = async (what, act) => {
    await page.evaluate(() => { window.__view.renderMillis = -1; });
    await act();
    await page.waitForFunction(() => window.__view.renderMillis >= 0 && (!("frameMillis" in window.__view) || window.__view.frameMillis !== undefined));
    out[what] = await page.evaluate(() => [window.__view.renderMillis, window.__view.frameMillis]);
  };
  const addFilter = async (kind, value) => {
    await page.locator("#filter-kind").selectOption(kind);
    await page.locator("#filter-value").fill(value);
    await page.locator("#filter-value").press("Enter");
  };
  await step("icicle", () => page.locator("#tab-icicle").click());
  await step("zoom", async () => {
    const at = await page.evaluate(() => window.__view.locate("mod1.fn1"));
    await page.mouse.click(at.x, at.y);
  });
  await step("search", () => page.locator("#search").fill("fn7"));
  await step("sampleType", () => page.locator("#type").selectOption({ label: "samples (count)" }));
  await step("label", () => addFilter("label", "route=/checkout"));
  await step("focus", () => addFilter("focus", "fn1\\d$"));
  await step("hide", () => addFilter("hide", "^mod3\\."));
  await step("top", () => page.locator("#tab-top").click());
  await step("sortCum", () => page.locator('#top th button[data-sort="cum"]').click());
  await step("sandwich", () => page.locator("#top-body tr").nth(2).click());
  await step("source", () => page.locator("#tab-source").click());
  await step("back", () => page.goBack());
  await step("removeHide", async () => {
    await page.locator("#tab-flame").click();
    await page.locator("#chips li").last().locator("button").click();
  });
  await browser.close();
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "anyprof-view-scale-"));
try {
  const { bytes } = scaleProfile({ encodeProfile, gzip });
  const html = renderFlameGraphHtml(bytes, { title: "1M samples, 100k stacks", sources: false });
  const ours = `<script>${pageScript}</script>`;
  if (!html.includes(ours)) throw new Error("bench: the page does not hold dist's page script");
  const base = `<script>${await scriptAt(baseRef, dir)}</script>`;
  const files = { this: join(dir, "this.html"), base: join(dir, "base.html") };
  writeFileSync(files.this, html);
  writeFileSync(files.base, html.replace(ours, () => base));

  const m = machine();
  const loadBefore = loadAverage();
  const runs = { this: [], base: [] };
  for (let r = 0; r < rounds; r++) {
    // Alternate which page goes first, so neither always meets a warm cache.
    for (const name of r % 2 === 0 ? ["this", "base"] : ["base", "this"]) runs[name].push(await drive(files[name]));
  }

  const ms = (x) => (x === undefined ? "—" : String(Math.round(x)));
  const stat = (name, step, k) => {
    const xs = runs[name].map((run) => run[step][k]).filter((x) => typeof x === "number");
    return xs.length === 0 ? undefined : { median: median(xs), max: Math.max(...xs) };
  };
  const cell = (s) => (s === undefined ? "—" : `${ms(s.median)} / ${ms(s.max)}`);
  const rows = Object.keys(runs.this[0]).map((step) => {
    const a = stat("this", step, 0), b = stat("base", step, 0);
    return [step, cell(a), cell(stat("this", step, 1)), cell(b), cell(stat("base", step, 1)), (a.median / b.median).toFixed(2)];
  });
  console.log(`## Viewer, 1M samples / 100k stacks\n`);
  console.log(`Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}; ${m.date}; load average ${loadBefore} → ${loadAverage()}.`);
  console.log(`Command: \`node bench/view-scale.mjs --rounds ${rounds} --base ${baseRef}\`: ${rounds} fresh pages each, alternating; ms as median / max.\n`);
  console.log(table(["step", "this: script", "this: to next frame", `base ${baseRef}: script`, "base: to next frame", "script ratio (this ÷ base)"], rows));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// cli-view.test.ts owns the viewer page's behaviour in a real browser
// (src/view/ and `anyprof view`'s src/cli/view.ts): a deterministic
// 20,000-sample profile rendered to one HTML file under test-output/,
// opened from a file:// URL in headless Debian chromium driven by
// playwright-core. It checks that the page loads nothing but itself, draws
// within 2 s, that each view (flame, icicle, top, sandwich, source) shows
// what the model holds, that filters compose as chips, that the URL hash
// keeps the state (back button), and keyboard use. Screenshots:
// test-output/view-*.png. Scale is view-scale.test.ts's.
// Numbers against go tool pprof are view-pprof.test.ts's.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import "../src/runtime/node.ts";
import { encodeProfile, type StackSample } from "../src/pprof/encode.ts";
import { gzip } from "../src/host/gzip.ts";
import type { Frame } from "../src/host/stack.ts";
import { decodePprof } from "../src/pprof/decode.ts";
import { maxLabelValues, viewData, type ViewData } from "../src/view/model.ts";
import { openInBrowser, renderFlameGraphHtml } from "../src/cli/view.ts";
import { handlers, routes, synthesize, type Synthetic } from "./helpers/synthetic.ts";
import { launchChromium, openView, viewport } from "./helpers/browser.ts";
import { root } from "./helpers/spawn.ts";

const outDir = join(root, "test-output");
const wantSamples = 20_000;

let browser: Browser;
let profile: Synthetic;
let html: string;
let htmlFile: string;
let buildMillis: number;

beforeAll(async () => {
  const launching = launchChromium();
  profile = synthesize(wantSamples);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "view-20k.pb.gz"), profile.bytes);
  const t0 = performance.now();
  html = renderFlameGraphHtml(profile.bytes, { title: "view-20k.pb.gz" });
  buildMillis = performance.now() - t0;
  htmlFile = join(outDir, "view-20k.html");
  writeFileSync(htmlFile, html);
  browser = await launching;
});

afterAll(async () => {
  await browser?.close();
});

/** embedded reads the page's model back out of its JSON block. */
function embedded(page: string): ViewData {
  const m = /<script type="application\/json" id="view-data">([^]*?)<\/script>/.exec(page);
  if (m === null) throw new Error("no view-data block in the page");
  return JSON.parse(m[1]!) as ViewData;
}

/** canvasPixels is a short digest of a canvas's pixels (FNV-1a of its PNG
 * data URL), so that a failed comparison prints two numbers, not megabytes. */
const canvasPixels = (page: Page, id = "flame") =>
  page.evaluate((i) => {
    const s = (document.getElementById(i) as HTMLCanvasElement).toDataURL();
    let h = 2166136261;
    for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 16777619);
    return `${s.length}:${(h >>> 0).toString(16)}`;
  }, id);
const total = (page: Page) => page.evaluate(() => window.__view.total);
const rendered = (page: Page) => page.evaluate(() => window.__view.renderMillis);

test("the model of a 20,000-sample profile is small and holds every sample", () => {
  expect(profile.samples, "distinct samples").toBe(wantSamples);
  const data = embedded(html);
  expect(decodePprof(profile.bytes).samples.length, "samples in the profile").toBe(wantSamples);
  expect(data.funcName.length - 1, "functions (without root)").toBe(profile.functions);
  expect(profile.functions, "functions").toBeGreaterThan(1500);
  expect(data.sampleTypes).toEqual([{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }]);
  expect(data.defaultType, "default sample type: the last, as pprof picks").toBe(1);
  expect(data.numericLabelKeys).toEqual(["shard"]);
  expect(data.diff).toBe(false);
  const keys = new Set(data.labelSets.flatMap((set) => set.filter((_, i) => i % 2 === 0).map((i) => data.strings[i])));
  expect([...keys].sort(), "label keys").toEqual(["route", "shard"]);
  console.log(
    `view: ${profile.samples} samples → ${data.nodes} nodes, ${data.rows} rows, ${data.lineRows} line rows, ${data.funcName.length} functions; ` +
      `profile ${profile.bytes.length} B, page ${html.length} B (packed ${data.packed.length} B of base64, ${data.columns.reduce((a, c) => a + c[1], 0)} B inflated); built in ${buildMillis.toFixed(0)} ms`,
  );
  // Self-contained: nothing in the page names another resource.
  expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?!data:)[a-z]+:/i);
  expect(html).not.toMatch(/<(?:script|link)[^>]+(?:src|href)=["'](?!data:)/i);
});

test("each view in chromium: flame, icicle, top, sandwich, source; loads nothing else; click zooms, hover explains, search highlights", async () => {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  const url = pathToFileURL(htmlFile).href;
  const { errors, readyMillis } = await openView(page, url);
  console.log(`view: 20k first draw at ${readyMillis.toFixed(0)} ms after navigation start, ${await page.evaluate(() => window.__view.drawn)} frames drawn`);
  // The 2 s goal is for an idle machine (view-scale.test.ts prints the
  // numbers); the bound is generous for a shared one.
  expect(readyMillis, "first draw, ms after navigation start").toBeLessThan(8000);
  expect(await page.evaluate(() => document.activeElement?.id), "focused element").toBe("search");
  expect(await total(page), "cpu total").toBe(profile.totals[1]!.all);
  expect(await page.locator("#total").textContent()).toMatch(/^Total cpu: [\d.]+ (s|min|h)$/);
  const painted = await page.evaluate(() => {
    const c = document.getElementById("flame") as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
    return { n, of: d.length / 4, height: c.clientHeight };
  });
  expect(painted.n, `opaque pixels of ${painted.of}`).toBeGreaterThan(painted.of / 4);
  expect(painted.height, "canvas height: one row per level, 21–41 levels").toBeGreaterThanOrEqual(21 * 18);
  await page.screenshot({ path: join(outDir, "view-flame.png") });

  // Flame: root at the bottom; icicle: root at the top.
  const flameRoot = await page.evaluate(() => window.__view.locate("root"));
  const flameMain = await page.evaluate(() => window.__view.locate("main"));
  expect(flameRoot!.y, "flame: root below main").toBeGreaterThan(flameMain!.y);
  await page.locator("#tab-icicle").click();
  expect(await page.evaluate(() => location.hash)).toBe("#view=icicle");
  const icicleRoot = await page.evaluate(() => window.__view.locate("root"));
  const icicleMain = await page.evaluate(() => window.__view.locate("main"));
  expect(icicleRoot!.y, "icicle: root above main").toBeLessThan(icicleMain!.y);
  await page.screenshot({ path: join(outDir, "view-icicle.png") });

  // Hover: the tooltip names the frame, value, percent and file:line.
  const handler = handlers[1]!;
  const at = await page.evaluate((name) => window.__view.locate(name), handler);
  expect(at, `${handler} drawn`).not.toBeNull();
  await page.mouse.move(at!.x, at!.y);
  const tip = page.locator("#tip");
  await tip.waitFor({ state: "visible" });
  expect(await tip.innerText()).toMatch(new RegExp(`^${handler.replace(/\./g, "\\.")}\\n[\\d.]+ (s|min|h) \\([\\d.]+% of total\\)\\nfile:///srv/app/src/\\S+\\.js:\\d+`));

  // Click zooms (and selects the function); the hash keeps the zoom path.
  const before = await canvasPixels(page);
  const took: Record<string, number> = { first: await rendered(page) };
  await page.mouse.click(at!.x, at!.y);
  expect(await page.evaluate(() => window.__view.zoomed)).toBe(handler);
  took.zoom = await rendered(page);
  expect(await canvasPixels(page), "canvas after zoom").not.toBe(before);
  expect(await page.locator("#crumbs").textContent()).toBe(`root › main › ${handler}`);
  expect((await page.evaluate((name) => window.__view.locate(name), handler))!.width, "the zoomed frame spans the chart").toBeGreaterThan(viewport.width - 40);
  expect(await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("zoom"))).toBe(`main\n${handler}`);
  await page.mouse.move(5, 700);
  await page.screenshot({ path: join(outDir, "view-zoomed.png") });
  // The back button undoes the zoom; Escape resets it.
  await page.goBack();
  await page.waitForFunction(() => window.__view.zoomed === "root");
  expect(await canvasPixels(page), "canvas after back").toBe(before);
  await page.goForward();
  await page.waitForFunction((h) => window.__view.zoomed === h, handler);
  await page.keyboard.press("Escape");
  expect(await page.evaluate(() => window.__view.zoomed)).toBe("root");

  // Search highlights: matches counted, pixels changed.
  await page.locator("#search").fill("cache\\.");
  await page.waitForFunction(() => window.__view.matches > 0);
  took.search = await rendered(page);
  const matched = await page.evaluate(() => ({ value: window.__view.matchedValue, total: window.__view.total }));
  expect(matched.value, "matched value").toBeGreaterThan(0);
  expect(matched.value).toBeLessThanOrEqual(matched.total);
  expect(await page.locator("#matches").textContent()).toMatch(/^\d+ frames matched · [\d.]+% of total$/);
  await page.mouse.move(5, 700);
  await page.screenshot({ path: join(outDir, "view-search.png") });
  await page.locator("#search").fill("");
  await page.waitForFunction(() => document.getElementById("matches")!.textContent === "");

  // Top: the table holds every function, sorted by flat, percentages of the total.
  await page.locator("#tab-top").click();
  took.top = await rendered(page);
  const top = await page.evaluate(() => window.__view.top());
  expect(top.length, "functions in the table").toBe(profile.functions);
  for (let i = 1; i < top.length; i++) expect(Math.abs(top[i - 1]!.flat), `row ${i} sorted by flat`).toBeGreaterThanOrEqual(Math.abs(top[i]!.flat));
  expect(top.reduce((a, r) => a + r.flat, 0), "flat sums to the total").toBe(profile.totals[1]!.all);
  expect(top.find((r) => r.name === "main")!.cum, "main's cum is the total").toBe(profile.totals[1]!.all);
  const firstRow = await page.locator("#top-body tr").first().locator("td").allTextContents();
  expect(firstRow[5], "first row's name").toBe(top[0]!.name);
  expect(firstRow[1], "first row's flat%").toBe(top[0]!.flatPct);
  await page.screenshot({ path: join(outDir, "view-top.png") });
  // Sorting by cum, then searching the table.
  await page.locator('#top th button[data-sort="cum"]').click();
  expect(await page.locator("#top-body tr").first().locator("td").nth(5).textContent()).toBe("main");
  expect(await page.evaluate(() => location.hash)).toContain("sort=cum");
  await page.locator("#search").fill("^db\\.");
  await page.waitForFunction(() => document.querySelectorAll("#top-body tr").length > 0 && [...document.querySelectorAll("#top-body td.name")].every((td) => td.textContent!.startsWith("db.")));
  took.tableSearch = await rendered(page);
  await page.locator("#search").fill("");
  await page.waitForFunction(() => document.getElementById("matches")!.textContent === "");

  // Keyboard: Enter on a row opens the sandwich of that function.
  const row = page.locator("#top-body tr").nth(1);
  const rowName = (await row.getAttribute("data-name"))!;
  await row.focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => window.__view.state.view === "sandwich");
  took.sandwich = await rendered(page);
  expect(await page.evaluate(() => window.__view.state.fn)).toBe(rowName);
  expect(await page.locator("#sandwich-title").textContent()).toContain(rowName);
  await page.goBack();
  await page.waitForFunction(() => window.__view.state.view === "top");

  // Sandwich of a handler: its callers are main (then root), its callees' total is its cum.
  await page.evaluate((h) => { location.hash = `view=sandwich&fn=${encodeURIComponent(h)}`; }, handler);
  await page.waitForFunction((h) => window.__view.state.fn === h, handler);
  const callers = await page.evaluate(() => window.__view.frames("callers"));
  const callees = await page.evaluate(() => window.__view.frames("callees"));
  expect(callers.map((f) => f[0]), "callers").toEqual([handler, "main"]);
  expect(callees[0]![1], "the sandwich's value is the handler's cum").toBe(profile.totals[1]![routes[1]]);
  expect(await page.evaluate((h) => window.__view.locate(h, "callees") !== null, handler)).toBe(true);
  await page.mouse.move(5, 790);
  await page.screenshot({ path: join(outDir, "view-sandwich.png") });

  // Source: no files on disk for /srv/app: the lines with values, file:line.
  await page.locator("#tab-source").click();
  took.source = await rendered(page);
  const lines = await page.evaluate(() => window.__view.source());
  expect(lines.length, "lines of the handler with values").toBeGreaterThan(0);
  expect(lines.reduce((a, l) => Math.max(a, l.cum), 0), "no line's cum exceeds the function's").toBeLessThanOrEqual(profile.totals[1]![routes[1]]!);
  expect(await page.locator("#source td.code").first().textContent()).toMatch(/^file:\/\/\/srv\/app\/src\/\S+\.js:\d+$/);
  await page.screenshot({ path: join(outDir, "view-source.png") });

  // Views by key: f, t.
  await page.locator("#title").click();
  await page.keyboard.press("f");
  expect(await page.evaluate(() => window.__view.state.view)).toBe("flame");
  await page.keyboard.press("t");
  expect(await page.evaluate(() => window.__view.state.view)).toBe("top");
  expect(errors, "page errors").toEqual([]);
  expect(requests, "requests").toEqual([url]);
  console.log(`view: 20k redraw ms ${JSON.stringify(Object.fromEntries(Object.entries(took).map(([k, v]) => [k, Math.round(v)])))}`);
  for (const [what, ms] of Object.entries(took)) expect(ms, `${what}, ms`).toBeLessThan(1000);
  await page.close();
});

test("filters compose as removable chips, in the hash; the sample type and labels change the total", async () => {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  const { errors } = await openView(page, pathToFileURL(htmlFile).href);
  const addFilter = async (kind: string, value: string) => {
    await page.locator("#filter-kind").selectOption(kind);
    await page.locator("#filter-value").fill(value);
    await page.locator("#filter-value").press("Enter");
  };
  await page.locator("#type").selectOption({ label: "samples (count)" });
  expect(await total(page), "samples total").toBe(profile.totals[0]!.all);
  await addFilter("label", "route=/checkout");
  expect(await total(page), "samples total, route=/checkout").toBe(profile.totals[0]!["/checkout"]);
  await addFilter("label", "route!=/checkout");
  expect(await total(page), "route=/checkout and route!=/checkout").toBe(0);
  expect(await page.locator("#chips li").allTextContents()).toEqual(["label: route=/checkout×", "label: route!=/checkout×"]);
  await page.locator("#chips li").first().locator("button").click();
  expect(await total(page), "route!=/checkout").toBe(profile.totals[0]!.all! - profile.totals[0]!["/checkout"]!);
  await page.locator("#chips li").first().locator("button").click();
  // Numeric labels: shard>=2 and the focus of one handler.
  const shardTotal = await page.evaluate(() => window.__view.total);
  await addFilter("label", "shard>=2");
  const high = await total(page);
  expect(high, "shard>=2").toBeGreaterThan(0);
  expect(high).toBeLessThan(shardTotal);
  await addFilter("label", "shard<=1");
  expect(await total(page), "shard>=2 and shard<=1").toBe(0);
  await page.keyboard.press("Tab");
  await page.goBack();
  await page.waitForFunction(() => window.__view.state.filters.length === 1);
  expect(await total(page), "back: shard>=2 again").toBe(high);
  await page.locator("#chips li button").click();
  await addFilter("focus", "^app\\.handleCheckout$");
  expect(await total(page), "focus on the checkout handler").toBe(profile.totals[0]!["/checkout"]);
  await addFilter("ignore", "^app\\.handleCheckout$");
  expect(await total(page), "focus and ignore of the same").toBe(0);
  await page.locator("#chips li").nth(1).locator("button").click();
  await addFilter("hide", "^main$");
  expect(await total(page), "hide keeps the value").toBe(profile.totals[0]!["/checkout"]);
  expect(await page.evaluate(() => window.__view.locate("main")), "main hidden").toBeNull();
  const took = await rendered(page);
  expect(await page.evaluate(() => window.__view.state.filters)).toEqual(["focus:^app\\.handleCheckout$", "hide:^main$"]);
  expect(decodeURIComponent(await page.evaluate(() => location.hash))).toContain("f=focus:^app\\.handleCheckout$&f=hide:^main$");
  // A bad regular expression is refused where it is typed.
  await addFilter("focus", "(");
  expect(await page.locator("#filter-error").textContent()).toBe("not a regular expression: (");
  await page.locator("#filter-value").fill("");
  await page.mouse.move(5, 790);
  await page.screenshot({ path: join(outDir, "view-filters.png") });
  // The hash alone restores the state in a fresh page.
  const hash = await page.evaluate(() => location.hash);
  const again = await browser.newPage({ viewport });
  await openView(again, pathToFileURL(htmlFile).href + hash);
  expect(await again.evaluate(() => window.__view.total), "restored from the hash").toBe(profile.totals[0]!["/checkout"]);
  // The page readies its scratch memory after the first draw; the hide and
  // focus restored from the hash live in it. Once that is done, a sum that
  // reuses them (sample type there and back) still gives the same numbers.
  const tableBefore = await again.evaluate(() => window.__view.top());
  await again.waitForFunction(() => window.__view.warmMillis !== undefined);
  await again.locator("#type").selectOption({ label: "cpu (nanoseconds)" });
  await again.locator("#type").selectOption({ label: "samples (count)" });
  expect(await again.evaluate(() => window.__view.total), "after warm-up, the restored hide and focus still hold").toBe(profile.totals[0]!["/checkout"]);
  expect(await again.evaluate(() => window.__view.top())).toEqual(tableBefore);
  await again.close();
  expect(errors).toEqual([]);
  console.log(`view: 20k hide+focus redraw ${took.toFixed(0)} ms`);
  await page.close();
});

test("keyboard: tabs by arrows, the graph by arrows and Enter", async () => {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  const { errors } = await openView(page, pathToFileURL(htmlFile).href + "#view=icicle");
  await page.locator("#tab-icicle").focus();
  await page.keyboard.press("ArrowRight");
  expect(await page.evaluate(() => window.__view.state.view)).toBe("top");
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("tab-top");
  await page.keyboard.press("ArrowLeft");
  expect(await page.evaluate(() => window.__view.state.view)).toBe("icicle");
  await page.locator("#flame").focus();
  await page.keyboard.press("ArrowDown");
  expect(await page.evaluate(() => window.__view.cursor), "icicle: down from root").toBe("main");
  await page.keyboard.press("ArrowDown");
  const first = await page.evaluate(() => window.__view.cursor);
  expect(handlers).toContain(first);
  await page.keyboard.press("ArrowRight");
  const second = await page.evaluate(() => window.__view.cursor);
  expect(handlers, "right: the next sibling").toContain(second);
  expect(second).not.toBe(first);
  await page.keyboard.press("Enter");
  expect(await page.evaluate(() => window.__view.zoomed)).toBe(second);
  expect(await page.locator("#details").textContent()).toContain(second);
  await page.screenshot({ path: join(outDir, "view-keyboard.png") });
  expect(errors).toEqual([]);
  await page.close();
});

test("names are text, never markup; an empty profile draws its root", async () => {
  const frame = (functionName: string, line: number): Frame => ({ functionName, url: "file:///a/<b>&\"q\".js", line, column: 1, startLine: 1 });
  const odd = "</script><script>window.__owned = 1</script>&amp;<!--";
  const { proto } = encodeProfile({ sampleTypes: [["alloc_space", "bytes"]], periodType: ["space", "bytes"], period: 1 }, [
    { frames: [frame(odd, 7), frame("main", 2)], values: [3 * 1024 * 1024] },
    { frames: [frame("main", 3)], values: [1024 * 1024], labels: [["bytes", 512, "bytes"]] },
  ]);
  const { proto: empty } = encodeProfile({ sampleTypes: [["samples", "count"]], periodType: ["cpu", "nanoseconds"], period: 1 }, []);
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(10_000);
  for (const [name, bytes, title] of [["view-odd", proto, "<b>odd</b> & \"title\""], ["view-empty", empty, "empty"]] as const) {
    const file = join(outDir, `${name}.html`);
    writeFileSync(file, renderFlameGraphHtml(bytes, { title }));
    const { errors } = await openView(page, pathToFileURL(file).href);
    expect(errors).toEqual([]);
    expect(await page.title(), `${name}: title`).toBe(title);
    expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned), `${name}: injected script ran`).toBeUndefined();
    expect(await page.evaluate(() => window.__view.locate("root") !== null), `${name}: root drawn`).toBe(true);
    for (const v of ["top", "sandwich", "source"]) {
      await page.locator(`#tab-${v}`).click();
      expect(errors, `${name}: ${v}`).toEqual([]);
    }
    // The warm-up after the first draw runs on these small trees too.
    await page.waitForFunction(() => window.__view.warmMillis !== undefined);
    expect(errors, `${name}: warm-up`).toEqual([]);
  }
  await openView(page, pathToFileURL(join(outDir, "view-odd.html")).href + "#view=icicle");
  expect(await page.locator("#total").textContent()).toBe("Total alloc_space: 4.00 MB");
  const at = await page.evaluate((n) => window.__view.locate(n), odd);
  expect(at, "odd name drawn").not.toBeNull();
  await page.mouse.move(at!.x, at!.y);
  expect(await page.locator("#tip").innerText()).toBe(`${odd}\n3.00 MB (75.0% of total)\nfile:///a/<b>&"q".js:7`);
  expect(await page.locator("#label-options option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(["bytes=512"]);
  await page.locator("#tab-top").click();
  expect(await page.locator("#top-body td.name").first().textContent()).toBe(odd);
  // No text overflows its box: every table cell and chip fits the page.
  const overflow = await page.evaluate(() => [...document.querySelectorAll("td, th, .chip, #total, h1")].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length);
  expect(overflow, "elements past the right edge").toBe(0);
  await page.close();
});

test("the model leaves out a label key with more than maxLabelValues values, and its sets merge", () => {
  const frames: Frame[] = [{ functionName: "work", url: "file:///w.js", line: 4, column: 1, startLine: 1 }];
  const samples: StackSample[] = Array.from({ length: maxLabelValues + 1 }, (_, i) => ({
    frames,
    values: [1],
    labels: [["request", `r${i}`], ["route", i % 2 === 0 ? "/a" : "/b"]],
  }));
  const { proto } = encodeProfile({ sampleTypes: [["samples", "count"]], periodType: ["cpu", "nanoseconds"], period: 1 }, samples);
  const data = viewData(decodePprof(proto), { title: "t" });
  expect(data.droppedLabelKeys).toEqual(["request"]);
  expect(data.labelSets.map((set) => set.map((i) => data.strings[i]).join("="))).toEqual(["", "route=/a", "route=/b"]);
  expect(data.rows, "rows: one per (node, label set)").toBe(2);
  expect(data.nodes, "nodes: root and work").toBe(2);
});

test("openInBrowser says so when there is no browser", async () => {
  const none = await openInBrowser(htmlFile, { platform: "linux", env: {} });
  expect(none.opened).toBe(false);
  expect(none.message).toMatch(/^anyprof: no browser found \(no DISPLAY or WAYLAND_DISPLAY, no \$BROWSER\): open \/\S+view-20k\.html in a browser yourself$/);
  const missing = await openInBrowser(htmlFile, { platform: "linux", env: { BROWSER: "anyprof-no-such-browser" } });
  expect(missing).toMatchObject({ opened: false, command: `anyprof-no-such-browser ${htmlFile}` });
  const failing = await openInBrowser(htmlFile, { platform: "linux", env: { BROWSER: "false", PATH: process.env.PATH } });
  expect(failing.opened).toBe(false);
  expect(failing.message).toMatch(/^anyprof: false failed \(exit status 1\)/);
});

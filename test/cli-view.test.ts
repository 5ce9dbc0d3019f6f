// cli-view.test.ts owns `anyprof view`'s page (src/cli/view.ts and
// view-page.ts): a deterministic 100,000-sample profile rendered to one HTML
// file under test-output/, opened from a file:// URL in headless Debian
// chromium (/usr/bin/chromium) driven by playwright-core. It checks that the
// page loads nothing but itself, draws within 2 s, zooms on a click, shows a
// tooltip with value, percent and file:line, highlights a search, and that
// the sample-type and label selects change the total to the value summed
// here. Screenshots: test-output/flame-*.png. It also renders a profile
// written by Go's pprof (`go tool pprof -proto`) and checks openInBrowser's
// report when there is no browser.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import "../src/runtime/node.ts";
import { encodeProfile, type StackSample } from "../src/pprof/encode.ts";
import { gzip } from "../src/host/gzip.ts";
import type { Frame } from "../src/host/stack.ts";
import { decodePprof } from "../src/cli/decode.ts";
import { flameData, maxLabelValues, openInBrowser, renderFlameGraphHtml, type FlameData } from "../src/cli/view.ts";
import { goPprof } from "./helpers/gotool.ts";
import { root } from "./helpers/spawn.ts";

const chromiumPath = "/usr/bin/chromium";
const outDir = join(root, "test-output");
const viewport = { width: 1280, height: 800 };
const routes = ["/catalog", "/checkout", "/search"] as const;
const handlers = ["app.handleCatalog", "app.handleCheckout", "app.handleSearch"];
const wantSamples = 100_000;

/** mulberry32 is a small seeded PRNG: the profile is the same every run. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Synthetic {
  bytes: Uint8Array;
  /** totals[type][route] and totals[type].all sum the sample values. */
  totals: Array<Record<string, number>>;
  /** functions counts the distinct functions on the samples' stacks. */
  functions: number;
  samples: number;
  /** rows counts distinct (stack of functions, route): the samples that
   * differ only in a line merge into one node. */
  rows: number;
}

/** synthesize builds a CPU-like profile of exactly n distinct samples: a
 * layered call graph of ~3,000 functions, stacks 20–40 deep walked with a
 * skew towards each caller's first callees (hot paths, as real profiles
 * have), a `route` label with three values, and two sample types. */
function synthesize(n: number): Synthetic {
  const rand = mulberry32(20261126);
  const modules = ["http", "router", "db", "cache", "json", "render", "auth", "queue", "util", "metrics", "session", "template"];
  const classes = ["Server", "Pool", "Conn", "Codec", "Store", "Writer", "Reader", "Parser", "Buffer", "Worker", "Client", "Table", "Index", "Stream", "Node", "Batch"];
  const methods = ["handle", "get", "put", "encode", "decode", "flush", "read", "write", "parse", "lookup", "insert", "scan", "merge", "emit", "visit", "resolve", "hash", "compare", "format", "close"];
  const levels = 41;
  const perLevel = 75;
  interface Fn { name: string; url: string; startLine: number; callees: number[] }
  const fns: Fn[] = [];
  const byLevel: number[][] = [];
  for (let level = 0; level < levels; level++) {
    const ids: number[] = [];
    const count = level === 0 ? 1 : level === 1 ? 3 : perLevel;
    for (let j = 0; j < count; j++) {
      const m = modules[(level * 7 + j) % modules.length]!;
      const c = classes[(j * 5 + level) % classes.length]!;
      const name = level === 0 ? "main" : level === 1 ? handlers[j]! : `${m}.${c}.${methods[(j + level * 3) % methods.length]}${level}_${j}`;
      ids.push(fns.length);
      fns.push({ name, url: `file:///srv/app/src/${m}/${c.toLowerCase()}.js`, startLine: 1 + Math.floor(rand() * 900), callees: [] });
    }
    byLevel.push(ids);
  }
  for (let level = 0; level < levels - 1; level++) {
    for (const id of byLevel[level]!) {
      if (level === 0) {
        fns[id]!.callees = [...byLevel[1]!];
        continue;
      }
      const next = byLevel[level + 1]!;
      // Most functions call one other (wrappers, middleware): tall towers.
      const count = rand() < 0.55 ? 1 : 2 + Math.floor(rand() * 4);
      for (let j = 0; j < count; j++) fns[id]!.callees.push(next[Math.floor(rand() * next.length)]!);
    }
  }
  const frameCache = new Map<string, Frame>();
  const frame = (id: number, line: number): Frame => {
    const key = `${id}:${line}`;
    let f = frameCache.get(key);
    if (f === undefined) {
      const fn = fns[id]!;
      frameCache.set(key, (f = { functionName: fn.name, url: fn.url, line: fn.startLine + line, column: 5, startLine: fn.startLine }));
    }
    return f;
  };

  const index = new Map<string, StackSample & { values: number[] }>();
  const totals = [{ all: 0 } as Record<string, number>, { all: 0 } as Record<string, number>];
  const used = new Set<number>();
  const nodeRows = new Set<string>();
  while (index.size < n) {
    const r = rand();
    const route = r < 0.5 ? 0 : r < 0.8 ? 1 : 2;
    const depth = 20 + Math.floor(rand() * 21);
    const path = [byLevel[0]![0]!, byLevel[1]![route]!];
    const lines = [3 + route * 4];
    while (path.length < depth) {
      const callees = fns[path[path.length - 1]!]!.callees;
      // r² skews towards the first callees: a few hot paths, a long tail.
      const k = Math.floor(rand() ** 2 * callees.length);
      lines.push(3 + k * 4);
      path.push(callees[k]!);
    }
    const leafLine = 2 + Math.floor(rand() * 12);
    lines.push(leafLine);
    const key = `${route}|${path.join(",")}|${leafLine}`;
    const count = rand() < 0.15 ? 2 : 1;
    const cpu = count * (route === 1 ? 20_000_000 : 10_000_000) + Math.floor(rand() * 1000);
    let s = index.get(key);
    if (s === undefined) {
      // Frames leaf first; a caller's line is its call site's.
      const frames = path.map((id, i) => frame(id, lines[i]!)).reverse();
      for (const id of path) used.add(id);
      nodeRows.add(`${route}|${path.join(",")}`);
      index.set(key, (s = { frames, values: [0, 0], labels: [["route", routes[route]!]] }));
    }
    s.values[0]! += count;
    s.values[1]! += cpu;
    for (const [t, v] of [[0, count], [1, cpu]] as const) {
      totals[t]!.all! += v;
      totals[t]![routes[route]!] = (totals[t]![routes[route]!] ?? 0) + v;
    }
  }
  const { proto } = encodeProfile(
    {
      sampleTypes: [["samples", "count"], ["cpu", "nanoseconds"]],
      periodType: ["cpu", "nanoseconds"],
      period: 10_000_000,
      durationNanos: 1_000_000_000_000n,
    },
    [...index.values()],
  );
  return { bytes: gzip(proto), totals, functions: used.size, samples: index.size, rows: nodeRows.size };
}

let browser: Browser;
let profile: Synthetic;
let html: string;
let htmlFile: string;
let buildMillis: number;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`missing ${chromiumPath}: scripts/test.mjs (npm test) installs Debian's chromium when run as root (apt-get install -y chromium)`);
  }
  const launching = chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 30_000,
  });
  profile = synthesize(wantSamples);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "flame-100k.pb.gz"), profile.bytes);
  const t0 = performance.now();
  html = renderFlameGraphHtml(profile.bytes, { title: "flame-100k.pb.gz" });
  buildMillis = performance.now() - t0;
  htmlFile = join(outDir, "flame-100k.html");
  writeFileSync(htmlFile, html);
  browser = await launching;
});

afterAll(async () => {
  await browser?.close();
});

/** embedded reads the page's model back out of its JSON block. */
function embedded(page: string): FlameData {
  const m = /<script type="application\/json" id="flame-data">([^]*?)<\/script>/.exec(page);
  if (m === null) throw new Error("no flame-data block in the page");
  return JSON.parse(m[1]!) as FlameData;
}

const canvasPixels = (page: Page) => page.evaluate(() => (document.getElementById("flame") as HTMLCanvasElement).toDataURL());

declare global {
  interface Window {
    __flameReady?: number;
    __flame: {
      zoomed: string;
      matches: number;
      matchedValue: number;
      total: number;
      totalText: string;
      sampleType: string;
      filter: string;
      drawn: number;
      renderMillis: number;
      nodes: number;
      rows: number;
      locate(name: string): { x: number; y: number; width: number } | null;
    };
  }
}

test("the model of a 100,000-sample profile is small and holds every sample", () => {
  expect(profile.samples, "distinct samples").toBe(wantSamples);
  const data = embedded(html);
  expect(decodePprof(profile.bytes).samples.length, "samples in the profile").toBe(wantSamples);
  expect(data.rows, "rows (node, label set)").toBe(profile.rows);
  expect(data.funcName.length - 1, "functions (without root)").toBe(profile.functions);
  expect(profile.functions, "functions").toBeGreaterThan(2000);
  expect(data.sampleTypes).toEqual([{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }]);
  expect(data.defaultType, "default sample type: the last, as pprof picks").toBe(1);
  const sets = data.labelSets.map((set) => set.map((i) => data.strings[i]).join("="));
  expect(sets.sort(), "label sets").toEqual(["", ...routes.map((r) => `route=${r}`)]);
  console.log(
    `view: ${profile.samples} samples → ${data.nodes} nodes, ${data.rows} rows, ${data.funcName.length} functions; ` +
      `profile ${profile.bytes.length} B, page ${html.length} B (packed columns ${data.packed.length} B of base64, ${data.columns.reduce((a, c) => a + c[1], 0)} B inflated); built in ${buildMillis.toFixed(0)} ms`,
  );
  // Self-contained: nothing in the page names another resource.
  expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?!data:)[a-z]+:/i);
  expect(html).not.toMatch(/<(?:script|link)[^>]+(?:src|href)=["'](?!data:)/i);
});

test("headless chromium draws the page within 2 s, loading nothing else; click zooms, hover explains, search highlights, selects change the total", async () => {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(10_000);
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  const url = pathToFileURL(htmlFile).href;
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => window.__flameReady !== undefined);
  const wallMillis = Date.now() - t0;
  const readyMillis = await page.evaluate(() => window.__flameReady!);
  console.log(`view: first draw at ${readyMillis.toFixed(0)} ms after navigation start (${wallMillis} ms from goto), ${await page.evaluate(() => window.__flame.drawn)} frames drawn`);
  expect(readyMillis, "first draw, ms after navigation start").toBeLessThan(2000);
  expect(errors, "page errors").toEqual([]);
  expect(await page.evaluate(() => document.activeElement?.id), "focused element").toBe("search");

  // The canvas has content: many opaque pixels.
  const painted = await page.evaluate(() => {
    const c = document.getElementById("flame") as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
    return { n, of: d.length / 4, height: c.clientHeight };
  });
  expect(painted.n, `opaque pixels of ${painted.of}`).toBeGreaterThan(painted.of / 4);
  expect(painted.height, "canvas height: one row per level, 21–41 levels").toBeGreaterThanOrEqual(21 * 18);
  const total0 = await page.evaluate(() => window.__flame.total);
  expect(total0, "cpu total").toBe(profile.totals[1]!.all);
  expect(await page.locator("#total").textContent()).toMatch(/^Total cpu: [\d.]+ (s|min|h)$/);
  await page.screenshot({ path: join(outDir, "flame-initial.png") });

  // Hover: the tooltip names the frame, its value and percent, and file:line
  // (the handler has no self time, so no self line).
  const handler = handlers[1]!;
  const at = await page.evaluate((name) => window.__flame.locate(name), handler);
  expect(at, `${handler} drawn`).not.toBeNull();
  await page.mouse.move(at!.x, at!.y);
  const tip = page.locator("#tip");
  await tip.waitFor({ state: "visible" });
  expect(await tip.innerText()).toMatch(new RegExp(`^${handler.replace(/\./g, "\\.")}\\n[\\d.]+ (s|min|h) \\([\\d.]+% of total\\)\\nfile:///srv/app/src/\\S+\\.js:\\d+`));
  await page.screenshot({ path: join(outDir, "flame-hover.png") });

  // Click zooms: the zoom root changes and so do the pixels.
  const before = await canvasPixels(page);
  const took: Record<string, number> = { first: await page.evaluate(() => window.__flame.renderMillis) };
  await page.mouse.click(at!.x, at!.y);
  expect(await page.evaluate(() => window.__flame.zoomed)).toBe(handler);
  took.zoom = await page.evaluate(() => window.__flame.renderMillis);
  expect(await canvasPixels(page), "canvas after zoom").not.toBe(before);
  expect(await page.locator("#crumbs").textContent()).toBe(`root › main › ${handler}`);
  const zoomedAt = await page.evaluate((name) => window.__flame.locate(name), handler);
  expect(zoomedAt!.width, "the zoomed frame spans the chart").toBeGreaterThan(viewport.width - 40);
  await page.mouse.move(10, 10);
  await page.screenshot({ path: join(outDir, "flame-zoomed.png") });
  // Escape zooms back out; so does the root (checked through Reset too).
  await page.keyboard.press("Escape");
  expect(await page.evaluate(() => window.__flame.zoomed)).toBe("root");
  expect(await canvasPixels(page), "canvas after Escape").toBe(before);
  await page.mouse.click(at!.x, at!.y);
  const rootAt = await page.evaluate(() => window.__flame.locate("root"));
  await page.mouse.click(rootAt!.x, rootAt!.y);
  expect(await page.evaluate(() => window.__flame.zoomed), "after clicking root").toBe("root");
  await page.mouse.click(at!.x, at!.y);
  await page.locator("#reset").click();
  expect(await page.evaluate(() => window.__flame.zoomed), "after Reset").toBe("root");

  // Search highlights: matches counted, pixels changed, share shown.
  await page.locator("#search").fill("cache\\.");
  await page.waitForFunction(() => window.__flame.matches > 0);
  took.search = await page.evaluate(() => window.__flame.renderMillis);
  const matched = await page.evaluate(() => ({ matches: window.__flame.matches, value: window.__flame.matchedValue, total: window.__flame.total }));
  expect(matched.value, "matched value").toBeGreaterThan(0);
  expect(matched.value, "matched value").toBeLessThanOrEqual(matched.total);
  expect(await page.locator("#matches").textContent()).toMatch(/^\d+ frames matched · [\d.]+% of total$/);
  expect(await canvasPixels(page), "canvas after search").not.toBe(before);
  await page.mouse.move(10, 10);
  await page.screenshot({ path: join(outDir, "flame-search.png") });
  // An invalid regular expression searches as a substring.
  await page.locator("#search").fill("Cache.Pool.(");
  await page.waitForFunction(() => window.__flame.matches === 0);
  await page.locator("#search").fill("");
  await page.waitForFunction(() => document.getElementById("matches")!.textContent === "");
  expect(await canvasPixels(page), "canvas after clearing the search").toBe(before);

  // The sample type and label filter change the total to the sums here.
  await page.locator("#type").selectOption({ label: "samples (count)" });
  expect(await page.evaluate(() => window.__flame.total), "samples total").toBe(profile.totals[0]!.all);
  expect(await page.locator("#total").textContent()).toBe(`Total samples: ${profile.totals[0]!.all!.toLocaleString("en-US")}`);
  await page.locator("#filter").selectOption({ label: "route=/checkout" });
  expect(await page.evaluate(() => window.__flame.total), "samples total, route=/checkout").toBe(profile.totals[0]!["/checkout"]);
  took.filter = await page.evaluate(() => window.__flame.renderMillis);
  await page.locator("#type").selectOption({ label: "cpu (nanoseconds)" });
  expect(await page.evaluate(() => window.__flame.total), "cpu total, route=/checkout").toBe(profile.totals[1]!["/checkout"]);
  expect(await page.locator("#total").textContent()).toMatch(/^Total cpu: [\d.]+ (s|min|h) \(route=\/checkout\)$/);
  await page.screenshot({ path: join(outDir, "flame-filter.png") });
  await page.locator("#filter").selectOption({ label: "all" });
  expect(await page.evaluate(() => window.__flame.total)).toBe(profile.totals[1]!.all);

  expect(errors, "page errors").toEqual([]);
  expect(requests, "requests").toEqual([url]);
  // Every interaction redraws well within a second: the page never freezes.
  console.log(`view: redraw ms ${JSON.stringify(Object.fromEntries(Object.entries(took).map(([k, v]) => [k, Math.round(v)])))}`);
  for (const [what, ms] of Object.entries(took)) expect(ms, `${what} redraw, ms`).toBeLessThan(1000);
  await page.close();
});

test("a profile written by Go's pprof renders, with its functions and labels", async () => {
  // go tool pprof -proto re-encodes a small profile with Go's own writer.
  const small = synthesize(300);
  const dir = join(outDir, "flame-go");
  mkdirSync(dir, { recursive: true });
  const goFile = join(dir, "go.pb.gz");
  goPprof(small.bytes, "-proto", `-output=${goFile}`);
  const goBytes = readFileSync(goFile);
  const data = flameData(decodePprof(goBytes), "go");
  expect(data.rows, "rows").toBe(300);
  expect(data.sampleTypes.map((t) => t.type)).toEqual(["samples", "cpu"]);
  const file = join(outDir, "flame-go.html");
  writeFileSync(file, renderFlameGraphHtml(goBytes, { title: "go.pb.gz" }));
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => window.__flameReady !== undefined);
  expect(errors).toEqual([]);
  expect(await page.evaluate(() => window.__flame.total)).toBe(small.totals[1]!.all);
  expect(await page.evaluate((h) => window.__flame.locate(h) !== null, handlers[0]!)).toBe(true);
  expect(await page.locator("#filter option").allTextContents()).toEqual(["all", ...routes.map((r) => `route=${r}`)]);
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
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  for (const [name, bytes, title] of [["flame-odd", proto, "<b>odd</b> & \"title\""], ["flame-empty", empty, "empty"]] as const) {
    const file = join(outDir, `${name}.html`);
    writeFileSync(file, renderFlameGraphHtml(bytes, { title }));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => window.__flameReady !== undefined);
    expect(await page.title(), `${name}: title`).toBe(title);
    expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned), `${name}: injected script ran`).toBeUndefined();
    expect(await page.evaluate(() => window.__flame.locate("root") !== null), `${name}: root drawn`).toBe(true);
  }
  expect(errors).toEqual([]);
  // The odd profile: the name is a frame; bytes are shown in MB; the
  // numeric label is offered as text.
  await page.goto(pathToFileURL(join(outDir, "flame-odd.html")).href);
  await page.waitForFunction(() => window.__flameReady !== undefined);
  expect(await page.locator("#total").textContent()).toBe("Total alloc_space: 4.00 MB");
  const at = await page.evaluate((n) => window.__flame.locate(n), odd);
  expect(at, "odd name drawn").not.toBeNull();
  await page.mouse.move(at!.x, at!.y);
  expect(await page.locator("#tip").innerText()).toBe(`${odd}\n3.00 MB (75.0% of total)\nfile:///a/<b>&"q".js:7`);
  expect(await page.locator("#filter option").allTextContents()).toEqual(["all", "bytes=512"]);
  await page.close();
});

test("the label filter leaves out a key with more than maxLabelValues values, and its sets merge", () => {
  const frames: Frame[] = [{ functionName: "work", url: "file:///w.js", line: 4, column: 1, startLine: 1 }];
  const samples: StackSample[] = Array.from({ length: maxLabelValues + 1 }, (_, i) => ({
    frames,
    values: [1],
    labels: [["request", `r${i}`], ["route", i % 2 === 0 ? "/a" : "/b"]],
  }));
  const { proto } = encodeProfile({ sampleTypes: [["samples", "count"]], periodType: ["cpu", "nanoseconds"], period: 1 }, samples);
  const data = flameData(decodePprof(proto), "t");
  expect(data.droppedLabelKeys).toEqual(["request"]);
  expect(data.labelSets.map((set) => set.map((i) => data.strings[i]).join("="))).toEqual(["", "route=/a", "route=/b"]);
  expect(data.rows, "rows: one per (node, label set)").toBe(2);
  expect(data.nodes, "nodes: root and work").toBe(2);
});

test("openInBrowser says so when there is no browser", async () => {
  const none = await openInBrowser(htmlFile, { platform: "linux", env: {} });
  expect(none.opened).toBe(false);
  expect(none.message).toMatch(/^anyprof: no browser found \(no DISPLAY or WAYLAND_DISPLAY, no \$BROWSER\): open \/\S+flame-100k\.html in a browser yourself$/);
  const missing = await openInBrowser(htmlFile, { platform: "linux", env: { BROWSER: "anyprof-no-such-browser" } });
  expect(missing).toMatchObject({ opened: false, command: `anyprof-no-such-browser ${htmlFile}` });
  expect(missing.message).toMatch(/^anyprof: no browser found \(anyprof-no-such-browser not found\)/);
  const failing = await openInBrowser(htmlFile, { platform: "linux", env: { BROWSER: "false", PATH: process.env.PATH } });
  expect(failing.opened).toBe(false);
  expect(failing.message).toMatch(/^anyprof: false failed \(exit status 1\)/);
});

// http-browser.test.ts owns the /debug/pprof/ index page as a browser shows
// it: a real Node server (servePprof in this process) rendered by headless
// Debian chromium (/usr/bin/chromium, which scripts/test.mjs installs)
// driven by playwright-core. It checks that every profile is a visible link
// with its count, that a ?debug=1 link leads to the profile's text, and
// that every name is inside the screenshot it saves to
// test-output/http-index.png. The routes themselves are test/http.test.ts's.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { newProfile, servePprof, type PprofServer } from "../src/runtime/node.ts";
import { root } from "./helpers/spawn.ts";

const chromiumPath = "/usr/bin/chromium";
const customName = "browser.custom";
const screenshot = join(root, "test-output/http-index.png");
const viewport = { width: 1024, height: 768 };

/** predefined are the rows every index lists; cmdline and profile have no
 * count, as in Go's index. */
const predefined = ["allocs", "block", "cmdline", "goroutine", "heap", "mutex", "profile", "threadcreate"];
const uncounted = new Set(["cmdline", "profile"]);

// browserAlpha and browserBeta add as plain statements (not tail calls).
function browserAlpha(p: ReturnType<typeof newProfile>, v: object): void {
  p.add(v);
}
function browserBeta(p: ReturnType<typeof newProfile>, v: object): void {
  p.add(v);
}

let server: PprofServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`missing ${chromiumPath}: scripts/test.mjs (npm test) installs Debian's chromium when run as root (apt-get install -y chromium)`);
  }
  const p = newProfile(customName);
  browserAlpha(p, { id: 1 });
  browserAlpha(p, { id: 2 });
  browserBeta(p, { id: 3 });
  server = await servePprof({ port: 0 });
  expect(new URL(server.url).hostname).toBe("127.0.0.1");
  browser = await chromium.launch({
    executablePath: chromiumPath,
    // launch() gives the browser a new, empty, temporary user data dir.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 30_000,
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test("the index page lists every profile as a link with its count, and each name is in the screenshot", async () => {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(10_000);
  const response = await page.goto(server.url);
  expect(response?.status(), "index status").toBe(200);
  expect(response?.headers()["content-type"], "index Content-Type").toBe("text/html; charset=utf-8");
  await page.locator("table").waitFor({ state: "visible" });
  expect(await page.title()).toBe("/debug/pprof/");

  mkdirSync(join(root, "test-output"), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: false });

  // The table's rows as the browser laid them out: [count, name, href].
  const rows = await page.locator("table tr").evaluateAll((trs) =>
    trs.map((tr) => {
      const cells = [...tr.querySelectorAll("td")];
      const a = tr.querySelector("a");
      return { count: cells[0]?.textContent ?? "", name: a?.textContent ?? "", href: a?.getAttribute("href") ?? "", url: a?.href ?? "" };
    }),
  );
  const errors: string[] = [];
  const names = [...predefined, customName].sort();
  const listed = rows.filter((r) => r.name !== "").map((r) => r.name);
  if (JSON.stringify(listed) !== JSON.stringify(names)) errors.push(`table rows: got ${JSON.stringify(listed)}, want ${JSON.stringify(names)}`);

  for (const name of names) {
    const row = rows.find((r) => r.name === name);
    if (row === undefined) continue;
    const href = uncounted.has(name) ? name : `${name}?debug=1`;
    if (row.href !== href) errors.push(`${name}: href: got ${JSON.stringify(row.href)}, want ${JSON.stringify(href)}`);
    if (row.url !== new URL(href, server.url).href) errors.push(`${name}: link URL: got ${row.url}, want ${new URL(href, server.url).href}`);
    const wantCount = name === customName ? /^3$/ : uncounted.has(name) ? /^$/ : /^\d+$/;
    if (!wantCount.test(row.count)) errors.push(`${name}: count cell: got ${JSON.stringify(row.count)}, want a match of ${wantCount}`);

    // In the screenshot: the link is visible, its box lies inside the
    // viewport the screenshot captured, and nothing covers its centre.
    const link = page.locator("table a", { hasText: new RegExp(`^${name.replace(".", "\\.")}$`) });
    if (!(await link.isVisible())) {
      errors.push(`${name}: link not visible`);
      continue;
    }
    const box = await link.boundingBox();
    if (box === null || box.width <= 0 || box.height <= 0) {
      errors.push(`${name}: link has no box: ${JSON.stringify(box)}`);
      continue;
    }
    if (box.x < 0 || box.y < 0 || box.x + box.width > viewport.width || box.y + box.height > viewport.height) {
      errors.push(`${name}: link box ${JSON.stringify(box)} is outside the screenshot (${viewport.width}x${viewport.height})`);
    }
    const hit = await page.evaluate(
      ([x, y]) => {
        const el = document.elementFromPoint(x!, y!);
        return el?.closest("a")?.textContent ?? el?.outerHTML ?? null;
      },
      [box.x + box.width / 2, box.y + box.height / 2],
    );
    if (hit !== name) errors.push(`${name}: element at the link's centre: got ${JSON.stringify(hit)}, want the link`);
    const count = await link.locator("xpath=ancestor::tr/td[1]").boundingBox();
    if (!uncounted.has(name) && (count === null || count.y + count.height > viewport.height || count.width <= 0)) {
      errors.push(`${name}: count cell box ${JSON.stringify(count)} is not inside the screenshot`);
    }
  }
  expect(errors, errors.join("\n")).toEqual([]);

  // Following the custom profile's ?debug=1 link gives its text.
  await Promise.all([page.waitForURL(`${server.url}${customName}?debug=1`), page.locator("table a", { hasText: customName }).click()]);
  const text = await page.locator("body").innerText();
  expect(text).toMatch(new RegExp(`^${customName.replace(".", "\\.")} profile: total 3\\n`));
  expect(text).toMatch(/\bbrowserAlpha\s+\S*http-browser\.test\.ts:\d+:\d+/);
  expect(text).toMatch(/\bbrowserBeta\s+\S*http-browser\.test\.ts:\d+:\d+/);
  await page.close();
});

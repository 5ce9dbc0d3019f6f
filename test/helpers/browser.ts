// browser.ts launches Debian's headless chromium (/usr/bin/chromium) with
// playwright-core for the viewer tests, and opens a viewer page, waiting for
// its first draw. A missing chromium fails loudly.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const chromiumPath = "/usr/bin/chromium";
export const viewport = { width: 1280, height: 800 };

/** launchChromium starts a headless browser that makes no network calls of its own. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`missing ${chromiumPath}: scripts/test.mjs (npm test) installs Debian's chromium when run as root (apt-get install -y chromium)`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 30_000,
  });
}

/** openView navigates to a viewer page and waits for its first draw; errors
 * collects page errors and console errors from then on. */
export async function openView(page: Page, url: string): Promise<{ errors: string[]; readyMillis: number }> {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  // A fresh document each time: going to the same file with another hash
  // would only fire hashchange, and __viewReady would be the old page's.
  if (page.url() !== "about:blank") await page.goto("about:blank");
  await page.goto(url);
  await page.waitForFunction(() => window.__viewReady !== undefined);
  return { errors, readyMillis: await page.evaluate(() => window.__viewReady!) };
}

/** TopRow is a row of the page's table, as window.__view.top() returns it. */
export interface PageTopRow {
  name: string;
  flat: number;
  cum: number;
  flatPct: string;
  sumPct: string;
  cumPct: string;
}

declare global {
  interface Window {
    __viewReady?: number;
    __view: {
      state: { view: string; type: string; filters: string[]; q: string; fn: string; sort: string };
      zoomed: string;
      cursor?: string;
      matches: number;
      matchedValue: number;
      total: number;
      baseTotal: number;
      pprofTotal: number;
      totalText: string;
      drawn: number;
      renderMillis: number;
      /** warmMillis: set when the page has readied its scratch memory and code, after the first draw. */
      warmMillis?: number;
      /** frameMillis: from the last answer's start to a turn after the next frame (undefined until then). */
      frameMillis?: number;
      /** warmSliceMaxMillis: the longest single piece of the warm-up. */
      warmSliceMaxMillis?: number;
      /** scratchBytes: memory the page keeps for scratch arrays. */
      scratchBytes?: number;
      decodeMillis: number;
      nodes: number;
      rows: number;
      locate(name: string, which?: "main" | "callers" | "callees"): { x: number; y: number; width: number } | null;
      top(): PageTopRow[];
      source(): Array<{ file: string; line: number; flat: number; cum: number }>;
      frames(which: "callers" | "callees"): Array<[name: string, value: number, depth: number]>;
    };
  }
}

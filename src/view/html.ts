// html.ts owns the view page's markup: it decodes a profile (and a base for
// a diff), builds the model (model.ts) and returns one self-contained HTML
// page with the model, script and stylesheet (page.ts) inline. It reads no
// files and loads nothing: the CLI and the HTTP handler pass bytes in.

import { decodePprof } from "../pprof/decode.ts";
import { viewData, type ViewData } from "./model.ts";
import { pageCss, pageScript } from "./page.ts";

/** ViewOptions configure renderViewHtml. */
export interface ViewOptions {
  /** title heads the page (default "anyprof"). */
  title?: string;
  /** base is a profile to subtract (pprof's -diff_base). */
  base?: Uint8Array;
  /** normalize scales the profile to the base's totals first (-normalize). */
  normalize?: boolean;
  /** sources maps file names, as the profile has them, to their text. */
  sources?: Record<string, string>;
}

/** renderViewHtml decodes a pprof file (gzip or not) and returns one
 * self-contained HTML page that shows it. It throws "pprof: …" for bytes
 * that are not a profile, naming the base when it is the base. */
export function renderViewHtml(bytes: Uint8Array, options: ViewOptions = {}): string {
  const p = decodePprof(bytes);
  let base;
  if (options.base !== undefined) {
    try {
      base = decodePprof(options.base);
    } catch (err) {
      throw new Error(`pprof: base profile: ${err instanceof Error ? err.message.replace(/^pprof: /, "") : String(err)}`);
    }
  }
  return renderDataHtml(viewData(p, { title: options.title ?? "anyprof", base, normalize: options.normalize, sources: options.sources }));
}

const views: Array<[id: string, label: string, key: string]> = [
  ["flame", "Flame", "f"],
  ["icicle", "Icicle", "i"],
  ["top", "Top", "t"],
  ["sandwich", "Sandwich", "w"],
  ["source", "Source", "c"],
];

/** renderDataHtml returns the page for a model. */
export function renderDataHtml(data: ViewData): string {
  // "<" escaped keeps "</script>" and "<!--" in a function name from ending
  // the block; JSON.parse reads \u003c back as "<".
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  const th = (label: string, sort?: string) => `<th scope="col"${label === "name" ? ' class="name"' : ""}>${sort ? `<button type="button" data-sort="${sort}">${label}</button>` : label}</th>`;
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // The page may load nothing: everything it needs is inline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${pageCss}</style>`,
    "</head>",
    "<body>",
    '<header id="bar">',
    `<h1 id="title">${escapeHtml(data.title)}</h1>`,
    `<nav id="views" role="tablist" aria-label="Views">${views.map(([id, label, key]) => `<button type="button" role="tab" id="tab-${id}" aria-controls="${id === "icicle" ? "graph" : id}-view" title="${label} (${key})" aria-keyshortcuts="${key}">${label}</button>`).join("")}</nav>`,
    '<label>Sample type <select id="type"></select></label>',
    '<span class="search"><input id="search" type="search" placeholder="Search functions (regex)" aria-label="Search functions (regular expression, case-insensitive)" autocomplete="off" spellcheck="false" autofocus></span>',
    '<span id="matches" role="status" aria-live="polite"></span>',
    '<span id="total" aria-live="polite"></span>',
    "</header>",
    '<section id="filters" aria-label="Filters">',
    '<form id="add-filter"><select id="filter-kind" aria-label="Filter kind"><option value="focus">focus</option><option value="ignore">ignore</option><option value="hide">hide</option><option value="label">label</option></select>',
    '<input id="filter-value" list="label-options" placeholder="regex, or label key=value / key!=value" aria-label="Filter: a regular expression, or for a label key=value, key!=value, key>=N, key<=N" autocomplete="off" spellcheck="false">',
    '<button type="submit">Add filter</button></form>',
    '<datalist id="label-options"></datalist>',
    '<ul id="chips" aria-label="Active filters"></ul>',
    '<span id="filter-error" role="alert"></span>',
    '<span id="diffnote"></span>',
    "</section>",
    '<nav id="zoom" aria-label="Zoom path"><button id="reset" type="button" title="Reset zoom (Esc)">Reset zoom</button> <span id="crumbs"></span></nav>',
    '<main id="main">',
    '<section id="graph-view" role="tabpanel"><canvas id="flame" tabindex="0" role="img" aria-label="Call graph: arrow keys walk the frames, Enter zooms, s opens the sandwich, Escape resets"></canvas></section>',
    `<section id="top-view" role="tabpanel" hidden><table id="top"><colgroup><col class="num"><col class="num"><col class="num"><col class="num"><col class="num"><col></colgroup><thead><tr>${th("flat", "flat")}${th("flat%")}${th("sum%")}${th("cum", "cum")}${th("cum%")}${th("name", "name")}</tr></thead><tbody id="top-body"></tbody></table><p id="top-more" class="more"></p></section>`,
    '<section id="sandwich-view" role="tabpanel" hidden><h2 id="sandwich-title"></h2><div id="sandwich-panes"><p class="pane-label">Callers (who calls it, nearest at the bottom)</p><canvas id="callers"></canvas><p class="pane-label">Callees (what it calls)</p><canvas id="callees"></canvas></div></section>',
    '<section id="source-view" role="tabpanel" hidden><h2 id="source-title"></h2><div id="source"></div></section>',
    "</main>",
    '<div id="tip" role="tooltip" hidden></div>',
    '<footer id="details" aria-live="polite">Hover a frame for details · click to zoom · f i t w c switch views · / to search · Esc resets the zoom</footer>',
    `<script type="application/json" id="view-data">${json}</script>`,
    `<script>${pageScript}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

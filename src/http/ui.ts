// ui.ts owns /debug/pprof/ui/: the viewer page (view/) over the handler's
// own profiles, so that a browser replaces `go tool pprof -http`. It fetches
// a profile through the handler itself (same routes, token, ?seconds= and
// maxSeconds as /debug/pprof/<name>) and renders the page; it does not know
// how profiles are collected. The viewer (and its protobuf decoder) is
// imported on first use, so that the handler's other routes never load it.

const html = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** FetchProfile answers a request for path (relative to the prefix, with
 * its query) as the handler would. */
export type FetchProfile = (pathAndQuery: string) => Promise<Response | undefined>;

/** serveUi answers ui/<sub>: "" is an index of the profiles; a profile's
 * name renders its page (?seconds=N as the profile's own route, ?base=1
 * with ?seconds=N shows a diff of the last N seconds against now). */
export async function serveUi(sub: string, url: URL, names: readonly string[], fetchProfile: FetchProfile): Promise<Response> {
  const headers = { "Content-Type": "text/html; charset=utf-8", "X-Content-Type-Options": "nosniff" };
  if (sub === "") {
    const rows = [...names, "profile"].sort().map((n) => {
      const href = encodeURIComponent(n) + (n === "profile" ? "?seconds=10" : "");
      return `<li><a href="${html(href)}">${html(n)}</a>${n === "profile" ? " (CPU, 10 s)" : ""}</li>`;
    });
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>anyprof profiles</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:24px;color:#1b1b1b}a{color:#0b57d0}</style></head>
<body><h1>Profiles</h1><p>Each link opens the viewer on a fresh profile of this process (add <code>?seconds=N</code> for a CPU profile of N seconds or a delta).</p><ul>${rows.join("")}</ul></body></html>`;
    return new Response(body, { headers });
  }
  const query = new URLSearchParams();
  const seconds = url.searchParams.get("seconds");
  if (seconds !== null) query.set("seconds", seconds);
  const answer = await fetchProfile(sub + (query.size > 0 ? `?${query}` : ""));
  if (answer === undefined) return new Response("404 page not found\n", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  if (!answer.ok) return answer;
  const bytes = new Uint8Array(await answer.arrayBuffer());
  // The specifier is computed so that no runtime resolves it ahead of the
  // first request (Bun loads literal dynamic imports with the module, and
  // the viewer's decoder pulls in protobufjs): .ts from sources, .js from dist/.
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  const { renderViewHtml } = (await import(`../view/html${ext}`)) as typeof import("../view/html.ts");
  const title = `${sub}${seconds !== null ? ` (${seconds} s)` : ""}`;
  const page = renderViewHtml(bytes, { title });
  return new Response(page, {
    headers: {
      ...headers,
      // The page runs its own inline script and loads nothing else.
      "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:",
      "Cache-Control": "no-store",
    },
  });
}

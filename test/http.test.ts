// http.test.ts tests /debug/pprof/ on a real Node server in this process:
// every route with Go's headers and errors, Go's own client (`go tool pprof
// http://…`), Grafana Alloy's default targets, concurrency while a CPU
// profile runs, and a client that disconnects mid-profile. Deno, Bun,
// workerd and the browser are in http-runtimes.test.ts and
// http-browser.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newProfile, pprofHandler, servePprof, stopCPUProfile, type PprofServer } from "../src/runtime/node.ts";
import { goPprofUrl, parseRaw } from "./helpers/gotool.ts";
import { resolve } from "./helpers/pprof.ts";

let server: PprofServer;
const conns = newProfile("http.test/conns");
function openConn(v: unknown) {
  conns.add(v);
}

beforeAll(async () => {
  openConn({ id: 1 });
  openConn({ id: 2 });
  server = await servePprof({ port: 0, maxSeconds: 60 });
});
afterAll(async () => {
  await server.close();
  await stopCPUProfile().catch(() => {});
});

const get = (path: string, init?: RequestInit) => fetch(server.url + path, init);
const bytesOf = async (r: Response) => new Uint8Array(await r.arrayBuffer());

async function expectError(r: Response, status: number, text: RegExp): Promise<void> {
  const body = await r.text();
  expect({ status: r.status, body }, `got ${r.status} ${JSON.stringify(body)}`).toMatchObject({ status });
  expect(body).toMatch(text);
  expect(r.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  expect(r.headers.get("x-go-pprof")).toBe("1");
  expect(r.headers.get("x-content-type-options")).toBe("nosniff");
}

describe("/debug/pprof/ on Node", () => {
  it("binds 127.0.0.1 by default", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/$/);
  });

  it("serves the index with every profile, its count and a debug=1 link", async () => {
    const r = await get("");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await r.text();
    for (const name of ["allocs", "block", "goroutine", "heap", "mutex", "threadcreate", "http.test/conns"]) {
      expect(html).toContain(`<a href='${name}?debug=1'>${name}</a>`);
    }
    expect(html).toContain("<tr><td>2</td><td><a href='http.test/conns?debug=1'>");
    expect(html).toContain(`<a href='cmdline'>cmdline</a>`);
    expect(html).toContain(`<a href='profile'>profile</a>`);
    expect(html).toContain(`<a href="goroutine?debug=2">full goroutine stack dump</a>`);
  });

  it("redirects the prefix without its slash, and leaves other paths to the application", async () => {
    const r = await get("../pprof", { redirect: "manual" });
    expect(r.status).toBe(301);
    expect(r.headers.get("location")).toBe("/debug/pprof/");
    expect(await pprofHandler()(new Request("http://x/app/route"))).toBeUndefined();
    expect((await fetch(server.url.replace("/debug/pprof/", "/elsewhere"))).status).toBe(404);
  });

  it("serves cmdline as Go does: NUL-separated argv", async () => {
    const r = await get("cmdline");
    expect(r.status).toBe(200);
    expect((await r.text()).split("\x00")).toEqual(process.argv);
  });

  for (const name of ["allocs", "block", "goroutine", "heap", "mutex", "threadcreate", "http.test/conns"]) {
    it(`serves ${name} as gzip pprof (debug=0) and text (debug=1)`, async () => {
      const r = await get(name);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("application/octet-stream");
      expect(r.headers.get("content-disposition")).toBe(`attachment; filename="${name}"`);
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      resolve(await bytesOf(r));
      const t = await get(`${name}?debug=1`);
      expect(t.status).toBe(200);
      expect(t.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(t.headers.get("content-disposition")).toBeNull();
      expect((await t.text()).length).toBeGreaterThan(0);
    });
  }

  it("answers Go's errors", async () => {
    await expectError(await get("nosuchprofile"), 404, /^Unknown profile\n$/);
    await expectError(await get("profile?seconds=abc"), 400, /^invalid value for "seconds" - must be a positive integer\n$/);
    await expectError(await get("profile?seconds=-3"), 400, /must be a positive integer/);
    await expectError(await get("profile?seconds=61"), 400, /^profile duration exceeds the server's maximum of 60 seconds\n$/);
    await expectError(await get("heap?seconds=1&debug=1"), 400, /^seconds and debug params are incompatible\n$/);
    await expectError(await get("heap?seconds=x"), 400, /must be a positive integer/);
    await expectError(await get("%E0%A4%A"), 404, /Unknown profile/);
  });

  it("requires the bearer token when one is configured", async () => {
    const h = pprofHandler({ token: "s3cret" });
    const denied = (await h(new Request("http://x/debug/pprof/heap")))!;
    await expectError(denied, 401, /Unauthorized/);
    expect(denied.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await h(new Request("http://x/debug/pprof/heap", { headers: { Authorization: "Bearer wrong" } })))!.status).toBe(401);
    expect((await h(new Request("http://x/debug/pprof/heap", { headers: { Authorization: "Bearer s3cret" } })))!.status).toBe(200);
  });

  it("serves a delta profile: p1 − p0, named <name>-delta", async () => {
    const during = get("http.test/conns?seconds=1");
    await new Promise((r) => setTimeout(r, 200));
    openConn({ id: 3 });
    const r = await during;
    expect(r.status).toBe(200);
    expect(r.headers.get("content-disposition")).toBe(`attachment; filename="http.test/conns-delta"`);
    const p = resolve(await bytesOf(r));
    expect(p.samples.reduce((n, s) => n + s.values[0]!, 0)).toBe(1);
    expect(p.raw.durationNanos).toBeGreaterThanOrEqual(0.9e9);
  });

  it("serves deltas of every predefined profile, as Go's profileSupportsDelta", async () => {
    const names = ["goroutine", "threadcreate", "block", "mutex", "heap", "allocs"];
    const rs = await Promise.all(names.map((n) => get(`${n}?seconds=1`)));
    for (const [i, r] of rs.entries()) {
      expect(r.status, names[i]).toBe(200);
      expect(r.headers.get("content-disposition")).toBe(`attachment; filename="${names[i]}-delta"`);
      resolve(await bytesOf(r));
    }
  });

  it("names any profile safely in Content-Disposition", async () => {
    const odd = newProfile('http.test/日本 "q"');
    odd.add(1);
    const r = await get(encodeURIComponent(odd.name));
    expect(r.status).toBe(200);
    expect(r.headers.get("content-disposition")).toBe(`attachment; filename="http.test/__ _q_"; filename*=UTF-8''${encodeURIComponent(odd.name)}`);
  });

  it("routes on the request path, never on the Host header", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((done, fail) => {
      const u = new URL(server.url);
      const req = request({ host: u.hostname, port: u.port, path: "/public", headers: { Host: "x/debug/pprof/cmdline?" } }, (res) => {
        res.resume();
        done(res.statusCode!);
      });
      req.on("error", fail);
      req.end();
    });
    expect(status).toBe(404);
  });

  it("is read by Go's own client over HTTP", async () => {
    const heap = parseRaw(await goPprofUrl(server.url + "heap", "-raw"));
    expect(heap.sampleTypes.length).toBeGreaterThan(0);
    const cpu = parseRaw(await goPprofUrl(server.url + "profile?seconds=2", "-raw"));
    // Go marks the default sample type: cpu, not the last one (wall).
    expect(cpu.sampleTypes).toEqual(["samples/count", "cpu/nanoseconds[dflt]", "wall/nanoseconds"]);
  });

  it("answers Grafana Alloy's default targets with valid pprof", async () => {
    const targets = ["allocs", "block", "goroutine", "mutex", "profile?seconds=2"];
    const responses = await Promise.all(targets.map((t) => get(t)));
    for (const [i, r] of responses.entries()) {
      expect(r.status, targets[i]).toBe(200);
      resolve(await bytesOf(r));
    }
  });

  it("serves 50 parallel requests while a CPU profile runs; a second CPU profile gets 500", async () => {
    const cpu = get("profile?seconds=2");
    await new Promise((r) => setTimeout(r, 200));
    const second = await get("profile?seconds=1");
    await expectError(second, 500, /^Could not enable CPU profiling: cpu profiling already in use\n$/);
    const paths = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? "heap" : "http.test/conns"));
    const rs = await Promise.all(paths.map((p) => get(p)));
    for (const r of rs) {
      expect(r.status).toBe(200);
      resolve(await bytesOf(r));
    }
    const first = await cpu;
    expect(first.status).toBe(200);
    expect(resolve(await bytesOf(first)).sampleTypes).toEqual(["samples/count", "cpu/nanoseconds", "wall/nanoseconds"]);
  });

  it("stops the CPU profile when the client disconnects", async () => {
    const abort = new AbortController();
    const pending = get("profile?seconds=30", { signal: abort.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    abort.abort();
    await pending;
    // The server notices the closed socket and stops: a new profile can start.
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await get("profile?seconds=1")).status;
    }
    expect(status).toBe(200);
  });
});

// cli-push.test.ts runs `anyprof push` and `anyprof record --push` as users
// do (node dist/cli/main.js) against receivers on 127.0.0.1: the files and
// the recorded program's windows arrive valid for go tool pprof.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bin, root, run } from "./helpers/spawn.ts";
import { startReceiver, type Receiver } from "./helpers/receivers.ts";
import { goPprof, parseRaw } from "./helpers/gotool.ts";
import { startCPUProfile, stopCPUProfile } from "../src/runtime/node.ts";

const cli = join(root, "dist/cli/main.js");
const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

describe("anyprof push and record --push", () => {
  it("push FILE… --to URL uploads each file to Pyroscope or the Collector, with its window", async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    await startCPUProfile(undefined, { hz: 1000 });
    const end = performance.now() + 200;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    const bytes = (await stopCPUProfile())!;
    const dir = mkdtempSync(join(tmpdir(), "anyprof-push-"));
    const file = join(dir, "cpu.pb.gz");
    writeFileSync(file, bytes);
    const bad = join(dir, "bad.pb.gz");
    writeFileSync(bad, "not a profile");

    const ok = await run(process.execPath, [cli, "push", file, "--to", rx.url, "--app", "cli", "--tag", "env=ci"], { PYROSCOPE_AUTH_TOKEN: "t0k" });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`pushed ${bytes.byteLength} bytes`);
    const got = rx.received[0]!;
    expect(got.path).toBe("/ingest");
    expect(got.query.name).toBe("cli{env=ci}");
    expect(got.query.sampleRate).toBe("100");
    expect(got.headers.authorization).toBe("Bearer t0k");
    expect(Number(got.query.until) - Number(got.query.from)).toBeLessThanOrEqual(1);
    expect(parseRaw(goPprof(got.profile, "-raw")).sampleTypes.join(" ")).toContain("cpu/nanoseconds");

    const otel = await run(process.execPath, [cli, "push", file, "--to", `${rx.url}/v1/pprof`]);
    expect(otel.code, otel.stderr).toBe(0);
    expect(rx.received[1]!.path).toBe("/v1/pprof");

    const refused = await run(process.execPath, [cli, "push", bad, "--to", rx.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^anyprof: .*bad\.pb\.gz: /);
    const usage = await run(process.execPath, [cli, "push", file]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--to URL");
    const badTag = await run(process.execPath, [cli, "push", file, "--to", rx.url, "--tag", "a-b=c"]);
    expect(badTag.code).toBe(1);
    expect(badTag.stderr).toContain('tag key "a-b"');
  });

  for (const rt of ["node", "bun", "deno"]) {
    it(`record --push URL pushes the program's windows while it runs, the last one at its end (${rt})`, async () => {
      const rx = await startReceiver();
      receivers.push(rx);
      const dir = mkdtempSync(join(tmpdir(), "anyprof-recpush-"));
      const program = join(dir, "prog.mjs");
      writeFileSync(
        program,
        `function recordedHot(ms) { const end = performance.now() + ms; let x = 0; while (performance.now() < end) x += Math.sqrt(x + 1); return x; }
         const end = performance.now() + 1500;
         while (performance.now() < end) { recordedHot(10); await new Promise((r) => setTimeout(r, 0)); }\n`,
      );
      const runtime = rt === "node" ? "node" : bin(rt);
      const r = await run(process.execPath, [cli, "record", "--push", rx.url, "--period", "0.4", "--app", "rec", "-o", dir, "--", runtime, program], {}, 45_000);
      expect(r.code, r.stderr).toBe(0);
      expect(rx.received.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < rx.received.length; i++) expect(rx.received[i]!.query.from).toBe(rx.received[i - 1]!.query.until);
      const all = rx.received.map((g) => goPprof(g.profile, "-top", "-nodecount=200")).join("\n");
      expect(all).toContain("recordedHot");
      expect(rx.received[0]!.query.name).toBe("rec{}");
    }, 60_000);
  }
});

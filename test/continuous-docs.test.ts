// continuous-docs.test.ts runs every JavaScript block of
// docs/continuous-profiling.md as a program (importing "anyprof" as users
// do, through the package's exports and dist/), with the backend URLs
// pointed at a receiver on 127.0.0.1: each must push a profile Go reads.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root, run } from "./helpers/spawn.ts";
import { startReceiver, type Receiver } from "./helpers/receivers.ts";
import { goPprof, parseRaw } from "./helpers/gotool.ts";

const doc = readFileSync(join(root, "docs/continuous-profiling.md"), "utf8");
const blocks = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
const out = join(root, "test-output");
mkdirSync(out, { recursive: true });
const receivers: Receiver[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
});

describe("docs/continuous-profiling.md's code runs", () => {
  it("has the three setups and the span example", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });
  blocks.forEach((code, i) => {
    it(`block ${i + 1} pushes a valid profile`, async () => {
      const rx = await startReceiver();
      receivers.push(rx);
      const program = code.replace(/https?:\/\/(pyroscope|otel-collector):4040|https:\/\/profiles-prod-001\.grafana\.net/g, () => rx.url);
      expect(program).not.toBe(code);
      const file = join(out, `docs-continuous-${i + 1}.mjs`);
      writeFileSync(
        file,
        `${program}
const end = performance.now() + 1200;
let x = 0;
while (performance.now() < end) { for (let k = 0; k < 1e4; k++) x += Math.sqrt(x + k); await new Promise((r) => setTimeout(r, 0)); }
const { stopContinuousProfiling, continuousStats } = await import("anyprof");
await stopContinuousProfiling(3000);
console.log(JSON.stringify(continuousStats()));
`,
      );
      const r = await run(process.execPath, [file], { GRAFANA_PROFILES_USER: "123", GRAFANA_CLOUD_TOKEN: "glc_test" });
      expect(r.code, r.stderr).toBe(0);
      expect(rx.received.length, r.stdout).toBeGreaterThanOrEqual(1);
      expect(parseRaw(goPprof(rx.received[0]!.profile, "-raw")).sampleTypes.join(" ")).toContain("cpu/nanoseconds");
      if (code.includes("basicAuthUser")) expect(rx.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from("123:glc_test").toString("base64")}`);
    });
  });
});

// gzip.mjs owns the compression benchmark: the WASM core's protobuf output
// gzipped by pako (pure JS, what src/host/gzip.ts uses for byte-identical output
// in every runtime), by node:zlib's gzipSync (native zlib) and by the web's
// CompressionStream (native, async), all at the default level. Each output
// must gunzip back to the input.
import { gunzipSync, gzipSync } from "node:zlib";
import { gzip as pakoGzip } from "pako";
import { timeRounds, median, medianRatio, table, fixed, check } from "./harness.mjs";

/** compressionStreamGzip gzips bytes through CompressionStream. */
async function compressionStreamGzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** runGzip times the three compressors on proto and returns the markdown. */
export async function runGzip(proto, { rounds = 7 } = {}) {
  const candidates = [
    { name: "pako `gzip` (pure JS)", run: () => pakoGzip(proto) },
    { name: "node:zlib `gzipSync` (native)", run: () => gzipSync(proto) },
    { name: "`CompressionStream(\"gzip\")` (native, async)", run: () => compressionStreamGzip(proto) },
  ];
  const outputs = [pakoGzip(proto), gzipSync(proto), await compressionStreamGzip(proto)];
  outputs.forEach((out, i) => check(`${candidates[i].name}: gunzip round trip`, Buffer.compare(gunzipSync(out), proto), 0));

  await timeRounds(candidates, 1);
  const elapsedMillis = await timeRounds(candidates, rounds);
  const megabytes = proto.length / 1e6;
  const rows = candidates.map((c, i) => [
    c.name,
    fixed(median(elapsedMillis[i]), 1),
    fixed(megabytes / (median(elapsedMillis[i]) / 1000), 1),
    fixed(outputs[i].length / 1e6, 2),
    // pako's reason to exist here is identical bytes everywhere; whether a
    // native zlib matches it is worth seeing per runtime.
    i === 0 ? "–" : Buffer.compare(outputs[i], outputs[0]) === 0 ? "yes" : "no",
    i === 0 ? "1.00×" : `${fixed(medianRatio(elapsedMillis[i], elapsedMillis[0]), 2)}×`,
  ]);
  const lines = [
    `### gzip of the WASM output (${fixed(megabytes, 2)} MB of protobuf, default level)`,
    "",
    table(["compressor", "median ms", "MB/s in", "MB out", "same bytes as pako", "speed vs pako"], rows),
    "",
    `Verified: every output gunzips to the input.`,
  ];
  return { markdown: lines.join("\n"), elapsedMillis };
}

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One file at a time: the CPU conformance measures time ratios, which a
    // second file running on this two-core machine would skew.
    fileParallelism: false,
  },
});

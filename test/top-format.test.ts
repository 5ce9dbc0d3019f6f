// top-format.test.ts checks the CLI's pprof-style numbers against Go's own
// printing on the values where JavaScript's toFixed and Go's strconv differ:
// exact binary ties (5 of 160 samples is 3.125 %: Go prints 3.12%, toFixed
// 3.13%), found when a view-pprof run met one by chance.
import { expect, test } from "vitest";
import { fixedHalfEven, formatValue, pprofPercent, significantHalfEven } from "../src/cli/top.ts";

test("exact ties round to even, as Go's strconv does", () => {
  expect(pprofPercent(5, 160)).toBe("3.12%");
  expect(pprofPercent(27, 80)).toBe("33.75%");
  expect(pprofPercent(54, 160)).toBe("33.75%");
  expect(fixedHalfEven(3.375, 2)).toBe("3.38");
  expect(fixedHalfEven(-3.125, 2)).toBe("-3.12");
  expect(fixedHalfEven(12.25, 1)).toBe("12.2");
  expect(fixedHalfEven(2.5, 0)).toBe("2");
  // Not ties: as toFixed.
  expect(fixedHalfEven(1.005, 2)).toBe((1.005).toFixed(2));
  expect(fixedHalfEven(3.126, 2)).toBe("3.13");
  expect(formatValue(3_125_000, "nanoseconds")).toBe("3.12ms");
});

test("below 1%, two significant digits with ties to even, as Go's %.2g", () => {
  // 2 of 320 samples is 0.625 %: Go prints 0.62%, toPrecision 0.63% (a
  // view-pprof run on a Deno profile met it).
  expect(pprofPercent(2, 320)).toBe("0.62%");
  expect(pprofPercent(1, 1600)).toBe("0.062%");
  expect(pprofPercent(3, 320)).toBe("0.94%");
  expect(significantHalfEven(0.375, 2)).toBe("0.38");
  expect(significantHalfEven(0.5, 2)).toBe("0.5");
  expect(significantHalfEven(0.996, 2)).toBe("1");
  expect(significantHalfEven(0.001, 2)).toBe("0.001");
  // Not ties: as toPrecision.
  expect(significantHalfEven(0.6251, 2)).toBe("0.63");
  expect(significantHalfEven(0.00123, 2)).toBe("0.0012");
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { addCounts, countDigits, countFixed, groupedNumber, product, sumCounts, toCount } from "../../src/shared/count";
import { formatBytes, formatCount, formatMB, formatMetric } from "../../src/shared/format";
import { count } from "../../src/shared/validate";

describe("exact counts", () => {
  test("a count is a number up to 2^53 and its decimal digits beyond", () => {
    assert.equal(toCount(2n ** 53n), 9007199254740992);
    assert.equal(toCount(2n ** 53n + 1n), "9007199254740993");
    assert.equal(toCount(0n), 0);
  });

  test("sums and products stay exact where doubles round", () => {
    const n = 2 ** 30 + 1;
    assert.equal(toCount(product(n, n) + BigInt(n)), "1152921507828072450");
    assert.equal(addCounts(9007199254740992, 1), "9007199254740993");
    assert.equal(
      sumCounts(["9007199254740993", 7], (c) => c),
      "9007199254741000",
    );
    assert.equal(addCounts(416520, 60008), 476528);
  });

  test("every digit is printed, grouped by thousands", () => {
    assert.equal(countDigits("1152921507828072450"), "1,152,921,507,828,072,450");
    assert.equal(formatCount("9007199254740993"), "9,007,199,254,740,993");
    assert.equal(formatCount(61706), "61,706");
  });

  test("groupedNumber is toLocaleString('en-US') without ICU, for integers, negatives, -0 and non-integers alike", () => {
    const samples = [
      0,
      -0,
      1,
      12,
      123,
      1234,
      -1234,
      999_999,
      1_000_000,
      60_192_808,
      -(2 ** 53) + 1,
      2 ** 53 - 1,
      2 ** 53,
      2 ** 60,
      1.5,
      1234.5678,
      -0.25,
      NaN,
      Infinity,
      -Infinity,
    ];
    for (const n of samples) assert.equal(groupedNumber(n), n.toLocaleString("en-US"), String(n));
  });

  test("fixed-point displays are exact and never switch to exponent notation", () => {
    assert.equal(countFixed("4611686031312289800", 6, 2), "4611686031312.29");
    assert.equal(countFixed("1999999999999999995", 6, 2), "2000000000000.00");
    assert.equal(countFixed(5000, 6, 2), "0.01");
    assert.equal(formatMB("4611686031312289800"), "4611686031312.29");
    assert.equal(formatMB("4" + "0".repeat(30)), "4" + "0".repeat(24) + ".00");
    assert.equal(formatBytes("9007199254740993"), "9007199.25 GB");
    assert.equal(formatMetric("1152921504606846976"), "1152921.5T");
    // Numbers keep their formatting exactly (goldens and screenshots).
    assert.equal(formatMB(246824), "0.25");
    assert.equal(formatMetric(416520), "416.5K");
  });

  test("the webview protocol accepts a count's decimal string, and nothing else as text", () => {
    assert.equal(count("1152921507828072450", "macs"), "1152921507828072450");
    assert.equal(count(42, "macs"), 42);
    assert.throws(() => count("12abc", "macs"));
    assert.throws(() => count("-9007199254740993", "macs"));
    assert.throws(() => count(-1, "macs"));
  });
});

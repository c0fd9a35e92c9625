import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mergeFields, WHOLE_INPUT } from "../../src/analyzer/receptiveField";
import type { ReceptiveField } from "../../src/shared/analysis";
import { formatField, formatFieldShort } from "../../src/shared/format";
import { fieldRangeText } from "../../src/shared/markdown";
import { receptiveField } from "../../src/shared/webview/common";

describe("a receptive field over the whole input", () => {
  const window: ReceptiveField = { size: [7, 7], jump: [2, 2], start: [3, 3] };

  test("reads 'whole input' in hovers, the CLI table and ranges, and is the widest", () => {
    assert.equal(formatField(WHOLE_INPUT), "whole input");
    assert.equal(formatFieldShort(WHOLE_INPUT), "whole input");
    assert.equal(formatFieldShort(window), "7×7/2");
    assert.equal(fieldRangeText([window, WHOLE_INPUT, null]), "7×7 (jump 2) … whole input");
  });

  test("merging a path that sees the whole input sees the whole input", () => {
    assert.deepEqual(
      mergeFields([
        { field: window, onGrid: true },
        { field: WHOLE_INPUT, onGrid: true },
      ]),
      { wholeInput: true },
    );
    assert.deepEqual(mergeFields([{ field: window, onGrid: true }]), window);
  });

  test("the panels' validator accepts it, jump and start omitted, and nothing in between", () => {
    assert.deepEqual(receptiveField({ wholeInput: true }, "rf"), { wholeInput: true });
    assert.deepEqual(receptiveField(window, "rf"), window);
    assert.throws(() => receptiveField({ wholeInput: false }, "rf"));
    assert.throws(() => receptiveField({ size: [1, 1] }, "rf"));
  });
});

/**
 * Issue 19.9: a channel mismatch's quick fixes on both sides — the consuming layer's argument (in
 * the form the code writes it) and the producing layer's `outChannels`/`outFeatures` (with the
 * norms sized by it) — and applying either one leaves a file without errors; the producing side
 * is not offered where it would break another consumer.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import ts = require("typescript");
import type { Diagnostic, EditFix, FileAnalysis } from "../../src/shared/analysis";
import { applyFix, noNewErrors } from "../../src/server/producerActions";
import { analyzeSource, messages } from "./language/helpers";

const FILE = path.resolve("/virtual/model.ts");

function onlyError(a: FileAnalysis): Diagnostic {
  const errors = a.diagnostics.filter((d) => d.severity === "error");
  assert.equal(errors.length, 1, messages(a).join("\n"));
  return errors[0]!;
}

function apply(text: string, fix: EditFix): string {
  return applyFix(ts.createSourceFile(FILE, text, ts.ScriptTarget.Latest, true), fix);
}

/** The consumer's fix as an edit fix. */
function consumerFix(d: Diagnostic): EditFix {
  assert.ok(d.fix, "no fix on the consumer");
  return { title: d.fix.title, edits: [{ location: d.fix.location, newText: d.fix.newText }] };
}

function assertNoErrors(text: string): void {
  const after = analyzeSource(text);
  assert.deepEqual(
    after.diagnostics.filter((d) => d.severity === "error").map((d) => d.message),
    [],
    text,
  );
}

const sequential = (layers: string, input = "[N, 3, 16, 16]"): string => `import { nn } from "cnn-studio";

/** @input ${input} */
export const features = nn.Sequential(
${layers}
);
`;

describe("quick fixes on both sides of a channel mismatch", () => {
  test("Conv2d after Conv2d: the consumer's inChannels or the producer's outChannels, named by path", () => {
    const text = sequential("  nn.Conv2d(3, 32, 3, { padding: 1 }),\n  nn.ReLU(),\n  nn.MaxPool2d(2),\n  nn.Conv2d(16, 64, 3),");
    const d = onlyError(analyzeSource(text));
    assert.equal(d.fix?.title, "Change 3 (Conv2d) inChannels to 32");
    assert.equal(d.producerFix?.title, "Change 0 (Conv2d) outChannels to 16");
    assert.deepEqual(
      d.producerFix.edits.map((e) => [e.location.range.start.line + 1, e.location.range.start.character + 1, e.newText]),
      [[5, 16, "16"]],
    );
    assertNoErrors(apply(text, consumerFix(d)));
    assertNoErrors(apply(text, d.producerFix));
  });

  test("a BatchNorm between them changes with the producer", () => {
    const text = sequential("  nn.Conv2d(3, 2 * 16, 3),\n  nn.BatchNorm2d(32),\n  nn.ReLU(),\n  nn.Conv2d(16, 64, 3),");
    const d = onlyError(analyzeSource(text));
    assert.equal(d.producerFix?.title, "Change 0 (Conv2d) outChannels to 16 (and 1 (BatchNorm2d) numFeatures)");
    const fixed = apply(text, d.producerFix);
    assert.match(fixed, /nn\.Conv2d\(3, 16, 3\),\n {2}nn\.BatchNorm2d\(16\),/);
    assertNoErrors(fixed);
  });

  test("a BatchNorm sized for the wrong count: change it, or the convolution before it", () => {
    const text = sequential("  nn.Conv2d(3, 64, 3, { padding: 1, bias: false }),\n  nn.BatchNorm2d(32),");
    const d = onlyError(analyzeSource(text));
    assert.equal(d.fix?.title, "Change 1 (BatchNorm2d) numFeatures to 64");
    assert.equal(d.producerFix?.title, "Change 0 (Conv2d) outChannels to 32");
    assertNoErrors(apply(text, consumerFix(d)));
    assertNoErrors(apply(text, d.producerFix));
  });

  test("Linear after Linear: outFeatures", () => {
    const text = sequential("  nn.Linear(20, 64),\n  nn.GELU(),\n  nn.Dropout(0.1),\n  nn.Linear(32, 10),", "[N, 20]");
    const d = onlyError(analyzeSource(text));
    assert.equal(d.fix?.title, "Change 3 (Linear) inFeatures to 64");
    assert.equal(d.producerFix?.title, "Change 0 (Linear) outFeatures to 32");
    assertNoErrors(apply(text, d.producerFix));
  });

  test("a Linear after Flatten keeps the expression's form (32 * 8 * 8), and nothing is offered on the convolution", () => {
    const text = sequential("  nn.Conv2d(3, 32, 3, { padding: 1 }),\n  nn.MaxPool2d(2),\n  nn.Flatten(),\n  nn.Linear(64 * 8 * 8, 10),");
    const d = onlyError(analyzeSource(text));
    assert.equal(d.fix?.title, "Change 3 (Linear) inFeatures to 32 * 8 * 8 (2048)");
    assert.equal(d.fix.newText, "32 * 8 * 8");
    assert.equal(d.producerFix, undefined);
    assertNoErrors(apply(text, consumerFix(d)));
  });

  test("a producer whose count is a name, not a number, is not changed", () => {
    const text = `import { nn } from "cnn-studio";
const width = 32;
/** @input [N, 3, 16, 16] */
export const features = nn.Sequential(nn.Conv2d(3, width, 3), nn.ReLU(), nn.Conv2d(16, 64, 3));
`;
    const d = onlyError(analyzeSource(text));
    assert.ok(d.fix);
    assert.equal(d.producerFix, undefined);
  });

  test("a producer read by another layer too: its fix would break that layer, so it is not verified", () => {
    const text = `import { nn, torch, type Tensor } from "cnn-studio";

class Net extends nn.Module {
  stem = nn.Conv2d(3, 32, 3, { padding: 1 });
  left = nn.Conv2d(32, 8, 1);
  right = nn.Conv2d(16, 8, 1);

  forward(x: Tensor): Tensor {
    x = this.stem(x);
    return torch.cat([this.left(x), this.right(x)], 1);
  }
}

/** @input [N, 3, 16, 16] */
export const net = new Net();
`;
    const before = analyzeSource(text);
    const d = onlyError(before);
    assert.equal(d.fix?.title, "Change right (Conv2d) inChannels to 32");
    assert.ok(d.producerFix, "the analyzer proposes the producer's side");
    assert.equal(d.producerFix.title, "Change stem (Conv2d) outChannels to 16");
    const after = analyzeSource(apply(text, d.producerFix));
    assert.equal(noNewErrors(before.diagnostics, d, after.diagnostics), false, messages(after).join("\n"));
    // The consumer's side is safe.
    assert.equal(noNewErrors(before.diagnostics, d, analyzeSource(apply(text, consumerFix(d))).diagnostics), true);
  });
});

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import ts = require("typescript");
import { Analyzer } from "../../src/analyzer/index";
import { inferInputTag } from "../../src/server/inputInference";

/** Issue 14: a model whose first layer is a Conv1d gets an `@input [N, C, L]` fix, its length a guess. */

test("a Conv1d first: [N, inChannels, L] with L verified and marked as a guess", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-ncl-"));
  const file = path.join(dir, "seq.ts");
  const text = 'import { nn } from "cnn-studio";\n\nexport const seq = nn.Sequential(nn.Conv1d(12, 16, 5), nn.ReLU(), nn.AdaptiveAvgPool1d(1));\n';
  try {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const at = text.indexOf("seq =");
    const range = { start: { line: 2, character: at - text.lastIndexOf("\n", at) - 1 }, end: { line: 2, character: at - text.lastIndexOf("\n", at) + 2 } };
    const probe = (t: string) => {
      fs.writeFileSync(file, t);
      return new Analyzer().analyzeFile(file);
    };
    const edit = inferInputTag(sf, range, probe);
    assert.ok(edit);
    assert.deepEqual(edit.shape, ["N", 12, 128]);
    assert.equal(edit.title, "Add @input [N, 12, 128] (the size is a guess: check L)");
    assert.equal(edit.verified, true);
    assert.equal(edit.certain, false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import ts = require("typescript");
import { EXAMPLES, ROOT } from "./helpers/paths";
import { USER_COMPILER_OPTIONS } from "./helpers/userCompilerOptions";

/**
 * The "cnn-studio" typings: the examples and a sample covering the whole language type-check with
 * plain tsc (strict, noUncheckedIndexedAccess); each negative sample is a type error.
 */

const options = USER_COMPILER_OPTIONS;

function errorsByFile(files: string[]): Map<string, string[]> {
  const program = ts.createProgram(files, options);
  const out = new Map<string, string[]>(files.map((f) => [path.resolve(f), []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file ? path.resolve(d.file.fileName) : "(global)";
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const text = `${pos ? `${pos.line + 1}:${pos.character + 1} ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    out.set(file, [...(out.get(file) ?? []), text]);
  }
  return out;
}

test("examples/ passes tsc --noEmit with the cnn-studio typings", () => {
  const files = fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(EXAMPLES, f));
  const errors = [...errorsByFile(files)].filter(([, e]) => e.length);
  assert.deepEqual(errors, []);
});

test("typings: the sample model type-checks and every negative sample is an error", () => {
  const sample = path.join(ROOT, "test", "typings", "sample-model.ts");
  const negDir = path.join(ROOT, "test", "typings", "negative");
  const negatives = fs
    .readdirSync(negDir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(negDir, f));
  assert.ok(negatives.length >= 10, "negative samples exist");
  const errors = errorsByFile([sample, ...negatives]);
  assert.deepEqual(errors.get(sample), [], "sample-model.ts");
  for (const f of negatives) assert.ok((errors.get(f) ?? []).length > 0, `${path.basename(f)} should not type-check`);
});

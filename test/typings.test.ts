import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import ts = require("typescript");
import { Analyzer } from "../src/analyzer/index";
import { EXAMPLES, ROOT } from "./helpers/paths";
import { namespaceStatements } from "./helpers/typingsFiles";
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

test("typings: built-in modules are classes: new, extends (nn.Conv2d, BatchNorm2d, Linear, Sequential, ReLU, MaxPool2d, ops.SqueezeExcitation) and instanceof type-check and analyse", () => {
  const sample = path.join(ROOT, "test", "typings", "builtin-classes.ts");
  assert.deepEqual(errorsByFile([sample]).get(sample), [], "builtin-classes.ts");
  const analysis = new Analyzer().analyzeFile(sample);
  assert.deepEqual(
    analysis.diagnostics.map((d) => d.message),
    [],
  );
  const [model] = analysis.models;
  // torch 1.13, the same classes in Python: 1,750 parameters, 50 buffer elements, output [N, 10]
  assert.equal(model?.params, 1750);
  assert.equal(model?.buffers, 50);
  assert.deepEqual(model?.output, ["N", 10]);
  assert.deepEqual(
    model?.layers.filter((l) => !l.path.includes(".")).map((l) => [l.path, l.type]),
    [
      ["conv", "ScaledConv"],
      ["bn", "FrozenBatchNorm2d"],
      ["act", "QuietReLU"],
      ["pool", "Pool"],
      ["gap", "AdaptiveAvgPool2d"],
      ["fc", "FlatLinear"],
    ],
  );
});

test("typings: every nn and ops module factory is also a class (a construct signature and a prototype), as the contract's Version 2 says", () => {
  const functionsOnly: string[] = [];
  const withoutNew: string[] = [];
  for (const ns of ["nn", "ops"]) {
    const statements = namespaceStatements(ns);
    const interfaces = new Map(statements.filter(ts.isInterfaceDeclaration).map((i) => [i.name.text, i]));
    const isModule = (name: string): boolean => {
      const iface = interfaces.get(name);
      return !!iface?.heritageClauses?.some((h) => h.types.some((t) => /(^|\.)(Module|Sequential|ModuleList|ModuleDict)$/.test(t.expression.getText())));
    };
    for (const s of statements) {
      if (ts.isFunctionDeclaration(s) && s.name && s.type?.getText() === s.name.text && isModule(s.name.text)) functionsOnly.push(`${ns}.${s.name.text}`);
      if (!ts.isVariableStatement(s)) continue;
      for (const d of s.declarationList.declarations) {
        const typeName = d.type?.getText() ?? "";
        const iface = interfaces.get(typeName);
        if (!typeName.endsWith("Class") || !iface) continue;
        const constructs = iface.members.some(ts.isConstructSignatureDeclaration);
        const prototype = iface.members.some((m) => m.name?.getText() === "prototype");
        if (!constructs || !prototype) withoutNew.push(`${ns}.${d.name.getText()}`);
      }
    }
  }
  assert.deepEqual(functionsOnly, [], "module factories declared as functions only (no `new`, no `extends`)");
  assert.deepEqual(withoutNew, [], "factory-and-class constants without a construct signature or prototype");
  assert.ok(namespaceStatements("nn").some((s) => ts.isVariableStatement(s) && s.getText().includes("Conv2d: Conv2dClass")));
});

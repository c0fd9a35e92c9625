import assert from "node:assert/strict";
import * as path from "node:path";
import { Analyzer, type AnalyzerHost, type FileAnalysis, type ModelAnalysis } from "../../../src/analyzer/index";

/** Analyses model source held in memory (one file, `/virtual/model.ts`). */
export function analyzeSource(text: string): FileAnalysis {
  const file = path.resolve("/virtual/model.ts");
  const host: AnalyzerHost = { readFile: (f) => (f === file ? text : undefined) };
  return new Analyzer(host).analyzeFile(file);
}

/** The diagnostics' messages, `line:column message` (1-based). */
export function messages(a: FileAnalysis): string[] {
  return a.diagnostics.map((d) => `${d.location.range.start.line + 1}:${d.location.range.start.character + 1} ${d.message}`);
}

/** The only model of a file without diagnostics. */
export function onlyModel(text: string): ModelAnalysis {
  const a = analyzeSource(text);
  assert.deepEqual(messages(a), []);
  const [m] = a.models;
  assert.ok(m, "no model");
  return m;
}

/** A model file whose module class body is `body`, analysed with input `input`. */
export function moduleModel(body: string, input = "[N, 3, 8, 8]", prelude = ""): string {
  return `import { nn, F, torch, type Tensor } from "cnn-studio";
${prelude}
class Net extends nn.Module {
${body}
}

/** @input ${input} */
export const net = new Net();
`;
}

import * as fs from "node:fs";
import { Analyzer } from "../../src/analyzer/index";
import { withEdges } from "../../src/server/analysisRequest";
import type { AnalysisResult } from "../../src/shared/lsp";
import type { ProgressEvent } from "../../src/shared/training";

/** What the extension's tests share: a model file's analysis as the language server sends it, a training run's progress. */

/** The analysis of `file` (first written with `text` when given), as the server's `cnnStudio/analysis` answers it. */
export function analyse(file: string, text?: string): AnalysisResult {
  if (text !== undefined) fs.writeFileSync(file, text);
  const a = new Analyzer().analyzeFile(file);
  return {
    uri: `file://${file}`,
    file,
    version: null,
    isModelFile: true,
    models: a.models.map(withEdges),
    diagnostics: a.diagnostics,
    dependencies: a.dependencies,
  };
}

/** Step 10 of 100 in epoch 2 of 5: batch accuracy 91.2%, 1,234.4 images a second. */
export const PROGRESS: ProgressEvent = {
  type: "progress",
  epoch: 2,
  epochs: 5,
  step: 10,
  stepsPerEpoch: 100,
  globalStep: 110,
  loss: 0.3,
  accuracy: 0.912,
  imagesPerSecond: 1234.4,
  etaSeconds: 30,
  lr: 0.001,
};

import * as path from "node:path";
import { Analyzer } from "../../src/analyzer/index";
import { modelTensorLayout } from "../../src/trainer/weightFiles/modelTensorsStatic";
import { writeSafetensors } from "../../src/trainer/weightFiles/safetensors";
import { ROOT } from "./harness";

/**
 * Pretrained weights for examples/lenet5.ts's lenet5Mnist (issue 15's E2E step): every tensor of the
 * model, but a 1000-class head (a mismatch, kept freshly initialised) and one tensor the model does
 * not have. Returns the file and the model's declaration line (1-based; its code lens sits above).
 */
export function writeLenetWeights(dir: string): { file: string; line: number } {
  const file = path.join(dir, "lenet5-pretrained.safetensors");
  const model = new Analyzer().analyzeFile(path.join(ROOT, "examples", "lenet5.ts")).models.find((m) => m.name === "lenet5Mnist");
  if (!model) throw new Error("examples/lenet5.ts exports no lenet5Mnist");
  const tensors = modelTensorLayout(model).tensors.map((t) => (t.name === "classifier.4.weight" ? { ...t, shape: [1000, 84] } : t));
  writeSafetensors(file, [
    ...tensors.map((t) => ({ ...t, values: new Float32Array(t.shape.reduce((a, d) => a * d, 1)).fill(0.01) })),
    { name: "aux.weight", shape: [2], values: new Float32Array(2) },
  ]);
  return { file, line: model.location.range.start.line + 1 };
}

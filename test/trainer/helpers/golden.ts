import * as fs from "node:fs";
import * as path from "node:path";

/** Reading the trainer's PyTorch goldens (scripts/golden/trainer_equivalence.py). */

export const ROOT = path.resolve(__dirname, "../../../..");
export const TRAINER_GOLDEN = path.join(ROOT, "test", "golden", "trainer");

export interface EncodedTensor {
  shape: number[];
  dtype: "float32" | "int64";
  b64?: string;
  values?: number[];
}

export interface TrainerGolden {
  model: string;
  file: string;
  batch: number;
  state: Record<string, EncodedTensor>;
  input: EncodedTensor;
  evalOutput: EncodedTensor;
  trainOutput: EncodedTensor;
  lossWeights: EncodedTensor;
  grads: Record<string, EncodedTensor>;
  /** Absent for an integer input (embedding indices). */
  inputGrad?: EncodedTensor;
  stateAfter: Record<string, EncodedTensor>;
  /** max |float32 − float64| of PyTorch itself, per tensor (same structure as the quantities). */
  float32Deviation: {
    evalOutput: number;
    trainOutput: number;
    inputGrad?: number;
    grads: Record<string, number>;
    stateAfter: Record<string, number>;
  };
}

export function decode(t: EncodedTensor): Float32Array | Int32Array {
  if (t.dtype === "int64") return Int32Array.from(t.values ?? []);
  const bytes = Buffer.from(t.b64 ?? "", "base64");
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

export function loadGolden(name: string): TrainerGolden {
  return JSON.parse(fs.readFileSync(path.join(TRAINER_GOLDEN, `${name}.json`), "utf8")) as TrainerGolden;
}

export const GOLDEN_MODELS = [
  "lenet5",
  "basicBlock",
  "bottleneck",
  "inception",
  "invertedResidual",
  "invertedResidualStride2",
  "denseBlock",
  "convZoo",
  "poolZoo",
  "normZoo",
  "opsZoo",
  // ---- modules: issue 14 ----
  "modernZoo1d",
  "modernZoo2d",
  "embeddingZoo",
  // ---- attention: the transformer zoo ----
  "selfAttention",
  "crossAttention",
  "opsBlocks",
  "transformerOpsZoo",
  // ---- a constructor-computed buffer: Swin's relative position index ----
  "swinBlocks",
] as const;

/**
 * The largest |a − b| relative to the largest |b| of the tensor (floored at 1e-6): the error
 * measure of the equivalence tests, so that small gradients are held to the same relative
 * precision as large ones.
 */
export function scaledError(actual: ArrayLike<number>, expected: ArrayLike<number>): { error: number; abs: number; scale: number } {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    abs = Math.max(abs, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return { error: abs / Math.max(1e-6, scale), abs, scale };
}

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { trainConfig, type TrainConfig } from "../../../src/shared/training";
import type { TransferConfig } from "../../../src/shared/trainConfigTransfer";
import { PYTHON } from "../../export/helpers";
import { ROOT, tempDir } from "../helpers/env";

/** What both engines' transfer-learning tests share: the small BatchNorm CNN, its PyTorch-made weights and a run's config. */

export const MODEL_FILE = path.join(ROOT, "test/fixtures/trainer/transfer/smallBackbone.ts");
export const MAKE_WEIGHTS = path.join(ROOT, "test/trainer/transfer/make_weights.py");

export type FileTensors = Record<string, { shape: number[]; values: number[] }>;

/** The weights files (`base`.pth and `base`.safetensors, same tensors, a head of `classes` outputs) and their values as PyTorch has them. */
export function makeWeights(classes?: number): { base: string; tensors: FileTensors } {
  const base = path.join(tempDir("cnn-studio-weights-"), "backbone");
  const r = spawnSync(PYTHON, [MAKE_WEIGHTS, base, ...(classes === undefined ? [] : [String(classes)])], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return { base, tensors: JSON.parse(r.stdout) as FileTensors };
}

/** A one-epoch run of smallBackbone on the IDX folder `data`, with `transfer` and anything `over` changes. */
export function transferConfig(data: string, runsDir: string, transfer: TransferConfig, over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...trainConfig({
      file: MODEL_FILE,
      model: "smallBackbone",
      dataset: { kind: "idx", dir: data },
      runsDir,
      epochs: 1,
      batchSize: 16,
      seed: 3,
      optimizer: { name: "adamw", lr: 0.01, weightDecay: 0.1 },
      transfer,
    }),
    ...over,
  };
}

/** The same float32 values, bit for bit. */
export const same = (a: Float32Array | undefined, b: Float32Array | undefined) =>
  a !== undefined &&
  b !== undefined &&
  a.length === b.length &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** smallBackbone's backbone parameters and its BatchNorm buffers. */
export const BACKBONE = [
  "features.0.weight",
  "features.1.weight",
  "features.1.bias",
  "features.3.weight",
  "features.3.bias",
  "features.4.weight",
  "features.4.bias",
];
export const BN_BUFFERS = [
  "features.1.running_mean",
  "features.1.running_var",
  "features.1.num_batches_tracked",
  "features.4.running_mean",
  "features.4.running_var",
  "features.4.num_batches_tracked",
];

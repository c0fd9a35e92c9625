/**
 * What every checkpoint says besides its tensors, in both formats (checkpointSafetensors.ts, the
 * format since issue 15; checkpointLegacy.ts, the `.json` + `.bin` before it): the training
 * position, the optimiser's name and scalars, the random state, and the epoch's validation.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Where training stands, and the running sums of the current epoch. */
export interface TrainingPosition {
  /** 1-based epoch of the last completed step (0 before any step). */
  epoch: number;
  /** Steps completed in that epoch (stepsPerEpoch when the epoch, with its evaluation, is done). */
  step: number;
  globalStep: number;
  /** The epoch's running sums so far (weighted by batch size). */
  lossSum: number;
  correct: number;
  correctTop5: number;
  seen: number;
  /** Lines of metrics.jsonl written up to this point. */
  metricsLines: number;
  /** Seconds of training so far (for the run's total time). */
  seconds: number;
}

export interface CheckpointMeta {
  format: "cnn-studio-checkpoint";
  /** 1: `.json` + `.bin`; 2: `.safetensors` + `.optimizer.safetensors`. */
  version: number;
  model: string;
  writtenAt: string;
  reason: "epoch" | "stop";
  /** The epoch's validation results, for epoch checkpoints. */
  validation?: { loss: number; accuracy: number };
  position: TrainingPosition;
  optimizer: { name: string; scalars: Record<string, number> };
  /**
   * Random state. Every draw is counter-based: the data order of epoch e comes from
   * hash(seed, "shuffle", e), augmentation of step g from hash(seed, "augment", g), so the state is
   * the seed and the position.
   */
  rng: { seed: number; scheme: string };
}

export interface CheckpointTensor {
  name: string;
  kind: "parameter" | "buffer" | "optimizer";
  shape: number[];
  data: Float32Array;
  /** PyTorch's dtype where it is not float32 (`num_batches_tracked` is int64). */
  torchDtype?: "int64";
}

export interface LoadedCheckpoint<M extends CheckpointMeta = CheckpointMeta> {
  /** The checkpoint's model file (`.safetensors`) or, in the old format, its index (`.json`). */
  file: string;
  index: M;
  /** Parameters and buffers by `state_dict` name; optimiser state as `optimizer.<parameter>.<slot>`. */
  tensors: Map<string, CheckpointTensor>;
}

export function checkpointBase(epoch: number, step: number): string {
  return `e${String(epoch).padStart(4, "0")}-s${String(step).padStart(6, "0")}`;
}

const POSITION_KEYS: (keyof TrainingPosition)[] = ["epoch", "step", "globalStep", "lossSum", "correct", "correctTop5", "seen", "metricsLines", "seconds"];

/** Why the position and optimizer fields of a checkpoint's description are not valid, or null (`what` names the description in the message). */
export function metaProblem(o: Record<string, unknown>, what: string): string | null {
  const p = o["position"] as Record<string, unknown> | undefined;
  const badKey = typeof p !== "object" || p === null ? "position" : POSITION_KEYS.find((k) => typeof p[k] !== "number" || !Number.isFinite(p[k]));
  if (badKey !== undefined) return `${what} has no valid ${badKey === "position" ? "position" : `position.${badKey}`}`;
  const opt = o["optimizer"] as { name?: unknown; scalars?: unknown } | undefined;
  if (typeof opt !== "object" || opt === null || typeof opt.name !== "string" || typeof opt.scalars !== "object" || opt.scalars === null)
    return `${what} has no valid optimizer state`;
  return null;
}

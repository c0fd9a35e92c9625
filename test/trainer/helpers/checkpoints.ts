import type { TrainingPosition } from "../../../src/trainer/checkpoint";

/** What the checkpoint tests of both formats write besides tensors. */

/** A training position at `epoch`/`step` with fixed running sums. */
export const position = (epoch: number, step: number): TrainingPosition => ({
  epoch,
  step,
  globalStep: epoch * 10 + step,
  lossSum: 1.5,
  correct: 3,
  correctTop5: 4,
  seen: 8,
  metricsLines: 5,
  seconds: 2,
});
/** Checkpoint metadata (everything but the tensors) of model "net" at `epoch`/`step`. */
export const meta = (epoch: number, step: number) => ({
  model: "net",
  reason: "epoch" as const,
  position: position(epoch, step),
  optimizer: { name: "adam", scalars: { lr: 0.001, beta1: 0.9, step: 7 } },
  rng: { seed: 1, scheme: "test" },
});

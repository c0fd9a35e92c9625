/**
 * The PyTorch engine's boundary: the JSON lines its Python program (src/trainer/engines/torch/
 * script.ts) writes on standard output, one message a line, read by pythonRun.ts in the trainer
 * process. Losses that are not finite numbers arrive as null (JSON has no NaN). Each line is
 * checked on arrival like every other message of CNN Studio (src/shared/validate.ts); a line that
 * is JSON but not a valid message ends the run with an error naming the line and the field.
 */

import { gpuMemory, type CheckpointEvent, type GpuMemory } from "./training";
import { weightsReport, type WeightsReport } from "./weights";
import { arr, bool, literal, nat, nullable, num, obj, oneOf, optional, record, str, tagged, type Checked, type V } from "./validate";

/** The first line: the interpreter, PyTorch and the device it trains on. */
export interface TorchHello {
  type: "hello";
  torch: string;
  python: string;
  cuda: boolean;
  cudaVersion: string | null;
  device: string;
  deviceName: string | null;
  cudaError: string | null;
  threads: number;
  /** Issue 16: this process's rank and the world size, in a data-parallel run (absent: one process). */
  rank?: number;
  worldSize?: number;
  /** The CUDA GPUs the process sees (torch.cuda.get_device_name), on CUDA. */
  gpus?: string[];
}

/** The model is built and the data loaded: training begins. */
export interface TorchReady {
  type: "ready";
  params: number;
  stepsPerEpoch: number;
  /** How the --weights file matched the model (transfer.py), absent without --weights or on resume. */
  weights?: WeightsReport;
  /** --freeze and --lr-for in words, for the run log (transfer.py describe_plan). */
  transfer?: string[];
}

export interface TorchStep {
  type: "step";
  epoch: number;
  step: number;
  globalStep: number;
  loss: number | null;
  accuracy: number;
  lr: number;
  /** SGD's momentum (one-cycle cycles it). */
  momentum?: number;
  imagesPerSecond: number;
  etaSeconds: number;
  /** ISO time of the step, for metrics.jsonl. */
  time: string;
  gpuMemory?: GpuMemory;
}

export interface TorchEpoch {
  type: "epoch";
  epoch: number;
  epochs: number;
  trainLoss: number | null;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number;
  trainTop5: number | null;
  valTop5: number | null;
  /** Segmentation: the validation mean IoU. */
  valMiou?: number;
  lr: number;
  seconds: number;
  time: string;
  gpuMemory?: GpuMemory;
}

/** A checkpoint written: the same fields as the trainer protocol's event, which it becomes. */
export type TorchCheckpoint = CheckpointEvent;

export interface TorchFinal {
  epoch: number;
  trainLoss: number | null;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number;
  valTop5: number | null;
}

export type TorchDone =
  | { type: "done"; kind: "completed"; final: TorchFinal | null; seconds: number }
  | { type: "done"; kind: "stopped"; epoch: number; step: number; globalStep: number; checkpoint: string | null };

export interface TorchError {
  type: "error";
  /** `setup`: PyTorch could not be imported; `model`: the exported model could not be built; `config`: a setting this PyTorch or device cannot do (--precision fp16 on the CPU, --compile before PyTorch 2). */
  phase: "setup" | "model" | "training" | "config";
  message: string;
  traceback?: string;
}

export type TorchLine = TorchHello | TorchReady | TorchStep | TorchEpoch | TorchCheckpoint | TorchDone | TorchError;

const loss = nullable(num());
const fraction = num({ min: 0, max: 1 });
const nonNegative = num({ min: 0 });
const positive = num({ int: true, min: 1 });
const position = { epoch: nat, step: nat, globalStep: nat };

const done: V<TorchDone> = (v, at) => {
  const kind = oneOf(["completed", "stopped"] as const)(record(v, at)["kind"], `${at}.kind`);
  if (kind === "stopped") return obj({ type: literal("done"), kind: literal(kind), ...position, checkpoint: nullable(str) })(v, at);
  const final = nullable(obj({ epoch: positive, trainLoss: loss, trainAccuracy: fraction, valLoss: loss, valAccuracy: fraction, valTop5: nullable(fraction) }));
  return obj({ type: literal("done"), kind: literal(kind), final, seconds: nonNegative })(v, at);
};

const checkLine = tagged<TorchLine>(
  "PyTorch engine",
  {
    hello: obj({
      type: literal("hello"),
      torch: str,
      python: str,
      cuda: bool,
      cudaVersion: nullable(str),
      device: str,
      deviceName: nullable(str),
      cudaError: nullable(str),
      threads: nat,
      rank: optional(nat),
      worldSize: optional(positive),
      gpus: optional(arr(str)),
    }),
    ready: obj({ type: literal("ready"), params: nat, stepsPerEpoch: positive, weights: optional(weightsReport), transfer: optional(arr(str)) }),
    step: obj({
      type: literal("step"),
      epoch: positive,
      step: positive,
      globalStep: positive,
      loss,
      accuracy: fraction,
      lr: nonNegative,
      momentum: optional(num()),
      imagesPerSecond: nonNegative,
      etaSeconds: nonNegative,
      time: str,
      gpuMemory: optional(gpuMemory),
    }),
    epoch: obj({
      type: literal("epoch"),
      epoch: positive,
      epochs: positive,
      trainLoss: loss,
      trainAccuracy: fraction,
      valLoss: loss,
      valAccuracy: fraction,
      trainTop5: nullable(fraction),
      valTop5: nullable(fraction),
      valMiou: optional(fraction),
      lr: nonNegative,
      seconds: nonNegative,
      time: str,
      gpuMemory: optional(gpuMemory),
    }),
    checkpoint: obj({ type: literal("checkpoint"), path: str, ...position, reason: oneOf(["epoch", "stop"] as const) }),
    done,
    error: obj({ type: literal("error"), phase: oneOf(["setup", "model", "training", "config"] as const), message: str, traceback: optional(str) }),
  },
  { message: "a PyTorch engine line", unknown: "PyTorch engine line", at: (type) => `PyTorch engine line "${type}"` },
);

/**
 * One line of the Python program's output: a checked message, a malformed one (JSON, but not a
 * valid message: the error names the line), or null for output that is no message at all (a
 * stray print of the user's model code).
 */
export function parseTorchLine(line: string): Checked<TorchLine> | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
  const r = checkLine(v);
  return r.ok ? r : { ok: false, error: `${r.error} (in the line ${line.length > 200 ? `${line.slice(0, 200)}…` : line})` };
}

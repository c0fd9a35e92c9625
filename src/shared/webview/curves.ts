/**
 * Messages of the training-curves panel (`webview/curves`). Metrics travel as columns of
 * `Float64Array`s (one value per optimiser step, or per epoch), so 100,000 points cost one copy,
 * not a JSON array. NaN stands for a missing value (a diverged loss stays NaN or Infinity).
 */
import { logMessage, readyMessage, type CommonToHost } from "./common";
import { arr, f64, Invalid, literal, nullable, num, obj, oneOf, str, tagged, u8, type V } from "../validate";

export type RunStatus = "running" | "completed" | "stopped" | "failed" | "unknown";
export const RUN_STATUSES: readonly RunStatus[] = ["running", "completed", "stopped", "failed", "unknown"];

/** A training run as the panel lists it. `id` is the run folder's absolute path. */
export interface RunInfo {
  id: string;
  name: string;
  status: RunStatus;
  model: string;
  dataset: string;
  epochs: number | null;
  stepsPerEpoch: number | null;
  batchSize: number | null;
  optimizer: string | null;
  lr: number | null;
}

/** Per optimiser step (train batches): all columns have the same length. */
export interface StepColumns {
  globalStep: Float64Array;
  epoch: Float64Array;
  loss: Float64Array;
  accuracy: Float64Array;
  lr: Float64Array;
  imagesPerSecond: Float64Array;
  /** Issue 19: when the step was recorded, in milliseconds since 1970 (NaN where metrics.jsonl has no `time`). */
  time: Float64Array;
}

/** Per epoch: `globalStep` is the step at the epoch's end (where it is drawn on a step axis). */
export interface EpochColumns {
  epoch: Float64Array;
  globalStep: Float64Array;
  trainLoss: Float64Array;
  trainAccuracy: Float64Array;
  valLoss: Float64Array;
  valAccuracy: Float64Array;
  lr: Float64Array;
  /** Issue 19: when the epoch ended, in milliseconds since 1970 (NaN where unknown). */
  time: Float64Array;
}

export const STEP_KEYS = ["globalStep", "epoch", "loss", "accuracy", "lr", "imagesPerSecond", "time"] as const satisfies readonly (keyof StepColumns)[];
export const EPOCH_KEYS = [
  "epoch",
  "globalStep",
  "trainLoss",
  "trainAccuracy",
  "valLoss",
  "valAccuracy",
  "lr",
  "time",
] as const satisfies readonly (keyof EpochColumns)[];

export interface RunData {
  info: RunInfo;
  steps: StepColumns;
  epochs: EpochColumns;
}

export type CurvesToWebview =
  /** Everything, on `ready` (and when the set of runs changes wholesale). */
  | { type: "snapshot"; runs: RunData[] }
  /** New points of one run (appended; the host batches live events, about ten per second). */
  | { type: "append"; run: string; steps: StepColumns; epochs: EpochColumns }
  /** A run was added, or its status changed. */
  | { type: "runInfo"; info: RunInfo }
  | { type: "removeRun"; run: string }
  /** The outcome of an `export` (path null when the user cancelled). */
  | { type: "exported"; format: "png" | "csv"; path: string | null; error: string | null };

export type CurvesToHost =
  | CommonToHost
  /** Ask the user for run folders to overlay. */
  | { type: "addRuns" }
  | { type: "removeRun"; run: string }
  | { type: "exportPng"; suggestedName: string; data: Uint8Array }
  | { type: "exportCsv"; suggestedName: string; text: string };

const metricValue = num({ nonFinite: true });

function columns<K extends string>(keys: readonly K[]): V<Record<K, Float64Array>> {
  return (v, at) => {
    const o = obj(Object.fromEntries(keys.map((k) => [k, f64])) as Record<K, V<Float64Array>>)(v, at) as Record<K, Float64Array>;
    const n = o[keys[0]!].length;
    for (const k of keys) if (o[k].length !== n) throw new Invalid(`${at}.${k} has ${o[k].length} values, ${keys[0]} has ${n}`);
    return o;
  };
}

export const stepColumns: V<StepColumns> = columns(STEP_KEYS);
export const epochColumns: V<EpochColumns> = columns(EPOCH_KEYS);

export const runInfo: V<RunInfo> = obj({
  id: str,
  name: str,
  status: oneOf(RUN_STATUSES),
  model: str,
  dataset: str,
  epochs: nullable(num({ int: true, min: 0 })),
  stepsPerEpoch: nullable(num({ int: true, min: 0 })),
  batchSize: nullable(num({ int: true, min: 0 })),
  optimizer: nullable(str),
  lr: nullable(metricValue),
});

export const runData: V<RunData> = obj({ info: runInfo, steps: stepColumns, epochs: epochColumns });

export const validateCurvesToWebview = tagged<CurvesToWebview>("curves host→webview", {
  snapshot: obj({ type: literal("snapshot"), runs: arr(runData) }),
  append: obj({ type: literal("append"), run: str, steps: stepColumns, epochs: epochColumns }),
  runInfo: obj({ type: literal("runInfo"), info: runInfo }),
  removeRun: obj({ type: literal("removeRun"), run: str }),
  exported: obj({ type: literal("exported"), format: oneOf(["png", "csv"] as const), path: nullable(str), error: nullable(str) }),
});

export const validateCurvesToHost = tagged<CurvesToHost>("curves webview→host", {
  ready: readyMessage,
  log: logMessage,
  addRuns: obj({ type: literal("addRuns") }),
  removeRun: obj({ type: literal("removeRun"), run: str }),
  exportPng: obj({ type: literal("exportPng"), suggestedName: str, data: u8 }),
  exportCsv: obj({ type: literal("exportCsv"), suggestedName: str, text: str }),
});

export function emptySteps(): StepColumns {
  return {
    globalStep: new Float64Array(0),
    epoch: new Float64Array(0),
    loss: new Float64Array(0),
    accuracy: new Float64Array(0),
    lr: new Float64Array(0),
    imagesPerSecond: new Float64Array(0),
    time: new Float64Array(0),
  };
}

export function emptyEpochs(): EpochColumns {
  return {
    epoch: new Float64Array(0),
    globalStep: new Float64Array(0),
    trainLoss: new Float64Array(0),
    trainAccuracy: new Float64Array(0),
    valLoss: new Float64Array(0),
    valAccuracy: new Float64Array(0),
    lr: new Float64Array(0),
    time: new Float64Array(0),
  };
}

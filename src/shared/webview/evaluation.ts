/**
 * Issue 18: messages of the Evaluation panel (`webview/evaluation`): one or two runs evaluated on a
 * split (through the inspector); the webview asks for thumbnails of the samples behind a confusion
 * cell or of the mistakes.
 */
import { EVALUATION_SPLITS, evaluationReport, type EvaluationReport, type EvaluationSplit } from "../evaluation";
import { arr, int, literal, nat, num, obj, oneOf, str, tagged } from "../validate";
import { logMessage, readyMessage, tensorOfRank, type CommonToHost, type Tensor } from "./common";

/** A run of the panel: its folder and the name shown. */
export interface EvaluationRun {
  runDir: string;
  name: string;
}

export interface EvaluationSnapshot {
  type: "snapshot";
  runs: EvaluationRun[];
  split: EvaluationSplit;
  /** Why nothing can be evaluated (no trainer in this window), or "". */
  unavailable: string;
}

/** A run's evaluation: the report and every sample's true class, prediction and its probability. */
export interface EvaluationResult {
  type: "evaluation";
  runDir: string;
  report: EvaluationReport;
  labels: number[];
  predicted: number[];
  confidence: number[];
}

export interface EvaluationFailed {
  type: "evaluationFailed";
  runDir: string;
  message: string;
}

/** Images of a run's split (answers `samples`), `[C, H, W]` in [0, 1]. */
export interface SamplesResult {
  type: "samples";
  requestId: number;
  runDir: string;
  indices: number[];
  images: Tensor[];
}

export type EvaluationToWebview = EvaluationSnapshot | EvaluationResult | EvaluationFailed | SamplesResult;

export type EvaluationToHost =
  CommonToHost | { type: "samples"; requestId: number; runDir: string; indices: number[] } | { type: "setSplit"; split: EvaluationSplit };

const split = oneOf(EVALUATION_SPLITS);

export const validateEvaluationToWebview = tagged<EvaluationToWebview>("evaluation host→webview", {
  snapshot: obj({ type: literal("snapshot"), runs: arr(obj({ runDir: str, name: str }), { max: 2 }), split, unavailable: str }),
  evaluation: obj({
    type: literal("evaluation"),
    runDir: str,
    report: evaluationReport,
    labels: arr(nat),
    predicted: arr(nat),
    confidence: arr(num({ min: 0, max: 1 })),
  }),
  evaluationFailed: obj({ type: literal("evaluationFailed"), runDir: str, message: str }),
  samples: obj({ type: literal("samples"), requestId: int, runDir: str, indices: arr(nat), images: arr(tensorOfRank(3)) }),
});

export const validateEvaluationToHost = tagged<EvaluationToHost>("evaluation webview→host", {
  ready: readyMessage,
  log: logMessage,
  samples: obj({ type: literal("samples"), requestId: int, runDir: str, indices: arr(nat, { max: 200 }) }),
  setSplit: obj({ type: literal("setSplit"), split }),
});

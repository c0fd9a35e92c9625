import { arr, checked, Invalid, nat, nullable, num, obj, oneOf, str, type Checked, type V } from "./validate";

/**
 * Issue 18: the evaluation of a trained model on one split of its data, as `cnn-studio evaluate
 * --json` prints it and the Evaluation panel shows it. The fields of the issue (`accuracy`, `loss`,
 * `classes`, `confusion`, `perClass`, `mistakes`) come first; `top5` (null with 5 classes or fewer)
 * and where the figures come from (run, checkpoint, dataset, split, samples) follow.
 */

/** The split evaluated: the run's validation split, its training split, or a dataset's own test files. */
export const EVALUATION_SPLITS = ["val", "train", "test"] as const;
export type EvaluationSplit = (typeof EVALUATION_SPLITS)[number];

export interface ClassMetrics {
  /** The class's name. */
  label: string;
  /** Of the samples predicted as this class, the fraction that are (0 when none is predicted so). */
  precision: number;
  /** Of the samples of this class, the fraction predicted so (0 when the split has none). */
  recall: number;
  /** The harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
  /** The samples of this class in the split. */
  support: number;
}

/** A wrongly predicted sample: its index in the split, its true and predicted class names, the softmax probability of the prediction. */
export interface Mistake {
  index: number;
  label: string;
  predicted: string;
  confidence: number;
}

export interface EvaluationReport {
  /** Top-1 accuracy: the confusion matrix's diagonal over the number of samples. */
  accuracy: number;
  /** Mean cross-entropy of the logits (as the training loop's validation loss). */
  loss: number;
  classes: string[];
  /** counts, `confusion[true][predicted]` */
  confusion: number[][];
  perClass: ClassMetrics[];
  /** The most confidently wrong samples, most confident first. */
  mistakes: Mistake[];
  /** Top-5 accuracy where the model has more than 5 classes, else null. */
  top5: number | null;
  /** The run folder, the checkpoint file, the dataset (as given to `--dataset`), the split and its size. */
  run: string;
  checkpoint: string;
  dataset: string;
  split: EvaluationSplit;
  samples: number;
}

const fraction = num({ min: 0, max: 1 });

const classMetrics: V<ClassMetrics> = obj({ label: str, precision: fraction, recall: fraction, f1: fraction, support: nat });
const mistake: V<Mistake> = obj({ index: nat, label: str, predicted: str, confidence: fraction });

export const evaluationReport: V<EvaluationReport> = (v, at) => {
  const r = obj({
    accuracy: fraction,
    loss: num({ nonFinite: true }),
    classes: arr(str),
    confusion: arr(arr(nat)),
    perClass: arr(classMetrics),
    mistakes: arr(mistake),
    top5: nullable(fraction),
    run: str,
    checkpoint: str,
    dataset: str,
    split: oneOf(EVALUATION_SPLITS),
    samples: nat,
  })(v, at);
  const k = r.classes.length;
  if (r.confusion.length !== k || r.confusion.some((row) => row.length !== k))
    throw new Invalid(`${at}.confusion must be ${k}×${k} (one row and column per class), got ${r.confusion.length} rows`);
  if (r.perClass.length !== k) throw new Invalid(`${at}.perClass must have ${k} entries (one per class), got ${r.perClass.length}`);
  return r;
};

/** Checks a report read from JSON (the CLI's output, a message). */
export function validateEvaluationReport(v: unknown): Checked<EvaluationReport> {
  return checked(() => evaluationReport(v, "evaluation"));
}

/** Per-class precision, recall, F1 and support from a confusion matrix (rows true, columns predicted). */
export function classMetricsOf(classes: readonly string[], confusion: readonly (readonly number[])[]): ClassMetrics[] {
  return classes.map((label, c) => {
    const row = confusion[c] ?? [];
    const support = row.reduce((a, b) => a + b, 0);
    const tp = row[c] ?? 0;
    const predicted = confusion.reduce((a, r) => a + (r[c] ?? 0), 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
}

/** The report as the CLI prints it without --json: the figures, the per-class table, the confusion matrix, the mistakes. */
export function evaluationText(r: EvaluationReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const lines = [
    `${r.run}: ${r.checkpoint}, ${r.dataset} ${r.split} split (${r.samples} samples)`,
    `accuracy ${pct(r.accuracy)}${r.top5 === null ? "" : `, top-5 ${pct(r.top5)}`}, loss ${r.loss.toFixed(4)}`,
    "",
  ];
  const w = Math.max(5, ...r.classes.map((c) => c.length));
  lines.push(`${"class".padEnd(w)}  precision  recall     f1  support`);
  for (const c of r.perClass)
    lines.push(
      `${c.label.padEnd(w)}  ${c.precision.toFixed(4).padStart(9)}  ${c.recall.toFixed(4).padStart(6)}  ${c.f1.toFixed(4)}  ${String(c.support).padStart(7)}`,
    );
  const cw = Math.max(4, ...r.confusion.flat().map((n) => String(n).length), ...r.classes.map((c) => Math.min(c.length, 6)));
  lines.push("", "confusion (rows: true class, columns: predicted)");
  lines.push(`${"".padEnd(w)} ${r.classes.map((c) => c.slice(0, 6).padStart(cw)).join(" ")}`);
  r.confusion.forEach((row, i) => lines.push(`${(r.classes[i] ?? "").padEnd(w)} ${row.map((n) => String(n).padStart(cw)).join(" ")}`));
  if (r.mistakes.length > 0) {
    lines.push("", "most confident mistakes (index: true → predicted, confidence)");
    for (const m of r.mistakes) lines.push(`${String(m.index).padStart(6)}: ${m.label} → ${m.predicted}, ${pct(m.confidence)}`);
  }
  return lines.join("\n");
}

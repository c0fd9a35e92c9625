import { arr, checked, nat, obj, optional, str, type Checked } from "./validate";

/**
 * How a weights file (a PyTorch `.pth`/`.pt` or a `.safetensors`) matches a model's parameters
 * and buffers by PyTorch `state_dict` name: what loads, what the model has that the file lacks
 * (kept freshly initialised), what the file has that the model lacks (ignored), and what has
 * both names but different shapes (kept freshly initialised). `cnn-studio weights` prints it,
 * training with `--weights` logs it and carries it in its `started` event, the Train view shows it.
 */
export interface WeightsReport {
  /** The weights file, as given. */
  file: string;
  /** Model names whose tensor comes from the file, in the model's order. */
  loaded: string[];
  /** Model names the file has no tensor for (kept freshly initialised), in the model's order. */
  missing: string[];
  /** File names (as stored, before any prefix is stripped) that no model tensor takes, in the file's order. */
  unexpected: string[];
  /** Names in both with different shapes (kept freshly initialised), in the model's order. */
  mismatched: WeightsMismatch[];
  /** A prefix stripped from the file's names to match the model's (`module.` of DataParallel/DDP checkpoints). */
  strippedPrefix?: string;
  /** What the reader and the matching changed that the user should know (dtype conversions, the state_dict's place in the file). */
  notes: string[];
}

export interface WeightsMismatch {
  name: string;
  fileShape: number[];
  modelShape: number[];
}

const shape = arr(nat);

export const checkWeightsMismatch = obj({ name: str, fileShape: shape, modelShape: shape });

const reportShape = obj({
  file: str,
  loaded: arr(str),
  missing: arr(str),
  unexpected: arr(str),
  mismatched: arr(checkWeightsMismatch),
  strippedPrefix: optional(str),
  notes: arr(str),
});

/** The validator of a WeightsReport at a process boundary (the trainer's `started` event, the Train view's messages). */
export function validateWeightsReport(v: unknown, at = "weights report"): Checked<WeightsReport> {
  return checked(() => reportShape(v, at));
}

/** The combinator form, for use inside other message validators. */
export const weightsReport = (v: unknown, at: string): WeightsReport => reportShape(v, at);

export function formatShapeList(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

function names(list: readonly string[]): string {
  return list.join(", ");
}

/** One line per mismatched tensor: `fc.weight: file [1000, 512], model [10, 512] — kept freshly initialised`. */
export function mismatchLine(m: WeightsMismatch): string {
  return `${m.name}: file ${formatShapeList(m.fileShape)}, model ${formatShapeList(m.modelShape)} — kept freshly initialised`;
}

function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A one-line summary: `resnet18.pth: 120 of 122 tensors loaded, 2 mismatched, 0 missing, 0 unexpected`. */
export function weightsSummaryLine(r: WeightsReport): string {
  const total = r.loaded.length + r.missing.length + r.mismatched.length;
  return `${r.file}: ${r.loaded.length} of ${countOf(total, "tensor")} loaded, ${r.mismatched.length} mismatched, ${r.missing.length} missing, ${r.unexpected.length} unexpected`;
}

/**
 * The report in words, one line each (the CLI's table and the training log): the summary, the
 * notes, then every mismatched, missing and unexpected tensor. `loaded` names are listed only with
 * `listLoaded` (they are usually most of the model).
 */
export function weightsReportLines(r: WeightsReport, options: { listLoaded?: boolean } = {}): string[] {
  const lines = [weightsSummaryLine(r)];
  if (r.strippedPrefix !== undefined) lines.push(`the file's names start with "${r.strippedPrefix}": stripped to match the model's`);
  for (const note of r.notes) lines.push(`note: ${note}`);
  for (const m of r.mismatched) lines.push(mismatchLine(m));
  for (const name of r.missing) lines.push(`${name}: not in the file — kept freshly initialised`);
  for (const name of r.unexpected) lines.push(`${name}: in the file but not in the model — ignored`);
  if (options.listLoaded && r.loaded.length > 0) lines.push(`loaded: ${names(r.loaded)}`);
  return lines;
}

/**
 * The Train view's transfer-learning part (issue 15): the weights file chosen with "Start from
 * weights…" and how it matches the selected model, the freeze field's completions, and the
 * trainable-of-total text the Models view and the code lens show while a freeze is set. Pure, shared
 * by the host (src/extension/train), the webview (webview/train) and the tests.
 */
import { formatCount, formatMetric } from "../format";
import { arr, nullable, obj, str, type V } from "../validate";
import { mismatchLine, weightsReport, type WeightsReport } from "../weights";

/** What the host tells the view about the chosen weights file. */
export interface WeightsChoice {
  /** The path the user chose (a weights file or a run folder). */
  path: string;
  /** The file read: `path`, or the newest checkpoint of the run folder `path` names. */
  source: string;
  /** How the file matches the selected model; null when it could not be read (see `error`) or no model is selected. */
  report: WeightsReport | null;
  /** Why the file cannot be used (refused, damaged, not a weights file), naming it; null when it can. */
  error: string | null;
}

export const weightsChoice: V<WeightsChoice> = obj({ path: str, source: str, report: nullable(weightsReport), error: nullable(str) });

/** The transfer part of the view: the weights (null: none chosen), and the freeze field's completions for the selected model. */
export interface TransferInfo {
  weights: WeightsChoice | null;
  /** Module paths (with parameters) and parameter names of the selected model, in `state_dict` order. */
  freezeNames: string[];
  /** "5,130 trainable of 11.69M parameters" while a freeze is set and valid, else "". */
  trainable: string;
}

export const transferInfo: V<TransferInfo> = obj({ weights: nullable(weightsChoice), freezeNames: arr(str), trainable: str });

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

/** A few names and how many more: `a, b, c and 4 more`. */
function someNames(names: readonly string[], max = 3): string {
  const head = names.slice(0, max).join(", ");
  return names.length > max ? `${head} and ${names.length - max} more` : head;
}

/**
 * The report as the view shows it: a headline (`120 of 122 tensors load`), a line of counts
 * (`2 mismatched · 0 missing · 3 unexpected`), then one line per mismatched tensor
 * (`fc.weight: file [1000, 512], model [10, 512] — kept freshly initialised`), the missing and
 * unexpected names (the first few) and the reader's notes.
 */
export function weightsReportView(r: WeightsReport): { headline: string; counts: string; lines: string[] } {
  const total = r.loaded.length + r.missing.length + r.mismatched.length;
  const headline =
    r.loaded.length === 0
      ? `None of the model's ${plural(total, "tensor")} load from this file`
      : `${r.loaded.length} of ${plural(total, "tensor")} load${r.loaded.length === total ? " (all)" : ""}`;
  const counts = `${r.mismatched.length} mismatched · ${r.missing.length} missing · ${r.unexpected.length} unexpected`;
  const lines: string[] = [];
  if (r.strippedPrefix !== undefined) lines.push(`the file's names start with "${r.strippedPrefix}": stripped to match the model's`);
  const shown = r.mismatched.slice(0, 8);
  for (const m of shown) lines.push(mismatchLine(m));
  if (r.mismatched.length > shown.length) lines.push(`… and ${r.mismatched.length - shown.length} more mismatched tensors`);
  if (r.missing.length > 0) lines.push(`missing (kept freshly initialised): ${someNames(r.missing)}`);
  if (r.unexpected.length > 0) lines.push(`unexpected (ignored): ${someNames(r.unexpected)}`);
  for (const note of r.notes) lines.push(`note: ${note}`);
  return { headline, counts, lines };
}

/**
 * The completions of the freeze field as typed so far (`layer1.*, la`): the text before the glob
 * being typed, followed by each name not already given (a list the field offers, whole).
 */
export function freezeCompletions(names: readonly string[], text: string): string[] {
  const at = text.lastIndexOf(",");
  const before = at < 0 ? "" : `${text.slice(0, at + 1)}`;
  const given = new Set(
    text
      .slice(0, at < 0 ? 0 : at)
      .split(",")
      .map((g) => g.trim())
      .filter(Boolean),
  );
  return names.filter((n) => !given.has(n)).map((n) => `${before}${n}`);
}

/**
 * What the freeze field completes: every module path with parameters (a module path means its
 * parameters) and every parameter name, in `state_dict` order, each once.
 */
export function freezeNames(parameters: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of parameters) {
    const parts = p.split(".");
    for (let i = 1; i < parts.length; i++) out.add(parts.slice(0, i).join("."));
    out.add(p);
  }
  return [...out];
}

/** `5,130 trainable of 11.69M parameters` (the frozen ones are the rest). */
export function trainableText(trainable: number, total: number): string {
  return `${formatCount(trainable)} trainable of ${formatMetric(total)} parameters`;
}

import type ts = require("typescript");
import type { CodeAction, Diagnostic as LspDiagnostic } from "vscode-languageserver";
import type { Diagnostic, EditFix, FileAnalysis } from "../shared/analysis";
import { rangeKey } from "../shared/ranges";
import type { Snapshot } from "./snapshot";
import { offsetAt } from "./treeQueries";

/**
 * The quick fix on the producing side of a channel mismatch (issue 19.9): the analyzer proposes it
 * (`producerFix`), and it is offered only where the model analyses after the edit without an
 * error it did not have before — another layer reading the producer's output (a second branch, a
 * norm sized by it that the fix does not reach) would break, and then only the consumer's fix is
 * offered.
 */

export interface ProducerProbe {
  sourceFile(file: string): ts.SourceFile | undefined;
  /** The analysis of `analysed` with `file`'s text replaced by `text`. */
  probe(file: string, text: string, analysed?: string): FileAnalysis;
}

/**
 * The longest analysis (ms) whose model gets the producer's fix checked, and so offered: a third
 * of the supervisor's deadline for a request (workerLauncher.ts reads the same variable).
 */
const PROBE_BUDGET_MS = (Number(process.env.CNN_STUDIO_REQUEST_DEADLINE_MS) || 750) / 3;

/** Whether a producer fix keeps its model free of new errors, per parsed text and diagnostic. */
const verified = new WeakMap<ts.SourceFile, Map<string, boolean>>();

export function producerAction(
  session: ProducerProbe,
  file: string,
  d: Diagnostic,
  lsp: LspDiagnostic,
  snapshots: readonly Snapshot[],
  uri: string,
): CodeAction | undefined {
  const fix = d.producerFix;
  const sf = session.sourceFile(file);
  if (!fix || !sf || fix.edits.some((e) => e.location.file !== file)) return undefined;
  const source = snapshots.find((s) => s.analysis.diagnostics.includes(d)) ?? snapshots.find((s) => s.analysis.diagnostics.some((x) => sameDiagnostic(x, d)));
  // The check analyses the model again, inside the request's deadline (past it, the answer is
  // empty and the consumer's fix is lost too): only for models that analyse quickly.
  if (!source || source.analysisMs > PROBE_BUDGET_MS) return undefined;
  let perText = verified.get(sf);
  if (!perText) verified.set(sf, (perText = new Map()));
  const key = `${source.file}|${rangeKey(d.location.range)}|${fix.title}`;
  let ok = perText.get(key);
  if (ok === undefined) {
    const after = session.probe(file, applyFix(sf, fix), source.file);
    ok = noNewErrors(source.analysis.diagnostics, d, after.diagnostics);
    perText.set(key, ok);
  }
  if (!ok) return undefined;
  const edits = fix.edits.map((e) => ({ range: e.location.range, newText: e.newText }));
  return { title: fix.title, kind: "quickfix", diagnostics: [lsp], isPreferred: false, edit: { changes: { [uri]: edits } } };
}

function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  return a.message === b.message && a.location.file === b.location.file && rangeKey(a.location.range) === rangeKey(b.location.range);
}

/** The text with the fix's edits applied (they never overlap: one argument each). */
export function applyFix(sf: ts.SourceFile, fix: EditFix): string {
  const offsets = fix.edits
    .map((e) => ({
      start: offsetAt(sf, e.location.range.start),
      end: offsetAt(sf, e.location.range.end),
      text: e.newText,
    }))
    .sort((a, b) => b.start - a.start);
  let text = sf.text;
  for (const o of offsets) text = text.slice(0, o.start) + o.text + text.slice(o.end);
  return text;
}

/** Every error after the edit was there before (by file, code and message), and the fixed one is gone. */
export function noNewErrors(before: readonly Diagnostic[], fixed: Diagnostic, after: readonly Diagnostic[]): boolean {
  const keyOf = (x: Diagnostic): string => `${x.location.file}|${x.code}|${x.message}`;
  const left = new Map<string, number>();
  for (const x of before) if (x.severity === "error" && x !== fixed) left.set(keyOf(x), (left.get(keyOf(x)) ?? 0) + 1);
  for (const x of after) {
    if (x.severity !== "error") continue;
    const n = left.get(keyOf(x)) ?? 0;
    if (n === 0) return false;
    left.set(keyOf(x), n - 1);
  }
  return true;
}

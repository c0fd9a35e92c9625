import type ts = require("typescript");
import type { CodeAction, CodeActionContext, Diagnostic as LspDiagnostic } from "vscode-languageserver";
import type { Diagnostic, Range } from "../shared/analysis";
import { toLspDiagnostic } from "./diagnosticsPublisher";
import { inferInputTag, type InputTagEdit } from "./inputInference";
import { rangeKey, rangesOverlap } from "../shared/ranges";
import { producerAction } from "./producerActions";
import type { AnalysisSession } from "./session";

/**
 * `textDocument/codeAction`: quick fixes where the intended value is certain — the analyzer's
 * own fixes (a layer's `inChannels`/`inFeatures`/`numFeatures` set to what its input has, and
 * the producing layer's `outChannels` set to what the layer expects, producerActions.ts) — and
 * the `@input` tag for a model without one (see inputInference).
 */

const QUICKFIX = "quickfix";

/** Inferred `@input` fixes per parsed text (the analyzer's parse is cached per text). */
const inferred = new WeakMap<ts.SourceFile, Map<string, InputTagEdit | null>>();

export function codeActions(session: AnalysisSession, file: string, range: Range, context: CodeActionContext): CodeAction[] {
  // `only` filters by kind prefix ("quickfix" is in "quickfix"; not in "refactor").
  if (context.only && !context.only.some((k) => k === QUICKFIX || QUICKFIX.startsWith(`${k}.`))) return [];
  const snapshots = session.snapshotsFor(file); // brings every analysis that reports into this file up to date
  const uriOf = (p: string): string => session.uriOf(p);
  const out: CodeAction[] = [];
  for (const d of session.diagnosticsOf(file)) {
    if (!rangesOverlap(d.location.range, range)) continue;
    const lsp = toLspDiagnostic(d, uriOf);
    if (d.fix) out.push(fixAction(d, lsp, uriOf));
    const producer = d.producerFix && producerAction(session, file, d, lsp, snapshots, session.uriOf(file));
    if (producer) out.push(producer);
    if (!d.fix && d.code === "missing-input") {
      const action = inputAction(session, file, d, lsp);
      if (action) out.push(action);
    }
  }
  return out;
}

function fixAction(d: Diagnostic, lsp: LspDiagnostic, uriOf: (p: string) => string): CodeAction {
  const fix = d.fix!;
  return {
    title: fix.title,
    kind: QUICKFIX,
    diagnostics: [lsp],
    isPreferred: true,
    edit: { changes: { [uriOf(fix.location.file)]: [{ range: fix.location.range, newText: fix.newText }] } },
  };
}

function inputAction(session: AnalysisSession, file: string, d: Diagnostic, lsp: LspDiagnostic): CodeAction | undefined {
  const sf = session.sourceFile(file);
  if (!sf) return undefined;
  // Lightbulb requests come with every cursor move: infer once per text and model.
  let perText = inferred.get(sf);
  if (!perText) inferred.set(sf, (perText = new Map()));
  const key = rangeKey(d.location.range);
  let edit = perText.get(key);
  if (edit === undefined) {
    edit = inferInputTag(sf, d.location.range, (text) => session.probe(file, text)) ?? null;
    perText.set(key, edit);
  }
  if (!edit) return undefined;
  return {
    title: edit.title,
    kind: QUICKFIX,
    diagnostics: [lsp],
    isPreferred: edit.certain,
    edit: { changes: { [session.uriOf(file)]: [{ range: edit.range, newText: edit.newText }] } },
  };
}

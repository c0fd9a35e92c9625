import type ts = require("typescript");
import type { CodeAction, CodeActionContext, Diagnostic as LspDiagnostic } from "vscode-languageserver";
import type { Diagnostic, Range } from "../shared/analysis";
import { toLspDiagnostic } from "./diagnosticsPublisher";
import { inferInputTag, type InputTagEdit } from "./inputInference";
import { rangeKey, rangesOverlap } from "../shared/ranges";
import { layerPerLineAt, ONE_LAYER_PER_LINE, type ListEdit } from "./layerPerLine";
import { producerAction } from "./producerActions";
import { offsetAt } from "./treeQueries";
import type { AnalysisSession } from "./session";

/**
 * `textDocument/codeAction`: quick fixes where the intended value is certain — the analyzer's
 * own fixes (a layer's `inChannels`/`inFeatures`/`numFeatures` set to what its input has, and
 * the producing layer's `outChannels` set to what the layer expects, producerActions.ts) — and
 * the `@input` tag for a model without one (see inputInference); and "Put one layer per line" on a
 * module list with several layers on a line (layerPerLine.ts), as a refactoring at the cursor and
 * as a quick fix beside a diagnostic in it.
 */

const QUICKFIX = "quickfix";
const REWRITE = "refactor.rewrite";

/** Inferred `@input` fixes per parsed text (the analyzer's parse is cached per text). */
const inferred = new WeakMap<ts.SourceFile, Map<string, InputTagEdit | null>>();

export function codeActions(session: AnalysisSession, file: string, range: Range, context: CodeActionContext): CodeAction[] {
  // `only` filters by kind prefix ("quickfix" is in "quickfix"; "refactor.rewrite" in "refactor").
  const wants = (kind: string): boolean => !context.only || context.only.some((k) => k === kind || kind.startsWith(`${k}.`));
  const out: CodeAction[] = [];
  const sf = session.sourceFile(file);
  const lists = new Set<string>();
  if (wants(QUICKFIX)) {
    const snapshots = session.snapshotsFor(file); // brings every analysis that reports into this file up to date
    const uriOf = (p: string): string => session.uriOf(p);
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
      // Beside a diagnostic in a list of several layers per line: the layout that shows each one's shape.
      const list = sf && layerPerLineAt(sf, offsetAt(sf, d.location.range.start), offsetAt(sf, d.location.range.end));
      if (list && !lists.has(rangeKey(list.list))) {
        lists.add(rangeKey(list.list));
        out.push(layoutAction(session.uriOf(file), list, QUICKFIX, lsp));
      }
    }
  }
  if (wants(REWRITE) && sf) {
    const list = layerPerLineAt(sf, offsetAt(sf, range.start), offsetAt(sf, range.end));
    if (list && !lists.has(rangeKey(list.list))) out.push(layoutAction(session.uriOf(file), list, REWRITE));
  }
  return out;
}

function layoutAction(uri: string, list: ListEdit, kind: string, lsp?: LspDiagnostic): CodeAction {
  return { title: ONE_LAYER_PER_LINE, kind, ...(lsp ? { diagnostics: [lsp] } : {}), edit: { changes: { [uri]: [list.edit] } } };
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

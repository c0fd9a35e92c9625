import type { CodeLens } from "vscode-languageserver";
import type { ModelAnalysis } from "../shared/analysis";
import { formatCount, formatMetric } from "../shared/format";
import { ModelCommands, type ModelCommandArgs, type ModelCommandId } from "../shared/lsp";
import { shapeText } from "../shared/markdown";
import type { Snapshot } from "./snapshot";

/**
 * `textDocument/codeLens`: above every exported model, its headline
 * (`61,706 params · 416.5K MACs · [N, 1, 32, 32] → [N, 10]`, which opens the summary) and the
 * actions the extension provides for it (train, graph, receptive field).
 */

/**
 * `61,706 params · 416.5K MACs · [N, 1, 32, 32] → [N, 10]`; when the forward pass stopped at an
 * error, `61,706 params · at least 1.2K MACs · [N, 8] → ? · incomplete (stopped at an error)`.
 */
export function modelHeadline(m: ModelAnalysis): string {
  const inputs = m.inputs.map((s) => shapeText(s)).join(", ");
  if (!m.complete)
    return `${formatCount(m.params)} params · at least ${formatMetric(m.macs)} MACs · ${inputs} → ${m.output === null ? "?" : shapeText(m.output)} · incomplete (stopped at an error)`;
  const output = m.output === null ? "? (stopped at an error)" : shapeText(m.output);
  return `${formatCount(m.params)} params · ${formatMetric(m.macs)} MACs · ${inputs} → ${output}`;
}

const ACTIONS: readonly [string, ModelCommandId][] = [
  ["Train", ModelCommands.train],
  ["Graph", ModelCommands.openGraph],
  ["Receptive field", ModelCommands.openReceptiveField],
];

export function codeLenses(snapshot: Snapshot): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const m of snapshot.analysis.models) {
    if (m.location.file !== snapshot.file) continue;
    const args: ModelCommandArgs = { uri: snapshot.uri, model: m.name };
    const range = m.location.range;
    lenses.push({ range, command: { title: modelHeadline(m), command: ModelCommands.showSummary, arguments: [args] } });
    for (const [title, command] of ACTIONS) lenses.push({ range, command: { title, command, arguments: [args] } });
  }
  return lenses;
}

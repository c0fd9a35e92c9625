import type { AnalysisResult } from "../../shared/lsp";
import { escapeControls } from "../../shared/terminal";

/**
 * Issue 19: the summary document's links to the source (no `vscode` import; tested directly).
 * Each layer's path in the table links to where the layer is created (else where it is called),
 * each error's `file:line:column` to the error. Positions are 0-based.
 */

export interface SummaryLink {
  line: number;
  start: number;
  end: number;
  target: { file: string; line: number; character: number };
  tooltip: string;
}

export function summaryLinks(text: string, result: AnalysisResult, model: string): SummaryLink[] {
  const m = result.models.find((x) => x.name === model);
  if (!m) return [];
  const lines = text.split("\n");
  const links: SummaryLink[] = [];
  const title = lines.findIndex((l) => l.startsWith("Layer (path)"));
  if (title >= 0) {
    m.layers.forEach((layer, k) => {
      const at = layer.definedAt ?? layer.calledAt;
      const line = title + 2 + k;
      const path = escapeControls(layer.path);
      if (!at || !lines[line]?.startsWith(path)) return;
      links.push({
        line,
        start: 0,
        end: path.length,
        target: { file: at.file, line: at.range.start.line, character: at.range.start.character },
        tooltip: `Go to ${layer.path} (${layer.type})${layer.definedAt ? "" : ", where it is called"}`,
      });
    });
  }
  const errorsAt = lines.indexOf("Errors:");
  if (errorsAt >= 0) {
    result.diagnostics
      .filter((d) => d.severity === "error")
      .forEach((d, k) => {
        const line = errorsAt + 1 + k;
        const m2 = /^ {2}(\S+:\d+:\d+)/.exec(lines[line] ?? "");
        if (!m2) return;
        links.push({
          line,
          start: 2,
          end: 2 + m2[1]!.length,
          target: { file: d.location.file, line: d.location.range.start.line, character: d.location.range.start.character },
          tooltip: "Go to the error",
        });
      });
  }
  return links;
}

import * as path from "node:path";
import * as vscode from "vscode";
import { summaryTable } from "../../shared/summaryTable";
import type { AnalysisResult, ModelCommandArgs } from "../../shared/lsp";
import type { AnalysisClient } from "../client";
import { panelColumn } from "../panels/panelHost";
import { summaryLinks } from "./summaryLinks";

/**
 * “Show Model Summary”: a torchinfo-like table of a model (the command line's table) in a
 * read-only virtual document, `cnn-studio-summary:/<model>.txt?<file uri>#<model>`. It is
 * recomputed from the latest analysis whenever the model file is re-analysed.
 */

export const SUMMARY_SCHEME = "cnn-studio-summary";

export function summaryUri(args: ModelCommandArgs): vscode.Uri {
  return vscode.Uri.from({ scheme: SUMMARY_SCHEME, path: `/${args.model} summary.txt`, query: args.uri, fragment: args.model });
}

export function summaryText(result: AnalysisResult, model: string): string {
  const m = result.models.find((x) => x.name === model);
  const header = `CNN Studio — summary of ${model} (${path.basename(result.file)})\n${result.file}\n\n`;
  if (!m) return `${header}No model named ${model} in this file (it has ${result.models.map((x) => x.name).join(", ") || "no models"}).\n`;
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  const errorText = errors.length
    ? `\n\nErrors:\n${errors.map((d) => `  ${path.basename(d.location.file)}:${d.location.range.start.line + 1}:${d.location.range.start.character + 1}  ${d.message}`).join("\n")}\n`
    : "\n";
  return `${header}${summaryTable(m)}${errorText}`;
}

export class SummaryProvider implements vscode.TextDocumentContentProvider, vscode.DocumentLinkProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly client: AnalysisClient) {
    this.subscription = client.onDidAnalyze((p) => {
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme === SUMMARY_SCHEME && doc.uri.query === p.uri) this.changed.fire(doc.uri);
      }
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const file = vscode.Uri.parse(uri.query);
    const result = await this.client.analysis(file);
    if (!result) return `CNN Studio could not analyse ${file.fsPath} (see the “CNN Studio” output).\n`;
    return summaryText(result, uri.fragment);
  }

  /** Issue 19: each layer of the table, and each error, links to its source (Ctrl/Cmd+click). */
  async provideDocumentLinks(doc: vscode.TextDocument): Promise<vscode.DocumentLink[]> {
    if (doc.uri.scheme !== SUMMARY_SCHEME) return [];
    const result = await this.client.analysis(vscode.Uri.parse(doc.uri.query));
    if (!result) return [];
    return summaryLinks(doc.getText(), result, doc.uri.fragment).map((l) => {
      const target = vscode.Uri.file(l.target.file).with({ fragment: `L${l.target.line + 1},${l.target.character + 1}` });
      const link = new vscode.DocumentLink(new vscode.Range(l.line, l.start, l.line, l.end), target);
      link.tooltip = l.tooltip;
      return link;
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Issue 19: the summary's own language, whose default turns word wrap off so the table's columns stay aligned in a narrow split (package.json). */
export const SUMMARY_LANGUAGE = "cnn-studio-summary";

export async function showSummary(args: ModelCommandArgs): Promise<void> {
  const opened = await vscode.workspace.openTextDocument(summaryUri(args));
  const doc = opened.languageId === SUMMARY_LANGUAGE ? opened : await vscode.languages.setTextDocumentLanguage(opened, SUMMARY_LANGUAGE);
  // In the area CNN Studio's panels share (issue 19.1), leaving the focus on the code.
  await vscode.window.showTextDocument(doc, { viewColumn: panelColumn(), preview: true, preserveFocus: true });
}

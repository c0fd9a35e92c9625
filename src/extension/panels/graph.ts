import * as vscode from "vscode";
import type { Location } from "../../shared/analysis";
import type { ModelCommandArgs } from "../../shared/lsp";
import { diagnosticViews, graphViewOf, validateGraphToHost, validateGraphToWebview, type GraphToHost, type GraphToWebview } from "../../shared/webview/graph";
import { followModel, loadModel, modelKey, restoredModel, titleOf } from "./modelPanel";
import { PanelHost } from "./panelHost";
import type { PanelServices } from "./services";

/** The model-graph panel: one per (document, model); it follows the document as it is edited. */

const panels = new Map<string, GraphPanel>();

class GraphPanel {
  readonly host: PanelHost<GraphToHost, GraphToWebview>;

  constructor(
    context: vscode.ExtensionContext,
    private readonly services: PanelServices,
    private args: ModelCommandArgs,
    panel?: vscode.WebviewPanel,
  ) {
    this.host = new PanelHost<GraphToHost, GraphToWebview>(context, {
      kind: "graph",
      title: titleOf("Graph", args.model),
      validateToHost: validateGraphToHost,
      validateToWebview: validateGraphToWebview,
      snapshot: () => this.snapshot(),
      onMessage: (m) => this.onMessage(m),
      ...(panel ? { panel } : {}),
    });
    this.host.track(
      ...followModel(
        services,
        () => this.args.uri,
        () => void this.host.refresh(),
      ),
    );
    this.host.onDispose(() => panels.delete(modelKey(this.args)));
  }

  private async snapshot(): Promise<GraphToWebview[]> {
    const loaded = await loadModel(this.services, this.args);
    const diagnostics = diagnosticViews(loaded.diagnostics);
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    return [
      {
        type: "snapshot",
        model: loaded.ref,
        models: loaded.models,
        graph: loaded.model ? graphViewOf(loaded.model, diagnostics) : null,
        diagnostics,
        message: loaded.model
          ? errors > 0
            ? `${errors} error${errors === 1 ? "" : "s"} in the file${loaded.model.output === null ? ": the graph stops at the first one" : ""}.`
            : ""
          : loaded.models.length > 0
            ? `There is no model "${this.args.model}" in this file; it has ${loaded.models.join(", ")}.`
            : `There is no model in this file${errors > 0 ? ` (${errors} error${errors === 1 ? "" : "s"})` : ""}.`,
      },
    ];
  }

  private async onMessage(m: Exclude<GraphToHost, { type: "ready" } | { type: "log" }>): Promise<void> {
    if (m.type === "openSource") return openLocation(m.location);
    const next = { uri: this.args.uri, model: m.model };
    if (panels.has(modelKey(next))) return panels.get(modelKey(next))!.host.reveal();
    panels.delete(modelKey(this.args));
    this.args = next;
    panels.set(modelKey(next), this);
    this.host.setTitle(titleOf("Graph", next.model));
    await this.host.refresh();
  }
}

/** Shows a source location in the editor column beside the panel (the first column). */
export async function openLocation(location: Location): Promise<void> {
  const { start, end } = location.range;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(location.file));
  await vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.One,
    preserveFocus: false,
    selection: new vscode.Range(start.line, start.character, end.line, end.character),
  });
}

export function openGraphPanel(context: vscode.ExtensionContext, services: PanelServices, args: ModelCommandArgs): void {
  const existing = panels.get(modelKey(args));
  if (existing) return existing.host.reveal();
  panels.set(modelKey(args), new GraphPanel(context, services, args));
}

export function restoreGraphPanel(context: vscode.ExtensionContext, services: PanelServices, panel: vscode.WebviewPanel, state: unknown): void {
  const args = restoredModel(state);
  if (!args || panels.has(modelKey(args))) return panel.dispose();
  panels.set(modelKey(args), new GraphPanel(context, services, args, panel));
}

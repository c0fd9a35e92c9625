import * as vscode from "vscode";
import { PANEL_KINDS, PANEL_VIEW_TYPES, type PanelKind } from "../../shared/webview/common";

/**
 * One webview panel serializer per panel kind, so VS Code's kept panels come back after a reload
 * (needs `onWebviewPanel:<viewType>` activation events). Light: the extension registers these at
 * activation, and `restore` loads the panel code only when a panel comes back.
 */
export function registerSerializers(restore: (kind: PanelKind, panel: vscode.WebviewPanel, state: unknown) => void): vscode.Disposable[] {
  return PANEL_KINDS.map((kind) =>
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPES[kind], {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => restore(kind, panel, state),
    }),
  );
}

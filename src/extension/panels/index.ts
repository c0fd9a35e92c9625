import * as vscode from "vscode";
import { PANEL_VIEW_TYPES, type PanelKind } from "../../shared/webview/common";
import { restoreCurvesPanel } from "./curves";
import { restoreEvaluationPanel } from "./evaluation";
import { restoreFeatureMapsPanel } from "./featureMaps";
import { restoreFiltersPanel } from "./filters";
import { restoreGraphPanel } from "./graph";
import { webviewOptions } from "./panelHost";
import { restoreReceptiveFieldPanel } from "./receptiveField";
import { registerSerializers } from "./serializers";
import type { PanelServices } from "./services";

/**
 * CNN Studio's webview panels. The extension calls `registerPanelSerializers` once on activation
 * (so panels come back after a window reload; needs `onWebviewPanel:<viewType>` activation events)
 * and the `open…Panel` functions from its commands.
 */
export { openCurvesPanel } from "./curves";
export { openEvaluationPanel } from "./evaluation";
export { openFeatureMapsPanel } from "./featureMaps";
export { openFiltersPanel } from "./filters";
export { openGraphPanel, openLocation } from "./graph";
export { openReceptiveFieldPanel } from "./receptiveField";
export type { PanelServices, TensorService } from "./services";
export { PANEL_VIEW_TYPES };

type Restore = (context: vscode.ExtensionContext, services: PanelServices, panel: vscode.WebviewPanel, state: unknown) => void;

const RESTORE: Record<PanelKind, Restore> = {
  curves: restoreCurvesPanel,
  featureMaps: restoreFeatureMapsPanel,
  filters: restoreFiltersPanel,
  receptiveField: restoreReceptiveFieldPanel,
  graph: restoreGraphPanel,
  evaluation: restoreEvaluationPanel,
};

/** Brings back a panel of `kind` that VS Code kept across a reload, from its saved webview state. */
export function restorePanel(kind: PanelKind, context: vscode.ExtensionContext, services: PanelServices, panel: vscode.WebviewPanel, state: unknown): void {
  panel.webview.options = webviewOptions(context.extensionUri);
  RESTORE[kind](context, services, panel, state);
}

export function registerPanelSerializers(context: vscode.ExtensionContext, services: PanelServices): vscode.Disposable {
  const all = vscode.Disposable.from(...registerSerializers((kind, panel, state) => restorePanel(kind, context, services, panel, state)));
  context.subscriptions.push(all);
  return all;
}

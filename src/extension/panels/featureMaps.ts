import * as vscode from "vscode";
import type { ModelCommandArgs } from "../../shared/lsp";
import type { ModelRef } from "../../shared/webview/common";
import { validateFeatureMapsToHost, validateFeatureMapsToWebview, type FeatureMapsToHost, type FeatureMapsToWebview } from "../../shared/webview/featureMaps";
import { checkpointsOf, datasetOf, followModel, loadModel, modelKey, restoredModel, titleOf } from "./modelPanel";
import { inputShapeOf, spatialLayers } from "./modelData";
import { errorMessage, PanelHost } from "./panelHost";
import type { PanelServices } from "./services";

/** The feature-map panel: one per (document, model). */

export const NO_TRAINER = "Feature maps need a forward pass, which the trainer computes; it is not available in this window.";

const panels = new Map<string, FeatureMapsPanel>();

class FeatureMapsPanel {
  readonly host: PanelHost<FeatureMapsToHost, FeatureMapsToWebview>;
  private ref: ModelRef;

  constructor(
    context: vscode.ExtensionContext,
    private readonly services: PanelServices,
    private readonly args: ModelCommandArgs,
    panel?: vscode.WebviewPanel,
  ) {
    this.ref = { uri: args.uri, file: "", model: args.model };
    this.host = new PanelHost<FeatureMapsToHost, FeatureMapsToWebview>(context, {
      kind: "featureMaps",
      title: titleOf("Feature Maps", args.model),
      validateToHost: validateFeatureMapsToHost,
      validateToWebview: validateFeatureMapsToWebview,
      snapshot: () => this.snapshot(),
      onMessage: (m) => this.onMessage(m),
      ...(panel ? { panel } : {}),
    });
    this.host.track(...followModel(services, () => args.uri, () => void this.host.refresh()));
    this.host.onDispose(() => panels.delete(modelKey(args)));
  }

  private async snapshot(): Promise<FeatureMapsToWebview[]> {
    const loaded = await loadModel(this.services, this.args);
    this.ref = loaded.ref;
    const checkpoints = await checkpointsOf(this.services, loaded.ref);
    const canCompute = !!this.services.tensors?.featureMaps;
    return [
      {
        type: "snapshot",
        model: loaded.ref,
        inputShape: loaded.model ? inputShapeOf(loaded.model) : null,
        layers: loaded.model ? spatialLayers(loaded.model) : [],
        checkpoints,
        dataset: await datasetOf(this.services, loaded.ref, checkpoints),
        compute: loaded.model
          ? { available: canCompute, reason: canCompute ? "" : NO_TRAINER }
          : { available: false, reason: `There is no model "${this.args.model}" in this file (any more).` },
      },
    ];
  }

  private async onMessage(m: Exclude<FeatureMapsToHost, { type: "ready" } | { type: "log" }>): Promise<void> {
    const compute = this.services.tensors?.featureMaps;
    if (!compute) {
      this.host.post({ type: "requestFailed", requestId: m.requestId, message: NO_TRAINER });
      return;
    }
    try {
      const r = await compute({ model: this.ref, checkpoint: m.checkpoint, input: m.input, nodeIds: m.nodeIds });
      this.host.post({ type: "featureMaps", requestId: m.requestId, checkpoint: m.checkpoint, input: r.input, label: r.label, maps: r.maps });
    } catch (e) {
      this.host.post({ type: "requestFailed", requestId: m.requestId, message: errorMessage(e) });
    }
  }
}

/** Opens (or reveals) the feature-map panel of a model (`args` as in the model code lenses). */
export function openFeatureMapsPanel(context: vscode.ExtensionContext, services: PanelServices, args: ModelCommandArgs): void {
  const existing = panels.get(modelKey(args));
  if (existing) return existing.host.reveal();
  panels.set(modelKey(args), new FeatureMapsPanel(context, services, args));
}

export function restoreFeatureMapsPanel(context: vscode.ExtensionContext, services: PanelServices, panel: vscode.WebviewPanel, state: unknown): void {
  const args = restoredModel(state);
  if (!args || panels.has(modelKey(args))) return panel.dispose();
  panels.set(modelKey(args), new FeatureMapsPanel(context, services, args, panel));
}

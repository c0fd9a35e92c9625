import * as vscode from "vscode";
import type { ModelCommandArgs } from "../../shared/lsp";
import { validateFeatureMapsToHost, validateFeatureMapsToWebview, type FeatureMapsToHost, type FeatureMapsToWebview } from "../../shared/webview/featureMaps";
import { checkpointsOf, datasetOf, loadModel, ModelPanel, modelPanels, titleOf } from "./modelPanel";
import { inputShapeOf, spatialLayers } from "./modelData";
import { errorMessage } from "./panelHost";
import type { PanelServices } from "./services";

/** The feature-map panel: one per (document, model). */

export const NO_TRAINER = "Feature maps need a forward pass, which the trainer computes; it is not available in this window.";

class FeatureMapsPanel extends ModelPanel<FeatureMapsToHost, FeatureMapsToWebview> {
  constructor(context: vscode.ExtensionContext, services: PanelServices, args: ModelCommandArgs, panel: vscode.WebviewPanel | undefined) {
    super(context, services, args, { kind: "featureMaps", title: titleOf("Feature Maps", args.model), validateToHost: validateFeatureMapsToHost, validateToWebview: validateFeatureMapsToWebview }, panel);
  }

  protected async snapshot(): Promise<FeatureMapsToWebview[]> {
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

  protected async onMessage(m: Exclude<FeatureMapsToHost, { type: "ready" } | { type: "log" }>): Promise<void> {
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

const featureMapsPanels = modelPanels((context, services, args, panel) => new FeatureMapsPanel(context, services, args, panel));

/** Opens (or reveals) the feature-map panel of a model (`args` as in the model code lenses). */
export const openFeatureMapsPanel = featureMapsPanels.open;
export const restoreFeatureMapsPanel = featureMapsPanels.restore;

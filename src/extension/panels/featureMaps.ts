import * as vscode from "vscode";
import type { ModelCommandArgs } from "../../shared/lsp";
import {
  validateFeatureMapsToHost,
  validateFeatureMapsToWebview,
  type AttentionRequest,
  type AttentionResult,
  type ExplainRequest,
  type ExplainResult,
  type FeatureMapsToHost,
  type FeatureMapsToWebview,
} from "../../shared/webview/featureMaps";
import type { ComputeRequest, FeatureMapsResult, ModelRef } from "../../shared/webview/common";
import { attentionLayers, everyLayer } from "./modelData";
import { listedCheckpoint, ModelPanel, modelPanels, spatialSnapshot, titleOf, warmUpInspector } from "./modelPanel";
import { errorMessage } from "./panelHost";
import type { PanelServices } from "./services";

/** The feature-map panel: one per (document, model). */

export const NO_TRAINER = "Feature maps need a forward pass, which the trainer computes; it is not available in this window.";

class FeatureMapsPanel extends ModelPanel<FeatureMapsToHost, FeatureMapsToWebview> {
  constructor(context: vscode.ExtensionContext, services: PanelServices, args: ModelCommandArgs, panel: vscode.WebviewPanel | undefined) {
    super(
      context,
      services,
      args,
      {
        kind: "featureMaps",
        title: titleOf("Feature Maps", args.model),
        validateToHost: validateFeatureMapsToHost,
        validateToWebview: validateFeatureMapsToWebview,
      },
      panel,
    );
    warmUpInspector(services, args, "newest"); // issue 17
  }

  protected async snapshot(): Promise<FeatureMapsToWebview[]> {
    const { loaded, fields } = await spatialSnapshot(this.services, this.args);
    this.ref = loaded.ref;
    const canCompute = !!this.services.tensors?.featureMaps;
    return [
      {
        type: "snapshot",
        ...fields,
        // issue 19 item 13: every layer, the Linear ones and the logits too ([K] as [K, 1, 1])
        layers: loaded.model ? everyLayer(loaded.model, fields.layers) : fields.layers,
        attention: loaded.model ? attentionLayers(loaded.model) : [],
        compute: loaded.model
          ? { available: canCompute, reason: canCompute ? "" : NO_TRAINER }
          : { available: false, reason: `There is no model "${this.args.model}" in this file (any more).` },
      },
    ];
  }

  protected async onMessage(m: Exclude<FeatureMapsToHost, { type: "ready" } | { type: "log" }>): Promise<void> {
    if (m.type === "explain") {
      this.host.post(await explain(this.services, this.ref, m));
      return;
    }
    try {
      this.host.post(m.type === "attention" ? await computeAttention(this.services, this.ref, m) : await computeFeatureMaps(this.services, this.ref, m));
    } catch (e) {
      this.host.post({ type: "requestFailed", requestId: m.requestId, message: errorMessage(e) });
    }
  }
}

/** A forward pass through the trainer, answering the webview's `compute` request (the feature-map and receptive-field panels). */
export async function computeFeatureMaps(services: PanelServices, model: ModelRef, m: ComputeRequest): Promise<FeatureMapsResult> {
  const compute = services.tensors?.featureMaps;
  if (!compute) throw new Error(NO_TRAINER);
  await listedCheckpoint(services, model, m.checkpoint);
  const r = await compute({ model, checkpoint: m.checkpoint, input: m.input, nodeIds: m.nodeIds });
  return { type: "featureMaps", requestId: m.requestId, checkpoint: m.checkpoint, input: r.input, label: r.label, maps: r.maps };
}

/** The attention weights of one attention layer through the trainer, answering the webview's `attention` request. */
async function computeAttention(services: PanelServices, model: ModelRef, m: AttentionRequest): Promise<AttentionResult> {
  const compute = services.tensors?.attention;
  if (!compute) throw new Error(NO_TRAINER);
  await listedCheckpoint(services, model, m.checkpoint);
  const r = await compute({ model, checkpoint: m.checkpoint, input: m.input, nodeId: m.nodeId });
  return { type: "attentionMaps", requestId: m.requestId, checkpoint: m.checkpoint, input: r.input, label: r.label, nodeId: m.nodeId, weights: r.weights };
}

/** Issue 18: the predictions for the input, and Grad-CAM at `nodeId` when that is given; a failure is a value in the answer. */
async function explain(services: PanelServices, model: ModelRef, m: ExplainRequest): Promise<ExplainResult> {
  const none = { type: "explained", requestId: m.requestId, nodeId: m.nodeId } as const;
  try {
    await listedCheckpoint(services, model, m.checkpoint);
    const t = services.tensors;
    if (m.nodeId !== null && t?.gradCam) {
      const r = await t.gradCam({ model, checkpoint: m.checkpoint, input: m.input, nodeId: m.nodeId, classIndex: m.classIndex });
      return { ...none, classIndex: r.classIndex, cam: r.cam, probabilities: r.probabilities, error: null };
    }
    if (!t?.predictions) throw new Error(NO_TRAINER);
    const r = await t.predictions({ model, checkpoint: m.checkpoint, input: m.input });
    return { ...none, classIndex: null, cam: null, probabilities: r.probabilities, error: null };
  } catch (e) {
    return { ...none, classIndex: null, cam: null, probabilities: [], error: errorMessage(e) };
  }
}

const featureMapsPanels = modelPanels((context, services, args, panel) => new FeatureMapsPanel(context, services, args, panel));

/** Opens (or reveals) the feature-map panel of a model (`args` as in the model code lenses). */
export const openFeatureMapsPanel = featureMapsPanels.open;
export const restoreFeatureMapsPanel = featureMapsPanels.restore;

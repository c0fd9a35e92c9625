import * as vscode from "vscode";
import type { ModelCommandArgs } from "../../shared/lsp";
import type { Tensor } from "../../shared/webview/common";
import { validateFiltersToHost, validateFiltersToWebview, type ConvLayer, type FiltersToHost, type FiltersToWebview } from "../../shared/webview/filters";
import { convLayers } from "./modelData";
import { checkpointsOf, listedCheckpoint, loadModel, ModelPanel, modelPanels, titleOf, warmUpInspector } from "./modelPanel";
import { errorMessage } from "./panelHost";
import { readCheckpointTensor } from "./runMetrics";
import type { PanelServices } from "./services";

/** The filters panel: one per (document, model). Checkpoint weights are read from the checkpoint files. */

class FiltersPanel extends ModelPanel<FiltersToHost, FiltersToWebview> {
  private layers: ConvLayer[] = [];

  constructor(context: vscode.ExtensionContext, services: PanelServices, args: ModelCommandArgs, panel: vscode.WebviewPanel | undefined) {
    super(
      context,
      services,
      args,
      { kind: "filters", title: titleOf("Filters", args.model), validateToHost: validateFiltersToHost, validateToWebview: validateFiltersToWebview },
      panel,
    );
    warmUpInspector(services, args, "untrained"); // issue 17
  }

  protected async snapshot(): Promise<FiltersToWebview[]> {
    const loaded = await loadModel(this.services, this.args);
    this.ref = loaded.ref;
    this.layers = loaded.model ? convLayers(loaded.model) : [];
    const checkpoints = await checkpointsOf(this.services, loaded.ref);
    const initial = !!this.services.tensors?.initialWeights;
    const reason = !loaded.model
      ? `There is no model "${this.args.model}" in this file (any more).`
      : checkpoints.length === 0 && !initial
        ? "No checkpoint of this model yet: train it to see its filters (the untrained model's weights need the trainer, which is not available)."
        : initial
          ? ""
          : "The untrained model's weights need the trainer, which is not available; checkpoints can be shown.";
    return [
      {
        type: "snapshot",
        model: loaded.ref,
        layers: this.layers,
        checkpoints,
        weights: { available: !!loaded.model && (checkpoints.length > 0 || initial), reason },
      },
    ];
  }

  protected async onMessage(m: Exclude<FiltersToHost, { type: "ready" } | { type: "log" }>): Promise<void> {
    const layer = this.layers.find((l) => l.nodeId === m.nodeId);
    if (!layer) {
      this.host.post({ type: "requestFailed", requestId: m.requestId, message: `No convolution with node id ${m.nodeId}.` });
      return;
    }
    const parameter = `${layer.label}.weight`;
    try {
      let weight: Tensor | null;
      const checkpoint = await listedCheckpoint(this.services, this.ref, m.checkpoint);
      if (checkpoint === null) {
        const init = this.services.tensors?.initialWeights;
        if (!init) throw new Error("The untrained model's weights need the trainer, which is not available in this window; choose a checkpoint.");
        weight = await init({ model: this.ref, parameter });
      } else {
        weight = await readCheckpointTensor(checkpoint, parameter);
        if (!weight) throw new Error(`The checkpoint has no tensor "${parameter}" (was it written for another version of the model?).`);
      }
      const size = layer.weightShape.reduce((a, b) => a * b, 1);
      if (weight.data.length !== size)
        throw new Error(`"${parameter}" has shape [${weight.shape.join(", ")}], the model needs [${layer.weightShape.join(", ")}].`);
      this.host.post({
        type: "weights",
        requestId: m.requestId,
        nodeId: m.nodeId,
        checkpoint: m.checkpoint,
        weight: { shape: [...layer.weightShape], data: weight.data },
      });
    } catch (e) {
      this.host.post({ type: "requestFailed", requestId: m.requestId, message: errorMessage(e) });
    }
  }
}

const filtersPanels = modelPanels((context, services, args, panel) => new FiltersPanel(context, services, args, panel));

export const openFiltersPanel = filtersPanels.open;
export const restoreFiltersPanel = filtersPanels.restore;

import * as vscode from "vscode";
import type { ModelCommandArgs } from "../../shared/lsp";
import type { ModelRef, Tensor } from "../../shared/webview/common";
import { validateFiltersToHost, validateFiltersToWebview, type ConvLayer, type FiltersToHost, type FiltersToWebview } from "../../shared/webview/filters";
import { convLayers } from "./modelData";
import { checkpointsOf, followModel, loadModel, modelKey, restoredModel, titleOf } from "./modelPanel";
import { errorMessage, PanelHost } from "./panelHost";
import { readCheckpointTensor } from "./runs";
import type { PanelServices } from "./services";

/** The filters panel: one per (document, model). Checkpoint weights are read from the checkpoint files. */

const panels = new Map<string, FiltersPanel>();

class FiltersPanel {
  readonly host: PanelHost<FiltersToHost, FiltersToWebview>;
  private ref: ModelRef;
  private layers: ConvLayer[] = [];

  constructor(
    context: vscode.ExtensionContext,
    private readonly services: PanelServices,
    private readonly args: ModelCommandArgs,
    panel?: vscode.WebviewPanel,
  ) {
    this.ref = { uri: args.uri, file: "", model: args.model };
    this.host = new PanelHost<FiltersToHost, FiltersToWebview>(context, {
      kind: "filters",
      title: titleOf("Filters", args.model),
      validateToHost: validateFiltersToHost,
      validateToWebview: validateFiltersToWebview,
      snapshot: () => this.snapshot(),
      onMessage: (m) => this.onMessage(m),
      ...(panel ? { panel } : {}),
    });
    this.host.track(...followModel(services, () => args.uri, () => void this.host.refresh()));
    this.host.onDispose(() => panels.delete(modelKey(args)));
  }

  private async snapshot(): Promise<FiltersToWebview[]> {
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
    return [{ type: "snapshot", model: loaded.ref, layers: this.layers, checkpoints, weights: { available: !!loaded.model && (checkpoints.length > 0 || initial), reason } }];
  }

  private async onMessage(m: Exclude<FiltersToHost, { type: "ready" } | { type: "log" }>): Promise<void> {
    const layer = this.layers.find((l) => l.nodeId === m.nodeId);
    if (!layer) {
      this.host.post({ type: "requestFailed", requestId: m.requestId, message: `No convolution with node id ${m.nodeId}.` });
      return;
    }
    const parameter = `${layer.label}.weight`;
    try {
      let weight: Tensor | null;
      if (m.checkpoint === null) {
        const init = this.services.tensors?.initialWeights;
        if (!init) throw new Error("The untrained model's weights need the trainer, which is not available in this window; choose a checkpoint.");
        weight = await init({ model: this.ref, parameter });
      } else {
        weight = readCheckpointTensor(m.checkpoint, parameter);
        if (!weight) throw new Error(`The checkpoint has no tensor "${parameter}" (was it written for another version of the model?).`);
      }
      const size = layer.weightShape.reduce((a, b) => a * b, 1);
      if (weight.data.length !== size) throw new Error(`"${parameter}" has shape [${weight.shape.join(", ")}], the model needs [${layer.weightShape.join(", ")}].`);
      this.host.post({ type: "weights", requestId: m.requestId, nodeId: m.nodeId, checkpoint: m.checkpoint, weight: { shape: [...layer.weightShape], data: weight.data } });
    } catch (e) {
      this.host.post({ type: "requestFailed", requestId: m.requestId, message: errorMessage(e) });
    }
  }
}

export function openFiltersPanel(context: vscode.ExtensionContext, services: PanelServices, args: ModelCommandArgs): void {
  const existing = panels.get(modelKey(args));
  if (existing) return existing.host.reveal();
  panels.set(modelKey(args), new FiltersPanel(context, services, args));
}

export function restoreFiltersPanel(context: vscode.ExtensionContext, services: PanelServices, panel: vscode.WebviewPanel, state: unknown): void {
  const args = restoredModel(state);
  if (!args || panels.has(modelKey(args))) return panel.dispose();
  panels.set(modelKey(args), new FiltersPanel(context, services, args, panel));
}

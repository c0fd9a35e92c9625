import * as vscode from "vscode";
import type { ModelCommandArgs } from "../../shared/lsp";
import {
  validateReceptiveFieldToHost,
  validateReceptiveFieldToWebview,
  type ReceptiveFieldToHost,
  type ReceptiveFieldToWebview,
} from "../../shared/webview/receptiveField";
import { computeFeatureMaps, NO_TRAINER } from "./featureMaps";
import { listedCheckpoint, ModelPanel, modelPanels, spatialSnapshot, titleOf, warmUpInspector } from "./modelPanel";
import { errorMessage } from "./panelHost";
import type { PanelServices } from "./services";

/** The receptive-field panel: one per (document, model). */

export const NO_GRADIENTS =
  "The effective receptive field needs input gradients, which the trainer computes; it is not available in this window. The theoretical field is shown.";

class ReceptiveFieldPanel extends ModelPanel<ReceptiveFieldToHost, ReceptiveFieldToWebview> {
  constructor(context: vscode.ExtensionContext, services: PanelServices, args: ModelCommandArgs, panel: vscode.WebviewPanel | undefined) {
    super(
      context,
      services,
      args,
      {
        kind: "receptiveField",
        title: titleOf("Receptive Field", args.model),
        validateToHost: validateReceptiveFieldToHost,
        validateToWebview: validateReceptiveFieldToWebview,
      },
      panel,
    );
    warmUpInspector(services, args, "newest"); // issue 17
  }

  protected async snapshot(): Promise<ReceptiveFieldToWebview[]> {
    const { loaded, fields } = await spatialSnapshot(this.services, this.args);
    this.ref = loaded.ref;
    const fm = !!this.services.tensors?.featureMaps;
    const grad = !!this.services.tensors?.inputGradient;
    return [
      {
        type: "snapshot",
        ...fields,
        featureMaps: { available: fm, reason: fm ? "" : NO_TRAINER },
        gradients: { available: grad, reason: grad ? "" : NO_GRADIENTS },
      },
    ];
  }

  protected async onMessage(m: Exclude<ReceptiveFieldToHost, { type: "ready" } | { type: "log" }>): Promise<void> {
    const t = this.services.tensors;
    try {
      if (m.type === "compute") this.host.post(await computeFeatureMaps(this.services, this.ref, m));
      else {
        if (!t?.inputGradient) throw new Error(NO_GRADIENTS);
        await listedCheckpoint(this.services, this.ref, m.checkpoint);
        const r = await t.inputGradient({ model: this.ref, checkpoint: m.checkpoint, input: m.input, nodeId: m.nodeId, unit: m.unit });
        this.host.post({
          type: "inputGradient",
          requestId: m.requestId,
          nodeId: m.nodeId,
          unit: m.unit,
          checkpoint: m.checkpoint,
          input: r.input,
          gradient: r.gradient,
        });
      }
    } catch (e) {
      this.host.post({ type: "requestFailed", requestId: m.requestId, message: errorMessage(e) });
    }
  }
}

const receptiveFieldPanels = modelPanels((context, services, args, panel) => new ReceptiveFieldPanel(context, services, args, panel));

export const openReceptiveFieldPanel = receptiveFieldPanels.open;
export const restoreReceptiveFieldPanel = receptiveFieldPanels.restore;

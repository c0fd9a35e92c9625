import * as vscode from "vscode";
import type { ModelCommandArgs, ModelGraph } from "../../shared/lsp";
import { restoreInfoOf, type CheckpointInfo, type DatasetSummary, type ModelRef } from "../../shared/webview/common";
import type { FeatureMapsSnapshot } from "../../shared/webview/featureMaps";
import { inputShapeOf, spatialLayers } from "./modelData";
import { panelLog, PanelHost, toDisposable, type PanelHostOptions } from "./panelHost";
import { listCheckpoints } from "./runMetrics";
import type { PanelServices } from "./services";

/** What the model panels (feature maps, filters, receptive field, graph) share. */

export interface LoadedModel {
  ref: ModelRef;
  model: ModelGraph | undefined;
  models: string[];
  diagnostics: import("../../shared/analysis").Diagnostic[];
}

export async function loadModel(services: PanelServices, args: ModelCommandArgs): Promise<LoadedModel> {
  const result = await services.analysis(args.uri);
  return {
    ref: { uri: args.uri, file: result.file, model: args.model },
    model: result.models.find((m) => m.name === args.model),
    models: result.models.map((m) => m.name),
    diagnostics: result.diagnostics,
  };
}

export async function checkpointsOf(services: PanelServices, ref: ModelRef): Promise<CheckpointInfo[]> {
  try {
    if (services.tensors?.checkpoints) return await services.tensors.checkpoints(ref);
    const dir = services.runsDir();
    return dir ? await listCheckpoints(dir, ref.file, ref.model) : [];
  } catch (e) {
    panelLog().warn(`checkpoints of ${ref.model}: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
}

/**
 * The checkpoint a webview request names, when it is one the host lists for this model now (null:
 * the untrained model). Panels read, or have the trainer read, only these.
 */
export async function listedCheckpoint(services: PanelServices, ref: ModelRef, id: string | null): Promise<CheckpointInfo | null> {
  if (id === null) return null;
  const found = (await checkpointsOf(services, ref)).find((c) => c.id === id);
  if (!found) throw new Error(`"${id}" is not one of the checkpoints listed for ${ref.model}; choose one from the list.`);
  return found;
}

export async function datasetOf(services: PanelServices, ref: ModelRef, checkpoints: readonly CheckpointInfo[]): Promise<DatasetSummary | null> {
  try {
    return (await services.tensors?.dataset?.(ref, checkpoints[0]?.id ?? null)) ?? null;
  } catch (e) {
    panelLog().warn(`dataset of ${ref.model}: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

/**
 * Issue 17: has the inspector prepare the model of a panel that will ask it for tensors while the
 * webview loads, with the weights its first request will most likely use: `newest`, the newest
 * checkpoint's (which the webview selects first, and whose dataset the snapshot asks for) or the
 * untrained model's when there is none; `untrained`, the untrained model's, only when there is no
 * checkpoint (the filters panel reads checkpoints itself). Model files on disk only (`file:` URIs);
 * silent (see `TensorService.warmUp`).
 */
export function warmUpInspector(services: PanelServices, args: ModelCommandArgs, weights: "newest" | "untrained"): void {
  const warmUp = services.tensors?.warmUp;
  if (!warmUp) return;
  const uri = vscode.Uri.parse(args.uri);
  if (uri.scheme !== "file") return;
  const ref: ModelRef = { uri: args.uri, file: uri.fsPath, model: args.model };
  checkpointsOf(services, ref).then(
    (checkpoints) => {
      const newest = checkpoints[0]?.id ?? null;
      if (weights === "newest" || newest === null) warmUp(ref, weights === "newest" ? newest : null);
    },
    () => undefined,
  );
}

/**
 * What the feature-map and receptive-field snapshots share: the model's `[C, H, W]` layers, its
 * checkpoints (newest first) and the dataset of the newest.
 */
export async function spatialSnapshot(
  services: PanelServices,
  args: ModelCommandArgs,
): Promise<{ loaded: LoadedModel; fields: Pick<FeatureMapsSnapshot, "model" | "inputShape" | "layers" | "checkpoints" | "dataset"> }> {
  const loaded = await loadModel(services, args);
  const checkpoints = await checkpointsOf(services, loaded.ref);
  return {
    loaded,
    fields: {
      model: loaded.ref,
      inputShape: loaded.model ? inputShapeOf(loaded.model) : null,
      layers: loaded.model ? spatialLayers(loaded.model) : [],
      checkpoints,
      dataset: await datasetOf(services, loaded.ref, checkpoints),
    },
  };
}

export const modelKey = (a: ModelCommandArgs): string => `${a.uri}\u0000${a.model}`;

/** The (uri, model) a restored panel showed, from its saved webview state. */
export function restoredModel(state: unknown): ModelCommandArgs | null {
  const m = restoreInfoOf(state)?.model;
  return m ? { uri: m.uri, model: m.model } : null;
}

/**
 * Re-runs `refresh` (debounced) after the document is re-analysed, and when a checkpoint is
 * written by a run of this window.
 */
export function followModel(services: PanelServices, uri: () => string, refresh: () => void): vscode.Disposable[] {
  let timer: NodeJS.Timeout | undefined;
  const later = (): void => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  };
  const subs = [services.onDidAnalyze((u) => (u === uri() ? later() : undefined))];
  const t = services.onTrainingEvent?.((e) => (e.event.type === "checkpoint" ? later() : undefined));
  if (t) subs.push(t);
  return [...subs.map(toDisposable), new vscode.Disposable(() => clearTimeout(timer))];
}

export function titleOf(kind: string, model: string): string {
  return `${kind}: ${model}`;
}

type Inbound<In> = Exclude<In, { type: "ready" } | { type: "log" }>;

/**
 * A panel of one (document, model) that follows the document's analysis and the runs' checkpoints
 * (feature maps, filters, receptive field). Subclasses say what a fresh webview gets and how they
 * answer its requests.
 */
export abstract class ModelPanel<In extends { type: string }, Out extends { type: string }> {
  readonly host: PanelHost<In, Out>;
  /** The model, with its file once analysed. */
  protected ref: ModelRef;

  constructor(
    context: vscode.ExtensionContext,
    protected readonly services: PanelServices,
    protected readonly args: ModelCommandArgs,
    spec: Pick<PanelHostOptions<In, Out>, "kind" | "title" | "validateToHost" | "validateToWebview">,
    panel: vscode.WebviewPanel | undefined,
  ) {
    this.ref = { uri: args.uri, file: "", model: args.model };
    this.host = new PanelHost<In, Out>(context, { ...spec, snapshot: () => this.snapshot(), onMessage: (m) => this.onMessage(m), ...(panel ? { panel } : {}) });
    this.host.track(
      ...followModel(
        services,
        () => args.uri,
        () => void this.host.refresh(),
      ),
    );
  }

  protected abstract snapshot(): Promise<Out[]>;
  protected abstract onMessage(m: Inbound<In>): Promise<void>;
}

type Create<P> = (context: vscode.ExtensionContext, services: PanelServices, args: ModelCommandArgs, panel: vscode.WebviewPanel | undefined) => P;

/** Opening and restoring a kind of model panel: one per (document, model); opening again reveals it. */
export function modelPanels<P extends { host: { reveal(): void; onDispose(f: () => void): void } }>(create: Create<P>) {
  const panels = new Map<string, P>();
  const add = (args: ModelCommandArgs, p: P): void => {
    panels.set(modelKey(args), p);
    p.host.onDispose(() => panels.delete(modelKey(args)));
  };
  return {
    open(context: vscode.ExtensionContext, services: PanelServices, args: ModelCommandArgs): void {
      const existing = panels.get(modelKey(args));
      if (existing) return existing.host.reveal();
      add(args, create(context, services, args, undefined));
    },
    restore(context: vscode.ExtensionContext, services: PanelServices, panel: vscode.WebviewPanel, state: unknown): void {
      const args = restoredModel(state);
      if (!args || panels.has(modelKey(args))) return panel.dispose();
      add(args, create(context, services, args, panel));
    },
  };
}

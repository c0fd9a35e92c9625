import * as path from "node:path";
import * as vscode from "vscode";
import type { Diagnostic, LayerCall, Location } from "../../shared/analysis";
import { formatCount, formatField, formatMetric, formatShapeText } from "../../shared/format";
import { layerCategory, type LayerCategory } from "../../shared/layerCatalog";
import type { ModelCommandArgs, ModelGraph } from "../../shared/lsp";
import { shapeText } from "../../shared/markdown";
import type { ModelFileEntry, ModelStore } from "./modelStore";

/**
 * The Models view: every model file of the workspace → its models (output shape, parameters,
 * MACs) → their layers (path, type, output shape, parameters). Clicking jumps to the source.
 */

export type ModelsNode =
  | { kind: "file"; entry: ModelFileEntry }
  | { kind: "model"; entry: ModelFileEntry; model: ModelGraph }
  | { kind: "layer"; entry: ModelFileEntry; model: ModelGraph; layer: LayerCall; index: number }
  | { kind: "diagnostic"; entry: ModelFileEntry; diagnostic: Diagnostic }
  | { kind: "more"; entry: ModelFileEntry; model: ModelGraph; from: number };

/** Layers listed per model before a "… more" entry (ResNet-152 has hundreds). */
const LAYER_PAGE = 400;

/**
 * `[N, 10] · 61,706 params · 416.5K MACs`; `incomplete · ? · 61,706 params · at least 1.2K MACs` when analysis stopped at an error;
 * with `trainable` (a freeze set in the Train view) in the place of the parameter count: `[N, 10] · 5,130 trainable of 61.71K parameters · 416.5K MACs`.
 */
export function modelDescription(m: ModelGraph, trainable?: string): string {
  const params = trainable ?? `${formatCount(m.params)} params`;
  if (!m.complete) return `incomplete · ${shapeText(m.output)} · ${params} · at least ${formatMetric(m.macs)} MACs`;
  return `${shapeText(m.output)} · ${params} · ${formatMetric(m.macs)} MACs`;
}

/** The Train view's freeze, as the Models view shows it (src/extension/train/trainTransfer.ts). */
export interface FrozenCounts {
  onDidChange(listener: () => void): { dispose(): void };
  /** `5,130 trainable of 11.69M parameters` while the Train view freezes part of this model, else undefined. */
  trainableFor(uri: string, model: string): string | undefined;
}

export function locationCommand(loc: Location, title = "Go to Source"): vscode.Command {
  const r = loc.range;
  const selection = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  return {
    title,
    command: "vscode.open",
    arguments: [vscode.Uri.file(loc.file), { selection, preserveFocus: false } satisfies vscode.TextDocumentShowOptions],
  };
}

export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelsNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly frozenSubscription: { dispose(): void } | undefined;

  constructor(
    private readonly store: ModelStore,
    private readonly frozen?: FrozenCounts,
  ) {
    this.subscription = store.onDidChange(() => this.changed.fire());
    this.frozenSubscription = frozen?.onDidChange(() => this.changed.fire());
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) {
      await this.store.ensureScanned();
      return this.store.entries().map((entry) => ({ kind: "file", entry }));
    }
    const { entry } = node;
    const result = entry.result;
    if (node.kind === "file") {
      if (!result) return [];
      const models = result.models.filter((m) => m.location.file === result.file).map((model): ModelsNode => ({ kind: "model", entry, model }));
      const errors = result.diagnostics
        .filter((d) => d.severity === "error" && d.location.file === result.file)
        .map((diagnostic): ModelsNode => ({ kind: "diagnostic", entry, diagnostic }));
      return [...errors, ...models];
    }
    if (node.kind === "model" || node.kind === "more") {
      const from = node.kind === "more" ? node.from : 0;
      const layers = node.model.layers
        .slice(from, from + LAYER_PAGE)
        .map((layer, i): ModelsNode => ({ kind: "layer", entry, model: node.model, layer, index: from + i }));
      if (from + LAYER_PAGE < node.model.layers.length) layers.push({ kind: "more", entry, model: node.model, from: from + LAYER_PAGE });
      return layers;
    }
    return [];
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case "file": {
        const result = node.entry.result;
        const folder = vscode.workspace.getWorkspaceFolder(node.entry.uri);
        const rel = folder ? path.relative(folder.uri.fsPath, node.entry.uri.fsPath) : node.entry.uri.fsPath;
        const item = new vscode.TreeItem(path.basename(rel), vscode.TreeItemCollapsibleState.Expanded);
        item.id = `file:${node.entry.uri.toString()}`;
        item.resourceUri = node.entry.uri;
        item.contextValue = "modelFile";
        const dir = path.dirname(rel);
        const models = result ? result.models.filter((m) => m.location.file === result.file).length : 0;
        const errors = result ? result.diagnostics.filter((d) => d.severity === "error").length : 0;
        const counts = result
          ? [`${models} model${models === 1 ? "" : "s"}`, ...(errors ? [`${errors} error${errors === 1 ? "" : "s"}`] : [])].join(", ")
          : "analysing…";
        item.description = dir === "." ? counts : `${dir} · ${counts}`;
        item.iconPath = errors ? new vscode.ThemeIcon("error", new vscode.ThemeColor("list.errorForeground")) : vscode.ThemeIcon.File;
        item.tooltip = `${node.entry.uri.fsPath}\n${counts}`;
        item.command = { title: "Open", command: "vscode.open", arguments: [node.entry.uri] };
        return item;
      }
      case "model": {
        const m = node.model;
        const item = new vscode.TreeItem(m.name, m.layers.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `model:${node.entry.uri.toString()}#${m.name}`;
        const trainable = this.frozen?.trainableFor(node.entry.uri.toString(), m.name);
        item.description = modelDescription(m, trainable);
        item.contextValue = "model";
        item.iconPath = new vscode.ThemeIcon(m.output === null ? "warning" : "symbol-class");
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**${m.name}** — ${m.layers.length} layers\n\n`);
        md.appendMarkdown(`| | |\n|---|---|\n`);
        md.appendMarkdown(`| input | \`${m.inputs.map((s) => formatShapeText(s)).join(", ")}\` |\n`);
        md.appendMarkdown(`| output | \`${shapeText(m.output)}\` |\n`);
        md.appendMarkdown(`| parameters | ${formatCount(m.params)} (${formatCount(m.trainableParams)} trainable) |\n`);
        if (trainable) md.appendMarkdown(`| with the Train view's freeze | ${trainable} |\n`);
        md.appendMarkdown(`| MACs | ${m.complete ? "" : "at least "}${formatMetric(m.macs)} |\n`);
        if (!m.complete) md.appendMarkdown(`\nIncomplete: analysis stopped at an error; the layers and MACs cover only the part analysed.\n`);
        // One inline action (Train) keeps the name whole in a narrow sidebar (19.19); the others are in the context menu.
        md.appendMarkdown(`\nRight-click for the Summary, Graph, Receptive Field, Feature Maps and Filters.\n`);
        item.tooltip = md;
        item.command = locationCommand(m.location);
        return item;
      }
      case "layer": {
        const l = node.layer;
        const item = new vscode.TreeItem(`${l.path} · ${l.type}`, vscode.TreeItemCollapsibleState.None);
        item.id = `layer:${node.entry.uri.toString()}#${node.model.name}#${node.index}`;
        const params = l.params ? ` · ${formatCount(l.params)} params` : "";
        item.description = `${formatShapeText(l.output)}${params}`;
        item.contextValue = "layer";
        item.iconPath = new vscode.ThemeIcon(layerIcon(l.type));
        const rf = l.receptiveField ? `\nreceptive field ${formatField(l.receptiveField)}` : "";
        const macs = l.macs ? `\n${formatMetric(l.macs)} MACs` : "";
        item.tooltip = `${l.description}\n${l.inputs.map((s) => formatShapeText(s)).join(", ")} → ${formatShapeText(l.output)}\n${formatCount(l.params)} parameters${macs}${rf}`;
        const loc = l.calledAt ?? l.definedAt;
        if (loc) item.command = locationCommand(loc);
        return item;
      }
      case "diagnostic": {
        const d = node.diagnostic;
        const item = new vscode.TreeItem(d.message, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon("error", new vscode.ThemeColor("list.errorForeground"));
        item.description = `line ${d.location.range.start.line + 1}`;
        item.tooltip = d.message;
        item.contextValue = "diagnostic";
        item.command = locationCommand(d.location);
        return item;
      }
      case "more": {
        const item = new vscode.TreeItem(`${node.model.layers.length - node.from} more layers…`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `more:${node.entry.uri.toString()}#${node.model.name}#${node.from}`;
        return item;
      }
    }
  }

  /** The model command argument of a node (for the view's context-menu commands). */
  static args(node: unknown): ModelCommandArgs | undefined {
    if (typeof node !== "object" || node === null) return undefined;
    const n = node as Partial<ModelsNode>;
    if ((n.kind === "model" || n.kind === "layer") && "model" in n && n.model && n.entry) return { uri: n.entry.uri.toString(), model: n.model.name };
    return undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.frozenSubscription?.dispose();
    this.changed.dispose();
  }
}

/** A layer's codicon by its kind's category (a custom module's class gets the generic one). */
const CATEGORY_ICON = {
  conv: "symbol-array",
  pooling: "fold-down",
  linear: "symbol-constant",
  norm: "symbol-operator",
  dropout: "debug-disconnect",
  activation: "pulse",
  reshape: "symbol-field",
  resampling: "symbol-field",
  identity: "symbol-field",
  // ---- modules ----
  embedding: "symbol-key",
  padding: "symbol-field",
  attention: "eye",
} as const satisfies Record<LayerCategory, string>;

function layerIcon(type: string): string {
  const category = layerCategory(type);
  return category ? CATEGORY_ICON[category] : "symbol-field";
}

/** The Models view's message while a scan runs: "Scanning… 3 of 12 model files analysed" (none after it). */
export function scanMessage(progress: { found: number; analysed: number } | undefined): string | undefined {
  if (!progress) return undefined;
  if (progress.found === 0) return "Scanning the workspace for model files…";
  return `Scanning… ${progress.analysed} of ${progress.found} model file${progress.found === 1 ? "" : "s"} analysed`;
}

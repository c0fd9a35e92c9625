import type { Count, GraphNode, LayerCall, ModelAnalysis, ModuleInfo, Shape, TensorNote } from "../shared/analysis";
import { sumCounts } from "../shared/count";
import type { ModelTree } from "./analysisIndex";
import {
  code,
  escape,
  facts,
  fieldRangeText,
  fieldText,
  formatCount,
  listSome,
  macsText,
  memoryText,
  plural,
  shapeBlock,
  shapeText,
  table,
  tensorBytes,
  transition,
} from "../shared/markdown";
import { moduleInput, moduleOutput } from "./moduleShapes";

/**
 * The markdown of hovers. A source location often stands for many things at once (a block's
 * `forward` runs once per instance, in several models): identical ones are told once, different
 * ones are tabulated.
 */

const MAX_ROWS = 8;

export interface LayerEntry {
  model: ModelAnalysis;
  layer: LayerCall;
}
export interface ModuleEntry {
  model: ModelAnalysis;
  tree: ModelTree;
  module: ModuleInfo;
  /** Shapes seen where this module is called, when the tree alone cannot tell them. */
  callInput?: Shape | null;
  callOutput?: Shape | null;
}
/** The error a layer's own call stopped at (issue 19.11): the shapes it received and the layers that made them. */
export interface Failure {
  /** `[N, 16, 8, 8]` from `features.2 (MaxPool2d)`, one per input. */
  inputs: string[];
}
export interface OpEntry {
  model: ModelAnalysis;
  node: GraphNode;
}
export interface TensorEntry {
  model: ModelAnalysis;
  note: TensorNote;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = groups.get(k);
    if (g) g.push(x);
    else groups.set(k, [x]);
  }
  return [...groups.values()];
}

/** "in `lenet5`", or "in 3 models: `resnet50`, `resnet101`, `resnet152`". */
export function modelsText(models: readonly ModelAnalysis[]): string {
  const names = unique(models.map((m) => m.name));
  return names.length === 1 ? `in ${code(names[0]!)}` : `in ${names.length} models: ${listSome(names.map(code), 4)}`;
}

function paramsText(params: Count, trainable: Count, buffers: Count): string {
  return `${formatCount(params)} · trainable ${formatCount(trainable)} · buffers ${formatCount(buffers)}`;
}

/** A label for where a row of a table comes from: `resnet18 · layer1.0.conv1 (+3)`. */
function rowLabel(items: readonly { model: ModelAnalysis; path: string }[], multiModel: boolean): string {
  const first = items[0]!;
  const where = first.path === "" ? first.model.name : first.path;
  const more = items.length > 1 ? ` (+${items.length - 1})` : "";
  return multiModel ? `${first.model.name} · ${where}${more}` : `${where}${more}`;
}

/** `resnet18, resnet34 ×2`: which models, how many times. */
function timesLabel(group: readonly { model: ModelAnalysis }[], multiModel: boolean): string {
  return multiModel ? `${listSome(unique(group.map((e) => e.model.name)), 2)} ×${group.length}` : `×${group.length}`;
}

function clipped(rows: string[][], total: number, what: string): string[] {
  if (rows.length <= MAX_ROWS) return [];
  rows.length = MAX_ROWS;
  return [`… and ${plural(total - MAX_ROWS, `more ${what}`)}`];
}

export function layersHover(entries: readonly LayerEntry[]): string {
  const first = entries[0]!;
  const type = unique(entries.map((e) => e.layer.type)).join(" / ");
  const models = entries.map((e) => e.model);
  const multiModel = unique(models.map((m) => m.name)).length > 1;
  const groups = groupBy(entries, (e) => `${e.layer.description}|${transition(e.layer.inputs, e.layer.output)}`);
  const field = fieldRangeText(entries.map((e) => e.layer.receptiveField));
  if (groups.length === 1) {
    const l = first.layer;
    const header =
      entries.length === 1
        ? `**${escape(type)}** ${code(l.path)} ${modelsText(models)}`
        : `**${escape(type)}** · ${plural(entries.length, "call")} ${modelsText(models)}`;
    const lines: [string, string | undefined][] = [
      ["Parameters", paramsText(l.params, l.trainableParams, l.buffers)],
      ["MACs", macsText(l.macs)],
      ["Output memory", memoryText(l.activationBytes, first.model)],
      ["Receptive field", field],
    ];
    if (entries.length > 1) lines.push(["Calls", listSome(entries.map((e) => (multiModel ? `${e.model.name} · ${e.layer.path}` : e.layer.path)).map(code), 4)]);
    return [header, shapeBlock(transition(l.inputs, l.output)), code(l.description), facts(lines)].join("\n\n");
  }
  const rows = groups.map((g) => {
    const l = g[0]!.layer;
    return [
      rowLabel(
        g.map((e) => ({ model: e.model, path: e.layer.path })),
        multiModel,
      ),
      transition(l.inputs, l.output),
      formatCount(l.params),
      macsText(l.macs),
    ];
  });
  const more = clipped(rows, groups.length, "shape");
  return [
    `**${escape(type)}** · ${plural(entries.length, "call")} ${modelsText(models)}, with ${groups.length} different shapes`,
    table(["module", "input → output", "params", "MACs"], ["l", "l", "r", "r"], rows),
    ...more,
    facts([["Receptive field", field]]),
  ]
    .filter((s) => s !== "")
    .join("\n\n");
}

function subtreeFigures(e: ModuleEntry): { macs: Count; modules: number } {
  const layers = e.tree.subtreeLayers(e.module.path);
  const prefix = `${e.module.path}.`;
  const modules = e.module.path === "" ? e.model.modules.length - 1 : e.model.modules.filter((m) => m.path.startsWith(prefix)).length;
  return { macs: sumCounts(layers, (l) => l.macs), modules };
}

/** A subtree's MACs; partial ("at least", "incomplete") when the model's forward pass stopped at an error. */
function subtreeMacsText(model: ModelAnalysis, macs: Count): string {
  return model.complete ? macsText(macs) : `at least ${macsText(macs)} (incomplete: analysis stopped at an error)`;
}

function moduleShapes(e: ModuleEntry): { input: Shape | null; output: Shape | null } {
  return {
    input: moduleInput(e.tree, e.module.path) ?? e.callInput ?? null,
    output: moduleOutput(e.tree, e.module.path) ?? e.callOutput ?? null,
  };
}

/** A module: a leaf's calls, or the subtree totals of a container or custom module. */
export function modulesHover(entries: readonly ModuleEntry[], failure?: Failure): string {
  const calls: LayerEntry[] = [];
  for (const e of entries) {
    if (e.tree.isLeaf(e.module.path)) for (const layer of e.tree.layers(e.module.path)) calls.push({ model: e.model, layer });
  }
  const allLeaves = entries.every((e) => e.tree.isLeaf(e.module.path));
  if (allLeaves && calls.length > 0) return layersHover(calls);
  const first = entries[0]!;
  const type = unique(entries.map((e) => e.module.type)).join(" / ");
  const models = entries.map((e) => e.model);
  const multiModel = unique(models.map((m) => m.name)).length > 1;
  const groups = groupBy(entries, (e) => {
    const s = moduleShapes(e);
    return `${e.module.params}|${e.module.buffers}|${subtreeFigures(e).macs}|${transition([s.input], s.output)}`;
  });
  // A leaf no call reached in a model whose analysis stopped at an error (issue 19.8): unknown, not "never called".
  const unreached = allLeaves && entries.every((e) => !e.model.complete);
  if (groups.length === 1) {
    const m = first.module;
    const figures = subtreeFigures(first);
    const shapes = moduleShapes(first);
    const header =
      entries.length > 1
        ? `**${escape(type)}** · ${plural(entries.length, "instance")} ${modelsText(models)}`
        : m.path === ""
          ? `**${escape(type)}** · model ${code(first.model.name)}`
          : `**${escape(type)}** ${code(m.path)} ${modelsText(models)}`;
    const failed = unreached && failure !== undefined;
    const lines: [string, string | undefined][] = [
      ["Input", failed ? failure.inputs.join(", ") : undefined],
      ["Parameters", paramsText(m.params, m.trainableParams, m.buffers)],
      [
        "MACs",
        failed
          ? "not computed: the analysis stopped at this layer's error"
          : unreached
            ? "not computed: the analysis stopped at an error before this layer"
            : subtreeMacsText(first.model, figures.macs),
      ],
      ["Output memory", shapes.output ? memoryText(tensorBytes(shapes.output), first.model) : undefined],
      ["Modules", figures.modules > 0 ? `${formatCount(figures.modules)} in its subtree` : undefined],
    ];
    if (allLeaves && !failed)
      lines.push(["Calls", unreached ? "not reached: the analysis stopped at an error before it" : "none (the forward pass never calls it)"]);
    if (entries.length > 1)
      lines.push(["Instances", listSome(entries.map((e) => (multiModel ? `${e.model.name} · ${e.module.path}` : e.module.path)).map(code), 4)]);
    const parts = [header];
    if (shapes.input || shapes.output) parts.push(shapeBlock(transition([shapes.input], shapes.output)));
    parts.push(facts(lines));
    return parts.join("\n\n");
  }
  const rows = groups.map((g) => {
    const e = g[0]!;
    const s = moduleShapes(e);
    return [
      rowLabel(
        g.map((x) => ({ model: x.model, path: x.module.path })),
        multiModel,
      ),
      s.input || s.output ? transition([s.input], s.output) : "?",
      formatCount(e.module.params),
      subtreeMacsText(e.model, subtreeFigures(e).macs),
    ];
  });
  const more = clipped(rows, groups.length, "variant");
  return [
    `**${escape(type)}** · ${plural(entries.length, "instance")} ${modelsText(models)}`,
    table(["module", "input → output", "params", "MACs"], ["l", "l", "r", "r"], rows),
    ...more,
  ].join("\n\n");
}

function opInputs(e: OpEntry): (Shape | null)[] {
  return e.node.inputs.map((id) => e.model.graph[id]?.output ?? null);
}

function attrsText(node: GraphNode): string {
  const parts = Object.entries(node.attrs).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(", ")}]` : String(v)}`);
  return parts.length ? `(${parts.join(", ")})` : "";
}

export function opsHover(entries: readonly OpEntry[]): string {
  const first = entries[0]!;
  const label = unique(entries.map((e) => e.node.label)).join(" / ");
  const models = entries.map((e) => e.model);
  const multiModel = unique(models.map((m) => m.name)).length > 1;
  const groups = groupBy(entries, (e) => transition(opInputs(e), e.node.output));
  const field = fieldRangeText(entries.map((e) => e.node.receptiveField));
  if (groups.length === 1) {
    const header =
      entries.length === 1 ? `**${escape(label)}** ${modelsText(models)}` : `**${escape(label)}** · ${plural(entries.length, "call")} ${modelsText(models)}`;
    const attrs = attrsText(first.node);
    return [
      header,
      shapeBlock(transition(opInputs(first), first.node.output)),
      ...(attrs ? [code(`${first.node.type}${attrs}`)] : []),
      facts([
        ["Output memory", memoryText(tensorBytes(first.node.output), first.model)],
        ["Receptive field", field],
      ]),
    ].join("\n\n");
  }
  const rows = groups.map((g) => [timesLabel(g, multiModel), transition(opInputs(g[0]!), g[0]!.node.output)]);
  const more = clipped(rows, groups.length, "shape");
  return [
    `**${escape(label)}** · ${plural(entries.length, "call")} ${modelsText(models)}, with ${groups.length} different shapes`,
    table(["calls", "input → output"], ["l", "l"], rows),
    ...more,
    facts([["Receptive field", field]]),
  ]
    .filter((s) => s !== "")
    .join("\n\n");
}

/** A tensor variable (or returned expression): its shape(s), receptive field and memory. */
export function tensorsHover(name: string, entries: readonly TensorEntry[], note?: string): string {
  const first = entries[0]!;
  const models = entries.map((e) => e.model);
  const multiModel = unique(models.map((m) => m.name)).length > 1;
  const what = `${first.note.kind === "return" ? "returned" : code(name)}${note ? ` (${note})` : ""}`;
  const groups = groupBy(entries, (e) => shapeText(e.note.shape));
  const field = fieldRangeText(entries.map((e) => e.note.receptiveField));
  if (groups.length === 1) {
    const times = entries.length > 1 ? ` · ${plural(entries.length, "time")}` : "";
    return [
      `**Tensor** ${what} ${modelsText(models)}${times}`,
      shapeBlock(shapeText(first.note.shape)),
      facts([
        ["Memory", memoryText(tensorBytes(first.note.shape), first.model)],
        ["Receptive field", entries.length === 1 ? fieldText(first.note.receptiveField) : field],
      ]),
    ].join("\n\n");
  }
  const rows = groups.map((g) => [timesLabel(g, multiModel), shapeText(g[0]!.note.shape), fieldText(g[0]!.note.receptiveField) ?? "—"]);
  const more = clipped(rows, groups.length, "shape");
  return [
    `**Tensor** ${what} · ${plural(entries.length, "value")} ${modelsText(models)}, with ${groups.length} different shapes`,
    table(["times", "shape", "receptive field"], ["l", "l", "l"], rows),
    ...more,
  ].join("\n\n");
}

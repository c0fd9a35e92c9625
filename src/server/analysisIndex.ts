import type { FileAnalysis, GraphNode, LayerCall, ModelAnalysis, ModuleInfo, Position, Range, TensorNote } from "../shared/analysis";
import { rangeContains } from "../shared/ranges";

/**
 * Source positions → what the analysis knows there. Every located item of every model becomes a
 * "fact" filed under its file: a leaf-module call (`calledAt`), a tensor operation (graph `op`
 * nodes), a module construction (`definedAt` of `modules`), a tensor bound or returned (`tensors`).
 * One source location usually has many facts: a block's `forward` runs once per instance, in
 * several models; features aggregate them.
 */

interface FactBase {
  range: Range;
  model: ModelAnalysis;
}
export interface CallFact extends FactBase {
  kind: "call";
  layer: LayerCall;
}
export interface OpFact extends FactBase {
  kind: "op";
  node: GraphNode;
}
export interface ModuleFact extends FactBase {
  kind: "module";
  module: ModuleInfo;
}
export interface TensorFact extends FactBase {
  kind: "tensor";
  note: TensorNote;
}
export type Fact = CallFact | OpFact | ModuleFact | TensorFact;

/** Per-model lookups by module path. */
export class ModelTree {
  readonly layersByPath = new Map<string, LayerCall[]>();
  readonly moduleByPath = new Map<string, ModuleInfo>();
  readonly childrenByPath = new Map<string, ModuleInfo[]>();

  constructor(readonly model: ModelAnalysis) {
    for (const l of model.layers) {
      const list = this.layersByPath.get(l.path);
      if (list) list.push(l);
      else this.layersByPath.set(l.path, [l]);
    }
    for (const m of model.modules) {
      this.moduleByPath.set(m.path, m);
      if (m.path === "") continue;
      const parent = parentPath(m.path);
      const siblings = this.childrenByPath.get(parent);
      if (siblings) siblings.push(m);
      else this.childrenByPath.set(parent, [m]);
    }
  }

  children(path: string): readonly ModuleInfo[] {
    return this.childrenByPath.get(path) ?? [];
  }

  layers(path: string): readonly LayerCall[] {
    return this.layersByPath.get(path) ?? [];
  }

  /** Layer calls of the module and everything under it, in execution order. */
  subtreeLayers(path: string): LayerCall[] {
    if (path === "") return this.model.layers;
    const prefix = `${path}.`;
    return this.model.layers.filter((l) => l.path === path || l.path.startsWith(prefix));
  }

  isLeaf(path: string): boolean {
    return this.children(path).length === 0;
  }
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf(".");
  return i < 0 ? "" : path.slice(0, i);
}

export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf(".") + 1);
}

export class AnalysisIndex {
  private readonly byFile = new Map<string, Fact[]>();
  private readonly trees = new Map<ModelAnalysis, ModelTree>();

  constructor(readonly analysis: FileAnalysis) {
    for (const model of analysis.models) {
      for (const layer of model.layers) if (layer.calledAt) this.add(layer.calledAt.file, { kind: "call", range: layer.calledAt.range, model, layer });
      for (const node of model.graph)
        if (node.kind === "op" && node.location) this.add(node.location.file, { kind: "op", range: node.location.range, model, node });
      for (const module of model.modules)
        if (module.definedAt) this.add(module.definedAt.file, { kind: "module", range: module.definedAt.range, model, module });
      for (const note of model.tensors) this.add(note.location.file, { kind: "tensor", range: note.location.range, model, note });
    }
  }

  private add(file: string, fact: Fact): void {
    const list = this.byFile.get(file);
    if (list) list.push(fact);
    else this.byFile.set(file, [fact]);
  }

  factsIn(file: string): readonly Fact[] {
    return this.byFile.get(file) ?? [];
  }

  factsAt(file: string, pos: Position): Fact[] {
    return this.factsIn(file).filter((f) => rangeContains(f.range, pos));
  }

  tree(model: ModelAnalysis): ModelTree {
    let t = this.trees.get(model);
    if (!t) {
      t = new ModelTree(model);
      this.trees.set(model, t);
    }
    return t;
  }
}

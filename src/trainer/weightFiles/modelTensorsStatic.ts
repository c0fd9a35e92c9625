import type { ModelAnalysis } from "../../shared/analysis";
import type { ModelNames } from "../train/freeze";
import { LAYER_TENSORS, type TensorSpec } from "../model/init";
import type { ModelTensorSpec } from "./match";

/**
 * A model's parameters and buffers by PyTorch `state_dict` name and shape, read from its analysis
 * alone (no TensorFlow.js, nothing allocated): the same names, shapes and order as the compiler's
 * (modelTensorSpecs compiles the model; test/trainer/weightFiles/modelTensorsStatic.test.ts holds
 * the two equal over the examples). For the editor, which shows how a weights file matches the
 * model selected in the Train view and what a freeze leaves trainable without starting a process.
 */

export interface ModelTensorLayout {
  /** Parameters and buffers in `state_dict` order (module by module, parameters before buffers). */
  tensors: ModelTensorSpec[];
  /** Parameter names, with their sizes, in `state_dict` order. */
  parameters: { name: string; size: number; trainable: boolean }[];
  /** The names --freeze and --lr-for are matched against (src/trainer/train/freeze.ts). */
  names: ModelNames;
}

/** BatchNorm kinds whose running statistics a frozen layer keeps (as transferSetup's BATCH_NORM). */
const BATCH_NORM = /^BatchNorm[123]d$/;

interface Entry {
  name: string;
  shape: number[];
  buffer: boolean;
  trainable: boolean;
  order: [number, number];
}

function layerSpecs(type: string, config: unknown): readonly TensorSpec[] | undefined {
  const table = LAYER_TENSORS as unknown as Record<string, ((c: unknown) => readonly TensorSpec[]) | undefined>;
  return Object.prototype.hasOwnProperty.call(table, type) ? table[type]?.(config) : undefined;
}

export function modelTensorLayout(model: ModelAnalysis): ModelTensorLayout {
  const moduleOrder = new Map(model.modules.map((m, i) => [m.path, i]));
  const entries = new Map<string, Entry>();
  let created = 0;
  const add = (path: string, name: string, shape: number[], buffer: boolean, trainable: boolean): void => {
    const full = path ? `${path}.${name}` : name;
    if (entries.has(full)) return; // a module called again: the same tensors
    entries.set(full, { name: full, shape: shape.slice(), buffer, trainable, order: [moduleOrder.get(path) ?? Number.MAX_SAFE_INTEGER, created++] });
  };
  // as compileModel: the declared tensors first (createDeclared), then the graph's layers in order
  for (const m of model.modules)
    for (const t of m.declaredTensors ?? [])
      if (t.role === "parameter" || t.persistent) add(m.path, t.name, t.shape, t.role === "buffer", t.role === "parameter" && t.requiresGrad);
  for (const node of model.graph) {
    if (node.kind === "param" && typeof node.attrs.layer === "string") {
      const { type, config } = JSON.parse(node.attrs.layer) as { type: string; config: unknown };
      const path = String(node.attrs.module);
      const spec = layerSpecs(type, config)?.find((s) => s.name === String(node.attrs.name));
      const info = model.modules.find((m) => m.path === path);
      if (spec) add(path, spec.name, spec.shape, spec.buffer === true, !(info && info.params !== 0 && info.trainableParams === 0));
      continue;
    }
    if (node.kind !== "module" || node.label.startsWith("<unregistered")) continue;
    const specs = layerSpecs(node.type, node.attrs);
    if (!specs) continue;
    const layer = node.layer !== undefined ? model.layers[node.layer] : undefined;
    const trainable = !(layer && layer.params !== 0 && layer.trainableParams === 0);
    for (const s of specs) add(node.label, s.name, s.shape, s.buffer === true, trainable);
  }
  const byOrder = (a: Entry, b: Entry): number => a.order[0] - b.order[0] || Number(a.buffer) - Number(b.buffer) || a.order[1] - b.order[1];
  const all = [...entries.values()].sort(byOrder);
  const params = all.filter((e) => !e.buffer);
  return {
    tensors: all.map((e) => ({ name: e.name, shape: e.shape })),
    parameters: params.map((e) => ({ name: e.name, size: e.shape.reduce((a, d) => a * d, 1), trainable: e.trainable })),
    names: {
      model: model.name,
      parameters: params.map((e) => e.name),
      buffers: all.filter((e) => e.buffer).map((e) => e.name),
      batchNorms: model.modules.filter((m) => BATCH_NORM.test(m.type)).map((m) => m.path),
    },
  };
}

import type { ModelAnalysis } from "../../shared/analysis";
import { compileModel } from "../model/compile";
import type { TF } from "../model/types";
import type { ModelTensorSpec } from "./match";
import type { Read } from "./stateDict";

/**
 * A model's parameters and buffers by PyTorch `state_dict` name and shape, as the trainer compiles
 * it (so exactly the names `--weights` loads into), in `state_dict` order: module by module in
 * `named_modules()` order, each module's parameters before its buffers.
 */
export function modelTensorSpecs(tf: TF, model: ModelAnalysis): Read<ModelTensorSpec[]> {
  let compiled;
  try {
    compiled = compileModel(tf, model, { seed: 0 });
  } catch (e) {
    return { ok: false, error: `${model.name} cannot be compiled: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    const moduleIndex = new Map(model.modules.map((m, i) => [m.path, i]));
    const indexOf = (name: string): number => {
      const at = name.lastIndexOf(".");
      return moduleIndex.get(at < 0 ? "" : name.slice(0, at)) ?? Number.MAX_SAFE_INTEGER;
    };
    const specs = [
      ...[...compiled.parameters].map(([name, v]) => ({ name, shape: v.shape.slice(), kind: 0 })),
      ...[...compiled.buffers].map(([name, v]) => ({ name, shape: v.shape.slice(), kind: 1 })),
    ];
    const order = new Map(specs.map((s, i) => [s.name, i]));
    specs.sort((a, b) => indexOf(a.name) - indexOf(b.name) || a.kind - b.kind || order.get(a.name)! - order.get(b.name)!);
    return { ok: true, value: specs.map(({ name, shape }) => ({ name, shape })) };
  } finally {
    compiled.dispose();
  }
}

import type { ModelAnalysis } from "../../shared/analysis";
import { compileModel } from "../model/compile";
import type { CompiledModel, TF } from "../model/types";
import type { ModelTensorSpec } from "./match";
import type { Read } from "./stateDict";

/**
 * A compiled model's parameters and buffers by PyTorch `state_dict` name and shape (exactly the
 * names `--weights` loads into), in `state_dict` order: module by module in `named_modules()`
 * order, each module's parameters before its buffers, as PyTorch's engine reports them.
 */
export function compiledTensorSpecs(model: ModelAnalysis, compiled: CompiledModel): ModelTensorSpec[] {
  const moduleIndex = new Map(model.modules.map((m, i) => [m.path, i]));
  const indexOf = (name: string): number => {
    const at = name.lastIndexOf(".");
    return moduleIndex.get(at < 0 ? "" : name.slice(0, at)) ?? Number.MAX_SAFE_INTEGER;
  };
  const specs = [
    ...[...compiled.parameters].map(([name, v], i) => ({ name, shape: v.shape.slice(), kind: 0, i })),
    ...[...compiled.buffers].map(([name, v], i) => ({ name, shape: v.shape.slice(), kind: 1, i })),
  ];
  specs.sort((a, b) => indexOf(a.name) - indexOf(b.name) || a.kind - b.kind || a.i - b.i);
  return specs.map(({ name, shape }) => ({ name, shape }));
}

/** compiledTensorSpecs of the model compiled for the purpose (and disposed), or why it cannot be compiled. */
export function modelTensorSpecs(tf: TF, model: ModelAnalysis): Read<ModelTensorSpec[]> {
  let compiled;
  try {
    compiled = compileModel(tf, model, { seed: 0 });
  } catch (e) {
    return { ok: false, error: `${model.name} cannot be compiled: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    return { ok: true, value: compiledTensorSpecs(model, compiled) };
  } finally {
    compiled.dispose();
  }
}

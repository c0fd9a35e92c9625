import type * as ts from "typescript";
import type { AttrValue, GraphNode, Shape } from "../shared/analysis";
import type { ConstantRecorder } from "./constantGraph";
import type { Interpreter } from "./interpreter";
import { toLocation } from "./location";
import type { ParamHost } from "./parameters";
import type { FactoryHost } from "./tensorFactories";
import type { CallSite, ModuleValue, TensorValue, Value } from "./values";

/** What the tensor factories and parameters see of a forward pass being traced. */
export interface TracedPass {
  readonly paths: ReadonlyMap<ModuleValue, string>;
  readonly paramNodes: Map<string, TensorValue>;
  addNode(n: Omit<GraphNode, "id">): number;
}

/** The host of tensorFactories.ts and parameters.ts: the interpreter, and the trace while a forward pass runs. */
export function tensorHost(interp: Interpreter, trace: () => TracedPass | null, constants: ConstantRecorder): ParamHost & FactoryHost {
  return {
    display: (v: Value) => interp.display(v),
    poisoned: (v: Value, node: ts.Node) => interp.poisoned(v, node),
    iterate: (v: Value, node: ts.Node) => interp.iterate(v, node),
    pathOf: (mod: ModuleValue) => trace()?.paths.get(mod),
    get paramNodes() {
      return trace()?.paramNodes;
    },
    constants,
    addParamNode(label: string, type: string, shape: Shape, attrs: Record<string, AttrValue>, node: ts.Node): number {
      const t = trace();
      if (!t) return -1;
      return t.addNode({ kind: "param", label, type, inputs: [], output: shape, attrs, receptiveField: null, location: toLocation(node) });
    },
    addOp(label: string, inputs: readonly TensorValue[], out: Shape, attrs: Record<string, AttrValue>, site: CallSite): number {
      const t = trace();
      if (!t)
        return constants.add(
          label,
          inputs.map((x) => x.node),
          out,
          attrs,
        );
      return t.addNode({
        kind: "op",
        label,
        type: label,
        inputs: inputs.map((x) => x.node),
        output: out,
        attrs,
        receptiveField: null,
        location: toLocation(site.node),
      });
    },
  };
}

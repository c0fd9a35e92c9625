import type * as tfc from "@tensorflow/tfjs-core";
import { isLayerType, type LayerConfig, type LayerType } from "../../analyzer/layers/index";
import type { DeclaredTensor, GraphNode, ModelAnalysis, TensorInit } from "../../shared/analysis";
import { isNamedOutputs, trainedOutput } from "../../shared/outputs";
import { initOf, LAYER_TENSORS, normal, seedFor, uniform, uniformRange, type TensorSpec } from "./init";
import { CompileError, type BuildCtx, type Init, type LayerBuilder, type NodeFn, type RunCtx } from "./layers/common";
import { compileItem, multiheadAttention, permute, stochasticDepth } from "./layers/attention";
import { conv2d, convTranspose2d } from "./layers/conv";
import {
  dropout2dLayer,
  dropoutLayer,
  elu,
  flatten,
  gelu,
  hardsigmoid,
  hardswish,
  identity,
  leakyRelu,
  relu,
  relu6,
  sigmoid,
  silu,
  softmax,
  tanh,
} from "./layers/elementwise";
import { linear } from "./layers/linear";
import { batchNorm1d, batchNorm2d, localResponseNorm } from "./layers/norm";
import { adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool2d, maxPool2d } from "./layers/pool";
import { upsample } from "./layers/upsample";
import { adaptiveAvgPool1d, avgPool1d, conv1d, maxPool1d } from "./layers/layers1d";
import { groupNorm, layerNorm } from "./layers/norm";
import { embedding, pixelShuffle, unflatten, zeroPad2d } from "./layers/reshape";
import { mish, prelu } from "./layers/elementwise";
import { evaluateConstant } from "./constants";
import { compileOp } from "./ops";
import { TFJS_GRADIENTS } from "./tfjsGradients";
import type { CompiledModel, CompileModel, CompileOptions, TF } from "./types";
import { toNHWC, toTorch, torch as torchValue, type Attrs, type Value } from "./value";

/**
 * The model compiler: a model's analysis graph (one forward pass, see ModelAnalysis.graph) becomes
 * a TensorFlow.js function with PyTorch's semantics, parameters and state_dict names.
 *
 * Layout: tensors enter and leave NCHW; inside, 4-D feature maps stay NHWC (tfjs's convolutions
 * and pools are NHWC) and are converted, once per value and call, only where an operation needs
 * PyTorch's order (flatten, view, Linear, BatchNorm1d, non-4-D broadcasting). Dimension arguments
 * (cat, mean, softmax) are mapped to the internal axes. Parameters keep PyTorch's layout; each
 * layer transposes its weights on the fly (cheap, and gradients flow through the transpose).
 */

/** The tfjs lowering of every layer kind of the model language (src/analyzer/layers/index.ts), by type. */
export const LAYER_BUILDERS: { readonly [T in LayerType]: LayerBuilder<T> } = {
  Conv2d: conv2d,
  ConvTranspose2d: convTranspose2d,
  Linear: linear,
  MaxPool2d: maxPool2d,
  AvgPool2d: avgPool2d,
  AdaptiveAvgPool2d: adaptiveAvgPool2d,
  AdaptiveMaxPool2d: adaptiveMaxPool2d,
  BatchNorm2d: batchNorm2d,
  BatchNorm1d: batchNorm1d,
  LocalResponseNorm: localResponseNorm,
  Dropout: dropoutLayer,
  Dropout2d: dropout2dLayer,
  Flatten: flatten,
  ReLU: relu,
  ReLU6: relu6,
  LeakyReLU: leakyRelu,
  ELU: elu,
  GELU: gelu,
  SiLU: silu,
  Sigmoid: sigmoid,
  Tanh: tanh,
  Hardswish: hardswish,
  Hardsigmoid: hardsigmoid,
  Softmax: softmax,
  Upsample: upsample,
  Identity: identity,
  // ---- modules: issue 14 ----
  LayerNorm: layerNorm,
  GroupNorm: groupNorm,
  Conv1d: conv1d,
  MaxPool1d: maxPool1d,
  AvgPool1d: avgPool1d,
  AdaptiveAvgPool1d: adaptiveAvgPool1d,
  Embedding: embedding,
  Unflatten: unflatten,
  PixelShuffle: pixelShuffle,
  ZeroPad2d: zeroPad2d,
  Mish: mish,
  PReLU: prelu,
  // ---- attention: ----
  MultiheadAttention: multiheadAttention,
  StochasticDepth: stochasticDepth,
  Permute: permute,
};

interface Entry {
  variable: tfc.Variable;
  /** Index of the owning module in named_modules order, then creation order: the state_dict order. */
  order: [number, number];
}

/** Parameters and buffers of a model, by state_dict name. */
class Store {
  readonly params = new Map<string, Entry>();
  readonly buffers = new Map<string, Entry>();
  /** Tensors of modules that are not registered children (not in the state_dict, not trained, as in PyTorch). */
  readonly hidden: tfc.Tensor[] = [];
  readonly constants: tfc.Tensor[] = [];
  private created = 0;

  constructor(
    readonly tf: TF,
    readonly seed: number,
    private readonly moduleOrder: ReadonlyMap<string, number>,
  ) {}

  private initial(name: string, shape: number[], init: Init, dtype: "float32" | "int32"): tfc.Tensor {
    const size = shape.reduce((a, d) => a * d, 1);
    if (init.kind === "const") return this.tf.fill(shape, init.value, dtype);
    if (init.kind === "normal") {
      const values = normal(this.seed, name, size, init.mean, init.std, init.truncate);
      const row = shape[shape.length - 1] ?? 1;
      if (init.zeroRow !== undefined) values.fill(0, init.zeroRow * row, (init.zeroRow + 1) * row);
      return this.tf.tensor(values, shape, "float32");
    }
    if (init.kind === "range") return this.tf.tensor(uniformRange(this.seed, name, size, init.low, init.high), shape, "float32");
    if (init.kind === "values") return this.tf.tensor(init.values, shape, "float32");
    return this.tf.tensor(uniform(this.seed, name, size, init.bound), shape, "float32");
  }

  get(
    kind: "param" | "buffer",
    path: string,
    registered: boolean,
    name: string,
    shape: number[],
    init: Init,
    trainable: boolean,
    dtype: "float32" | "int32" = "float32",
  ): tfc.Variable {
    const full = path ? `${path}.${name}` : name;
    const map = kind === "param" ? this.params : this.buffers;
    const existing = registered ? map.get(full) : undefined;
    if (existing) {
      // A module called again (shared weights): the same tensors.
      const s = existing.variable.shape;
      if (s.length !== shape.length || s.some((d, i) => d !== shape[i]))
        throw new CompileError(`${full} is used with shapes [${s.join(", ")}] and [${shape.join(", ")}]`);
      return existing.variable;
    }
    const t = this.initial(full, shape, init, dtype);
    const variable = this.tf.variable(t, kind === "param" && trainable, undefined, dtype);
    t.dispose();
    if (!registered) this.hidden.push(variable);
    else map.set(full, { variable, order: [this.moduleOrder.get(path) ?? Number.MAX_SAFE_INTEGER, this.created++] });
    return variable;
  }

  sorted(kind: "param" | "buffer"): Map<string, tfc.Variable> {
    const entries = [...(kind === "param" ? this.params : this.buffers)];
    entries.sort(([, a], [, b]) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
    return new Map(entries.map(([n, e]) => [n, e.variable]));
  }
}

function describeNode(n: GraphNode): string {
  return n.kind === "module" ? `${n.label} (${n.type})` : n.label;
}

/**
 * The typed configuration of a layer node: its `attrs` are the analyzer's resolved configuration
 * of that kind (toAttrs in analyzer/symbolicTorch.ts), JSON-copied: the one cast between the two.
 */
function configOf<T extends LayerType>(_type: T, attrs: Attrs): LayerConfig<T> {
  return attrs as unknown as LayerConfig<T>;
}

/** A layer node's tensors (from the kind's table in ./init) and its compiled function. */
function lowerLayer<T extends LayerType>(type: T, attrs: Attrs, b: Omit<BuildCtx, "tensor">, create: (spec: TensorSpec) => tfc.Variable): NodeFn {
  const config = configOf(type, attrs);
  const tensors = new Map(LAYER_TENSORS[type](config).map((spec) => [spec.name, create(spec)]));
  const tensor = (name: string): tfc.Variable => {
    const t = tensors.get(name);
    if (!t) throw new CompileError(`${describeNode(b.node)} has no tensor '${name}'`);
    return t;
  };
  return LAYER_BUILDERS[type]({ ...b, tensor }, config);
}

export const compileModel: CompileModel = (tf: TF, model: ModelAnalysis, options: CompileOptions): CompiledModel => {
  void TFJS_GRADIENTS; // every tfjs gradient is registered (see ./tfjsGradients)
  if (model.output === null) throw new CompileError(`${model.name} could not be analysed to its output; fix its errors first`);
  const graph = model.graph;
  const outputs = trainedFirst(
    model,
    graph.filter((n) => n.kind === "output"),
  );
  if (outputs.length === 0) throw new CompileError(`${model.name} has no output in its graph`);
  const inputNodes = graph.filter((n) => n.kind === "input");
  const moduleOrder = new Map(model.modules.map((m, i) => [m.path, i]));
  const store = new Store(tf, options.seed, moduleOrder);
  const fns: (NodeFn | null)[] = [];
  const declared = createDeclared(model, store);

  for (const node of graph) {
    if (node.kind === "input" || node.kind === "output") {
      fns.push(null);
      continue;
    }
    const layer = node.layer !== undefined ? model.layers[node.layer] : undefined;
    const isModule = node.kind === "module";
    const registered = isModule && !node.label.startsWith("<unregistered");
    const path = isModule ? (registered ? node.label : `${node.label}#${node.id}`) : "";
    const trainable = !(layer && layer.params !== 0 && layer.trainableParams === 0);
    const initialisers = model.modules.find((m) => m.path === path)?.initialisers;
    const create = (declaredSpec: TensorSpec): tfc.Variable => {
      const spec = withInitialiser(declaredSpec, initialisers, path);
      if (!isModule) throw new CompileError(`${describeNode(node)} cannot have ${spec.buffer ? "buffers" : "parameters"}`);
      return spec.buffer
        ? store.get("buffer", path, registered, spec.name, spec.shape, spec.init, false, spec.dtype)
        : store.get("param", path, registered, spec.name, spec.shape, spec.init, trainable);
    };
    const b: Omit<BuildCtx, "tensor"> = {
      tf,
      node,
      constant: (values, shape) => {
        const t = tf.keep(tf.tensor(values, shape, "float32"));
        store.constants.push(t);
        return t;
      },
    };
    let fn: NodeFn | undefined;
    if (node.kind === "param") {
      fns.push(typeof node.attrs.layer === "string" ? layerTensorNode(node, node.attrs.layer, store, model) : paramNode(tf, node, declared, store));
      continue;
    }
    if (node.kind === "op") fn = compileOp(node.type, node.attrs) ?? compileItem(node.type, node.attrs);
    if (!fn) {
      if (isLayerType(node.type)) fn = lowerLayer(node.type, node.attrs, b, create);
      else if (isModule)
        fn = identity(); // a custom leaf module: its forward's operations are already in the graph before it
      else throw new CompileError(`${describeNode(node)}: the operation '${node.type}' is not supported by the trainer`);
    }
    fns.push(fn);
  }

  const parameters = store.sorted("param");
  const buffers = store.sorted("buffer");
  let calls = 0;

  /** One forward pass; `keep` selects the node values to return besides the outputs, `attention` the attention layers whose weights to record. */
  const run = (
    inputs: readonly tfc.Tensor[],
    training: boolean,
    keep?: ReadonlySet<number>,
    attention?: ReadonlySet<number>,
    evalModules?: ReadonlySet<string>,
    offset?: { nodeId: number; tensor: tfc.Tensor },
  ): { outputs: Value[]; kept: Map<number, Value>; attention: Map<number, tfc.Tensor> } => {
    if (inputs.length !== inputNodes.length)
      throw new Error(`${model.name} takes ${inputNodes.length} input${inputNodes.length === 1 ? "" : "s"}, got ${inputs.length}`);
    const symbols = new Map<string, number>();
    inputs.forEach((t, i) => {
      const expected = model.inputs[i] ?? [];
      const ok = t.rank === expected.length && expected.every((d, j) => j === 0 || typeof d !== "number" || d === t.shape[j]);
      if (!ok) throw new Error(`${model.name} input ${i + 1} should be [${expected.join(", ")}], got [${t.shape.join(", ")}]`);
      const b0 = expected[0];
      if (typeof b0 === "string") symbols.set(b0, t.shape[0]!);
    });
    const call = ++calls;
    let draws = 0;
    const torchMemo = new Map<Value, tfc.Tensor>();
    const nhwcMemo = new Map<Value, tfc.Tensor4D>();
    const recorded = new Map<number, tfc.Tensor>();
    let current = -1;
    const ctx: RunCtx = {
      tf,
      training,
      symbols,
      nextSeed: () => seedFor(options.seed, `dropout:${call}:${draws++}`),
      torchOf: (v) => {
        if (v.layout === "torch") return v.t;
        let t = torchMemo.get(v);
        if (!t) torchMemo.set(v, (t = toTorch(tf, v)));
        return t;
      },
      nhwcOf: (v) => {
        if (v.layout === "nhwc") return v.t as tfc.Tensor4D;
        let t = nhwcMemo.get(v);
        if (!t) nhwcMemo.set(v, (t = toNHWC(tf, v)));
        return t;
      },
      recordAttention: attention ? (w) => attention.has(current) && recorded.set(current, w) : undefined,
    };
    const values: (Value | undefined)[] = new Array(graph.length);
    let nextInput = 0;
    for (const node of graph) {
      if (node.kind === "input") {
        values[node.id] = torchValue(inputs[nextInput++]!);
        continue;
      }
      const ins = node.inputs.map((id) => {
        const v = values[id];
        if (!v) throw new Error(`graph node ${node.id} (${describeNode(node)}) reads node ${id} before it is computed`);
        return v;
      });
      if (node.kind === "output") {
        values[node.id] = ins[0];
        continue;
      }
      try {
        current = node.id;
        const inEval = training && evalModules !== undefined && node.kind === "module" && evalModules.has(node.label);
        values[node.id] = fns[node.id]!(ins, inEval ? { ...ctx, training: false } : ctx);
        if (offset !== undefined && offset.nodeId === node.id) values[node.id] = torchValue(tf.add(ctx.torchOf(values[node.id]!), offset.tensor));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new Error(`${describeNode(node)}: ${msg}`);
      }
    }
    const kept = new Map<number, Value>();
    for (const id of keep ?? []) {
      const v = values[id];
      if (!v) throw new Error(`${model.name} has no graph node ${id}`);
      kept.set(id, v);
    }
    return { outputs: outputs.map((o) => values[o.id]!), kept, attention: recorded };
  };

  return {
    name: model.name,
    parameters,
    buffers,
    apply(inputs, training, evalModules) {
      return tf.tidy(() => toTorch(tf, run(inputs, training, undefined, undefined, evalModules).outputs[0]!));
    },
    applyNamed(inputs, training, evalModules) {
      const ts = tf.tidy(() => run(inputs, training, undefined, undefined, evalModules).outputs.map((v) => toTorch(tf, v)));
      return new Map(outputs.map((o, i) => [o.label, ts[i]!]));
    },
    activations(inputs, nodeIds) {
      const ids = [...new Set(nodeIds)];
      const ts = tf.tidy(() => {
        const { kept } = run(inputs, false, new Set(ids));
        return ids.map((id) => toTorch(tf, kept.get(id)!));
      });
      return new Map(ids.map((id, i) => [id, ts[i]!]));
    },
    outputWithOffset(inputs, nodeId, offset) {
      const { outputs, kept } = run(inputs, false, new Set([nodeId]), undefined, undefined, { nodeId, tensor: offset });
      return { output: toTorch(tf, outputs[0]!), activation: toTorch(tf, kept.get(nodeId)!) };
    },
    attentionWeights(inputs, nodeIds) {
      const ids = [...new Set(nodeIds)];
      const ts = tf.tidy(() => {
        const { attention } = run(inputs, false, undefined, new Set(ids));
        return ids.map((id) => {
          const w = attention.get(id);
          if (!w) throw new Error(`graph node ${id} is not an attention layer that ran`);
          return w;
        });
      });
      return new Map(ids.map((id, i) => [id, ts[i]!]));
    },
    dispose() {
      for (const v of parameters.values()) v.dispose();
      for (const v of buffers.values()) v.dispose();
      for (const t of store.hidden) t.dispose();
      for (const t of store.constants) t.dispose();
    },
  };
};

/** An object output (`{ out, aux }`) trains its `out` (torchvision's convention): that output node comes first. */
function trainedFirst(model: ModelAnalysis, outputs: GraphNode[]): GraphNode[] {
  if (model.output === null || !isNamedOutputs(model.output)) return outputs;
  const trained = trainedOutput(model.name, model.output);
  if ("problem" in trained) throw new CompileError(trained.problem);
  return [...outputs.filter((n) => n.label === "out"), ...outputs.filter((n) => n.label !== "out")];
}

// ---- language: parameters and buffers declared by custom modules (nn.Parameter, registerBuffer) ----

/** Every declared parameter and buffer, by state_dict name, created in registration order (module by module). */
function createDeclared(model: ModelAnalysis, store: Store): Map<string, tfc.Variable> {
  const out = new Map<string, tfc.Variable>();
  for (const m of model.modules) {
    for (const t of m.declaredTensors ?? []) {
      const full = m.path ? `${m.path}.${t.name}` : t.name;
      const init = declaredInit(store.tf, t, full, store.seed);
      if (init instanceof Error) throw new CompileError(init.message);
      const role = t.role === "parameter" ? "param" : "buffer";
      // a non-persistent buffer is not in the state_dict (PyTorch's persistent=False)
      out.set(full, store.get(role, m.path, t.role === "parameter" || t.persistent, t.name, t.shape, init, t.role === "parameter" && t.requiresGrad));
    }
  }
  return out;
}

/** A declared tensor's initialisation; a constructor's expression is evaluated now. */
function declaredInit(tf: TF, t: DeclaredTensor, name: string, seed: number): Init | Error {
  if (t.init.kind !== "computed" || !t.init.graph) return initOf(t.init, name);
  const values = evaluateConstant(tf, t.init.graph, name, t.shape, seed);
  return values instanceof Error ? values : { kind: "values", values };
}

/** A parameter, buffer or constant tensor read in forward. */
function paramNode(tf: TF, node: GraphNode, declared: ReadonlyMap<string, tfc.Variable>, store: Store): NodeFn {
  const variable = declared.get(node.label);
  if (variable) return () => torchValue(variable);
  if (node.attrs.role !== "constant")
    throw new CompileError(`${node.label}: the trainer cannot read a built-in layer's ${String(node.attrs.name)} inside a class that extends it yet`);
  const init = typeof node.attrs.init === "string" ? (JSON.parse(node.attrs.init) as TensorInit) : undefined;
  const shape = node.output.every((d): d is number => typeof d === "number") ? node.output : null;
  if (init?.kind === "computed" && init.graph && shape) {
    const values = evaluateConstant(tf, init.graph, node.label, shape, store.seed);
    if (values instanceof Error) throw new CompileError(values.message);
    const t = tf.keep(tf.tensor(values, shape, "float32"));
    store.constants.push(t);
    return () => torchValue(t);
  }
  if (init?.kind !== "const" || !shape)
    throw new CompileError(
      `${node.label}: the trainer supports constant tensor attributes made by torch.zeros/ones/full or computed from creation functions only`,
    );
  const t = tf.keep(tf.fill(shape, init.value));
  store.constants.push(t);
  return () => torchValue(t);
}

/**
 * A built-in layer's own tensor read in the forward of a class that extends the layer (ConvNeXt's
 * `LayerNorm2d` reads `this.weight`): created as the layer kind creates it, under the module's path.
 */
function layerTensorNode(node: GraphNode, layerJson: string, store: Store, model: ModelAnalysis): NodeFn {
  const { type, config } = JSON.parse(layerJson) as { type: string; config: Record<string, unknown> };
  const name = String(node.attrs.name);
  const path = String(node.attrs.module);
  if (!isLayerType(type)) throw new CompileError(`${node.label}: ${type} is not a layer kind`);
  const spec = (LAYER_TENSORS[type] as (c: unknown) => readonly TensorSpec[])(config).find((s) => s.name === name);
  if (!spec) throw new CompileError(`${node.label}: a ${type} has no tensor '${name}'`);
  const info = model.modules.find((m) => m.path === path);
  const full = withInitialiser(spec, info?.initialisers, path);
  const trainable = !(info && info.params !== 0 && info.trainableParams === 0);
  const variable = full.buffer
    ? store.get("buffer", path, true, full.name, full.shape, full.init, false, full.dtype)
    : store.get("param", path, true, full.name, full.shape, full.init, trainable);
  return () => torchValue(variable);
}

/** A built-in layer's tensor with the initialiser the model set on it (`nn.init.kaimingNormal_(conv.weight, ...)`). */
function withInitialiser(spec: TensorSpec, initialisers: Record<string, TensorInit> | undefined, path: string): TensorSpec {
  const camel = spec.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const declared = initialisers?.[camel];
  if (!declared) return spec;
  const init = initOf(declared, `${path}.${spec.name}`);
  if (init instanceof Error) throw new CompileError(init.message);
  return { ...spec, init };
}

export { CompileError };

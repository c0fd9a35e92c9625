import type * as ts from "typescript";
import type { AttrValue, DeclaredTensor, Shape, TensorInit } from "../shared/analysis";
import type { ConstantRecorder } from "./constantGraph";
import { EvalError } from "./errors";
import type { Args } from "./layers/kind";
import { exactNumel, formatShape } from "./shape";
import { Builtin, ModuleValue, Namespace, ObjectValue, TensorValue, type CallSite, type TensorData, type Value } from "./values";

/**
 * Parameters and buffers of custom modules (`nn.Parameter`, `registerBuffer`, `registerParameter`),
 * their initialisers (`nn.init.*` and the in-place tensor methods `normal_`, `uniform_`, `zero_`,
 * `fill_`, `truncNormal_`), a built-in layer's tensors as attributes (`conv.weight`), and what
 * `forward` sees when it reads one (a tensor with a "param" graph node).
 */

export interface ParamHost {
  display(v: Value): string;
  poisoned(v: Value, node: ts.Node): void;
  /** The module's path while a forward pass is traced (undefined otherwise, or when unregistered). */
  pathOf(mod: ModuleValue): string | undefined;
  /** Adds a "param" node while a forward pass is traced; -1 otherwise. */
  addParamNode(label: string, type: string, shape: Shape, attrs: Record<string, AttrValue>, node: ts.Node): number;
  /** Nodes already made for (module, name) in this trace. */
  readonly paramNodes: Map<string, TensorValue> | undefined;
  /** The operations outside forward (constructors) that computed tensors. */
  readonly constants?: ConstantRecorder;
}

/** PyTorch's default initialisation of a built-in layer's tensor (the trainer's table knows it). */
const PYTORCH_DEFAULT: TensorInit = { kind: "computed", op: "pytorchDefault" };

// ---- nn.Parameter -----------------------------------------------------------------------------

export function parameterFactory(host: ParamHost): Builtin {
  return new Builtin(
    "nn.Parameter",
    ([t, opt], site) => {
      host.poisoned(t, site.node);
      if (!(t instanceof TensorValue))
        throw new EvalError(
          site.argNodes[0] ?? site.node,
          `nn.Parameter expects a tensor (torch.zeros(...), torch.randn(...), ...), got ${host.display(t)}`,
          "argument-type",
        );
      let requiresGrad = true;
      if (typeof opt === "boolean") requiresGrad = opt;
      else if (opt instanceof ObjectValue) {
        for (const [k, v] of opt.props) {
          if (k !== "requiresGrad")
            throw new EvalError(site.argNodes[1] ?? site.node, `nn.Parameter has no option '${k}' (it has requiresGrad)`, "unknown-option");
          if (typeof v !== "boolean")
            throw new EvalError(site.argNodes[1] ?? site.node, `nn.Parameter requiresGrad must be a boolean, got ${host.display(v)}`, "argument-type");
          requiresGrad = v;
        }
      } else if (opt !== undefined)
        throw new EvalError(site.argNodes[1] ?? site.node, `nn.Parameter takes { requiresGrad }, got ${host.display(opt)}`, "argument-type");
      if (t.shape && t.shape.some((d) => typeof d !== "number"))
        throw new EvalError(site.argNodes[0] ?? site.node, `A parameter's shape must be numbers, got ${formatShape(t.shape)}`, "argument-type");
      return new TensorValue(t.shape, null, t.node, undefined, t.data ?? { init: { kind: "computed", op: "expression" } }, { requiresGrad });
    },
    true,
  );
}

// ---- registration -----------------------------------------------------------------------------

/** `this.name = value` for tensors: a Parameter registers a parameter, a tensor assigned to a buffer's name replaces it. */
export function registerTensorField(mod: ModuleValue, name: string, value: Value): void {
  if (value instanceof TensorValue && value.parameter) {
    mod.buffers.delete(name);
    mod.params.set(name, value);
    return;
  }
  const buffer = mod.buffers.get(name);
  if (buffer && value instanceof TensorValue) mod.buffers.set(name, { tensor: value, persistent: buffer.persistent });
  else if (value === null || value === undefined || !(value instanceof TensorValue)) {
    // `this.bias = null` after `registerParameter("bias", null)` style code: no longer a tensor
    if (!mod.params.has(name) || value === null || value === undefined) mod.params.delete(name);
    mod.buffers.delete(name);
  }
}

/** `registerBuffer(name, tensor, persistent = true)` and `registerParameter(name, parameter)` on any module. */
export function registrationMember(host: ParamHost, mod: ModuleValue, name: string): Value | undefined {
  if (name === "registerBuffer") {
    return new Builtin("registerBuffer", ([n, t, persistent], site) => {
      host.poisoned(t, site.node);
      const key = checkName(host, mod, "registerBuffer", n, site);
      if (t !== null && !(t instanceof TensorValue))
        throw new EvalError(site.argNodes[1] ?? site.node, `registerBuffer expects a tensor (or null), got ${host.display(t)}`, "argument-type");
      const flag = persistent instanceof ObjectValue ? persistent.props.get("persistent") : persistent;
      if (flag !== undefined && typeof flag !== "boolean")
        throw new EvalError(site.argNodes[2] ?? site.node, `registerBuffer persistent must be a boolean, got ${host.display(flag)}`, "argument-type");
      if (t instanceof TensorValue) checkNumericShape("A buffer", t, site);
      if (t instanceof TensorValue) mod.buffers.set(key, { tensor: t, persistent: flag !== false });
      mod.fields.set(key, t);
      return undefined;
    });
  }
  if (name === "registerParameter") {
    return new Builtin("registerParameter", ([n, p], site) => {
      host.poisoned(p, site.node);
      const key = checkName(host, mod, "registerParameter", n, site);
      if (p !== null && !(p instanceof TensorValue && p.parameter))
        throw new EvalError(site.argNodes[1] ?? site.node, `registerParameter expects an nn.Parameter (or null), got ${host.display(p)}`, "argument-type");
      if (p instanceof TensorValue) mod.params.set(key, p);
      mod.fields.set(key, p);
      return undefined;
    });
  }
  return undefined;
}

function checkName(host: ParamHost, mod: ModuleValue, fn: string, n: Value, site: CallSite): string {
  if (typeof n !== "string" || n === "" || n.includes("."))
    throw new EvalError(site.argNodes[0] ?? site.node, `${fn} needs a non-empty name without dots, got ${host.display(n)}`, "invalid-module-name");
  if (mod.children.has(n)) throw new EvalError(site.argNodes[0] ?? site.node, `${fn}: '${n}' is already a child module`, "invalid-module-name");
  return n;
}

function checkNumericShape(what: string, t: TensorValue, site: CallSite): void {
  if (t.shape && t.shape.some((d) => typeof d !== "number"))
    throw new EvalError(site.argNodes[1] ?? site.node, `${what}'s shape must be numbers, got ${formatShape(t.shape)}`, "argument-type");
}

// ---- what forward reads -----------------------------------------------------------------------

/** A module's tensor field read while a forward pass is traced: the same tensor, with a "param" graph node (one per trace). */
export function readTensorField(host: ParamHost, mod: ModuleValue, name: string, t: TensorValue, node: ts.Node, known?: "parameter" | "buffer"): TensorValue {
  const cache = host.paramNodes;
  if (!cache || !t.shape) return t;
  const key = `${mod.id}:${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const role = known ?? (mod.params.get(name) === t ? "parameter" : mod.buffers.get(name)?.tensor === t ? "buffer" : "constant");
  const path = host.pathOf(mod) ?? "";
  const attrs: Record<string, AttrValue> = { module: path, name, role };
  // A built-in layer's own tensor read by a subclass's forward (ConvNeXt's LayerNorm2d reads `this.weight`):
  // the trainer creates it as the layer kind does, from the kind and its configuration.
  const layer = mod.layer && t.data && mod.layerTensors.get(name) === t.data ? mod.layer : undefined;
  if (layer) attrs.layer = JSON.stringify({ type: layer.kind.type, config: layer.config });
  else if (role === "constant") attrs.init = JSON.stringify(initWithGraph(t, host.constants));
  const type = role === "parameter" ? "Parameter" : role === "buffer" ? "Buffer" : "Tensor";
  const id = host.addParamNode(path ? `${path}.${name}` : name, type, t.shape, attrs, node);
  const read = new TensorValue(t.shape, null, id, undefined, t.data, t.parameter);
  cache.set(key, read);
  return read;
}

// ---- counts and the analysis ------------------------------------------------------------------

/** Exact counts of the tensors a module declares itself. */
export function declaredCounts(mod: ModuleValue): { params: bigint; trainable: bigint; buffers: bigint } {
  let params = 0n;
  let trainable = 0n;
  let buffers = 0n;
  for (const t of mod.params.values()) {
    const n = t.shape ? exactNumel(t.shape) : 0n;
    params += n;
    if (t.parameter?.requiresGrad !== false && !mod.frozen) trainable += n;
  }
  for (const b of mod.buffers.values()) buffers += b.tensor.shape ? exactNumel(b.tensor.shape) : 0n;
  return { params, trainable, buffers };
}

/** A tensor's initialisation; computed values carry the expression that computed them, where it was recorded. */
function initWithGraph(t: TensorValue, constants: ConstantRecorder | undefined): TensorInit {
  const i = t.data?.init ?? { kind: "computed", op: "expression" };
  if (i.kind !== "computed") return i;
  const graph = constants?.graphOf(t.node);
  return graph ? { ...i, graph } : i;
}

export function declaredTensors(mod: ModuleValue, constants?: ConstantRecorder): DeclaredTensor[] {
  const shape = (t: TensorValue): number[] => (t.shape ?? []).map((d) => (typeof d === "number" ? d : 0));
  const init = (t: TensorValue): TensorInit => initWithGraph(t, constants);
  return [
    ...[...mod.params].map(([name, t]): DeclaredTensor => ({
      name,
      role: "parameter",
      shape: shape(t),
      requiresGrad: t.parameter?.requiresGrad !== false && !mod.frozen,
      persistent: true,
      init: init(t),
    })),
    ...[...mod.buffers].map(([name, b]): DeclaredTensor => ({
      name,
      role: "buffer",
      shape: shape(b.tensor),
      requiresGrad: false,
      persistent: b.persistent,
      init: init(b.tensor),
    })),
  ];
}

/** A built-in layer's tensors whose initialisation the model changed. */
export function layerInitialisers(mod: ModuleValue): Record<string, TensorInit> | undefined {
  const out: Record<string, TensorInit> = {};
  for (const [name, d] of mod.layerTensors) if (d.init !== PYTORCH_DEFAULT) out[name] = d.init;
  return Object.keys(out).length ? out : undefined;
}

// ---- a built-in layer's tensors ---------------------------------------------------------------

const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const dims = (v: unknown): number[] => (Array.isArray(v) ? v.map(num) : [num(v)]);

/**
 * The tensors of a built-in layer kind by attribute name (PyTorch's, in camelCase), with their
 * shapes: generic over kinds by their configuration's PyTorch names.
 */
export function layerTensorShapes(type: string, c: Args): Map<string, { shape: number[]; buffer: boolean }> {
  const out = new Map<string, { shape: number[]; buffer: boolean }>();
  const add = (name: string, shape: number[], buffer = false): void => void out.set(name, { shape, buffer });
  const addAll = (list: [string, number[]][], buffer = false): void => list.forEach(([name, shape]) => add(name, shape, buffer));
  if ("inChannels" in c && "outChannels" in c && "kernelSize" in c) {
    const groups = num(c.groups ?? 1) || 1;
    const k = dims(c.kernelSize);
    const w = type.startsWith("ConvTranspose")
      ? [num(c.inChannels), num(c.outChannels) / groups, ...k]
      : [num(c.outChannels), num(c.inChannels) / groups, ...k];
    add("weight", w);
    if (c.bias !== false) add("bias", [num(c.outChannels)]);
  } else if ("inFeatures" in c && "outFeatures" in c) {
    add("weight", [num(c.outFeatures), num(c.inFeatures)]);
    if (c.bias !== false) add("bias", [num(c.outFeatures)]);
  } else if ("numFeatures" in c) {
    const n = num(c.numFeatures);
    if (c.affine !== false)
      addAll([
        ["weight", [n]],
        ["bias", [n]],
      ]);
    if (c.trackRunningStats !== false)
      addAll(
        [
          ["runningMean", [n]],
          ["runningVar", [n]],
          ["numBatchesTracked", []],
        ],
        true,
      );
  } else if ("normalizedShape" in c) {
    const s = dims(c.normalizedShape);
    if (c.elementwiseAffine !== false) {
      add("weight", s);
      if (c.bias !== false) add("bias", s);
    }
  } else if ("numGroups" in c && "numChannels" in c) {
    if (c.affine !== false)
      addAll([
        ["weight", [num(c.numChannels)]],
        ["bias", [num(c.numChannels)]],
      ]);
  } else if ("numEmbeddings" in c && "embeddingDim" in c) add("weight", [num(c.numEmbeddings), num(c.embeddingDim)]);
  else if ("numParameters" in c) add("weight", [num(c.numParameters)]);
  return out;
}

/** `conv.weight`, `bn.runningMean`, ...: the layer's tensor (its storage is kept, so initialisers change it). */
export function layerTensorMember(mod: ModuleValue, name: string): TensorValue | null | undefined {
  if (!mod.layer) return undefined;
  const spec = layerTensorShapes(mod.layer.kind.type, mod.layer.config).get(name);
  if (!spec) return name === "bias" && ("bias" in mod.layer.config || "affine" in mod.layer.config) ? null : undefined;
  let data = mod.layerTensors.get(name);
  if (!data) mod.layerTensors.set(name, (data = { init: PYTORCH_DEFAULT }));
  return new TensorValue(spec.shape, null, -1, undefined, data, spec.buffer ? undefined : { requiresGrad: !mod.frozen });
}

// ---- initialisers -----------------------------------------------------------------------------

/** The arguments after the tensor: positional in `names` order, then an options object. */
function options(host: ParamHost, fn: string, args: Value[], names: readonly string[], site: CallSite): Map<string, Value> {
  const out = new Map<string, Value>();
  const rest = [...args];
  const last = rest[rest.length - 1];
  if (last instanceof ObjectValue) {
    rest.pop();
    for (const [k, v] of last.props) {
      if (!names.includes(k))
        throw new EvalError(site.node, `${fn} has no option '${k}'${names.length ? ` (it has ${names.join(", ")})` : ""}`, "unknown-option");
      out.set(k, v);
    }
  }
  if (rest.length > names.length) throw new EvalError(site.node, `${fn} takes at most ${names.length + 1} arguments, got ${rest.length + 1}`, "argument-type");
  rest.forEach((v, i) => out.set(names[i]!, v));
  for (const [k, v] of out)
    if (v !== undefined && typeof v !== "number" && typeof v !== "string")
      throw new EvalError(site.node, `${fn} ${k} must be a number, got ${host.display(v)}`, "argument-type");
  return out;
}

function numberOpt(o: Map<string, Value>, name: string, fallback: number): number {
  const v = o.get(name);
  return typeof v === "number" ? v : fallback;
}

/** `calculate_gain(nonlinearity, param)`. */
function gain(fn: string, nonlinearity: string, a: number, site: CallSite): number {
  if (["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"].includes(nonlinearity)) return 1;
  if (nonlinearity === "tanh") return 5 / 3;
  if (nonlinearity === "relu") return Math.SQRT2;
  if (nonlinearity === "leaky_relu") return Math.sqrt(2 / (1 + a * a));
  if (nonlinearity === "selu") return 3 / 4;
  throw new EvalError(site.node, `${fn}: unsupported nonlinearity "${nonlinearity}"`, "invalid-argument");
}

/** PyTorch's `_calculate_fan_in_and_fan_out`. */
function fans(fn: string, t: TensorValue, site: CallSite): { fanIn: number; fanOut: number } {
  const s = (t.shape ?? []).map(num);
  if (s.length < 2)
    throw new EvalError(
      site.node,
      `${fn}: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (${formatShape(t.shape ?? [])})`,
      "invalid-argument",
    );
  const receptive = s.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: s[1]! * receptive, fanOut: s[0]! * receptive };
}

type InitRule = (t: TensorValue, args: Value[], site: CallSite) => TensorInit;

function initRules(host: ParamHost, prefix: string): [string, InitRule][] {
  const o = (fn: string, args: Value[], names: readonly string[], site: CallSite) => options(host, `${prefix}${fn}`, args, names, site);
  const kaiming =
    (fn: string, dist: "normal" | "uniform"): InitRule =>
    (t, args, site) => {
      const opts = o(fn, args, ["a", "mode", "nonlinearity"], site);
      const mode = opts.get("mode") ?? "fan_in";
      if (mode !== "fan_in" && mode !== "fan_out")
        throw new EvalError(
          site.node,
          `${prefix}${fn} mode must be "fan_in" or "fan_out", got ${typeof mode === "string" ? JSON.stringify(mode) : host.display(mode)}`,
          "invalid-argument",
        );
      const a = numberOpt(opts, "a", 0);
      const f = fans(`${prefix}${fn}`, t, site);
      const std = gain(`${prefix}${fn}`, String(opts.get("nonlinearity") ?? "leaky_relu"), a, site) / Math.sqrt(mode === "fan_in" ? f.fanIn : f.fanOut);
      return dist === "normal" ? { kind: "normal", mean: 0, std } : { kind: "uniform", low: -Math.sqrt(3) * std, high: Math.sqrt(3) * std };
    };
  const xavier =
    (fn: string, dist: "normal" | "uniform"): InitRule =>
    (t, args, site) => {
      const f = fans(`${prefix}${fn}`, t, site);
      const std = numberOpt(o(fn, args, ["gain"], site), "gain", 1) * Math.sqrt(2 / (f.fanIn + f.fanOut));
      return dist === "normal" ? { kind: "normal", mean: 0, std } : { kind: "uniform", low: -Math.sqrt(3) * std, high: Math.sqrt(3) * std };
    };
  const normal: InitRule = (_t, args, site) => {
    const opts = o("normal_", args, ["mean", "std"], site);
    return { kind: "normal", mean: numberOpt(opts, "mean", 0), std: numberOpt(opts, "std", 1) };
  };
  const uniform =
    (names: [string, string]): InitRule =>
    (_t, args, site) => {
      const opts = o("uniform_", args, names, site);
      return { kind: "uniform", low: numberOpt(opts, names[0], 0), high: numberOpt(opts, names[1], 1) };
    };
  const trunc: InitRule = (_t, args, site) => {
    const opts = o("truncNormal_", args, ["mean", "std", "a", "b"], site);
    return { kind: "truncNormal", mean: numberOpt(opts, "mean", 0), std: numberOpt(opts, "std", 1), a: numberOpt(opts, "a", -2), b: numberOpt(opts, "b", 2) };
  };
  const constant =
    (fn: string, value?: number): InitRule =>
    (_t, args, site) => {
      const opts = o(fn, args, value === undefined ? ["val"] : [], site);
      const v = value ?? opts.get("val");
      if (typeof v !== "number") throw new EvalError(site.node, `${prefix}${fn} needs a value, got ${host.display(v)}`, "argument-type");
      return { kind: "const", value: v };
    };
  return prefix === ""
    ? [
        ["normal_", normal],
        ["uniform_", uniform(["from", "to"])],
        ["zero_", constant("zero_", 0)],
        ["fill_", constant("fill_")],
        ["truncNormal_", trunc],
      ]
    : [
        ["kaimingNormal_", kaiming("kaimingNormal_", "normal")],
        ["kaimingUniform_", kaiming("kaimingUniform_", "uniform")],
        ["xavierNormal_", xavier("xavierNormal_", "normal")],
        ["xavierUniform_", xavier("xavierUniform_", "uniform")],
        ["normal_", normal],
        ["uniform_", uniform(["a", "b"])],
        ["truncNormal_", trunc],
        ["trunc_normal_", trunc],
        ["zeros_", constant("zeros_", 0)],
        ["ones_", constant("ones_", 1)],
        ["constant_", constant("constant_")],
      ];
}

/** Applies an initialiser to a tensor's storage. */
function apply(host: ParamHost, fn: string, rule: InitRule, t: Value, args: Value[], site: CallSite): TensorValue {
  host.poisoned(t, site.node);
  if (!(t instanceof TensorValue)) throw new EvalError(site.argNodes[0] ?? site.node, `${fn} expects a tensor, got ${host.display(t)}`, "argument-type");
  const init = rule(t, args, site);
  if (!t.data)
    throw new EvalError(
      site.node,
      `${fn} initialises a parameter, a buffer or a tensor made by torch.zeros/ones/empty/randn/...; this tensor is computed${t.shape ? ` (${formatShape(t.shape)})` : ""}`,
      "unsupported-syntax",
    );
  t.data.init = init;
  return t;
}

/** The `nn.init` namespace. */
export function initNamespace(host: ParamHost): Namespace {
  return new Namespace(
    "nn.init",
    new Map<string, Value>(
      initRules(host, "nn.init.").map(([name, rule]) => [
        name,
        new Builtin(`nn.init.${name}`, ([t, ...args], site) => apply(host, `nn.init.${name}`, rule, t, args, site)),
      ]),
    ),
  );
}

/** A tensor's in-place initialiser method (`t.normal_(0, 0.02)`), or undefined. */
export function initMethod(host: ParamHost, t: TensorValue, name: string): Value | undefined {
  // On a computed tensor (Swin's attention mask: `mask.narrow(...).fill_(k)`), fill_ and zero_ are tensor operations.
  if (!t.data && (name === "fill_" || name === "zero_")) return undefined;
  const rule = initRules(host, "").find(([n]) => n === name)?.[1];
  if (rule) return new Builtin(name, (args, site) => apply(host, name, rule, t, args, site));
  return scaleMethod(host, t, name);
}

/**
 * In a constructor, `torch.ones(dim, 1, 1).mul_(layerScale)` (ConvNeXt's layer scale) changes the
 * created values: an in-place `mul_`, `div_`, `add_` or `sub_` by a number updates the declared
 * initialisation. Anywhere else (inside forward, or on computed tensors) it is a tensor operation.
 */
function scaleMethod(host: ParamHost, t: TensorValue, name: string): Value | undefined {
  const data = t.data;
  // computed values (torch.arange(5).mul(2)): a tensor operation, recorded for the trainer to evaluate
  if (!data || data.init.kind === "computed" || host.paramNodes !== undefined) return undefined;
  // Out of place (torchvision's ConvNeXt: `torch.ones(dim, 1, 1) * layer_scale`): a new created tensor with scaled values.
  if (["mul", "div", "add", "sub"].includes(name))
    return new Builtin(name, ([v], site) => {
      const scaled = typeof v === "number" ? scaleInit(data.init, `${name}_`, v) : undefined;
      if (!scaled)
        throw new EvalError(
          site.node,
          `${name} of a tensor made by ${describeInit(data.init)} by ${host.display(v)} is not supported in a constructor`,
          "unsupported-syntax",
        );
      return new TensorValue(t.shape, t.field, t.node, t.note, { ...data, init: scaled });
    });
  if (!["mul_", "div_", "add_", "sub_"].includes(name)) return undefined;
  return new Builtin(name, ([v], site) => {
    if (typeof v !== "number")
      throw new EvalError(site.node, `${name} of a created tensor by ${host.display(v)}: only a number is supported in a constructor`, "unsupported-syntax");
    const scaled = scaleInit(data.init, name, v);
    if (!scaled)
      throw new EvalError(site.node, `${name} of a tensor made by ${describeInit(data.init)} is not supported in a constructor`, "unsupported-syntax");
    data.init = scaled;
    return t;
  });
}

function scaleInit(init: TensorInit, op: string, v: number): TensorInit | undefined {
  const f = op === "mul_" ? (x: number) => x * v : op === "div_" ? (x: number) => x / v : op === "add_" ? (x: number) => x + v : (x: number) => x - v;
  const multiplies = op === "mul_" || op === "div_";
  switch (init.kind) {
    case "const":
      return { kind: "const", value: f(init.value) };
    case "normal":
      return multiplies ? { kind: "normal", mean: f(init.mean), std: Math.abs(f(init.std)) } : { kind: "normal", mean: f(init.mean), std: init.std };
    case "uniform": {
      const [a, b] = [f(init.low), f(init.high)];
      return { kind: "uniform", low: Math.min(a, b), high: Math.max(a, b) };
    }
    default:
      return undefined;
  }
}

function describeInit(init: TensorInit): string {
  return init.kind === "computed" ? init.op : init.kind;
}

export type { TensorData };

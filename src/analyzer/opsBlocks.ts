import type * as ts from "typescript";
import type { RuntimeHost } from "./attention";
import { EvalError } from "./errors";
import { LAYERS, OPS_KINDS } from "./layers/index";
import type { LayerKind } from "./layers/kind";
import {
  ArrayValue,
  Builtin,
  BuiltinClass,
  ClassValue,
  Closure,
  ModuleValue,
  Namespace,
  ObjectValue,
  TensorValue,
  type CallSite,
  type ContainerKind,
  type Value,
} from "./values";

/**
 * The `ops` namespace, mirroring torchvision.ops (0.14): the leaf modules StochasticDepth and
 * Permute (layer kinds), and the blocks Conv2dNormActivation, MLP (nn.Sequential subclasses with
 * children "0", "1", ...) and SqueezeExcitation (children avgpool, fc1, fc2, activation,
 * scale_activation), built from nn kinds with torchvision's defaults and child names, so that
 * their state_dict names are torchvision's.
 */

export function opsNamespace(host: RuntimeHost): Namespace {
  const members = new Map<string, Value>();
  for (const [name, kind] of OPS_KINDS) members.set(name, new Builtin(`ops.${name}`, (args, site) => host.buildLayer(kind, args, site), true));
  // The composite blocks are classes too: `class SimpleStemIN extends ops.Conv2dNormActivation` (torchvision's RegNet).
  const composite = (name: string, build: (args: Value[], site: CallSite) => ModuleValue, container: ContainerKind | undefined): BuiltinClass =>
    new BuiltinClass("Composite", new Builtin(`ops.${name}`, build, true), undefined, { build, container });
  members.set(
    "Conv2dNormActivation",
    composite("Conv2dNormActivation", (args, site) => conv2dNormActivation(host, args, site), "Sequential"),
  );
  members.set(
    "MLP",
    composite("MLP", (args, site) => mlp(host, args, site), "Sequential"),
  );
  members.set(
    "SqueezeExcitation",
    composite("SqueezeExcitation", (args, site) => squeezeExcitation(host, args, site), undefined),
  );
  return new Namespace("ops", members);
}

const nn = (type: keyof typeof LAYERS): LayerKind => LAYERS[type] as LayerKind;

/** Positional arguments and the options object (checked against the names a block accepts). */
function splitCall(
  name: string,
  args: Value[],
  site: CallSite,
  positional: number,
  defaults: Record<string, Value>,
): { pos: Value[]; opt: (k: string) => Value } {
  const pos = args.slice(0, positional);
  const rest = args.slice(positional);
  if (pos.length < positional || pos.some((v) => v === undefined))
    throw new EvalError(site.node, `ops.${name} needs ${positional} arguments before its options, got ${args.length}`, "argument-type");
  const last = rest[0];
  if (rest.length > 1 || (last !== undefined && !(last instanceof ObjectValue)))
    throw new EvalError(site.argNodes[positional] ?? site.node, `ops.${name} takes its other arguments in one options object`, "argument-type");
  const given = last instanceof ObjectValue ? last.props : new Map<string, Value>();
  for (const k of given.keys())
    if (!(k in defaults))
      throw new EvalError(
        site.argNodes[positional] ?? site.node,
        `ops.${name} has no option '${k}'; its options are ${Object.keys(defaults)
          .map((n) => `'${n}'`)
          .join(", ")}`,
        "unknown-option",
      );
  return { pos, opt: (k) => (given.has(k) && given.get(k) !== undefined ? given.get(k) : defaults[k]) };
}

/** A module made by a factory the user passed (`nn.BatchNorm2d`, a class, an arrow function), like `norm_layer(c)` in Python. */
function make(host: RuntimeHost, factory: Value, args: Value[], site: CallSite, what: string): ModuleValue {
  host.interp.poisoned(factory, site.node);
  if (!(factory instanceof Builtin || factory instanceof Closure || factory instanceof ClassValue || factory instanceof BuiltinClass))
    throw new EvalError(site.node, `${what} must be a module factory such as nn.ReLU, got ${host.interp.display(factory)}`, "argument-type");
  const m =
    factory instanceof ClassValue || factory instanceof BuiltinClass
      ? host.interp.construct(factory, args, site, site.node)
      : host.interp.call(factory, args, site, undefined, site.node);
  if (m instanceof ModuleValue) return m;
  host.interp.poisoned(m, site.node);
  throw new EvalError(site.node, `${what} must make a module, got ${host.interp.display(m)}`, "argument-type");
}

const obj = (entries: Record<string, Value>): ObjectValue => new ObjectValue(new Map(Object.entries(entries).filter(([, v]) => v !== undefined)));
const inplaceParams = (inplace: Value): Value[] => (inplace === null || inplace === undefined ? [] : [obj({ inplace })]);

function sequentialBlock(host: RuntimeHost, type: string, site: CallSite, children: readonly ModuleValue[]): ModuleValue {
  const m = new ModuleValue(type, site.node, undefined, "Sequential", undefined);
  children.forEach((c, i) => host.register(m, String(i), c));
  return m;
}

/** `(k - 1) / 2 * dilation` per axis, torchvision's default padding. */
function defaultPadding(host: RuntimeHost, kernel: Value, dilation: Value, node: ts.Node): Value {
  const axes = (v: Value): [number, number] | undefined => {
    const a = host.toArg(v, node, "ops.Conv2dNormActivation");
    if (typeof a === "number") return [a, a];
    return Array.isArray(a) && a.length === 2 ? [a[0]!, a[1]!] : undefined;
  };
  const k = axes(kernel);
  const d = axes(dilation);
  if (!k || !d) return 0; // the convolution reports the bad argument
  const p = [0, 1].map((i) => Math.floor((k[i]! - 1) / 2) * d[i]!);
  return typeof kernel === "number" && typeof dilation === "number" ? p[0]! : new ArrayValue(p);
}

function conv2dNormActivation(host: RuntimeHost, args: Value[], site: CallSite): ModuleValue {
  const { pos, opt } = splitCall("Conv2dNormActivation", args, site, 2, {
    kernelSize: 3,
    stride: 1,
    padding: null,
    groups: 1,
    normLayer: nnFactory(host, "BatchNorm2d"),
    activationLayer: nnFactory(host, "ReLU"),
    dilation: 1,
    inplace: true,
    bias: null,
  });
  const [inChannels, outChannels] = pos;
  const inner: CallSite = { node: site.node, argNodes: [] };
  const norm = opt("normLayer");
  const act = opt("activationLayer");
  const padding = opt("padding") ?? defaultPadding(host, opt("kernelSize"), opt("dilation"), site.node);
  const bias = opt("bias") ?? (norm === null || norm === undefined);
  const convOpts = obj({ stride: opt("stride"), padding, dilation: opt("dilation"), groups: opt("groups"), bias });
  const children = [host.buildLayer(nn("Conv2d"), [inChannels, outChannels, opt("kernelSize"), convOpts], inner)];
  if (norm !== null && norm !== undefined) children.push(make(host, norm, [outChannels], inner, "normLayer"));
  if (act !== null && act !== undefined) children.push(make(host, act, inplaceParams(opt("inplace")), inner, "activationLayer"));
  const m = sequentialBlock(host, "Conv2dNormActivation", site, children);
  m.fields.set("outChannels", outChannels);
  return m;
}

function mlp(host: RuntimeHost, args: Value[], site: CallSite): ModuleValue {
  const { pos, opt } = splitCall("MLP", args, site, 2, {
    normLayer: null,
    activationLayer: nnFactory(host, "ReLU"),
    inplace: true,
    bias: true,
    dropout: 0,
  });
  const [inChannels, hidden] = pos;
  if (!(hidden instanceof ArrayValue) || hidden.items.length === 0)
    throw new EvalError(
      site.argNodes[1] ?? site.node,
      `ops.MLP expects a non-empty list of hidden channels, got ${host.interp.display(hidden)}`,
      "argument-type",
    );
  const inner: CallSite = { node: site.node, argNodes: [] };
  const params = inplaceParams(opt("inplace"));
  const norm = opt("normLayer");
  const children: ModuleValue[] = [];
  let inDim = inChannels;
  const dropout = (): ModuleValue => host.buildLayer(nn("Dropout"), [opt("dropout"), ...params], inner);
  hidden.items.forEach((h, i) => {
    children.push(host.buildLayer(nn("Linear"), [inDim, h, obj({ bias: opt("bias") })], inner));
    if (i === hidden.items.length - 1) return;
    if (norm !== null && norm !== undefined) children.push(make(host, norm, [h], inner, "normLayer"));
    children.push(make(host, opt("activationLayer"), params, inner, "activationLayer"));
    children.push(dropout());
    inDim = h;
  });
  children.push(dropout());
  return sequentialBlock(host, "MLP", site, children);
}

function squeezeExcitation(host: RuntimeHost, args: Value[], site: CallSite): ModuleValue {
  const { pos, opt } = splitCall("SqueezeExcitation", args, site, 2, {
    activation: nnFactory(host, "ReLU"),
    scaleActivation: nnFactory(host, "Sigmoid"),
  });
  const [inputChannels, squeezeChannels] = pos;
  const inner: CallSite = { node: site.node, argNodes: [] };
  const m = new ModuleValue("SqueezeExcitation", site.node, undefined, undefined, undefined);
  const children: [string, ModuleValue][] = [
    ["avgpool", host.buildLayer(nn("AdaptiveAvgPool2d"), [1], inner)],
    ["fc1", host.buildLayer(nn("Conv2d"), [inputChannels, squeezeChannels, 1], inner)],
    ["fc2", host.buildLayer(nn("Conv2d"), [squeezeChannels, inputChannels, 1], inner)],
    ["activation", make(host, opt("activation"), [], inner, "activation")],
    ["scale_activation", make(host, opt("scaleActivation"), [], inner, "scaleActivation")],
  ];
  for (const [name, child] of children) host.register(m, name, child);
  const child = (name: string): ModuleValue => m.children.get(name)!;
  m.nativeForward = (callArgs, callSite) => {
    const at: CallSite = callSite ?? { node: site.node, argNodes: [] };
    if (callArgs.length !== 1) throw new EvalError(at.node, `SqueezeExcitation takes one tensor, got ${callArgs.length} arguments`, "argument-type");
    const input = host.tensorArg(callArgs[0], at, 0, "SqueezeExcitation");
    let scale: Value = input;
    for (const name of ["avgpool", "fc1", "activation", "fc2", "scale_activation"]) scale = host.callModule(child(name), [scale], null);
    if (!(scale instanceof TensorValue)) return scale;
    return host.binary("mul", scale, input, at);
  };
  return m;
}

/** `nn.ReLU` and the like as values (the defaults of the blocks' factory options). */
function nnFactory(host: RuntimeHost, type: keyof typeof LAYERS): Builtin {
  return new Builtin(`nn.${type}`, (args, site) => host.buildLayer(nn(type), args, site), true);
}

import ts = require("typescript");
import { isWholeInput, type AttrValue, type Dim, type GraphNode, type LayerCall, type ReceptiveField, type Shape, type TensorNote } from "../shared/analysis";
import { BudgetError, EvalError } from "./errors";
import type { TorchRuntime } from "./evaluator";
import type { Interpreter } from "./interpreter";
import { resolveArgs } from "./layers/args";
import { flattenShape } from "./layers/flatten";
import { FUNCTIONAL_KINDS, LAYERS, LAYER_KINDS, type LayerType } from "./layers/index";
import { isLayerError, type ArgValue, type Args, type LayerError, type LayerKind } from "./layers/kind";
import { toLocation, type Related, type Reporter } from "./location";
import { childNameProblem, keyNode } from "./moduleNames";
import { applyWindow, foldsPositions, mergeFields, WHOLE_INPUT } from "./receptiveField";
import { exactNumel, formatShape, normAxis, parseSym } from "./shape";
import { mismatchFixes } from "./producerFix";
import { toCount } from "../shared/count";
import { functionalForms } from "./functional";
import { ConstantRecorder } from "./constantGraph";
import { TensorMethods } from "./tensorMethods";
import { broadcast, cat, mean, view } from "./tensorOps";
import { callMultiOutput } from "./attention";
import { opsNamespace } from "./opsBlocks";
import { recordCustomLeaf } from "./forwardResults";
import {
  initMethod,
  initNamespace,
  layerTensorMember,
  parameterFactory,
  readTensorField,
  registerTensorField,
  registrationMember,
  type ParamHost,
} from "./parameters";
import { tensorFactories, type FactoryHost } from "./tensorFactories";
import { tensorHost } from "./tensorHost";
import {
  ArrayValue,
  Builtin,
  BuiltinClass,
  ModuleValue,
  Namespace,
  ObjectValue,
  SymDim,
  TensorValue,
  type CallSite,
  type ContainerKind,
  type Value,
} from "./values";

/**
 * The symbolic PyTorch-like runtime of the model language: the `nn`, `F` and `torch` namespaces, module
 * construction and registration, and tracing of module calls with shapes during a model's forward.
 */

/** What one model's forward pass records. */
export class Trace {
  readonly layers: LayerCall[] = [];
  readonly graph: GraphNode[] = [];
  readonly unregistered = new Set<ModuleValue>();
  readonly tensors: TensorNote[] = [];
  /** Parameter and buffer reads in forward, by module and name: one "param" node each. */
  readonly paramNodes = new Map<string, TensorValue>();
  readonly modules = new Map<number, ModuleValue>(); // the module each module node called (producerFix.ts)
  /** MACs of operations outside any leaf module (matmul, bmm, F.linear, ...), batch 1. */
  opMacs = 0n;

  constructor(
    readonly paths: ReadonlyMap<ModuleValue, string>,
    /** Used for budget errors when a container calls a module (there is no call expression). */
    readonly fallbackNode: ts.Node,
  ) {}

  addNode(n: Omit<GraphNode, "id">): number {
    this.graph.push({ id: this.graph.length, ...n });
    return this.graph.length - 1;
  }
}

/** Layer calls one forward pass may make (ResNet-152 makes 464): beyond, it is a runaway loop. */
const MAX_LAYER_CALLS = 50_000;

/** A tensor whose shape is unknown because analysis stopped at an error on its path. */
const UNKNOWN = new TensorValue(null, null, -1);

export class Torch implements TorchRuntime {
  trace: Trace | null = null;
  /** Tensor operations outside a forward pass (constructors), for the buffers they compute. */
  readonly constants = new ConstantRecorder();
  readonly namespaces: ReadonlyMap<string, Namespace>;
  /** For tensor creation and parameters (tensorFactories.ts, parameters.ts). */
  private readonly tensors: ParamHost & FactoryHost;
  private readonly methods = new TensorMethods(this);

  constructor(
    readonly interp: Interpreter,
    readonly reporter: Reporter,
  ) {
    interp.torch = this;
    this.tensors = tensorHost(interp, () => this.trace, this.constants);
    this.namespaces = new Map([
      ["nn", this.nnNamespace()],
      ["F", this.functionalNamespace()],
      ["torch", this.torchNamespace()],
      ["ops", opsNamespace(this)],
    ]);
  }

  // ---- construction -------------------------------------------------------------------------

  private nnNamespace(): Namespace {
    const members = new Map<string, Value>();
    for (const [name, kind] of LAYER_KINDS) {
      // a factory and a class: `nn.Conv2d(...)`, `new nn.Conv2d(...)`, `class X extends nn.Conv2d`
      members.set(name, new BuiltinClass("Layer", new Builtin(`nn.${name}`, (args, site) => this.buildLayer(kind, args, site), true), kind));
    }
    members.set("Module", new BuiltinClass("Module", undefined));
    members.set("Parameter", parameterFactory(this.tensors));
    members.set("init", initNamespace(this.tensors));
    for (const c of ["Sequential", "ModuleList", "ModuleDict"] as const) {
      const factory = new Builtin(
        `nn.${c}`,
        (args, site) => {
          const m = new ModuleValue(c, site.node, undefined, c, undefined);
          this.builtinSuper(m, new BuiltinClass(c, undefined), args, site);
          return m;
        },
        true,
      );
      members.set(c, new BuiltinClass(c, factory));
    }
    return new Namespace("nn", members);
  }

  /** Converts an interpreter value to a layer argument, or reports why it cannot be one. */
  toArg(v: Value, node: ts.Node, owner: string, lists = false): ArgValue {
    this.interp.poisoned(v, node);
    if (v === undefined || v === null || typeof v === "number" || typeof v === "boolean" || typeof v === "string") return v;
    if (v instanceof ArrayValue && v.items.length === 2 && v.items.every((x) => typeof x === "number")) return [v.items[0] as number, v.items[1] as number];
    // Kinds with a list parameter (LayerNorm's normalizedShape, ZeroPad2d's 4-tuple, Unflatten's sizes) take any list of numbers.
    if (lists && v instanceof ArrayValue && v.items.every((x) => typeof x === "number")) return v.items.slice() as number[];
    throw new EvalError(node, `${owner} cannot take ${this.interp.display(v)} as an argument`, "argument-type");
  }

  /** Splits a factory call into positional arguments and a trailing options object. */
  private splitArgs(kind: LayerKind, args: Value[], site: CallSite, skip = 0) {
    const positional = args.slice(skip);
    const argNodes = new Map<string, ts.Node>();
    let options: Map<string, ArgValue> | undefined;
    const last = positional[positional.length - 1];
    const nodeAt = (i: number): ts.Node => site.argNodes[i + skip] ?? site.node;
    const lists = kind.params.some((p) => p.type === "posIntList" || p.type === "intQuad" || p.type === "sizeList" || p.type === "intList");
    if (last instanceof ObjectValue) {
      positional.pop();
      options = new Map();
      const objNode = nodeAt(positional.length);
      for (const [k, v] of last.props) {
        const prop = ts.isObjectLiteralExpression(objNode) ? objNode.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === k) : undefined;
        const at = prop && ts.isPropertyAssignment(prop) ? prop.initializer : (prop ?? objNode);
        options.set(k, this.toArg(v, at, kind.type, lists));
        argNodes.set(k, at);
      }
    }
    const values = positional.map((v, i) => this.toArg(v, nodeAt(i), kind.type, lists));
    const positionalSpecs = kind.params.filter((p) => !p.keywordOnly);
    values.forEach((_, i) => {
      const spec = positionalSpecs[i];
      if (spec) argNodes.set(spec.name, nodeAt(i));
    });
    return { values, options, argNodes, nodeAt };
  }

  /** Resolves a layer kind's arguments; reports a problem and returns undefined when they are wrong. */
  private configure(kind: LayerKind, args: Value[], site: CallSite, skip = 0): { config: Args; argNodes: Map<string, ts.Node> } | undefined {
    if (kind.acceptsAnyArgs) return { config: {}, argNodes: new Map() };
    const { values, options, argNodes, nodeAt } = this.splitArgs(kind, args, site, skip);
    const r = resolveArgs(kind, values, options);
    if (!r.ok) {
      const at = r.problem.at;
      const node = typeof at === "number" ? nodeAt(Math.min(at, values.length - 1)) : typeof at === "string" ? (argNodes.get(at) ?? site.node) : site.node;
      const code = /has no option/.test(r.problem.message) ? "unknown-option" : /must be/.test(r.problem.message) ? "argument-type" : "invalid-argument";
      this.reporter.report("error", node, r.problem.message, code);
      return undefined;
    }
    const built = kind.build ? kind.build(r.args) : r.args;
    if (isLayerError(built)) {
      this.reporter.report("error", site.node, built.message, built.code);
      return undefined;
    }
    return { config: built, argNodes };
  }

  buildLayer(kind: LayerKind, args: Value[], site: CallSite): ModuleValue {
    const c = this.configure(kind, args, site);
    const m = new ModuleValue(kind.type, site.node, c ? { kind, config: c.config, argNodes: c.argNodes } : undefined, undefined, undefined);
    if (!c) m.invalid = true;
    return m;
  }

  builtinSuper(instance: ModuleValue, base: BuiltinClass, args: Value[], site: CallSite): void {
    if (base.name === "Module") return;
    if (base.composite) return this.adoptComposite(instance, base.composite.build(args, site));
    if (base.kind) {
      const c = this.configure(base.kind, args, site);
      instance.layer = c ? { kind: base.kind, config: c.config, argNodes: c.argNodes } : undefined;
      if (!c) instance.invalid = true;
      return;
    }
    const expectModule = (v: Value, i: number | string): ModuleValue => {
      if (v instanceof ModuleValue) return v;
      this.interp.poisoned(v, site.node);
      const node = typeof i === "number" ? (site.argNodes[i] ?? site.node) : site.node;
      throw new EvalError(
        node,
        `nn.${base.name} expects modules, got ${this.interp.display(v)}${i !== "" ? ` at ${typeof i === "number" ? `argument ${i + 1}` : `'${i}'`}` : ""}`,
        "argument-type",
      );
    };
    if (base.name === "Sequential") {
      const [first] = args;
      if (args.length === 1 && first instanceof ObjectValue) {
        for (const [k, v] of first.props) this.registerNamed(instance, k, expectModule(v, k), keyNode(site.argNodes[0], k) ?? site.node);
      } else args.forEach((v, i) => this.register(instance, String(i), expectModule(v, i)));
    } else if (base.name === "ModuleList") {
      const [list] = args;
      if (list === undefined) return;
      if (!(list instanceof ArrayValue))
        throw new EvalError(site.argNodes[0] ?? site.node, `nn.ModuleList expects an array of modules, got ${this.interp.display(list)}`, "argument-type");
      list.items.forEach((v, i) => this.register(instance, String(i), expectModule(v, i)));
    } else {
      const [dict] = args;
      if (dict === undefined) return;
      if (!(dict instanceof ObjectValue))
        throw new EvalError(
          site.argNodes[0] ?? site.node,
          `nn.ModuleDict expects an object of named modules, got ${this.interp.display(dict)}`,
          "argument-type",
        );
      for (const [k, v] of dict.props) this.registerNamed(instance, k, expectModule(v, k), keyNode(site.argNodes[0], k) ?? site.node);
    }
  }

  /** A subclass of a composite block (`class SimpleStemIN extends ops.Conv2dNormActivation`) takes over the block's children, fields and forward. */
  private adoptComposite(instance: ModuleValue, block: ModuleValue): void {
    for (const [name, child] of block.children) this.register(instance, name, child);
    for (const [name, v] of block.fields) if (!instance.fields.has(name)) instance.fields.set(name, v);
    if (block.nativeForward) instance.nativeForward = block.nativeForward;
    if (block.invalid) instance.invalid = true;
  }

  /** Registers a child under a name the user chose, refused as PyTorch's `add_module` refuses it. */
  private registerNamed(mod: ModuleValue, name: string, child: ModuleValue, node: ts.Node): void {
    const problem = childNameProblem(mod, name);
    if (problem !== null) throw new EvalError(node, problem, "invalid-module-name");
    this.register(mod, name, child);
  }

  register(mod: ModuleValue, name: string, child: ModuleValue): void {
    mod.children.set(name, child);
    mod.fields.set(name, child);
  }

  setField(mod: ModuleValue, name: string, value: Value): void {
    if (value instanceof ModuleValue) mod.children.set(name, value);
    else if (mod.children.has(name)) mod.children.delete(name);
    registerTensorField(mod, name, value);
    mod.fields.set(name, value);
  }

  deleteField(mod: ModuleValue, name: string): void {
    mod.children.delete(name);
    mod.params.delete(name);
    mod.buffers.delete(name);
    mod.fields.delete(name);
  }

  readField(mod: ModuleValue, name: string, value: Value, node: ts.Node): Value {
    return value instanceof TensorValue ? readTensorField(this.tensors, mod, name, value, node) : value;
  }

  iterate(mod: ModuleValue, node: ts.Node): Value[] {
    if (mod.container === "ModuleDict") return [...mod.children.keys()];
    if (mod.container) return [...mod.children.values()];
    throw new EvalError(node, `${mod.typeName} is not iterable; only nn.Sequential, nn.ModuleList and nn.ModuleDict are`, "type-error");
  }

  // ---- members ------------------------------------------------------------------------------

  member(obj: ModuleValue | TensorValue, name: string, node: ts.Node): Value | undefined {
    if (obj instanceof TensorValue) return initMethod(this.tensors, obj, name) ?? this.tensorMember(obj, name, node);
    return registrationMember(this.tensors, obj, name) ?? this.moduleMember(obj, name, node);
  }

  private moduleMember(mod: ModuleValue, name: string, node: ts.Node): Value | undefined {
    switch (name) {
      case "training":
        return false;
      case "addModule":
        return new Builtin("addModule", ([n, m], site) => {
          if (typeof n !== "string" || !(m instanceof ModuleValue))
            throw new EvalError(site.node, "addModule(name, module) expects a string and a module", "argument-type");
          this.registerNamed(mod, n, m, site.argNodes[0] ?? site.node);
          return undefined;
        });
      case "requiresGrad_":
        return new Builtin("requiresGrad_", ([flag]) => {
          const frozen = flag === false;
          const walk = (m: ModuleValue): void => {
            m.frozen = frozen;
            m.children.forEach(walk);
          };
          walk(mod);
          return mod;
        });
      case "forward":
        return new Builtin(`${mod.typeName}.forward`, (args, site) => this.callModule(mod, args, site));
      case "children":
        return new Builtin("children", () => new ArrayValue([...mod.children.values()]));
      case "namedChildren":
        return new Builtin("namedChildren", () => new ArrayValue([...mod.children].map(([k, m]) => new ArrayValue([k, m]))));
      case "modules":
        return new Builtin("modules", () => new ArrayValue([...namedModules(mod).keys()]));
      case "namedModules":
        return new Builtin("namedModules", () => new ArrayValue([...namedModules(mod)].map(([m, p]) => new ArrayValue([p, m]))));
      case "eval":
      case "train":
        return new Builtin(name, () => mod);
    }
    if (mod.container) {
      if (name === "length") return mod.children.size;
      if (mod.container !== "ModuleDict" && (name === "append" || name === "push")) {
        return new Builtin(name, ([m], site) => {
          if (!(m instanceof ModuleValue)) throw new EvalError(site.node, `${name} expects a module`, "argument-type");
          this.register(mod, String(mod.children.size), m);
          return mod;
        });
      }
      if (name === "extend") {
        return new Builtin(name, ([list], site) => {
          for (const m of this.interp.iterate(list, site.node)) if (m instanceof ModuleValue) this.register(mod, String(mod.children.size), m);
          return mod;
        });
      }
      if (mod.container === "ModuleDict") {
        if (name === "keys") return new Builtin("keys", () => new ArrayValue([...mod.children.keys()]));
        if (name === "values") return new Builtin("values", () => new ArrayValue([...mod.children.values()]));
        if (name === "items") return new Builtin("items", () => new ArrayValue([...mod.children].map(([k, v]) => new ArrayValue([k, v]))));
        return mod.children.get(name);
      }
      if (/^-?\d+$/.test(name)) {
        const items = [...mod.children.values()];
        const i = Number(name);
        const child = items[i < 0 ? items.length + i : i];
        if (!child) throw new EvalError(node, `Index ${i} is out of range for ${mod.typeName} of length ${items.length}`, "type-error");
        return child;
      }
      return mod.children.get(name);
    }
    const tensor = layerTensorMember(mod, name);
    if (tensor instanceof TensorValue) return readTensorField(this.tensors, mod, name, tensor, node, tensor.parameter ? "parameter" : "buffer");
    if (tensor !== undefined) return tensor;
    if (mod.layer && name in mod.layer.config) {
      const v = mod.layer.config[name];
      return Array.isArray(v) ? new ArrayValue([...v]) : v;
    }
    return undefined;
  }

  private tensorMember(t: TensorValue, name: string, node: ts.Node): Value | undefined {
    const shapeValue = (s: Shape): ArrayValue => new ArrayValue(s.map((d) => (typeof d === "number" ? d : new SymDim(d))));
    const unary = (op: string) => new Builtin(op, (_a, site) => this.elementwise(op, [t], site));
    switch (name) {
      case "shape":
        return t.shape ? shapeValue(t.shape) : new ArrayValue([]);
      case "size":
        return new Builtin("size", ([d], site) => {
          if (!t.shape) return undefined;
          if (d === undefined) return shapeValue(t.shape);
          const a = typeof d === "number" ? normAxis(d, t.shape.length) : undefined;
          if (a === undefined) throw new EvalError(site.node, `size(${this.interp.display(d)}) is out of range for ${formatShape(t.shape)}`, "invalid-dim");
          const v = t.shape[a]!;
          return typeof v === "number" ? v : new SymDim(v);
        });
      case "dim":
        return new Builtin("dim", () => t.shape?.length);
      case "ndim":
        return t.shape?.length;
      case "add":
      case "mul":
      case "sub":
      case "div":
        return new Builtin(name, ([y], site) => this.binary(name, t, y, site));
      case "relu":
      case "sigmoid":
      case "tanh":
      case "contiguous":
        return unary(name);
      case "flatten":
        return new Builtin("flatten", ([s, e], site) => this.flatten("flatten", t, s ?? 0, e ?? -1, site));
      case "view":
      case "reshape":
        return new Builtin(name, (args, site) => this.view(name, t, args, site));
    }
    return this.methods.member(t, name, node);
  }

  // ---- tensor operations --------------------------------------------------------------------

  display(v: Value): string {
    return this.interp.display(v);
  }

  tensorArg(v: Value, site: CallSite, i: number, op: string): TensorValue {
    if (v instanceof TensorValue) return v;
    this.interp.poisoned(v, site.node);
    throw new EvalError(
      site.argNodes[i] ?? site.node,
      `${op} expects a tensor${i ? ` as argument ${i + 1}` : ""}, got ${this.interp.display(v)}`,
      "argument-type",
    );
  }

  /** Records an operation's result (with its MACs, batch 1), or reports its error and returns an unknown tensor. */
  opResult(
    op: string,
    inputs: readonly TensorValue[],
    out: Shape | LayerError,
    site: CallSite,
    field: ReceptiveField | null,
    attrs: Record<string, AttrValue>,
    note?: string,
    macs?: bigint,
  ): TensorValue {
    if (isLayerError(out)) {
      this.reporter.report("error", site.node, out.message, out.code, this.origins(inputs));
      return UNKNOWN;
    }
    const id = this.trace
      ? this.trace.addNode({
          kind: "op",
          label: op,
          type: op,
          inputs: inputs.map((t) => t.node),
          output: out,
          attrs,
          receptiveField: keptField(out, field),
          location: toLocation(site.node),
          ...(macs ? { macs: toCount(macs) } : {}),
        })
      : this.constants.add(
          op,
          inputs.map((t) => t.node),
          out,
          attrs,
        );
    if (macs && this.trace) this.trace.opMacs += macs;
    return new TensorValue(out, keptField(out, field), id ?? -1, note);
  }

  /** Related information: where the mismatching inputs came from. */
  origins(inputs: readonly TensorValue[]): Related[] {
    const out: Related[] = [];
    for (const t of inputs) {
      const n = this.trace?.graph[t.node];
      if (n?.location && t.shape)
        out.push({ at: n.location, message: `${formatShape(t.shape)} comes from ${n.kind === "module" ? `${n.label} (${n.type})` : n.type} here` });
    }
    return out;
  }

  binary(op: string, a: TensorValue, b: Value, site: CallSite): TensorValue {
    if (!a.shape) return UNKNOWN;
    const other = typeof b === "number" ? null : this.tensorArg(b, site, 0, op);
    if (other && !other.shape) return UNKNOWN;
    const out = broadcast(op, a.shape, other?.shape ?? []);
    const inputs = other ? [a, other] : [a];
    const field = isLayerError(out) ? null : mergeFields(inputs.map((t) => ({ field: t.field, onGrid: sameGrid(t.shape!, out) })));
    return this.opResult(op, inputs, out, site, field, typeof b === "number" ? { scalar: b } : {});
  }

  elementwise(op: string, [x]: TensorValue[], site: CallSite): TensorValue {
    if (!x?.shape) return UNKNOWN;
    return this.opResult(op, [x], x.shape, site, x.field, {});
  }

  private flatten(op: string, x: TensorValue, start: Value, end: Value, site: CallSite): TensorValue {
    if (!x.shape) return UNKNOWN;
    if (typeof start !== "number" || typeof end !== "number") throw new EvalError(site.node, `${op} dims must be integers`, "argument-type");
    const out = flattenShape(op, x.shape, start, end);
    return folded(x, this.opResult(op, [x], out, site, x.field, { startDim: start, endDim: end }, `from ${formatShape(x.shape)} flattened`));
  }

  view(op: string, x: TensorValue, args: Value[], site: CallSite): TensorValue {
    if (!x.shape) return UNKNOWN;
    const raw = args.length === 1 && args[0] instanceof ArrayValue ? args[0].items : args;
    const dims: Dim[] = raw.map((v, i) => {
      if (typeof v === "number") return v;
      if (v instanceof SymDim) return v.dim;
      throw new EvalError(site.argNodes[i] ?? site.node, `${op} sizes must be numbers, got ${this.interp.display(v)}`, "argument-type");
    });
    const out = view(op, x.shape, dims);
    return folded(x, this.opResult(op, [x], out, site, x.field, { shape: dims }, `from ${formatShape(x.shape)} reshaped`));
  }

  mean(x: TensorValue, dims: Value, keepdim: Value, site: CallSite): TensorValue {
    if (!x.shape) return UNKNOWN;
    const list = dims instanceof ArrayValue ? dims.items : [dims];
    if (!list.every((d): d is number => typeof d === "number")) throw new EvalError(site.node, "mean dims must be integers", "argument-type");
    const out = mean(x.shape, list, keepdim === true);
    // A mean over both spatial axes is global average pooling: it sees the whole input (the
    // contract's receptive-field rule); over one of them, the map's window.
    const axes = list.map((d) => normAxis(d, 4));
    const spatial = x.shape.length === 4 && axes.every((d) => d !== undefined && d >= 2);
    const h = x.shape[2];
    const w = x.shape[3];
    const global = spatial && axes.includes(2) && axes.includes(3) && !(h === 1 && w === 1);
    const field =
      global && x.field
        ? WHOLE_INPUT
        : spatial && x.field && !isWholeInput(x.field) && typeof h === "number" && typeof w === "number"
          ? applyWindow(x.field, { kernel: [h, w], stride: [h, w], padding: [0, 0], dilation: [1, 1] })
          : x.field;
    return this.opResult("mean", [x], out, site, field, { dims: list, keepdim: keepdim === true });
  }

  private catOp(list: Value, dim: Value, site: CallSite): TensorValue {
    const items = this.interp.iterate(list, site.argNodes[0] ?? site.node);
    const tensors = items.map((v, i) => this.tensorArg(v, site, 0, `torch.cat element ${i}`));
    if (tensors.some((t) => !t.shape)) return UNKNOWN;
    const d = typeof dim === "number" ? dim : 0;
    const out = cat(
      tensors.map((t) => t.shape!),
      d,
    );
    return this.opResult("cat", tensors, out, site, mergeFields(tensors.map((t) => ({ field: t.field, onGrid: true }))), { dim: d });
  }

  private torchNamespace(): Namespace {
    const m = new Map<string, Value>([
      ["cat", new Builtin("torch.cat", ([list, dim], site) => this.catOp(list, dim, site))],
      ["concat", new Builtin("torch.concat", ([list, dim], site) => this.catOp(list, dim, site))],
      [
        "flatten",
        new Builtin("torch.flatten", ([x, s, e], site) => this.flatten("torch.flatten", this.tensorArg(x, site, 0, "torch.flatten"), s ?? 0, e ?? -1, site)),
      ],
    ]);
    for (const [name, f] of tensorFactories(this.tensors)) m.set(name, f);
    for (const op of ["add", "mul", "sub", "div"]) {
      m.set(op, new Builtin(`torch.${op}`, ([a, b], site) => this.binary(op, this.tensorArg(a, site, 0, `torch.${op}`), b, site)));
    }
    for (const op of ["relu", "sigmoid", "tanh"]) {
      m.set(op, new Builtin(`torch.${op}`, ([x], site) => this.elementwise(op, [this.tensorArg(x, site, 0, `torch.${op}`)], site)));
    }
    for (const [k, v] of this.methods.torchForms()) if (!m.has(k)) m.set(k, v);
    return new Namespace("torch", m);
  }

  private functionalNamespace(): Namespace {
    const m = new Map<string, Value>();
    const kind = (t: LayerType): LayerKind => LAYERS[t] as LayerKind;
    /**
     * F.op(x, ...args) computed with the layer kind's rule. `leading`: only that many arguments after
     * the tensor are the kind's (F.dropout(x, p, training, inplace), F.relu(x, inplace)), then an
     * options object if there is one; the rest is accepted and ignored.
     */
    const functional = (name: string, k: LayerKind, leading?: number): void => {
      m.set(
        name,
        new Builtin(`F.${name}`, (args, site) => {
          const x = this.tensorArg(args[0], site, 0, `F.${name}`);
          const last = args[args.length - 1];
          const own =
            leading === undefined ? args : [...args.slice(0, 1 + leading), ...(args.length > 1 + leading && last instanceof ObjectValue ? [last] : [])];
          const c = this.configure(k, own, site, 1);
          if (!c) return UNKNOWN;
          return this.applyKind(k, c.config, [x], site, null, c.argNodes, `F.${name}`, undefined);
        }),
      );
    };
    // The arguments of the kind that come before the functional form's own (training, inplace).
    const acts: [string, LayerType, number][] = [
      ["relu", "ReLU", 0],
      ["relu6", "ReLU6", 0],
      ["silu", "SiLU", 0],
      ["sigmoid", "Sigmoid", 0],
      ["tanh", "Tanh", 0],
      ["gelu", "GELU", 0],
      ["elu", "ELU", 1],
      ["leakyRelu", "LeakyReLU", 1],
      ["hardswish", "Hardswish", 0],
      ["hardsigmoid", "Hardsigmoid", 0],
      ["dropout", "Dropout", 1],
      ["dropout2d", "Dropout2d", 1],
    ];
    for (const [f, t, leading] of acts) functional(f, kind(t), leading);
    for (const [f, k] of FUNCTIONAL_KINDS) functional(f, k);
    for (const [f, v] of functionalForms(this.methods)) if (!m.has(f)) m.set(f, v);
    return new Namespace("F", m);
  }

  // ---- calls --------------------------------------------------------------------------------

  /**
   * One rule for module calls and their functional forms: shape, receptive field, MACs; errors
   * are reported (with the value that fixes them, when certain) and yield an unknown tensor.
   */
  private applyKind(
    kind: LayerKind,
    config: Args,
    args: Value[],
    site: CallSite | null,
    definedAt: ts.Node | null,
    argNodes: ReadonlyMap<string, ts.Node>,
    label: string,
    module: ModuleValue | undefined,
  ): TensorValue {
    const where = site?.node ?? definedAt ?? this.trace?.fallbackNode;
    if (!where) return UNKNOWN;
    if (args.length !== 1) throw new EvalError(where, `${kind.type} takes exactly one tensor, got ${args.length} arguments`, "argument-type");
    const x = site ? this.tensorArg(args[0], site, 0, kind.type) : args[0];
    if (!(x instanceof TensorValue)) throw new EvalError(where, `${kind.type} expects a tensor, got ${this.interp.display(args[0])}`, "argument-type");
    if (!x.shape) return UNKNOWN;
    const out = kind.forward(config, [x.shape], [x.note]);
    if (isLayerError(out)) {
      const related = this.origins([x]);
      if (definedAt && definedAt !== where) related.push({ at: definedAt, message: `${kind.type} defined here` });
      const path = module && this.trace?.paths.get(module);
      const { fix, producer } = mismatchFixes(this.trace, out.fix, { argNodes, config, where, x }, path === undefined ? undefined : `${path} (${kind.type})`);
      this.reporter.report("error", where, out.message, out.code, related, fix, producer);
      return UNKNOWN;
    }
    const field = this.fieldAfter(kind, config, x, out);
    const counts = kind.counts(config);
    const trace = this.trace;
    let layerIndex: number | undefined;
    if (trace && module) {
      if (trace.layers.length >= MAX_LAYER_CALLS) {
        throw new BudgetError(
          where,
          `More than ${MAX_LAYER_CALLS.toLocaleString("en-US")} layer calls in one forward pass: is there an endless loop here?`,
          "budget-exceeded",
        );
      }
      layerIndex = trace.layers.length;
      trace.layers.push({
        path: this.pathOf(module),
        type: module.typeName,
        description: kind.describe(config),
        inputs: [x.shape],
        output: out,
        params: toCount(counts.params),
        trainableParams: module.frozen ? 0 : toCount(counts.params),
        buffers: toCount(counts.buffers),
        macs: kind.macs ? toCount(kind.macs(config, [x.shape], out)) : 0,
        activationBytes: toCount(4n * exactNumel(out)),
        receptiveField: field,
        definedAt: definedAt ? toLocation(definedAt) : null,
        calledAt: site ? toLocation(site.node) : null,
      });
    }
    const id = trace?.addNode({
      kind: module ? "module" : "op",
      label: module ? this.pathOf(module) : label,
      type: kind.type,
      inputs: [x.node],
      output: out,
      ...(layerIndex !== undefined ? { layer: layerIndex } : {}),
      attrs: toAttrs(config),
      receptiveField: field,
      location: toLocation(where),
    });
    if (id !== undefined && module) trace?.modules.set(id, module);
    const note = kind.type === "Flatten" ? `from ${formatShape(x.shape)} flattened` : undefined;
    const result = new TensorValue(out, field, id ?? -1, note);
    return kind.type === "Flatten" ? folded(x, result) : result;
  }

  /** A layer's output field: a window on spatial outputs, the whole input after a Linear over positions. */
  private fieldAfter(kind: LayerKind, config: Args, x: TensorValue, out: Shape): ReceptiveField | null {
    if (kind.type === "Linear" && POSITIONS_FOLDED.has(x)) return WHOLE_INPUT;
    if (x.field && isWholeInput(x.field)) return x.field;
    if (out.length !== 4 || !x.field || !x.shape) return null;
    return kind.field ? kind.field(config, x.field, x.shape, out) : x.field;
  }

  pathOf(mod: ModuleValue): string {
    const p = this.trace?.paths.get(mod);
    if (p !== undefined) return p;
    if (this.trace && !this.trace.unregistered.has(mod)) {
      this.trace.unregistered.add(mod);
      if (mod.definedAt) {
        this.reporter.report(
          "warning",
          mod.definedAt,
          `This ${mod.typeName} is not registered as a child module (create it in the constructor and store it in a field), so PyTorch would not count its parameters or train them`,
          "unregistered-module",
        );
      }
    }
    return `<unregistered ${mod.typeName}>`;
  }

  /** Appends a leaf module's call to `layers` (within the budget of layer calls); its index. */
  pushLayer(trace: Trace, call: LayerCall, where: ts.Node): number {
    if (trace.layers.length >= MAX_LAYER_CALLS)
      throw new BudgetError(
        where,
        `More than ${MAX_LAYER_CALLS.toLocaleString("en-US")} layer calls in one forward pass: is there an endless loop here?`,
        "budget-exceeded",
      );
    trace.layers.push(call);
    return trace.layers.length - 1;
  }

  noteTensor(kind: "binding" | "return", node: ts.Node, value: Value): void {
    if (this.trace && value instanceof TensorValue && value.shape) {
      this.trace.tensors.push({ kind, location: toLocation(node), shape: value.shape, receptiveField: value.field });
    }
  }

  callModule(mod: ModuleValue, args: Value[], site: CallSite | null): Value {
    const trace = this.trace;
    if (!trace || mod.invalid) return UNKNOWN;
    const forward = mod.cls && this.interp.findMethod(mod.cls, "forward", mod);
    if (!forward && mod.layer?.kind.multiCall) return callMultiOutput(this, mod, args, site);
    if (!forward && mod.nativeForward) return mod.nativeForward(args, site);
    if (mod.layer && !forward) return this.applyKind(mod.layer.kind, mod.layer.config, args, site, mod.definedAt, mod.layer.argNodes, mod.typeName, mod);
    const where = site ?? { node: mod.definedAt ?? trace.fallbackNode, argNodes: [] };
    if (forward) {
      const before = trace.opMacs;
      const result = this.interp.callClosure(forward, args, where, mod);
      if (mod.children.size === 0) {
        // A leaf's MACs are the products its forward computes (counted once: in the leaf, not loose).
        const macs = trace.opMacs - before;
        trace.opMacs = before;
        return recordCustomLeaf(trace, this.pathOf(mod), mod, args, result, site, macs);
      }
      return result;
    }
    if (mod.container === "Sequential") {
      if (args.length !== 1)
        throw new EvalError(where.node, `nn.Sequential passes one input through its children, got ${args.length} arguments`, "argument-type");
      let x = args[0];
      for (const child of mod.children.values()) x = this.callModule(child, [x], null);
      return x;
    }
    if (mod.container) throw new EvalError(where.node, `nn.${mod.container} is not callable: iterate over it and call each module`, "not-callable");
    throw new EvalError(where.node, `${mod.typeName} has no forward method`, "not-callable");
  }

  /** `super.forward(x)` in a class extending a built-in kind: the kind's op, whose MACs count in the calling leaf (as the products its forward computes). */
  layerForward(mod: ModuleValue, args: Value[], site: CallSite): Value {
    if (!this.trace || mod.invalid || !mod.layer) return UNKNOWN;
    const { kind, config } = mod.layer;
    const out = this.applyKind(kind, config, args, site, mod.definedAt, mod.layer.argNodes, kind.type, undefined);
    const x = args[0];
    if (kind.macs && out.shape && x instanceof TensorValue && x.shape) this.trace.opMacs += kind.macs(config, [x.shape], out.shape);
    return out;
  }
}

function toAttrs(config: Args): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(config)) out[k] = v === undefined ? null : typeof v === "object" && v !== null ? [...v] : v;
  return out;
}

/** Tensors whose features are the positions of a spatial map (flattened): a Linear on them sees the whole input. */
const POSITIONS_FOLDED = new WeakSet<TensorValue>();

function folded(x: TensorValue, result: TensorValue): TensorValue {
  if (x.shape && result.shape && foldsPositions(x.shape, result.shape, x.field)) POSITIONS_FOLDED.add(result);
  return result;
}

/** A window field belongs to spatial (4-D) outputs; a field over the whole input stays at any rank. */
function keptField(out: Shape, field: ReceptiveField | null): ReceptiveField | null {
  return field && (out.length === 4 || isWholeInput(field)) ? field : null;
}

/** Whether a tensor has the same spatial size as the output it merges into (not broadcast). */
function sameGrid(s: Shape, out: Shape): boolean {
  return s.length === out.length && s.slice(-2).every((d, i) => d === out[out.length - 2 + i]);
}

/** PyTorch's `named_modules()`: the module, then its children depth-first, each module once. */
export function namedModules(root: ModuleValue): Map<ModuleValue, string> {
  const paths = new Map<ModuleValue, string>();
  const walk = (m: ModuleValue, path: string): void => {
    if (paths.has(m)) return;
    paths.set(m, path);
    for (const [name, child] of m.children) walk(child, path ? `${path}.${name}` : name);
  };
  walk(root, "");
  return paths;
}

export { parseSym, UNKNOWN };
export type { ContainerKind };

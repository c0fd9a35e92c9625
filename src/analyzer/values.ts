import type * as ts from "typescript";
import type { ReceptiveField, Shape, TensorInit } from "../shared/analysis";
import type { Args, LayerKind } from "./layers/kind";

/** The abstract values the interpreter computes. Nothing here is ever user code executed. */
export type Value =
  | number
  | string
  | boolean
  | undefined
  | null
  | SymDim
  | ArrayValue
  | ObjectValue
  | SetValue
  | MapValue
  | Closure
  | Builtin
  | ClassValue
  | BuiltinClass
  | ModuleValue
  | TensorValue
  | Namespace
  | Poison;

/**
 * The value of a name whose definition failed (its error is already reported). Using it yields
 * poison again, or stops the statement silently, so one mistake gives one diagnostic.
 */
export class Poison {
  static readonly value = new Poison();
  private constructor() {}
}

/** A symbolic dimension read from a tensor, e.g. `x.size(0)` for a batch written `N`. */
export class SymDim {
  constructor(readonly dim: string) {}
}

export class ArrayValue {
  constructor(public items: Value[]) {}
}

/** An object literal, or an instance of a user class that is not a module. */
export class ObjectValue {
  constructor(
    readonly props: Map<string, Value> = new Map(),
    readonly cls?: ClassValue,
  ) {}
}

/** A JavaScript `Set` (insertion-ordered, SameValueZero keys as in JS; a symbolic dimension by its name). */
export class SetValue {
  readonly items = new Map<unknown, Value>();
}

/** A JavaScript `Map`: keys compared like a Set's. */
export class MapValue {
  readonly entries = new Map<unknown, [Value, Value]>();
}

/** The key a Set or Map compares: the value itself, a symbolic dimension by its name. */
export function collectionKey(v: Value): unknown {
  return v instanceof SymDim ? `%sym:${v.dim}` : v;
}

export class Env {
  private readonly vars = new Map<string, { value: Value; mutable: boolean }>();
  constructor(readonly parent: Env | undefined) {}

  lookup(name: string): { value: Value; mutable: boolean } | undefined {
    for (let e: Env | undefined = this; e; e = e.parent) {
      const b = e.vars.get(name);
      if (b) return b;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  /** Every name visible from here (for suggestions). */
  *names(): Generator<string> {
    for (let e: Env | undefined = this; e; e = e.parent) for (const k of e.vars.keys()) if (!k.startsWith("%") && k !== "this") yield k;
  }

  declare(name: string, value: Value, mutable = true): void {
    this.vars.set(name, { value, mutable });
  }
}

/** A user function or method with its defining environment. */
export class Closure {
  constructor(
    readonly node: ts.FunctionLikeDeclaration,
    readonly env: Env,
    /** `this` for methods bound to an instance. */
    readonly thisValue: Value | undefined,
    /** The class that defines the method (for `super`). */
    readonly home: ClassValue | undefined,
  ) {}
}

export interface CallSite {
  /** The call expression in user code. */
  node: ts.Node;
  /** The argument expressions (spread already expanded into values, so nodes may be fewer). */
  argNodes: readonly ts.Expression[];
}

/** A function provided by the analyzer: Math.max, nn.Conv2d, array.push, ... */
export class Builtin {
  constructor(
    readonly name: string,
    readonly call: (args: Value[], site: CallSite) => Value,
    /** Also callable with `new` (layer factories, containers). */
    readonly constructible = false,
    /** Members of the function object (`Array.from`, `Number.isInteger`). */
    readonly statics?: ReadonlyMap<string, Value>,
  ) {}
}

export class Namespace {
  constructor(
    readonly name: string,
    readonly members: ReadonlyMap<string, Value>,
  ) {}
}

/** `nn.Module`, `nn.Sequential`, `nn.ModuleList`, `nn.ModuleDict` and every built-in layer kind (`nn.Conv2d`, "Layer") as base classes. */
export class BuiltinClass {
  constructor(
    readonly name: "Module" | "Sequential" | "ModuleList" | "ModuleDict" | "Layer" | "Composite",
    /** Called as a factory (`nn.Sequential(a, b)`, `nn.Conv2d(3, 8, 3)`). */
    readonly factory: Builtin | undefined,
    /** The layer kind of a "Layer" class. */
    readonly kind?: LayerKind,
    /**
     * A "Composite" class (torchvision's `ops.Conv2dNormActivation`): `super(...)` of a subclass
     * builds the block and the instance adopts its children; `container` is the block's.
     */
    readonly composite?: { build: (args: Value[], site: CallSite) => ModuleValue; container: ContainerKind | undefined },
  ) {}
}

export class ClassValue {
  readonly statics = new Map<string, Value>();
  constructor(
    readonly name: string,
    readonly node: ts.ClassLikeDeclaration,
    readonly env: Env,
    readonly base: ClassValue | BuiltinClass | null,
  ) {}

  /** The builtin root of the class chain (Module, Sequential, ...), or null for plain classes. */
  get root(): BuiltinClass | null {
    let c: ClassValue | BuiltinClass | null = this.base;
    while (c instanceof ClassValue) c = c.base;
    return c;
  }
}

export type ContainerKind = "Sequential" | "ModuleList" | "ModuleDict";

let nextModuleId = 1;

/** A module instance: a builtin layer, a container, or an instance of a user `nn.Module` class. */
export class ModuleValue {
  readonly id = nextModuleId++;
  /** Registered children in registration order, like PyTorch's `_modules`. */
  readonly children = new Map<string, ModuleValue>();
  /** Instance properties of user classes (children included). */
  readonly fields = new Map<string, Value>();
  /** `requiresGrad_(false)` was called on it or an ancestor. */
  frozen = false;
  /** Its construction failed; calls produce unknown tensors silently (the error is already reported). */
  invalid = false;
  /** A built-in composite's forward (torchvision's SqueezeExcitation); its children are called by it. */
  nativeForward?: (args: Value[], site: CallSite | null) => Value;
  /** Parameters it declares itself (`this.gamma = nn.Parameter(...)`), by attribute name, in registration order. */
  readonly params = new Map<string, TensorValue>();
  /** Buffers it declares itself (`this.registerBuffer(name, t, persistent)`). */
  readonly buffers = new Map<string, { tensor: TensorValue; persistent: boolean }>();
  /** A built-in layer's tensors read as attributes (`conv.weight`): their storage, which initialisers change. */
  readonly layerTensors = new Map<string, TensorData>();

  constructor(
    readonly typeName: string,
    readonly definedAt: ts.Node | null,
    /** A built-in layer, or a class extending one (set by its `super(...)`). */
    public layer: { kind: LayerKind; config: Args; argNodes: ReadonlyMap<string, ts.Node> } | undefined,
    readonly container: ContainerKind | undefined,
    readonly cls: ClassValue | undefined,
  ) {}
}

/** A tensor: its shape (null once analysis stopped at an error on this path) and receptive field. */
export class TensorValue {
  constructor(
    readonly shape: Shape | null,
    readonly field: ReceptiveField | null,
    /** Graph node that produced it (an in-place operation such as `add_` moves it to its own node). */
    public node: number,
    /** How it was made, for messages: e.g. "from [N, 16, 4, 4] flattened". */
    readonly note?: string,
    /** Its values, for tensors made by creation functions (shared by an nn.Parameter wrapping it, like storage). */
    readonly data?: TensorData,
    /** Made by `nn.Parameter(t, { requiresGrad })`. */
    readonly parameter?: { requiresGrad: boolean },
  ) {}
}

/** The values of a created tensor: how they are initialised (in-place initialisers replace `init`). */
export interface TensorData {
  init: TensorInit;
}

export function typeName(v: Value): string {
  if (v === null) return "null";
  if (v instanceof ArrayValue) return "array";
  if (v instanceof SetValue) return "Set";
  if (v instanceof MapValue) return "Map";
  if (v instanceof ObjectValue) return v.cls ? v.cls.name : "object";
  if (v instanceof Closure || v instanceof Builtin) return "function";
  if (v instanceof ClassValue || v instanceof BuiltinClass) return "class";
  if (v instanceof ModuleValue) return v.typeName;
  if (v instanceof TensorValue) return "Tensor";
  if (v instanceof SymDim) return "symbolic dimension";
  if (v instanceof Namespace) return "namespace";
  if (v instanceof Poison) return "(invalid)";
  return typeof v;
}

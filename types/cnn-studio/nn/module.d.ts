/** `nn.Module` and the containers (`Sequential`, `ModuleList`, `ModuleDict`). */

import type { Tensor } from "../tensor";
import type * as nn from "./index";

// ────────────────────────────────────────────────────────────────────────────────────────────
// Internal helpers (not exported: not re-exported by the package)
// ────────────────────────────────────────────────────────────────────────────────────────────

/** The parameters of `M["forward"]`, or `any[]` when `M` declares no `forward` (plain `nn.Module`). */
type ForwardParameters<M> = M extends { forward(...inputs: infer A): any } ? A : any[];
/** The result of `M["forward"]`, or `any` when `M` declares no `forward` (plain `nn.Module`). */
type ForwardResult<M> = M extends { forward(...inputs: any[]): infer R } ? R : any;

/** Brands a `ModuleDict` type with the type of its children (a phantom member, never present). */
declare const moduleDictChildren: unique symbol;

/** Named children of a module: `{ conv: nn.Conv2d(3, 8, 3), relu: nn.ReLU() }`. */
type NamedModules = { [name: string]: nn.Module };

/** Children of a `ModuleDict` whose names are not known to the type system. */
type AnyNamedModules = { readonly [name: string]: any };

/**
 * The list made from `T`: for a tuple (an array literal), also its numbered elements as properties
 * `"0"`, `"1"`, … with their exact types (so `list[0]` is not `| undefined`).
 */
type ModuleListOf<T extends readonly nn.Module[]> = number extends T["length"]
  ? nn.ModuleList<T[number]>
  : nn.ModuleList<T[number]> & { readonly [K in keyof T as K extends `${number}` ? K : never]: T[K] };

/** The constructor behind `nn.Module`: `class MyBlock extends nn.Module { … }`. */
interface ModuleConstructor {
  /**
   * Creates an empty module. Call `super()` first in the constructor of a custom module, then create
   * its children (or create them in field initialisers).
   */
  new (): nn.Module;
  readonly prototype: nn.Module;
}

/** `nn.Sequential`: a factory (no `new`) and a base class (`extends nn.Sequential`). */
interface SequentialConstructor {
  /**
   * A chain of modules run one after the other: `seq(x)` is `mN(…m1(m0(x)))`.
   * The children are named `0`, `1`, … (paths `features.0`, `features.1`, …).
   *
   * @param modules the modules, in execution order (none: an empty chain, which returns its input).
   * @example
   * nn.Sequential(nn.Conv2d(3, 16, 3, { padding: 1 }), nn.BatchNorm2d(16), nn.ReLU({ inplace: true }))
   */
  (...modules: nn.Module[]): nn.Sequential;
  /**
   * A chain of **named** modules, like PyTorch's `nn.Sequential(OrderedDict(...))`: the children are
   * named by the keys (paths `block.conv`, `block.relu`) and run in the object's key order. They can be
   * read back by name: `seq.conv`.
   *
   * @param modules an object whose values are the modules, in execution order.
   * @example
   * nn.Sequential({ conv: nn.Conv2d(3, 8, 3), norm: nn.BatchNorm2d(8), relu: nn.ReLU() })
   */
  <T extends NamedModules>(modules: T): nn.Sequential & T;
  /**
   * Base-class form, used by `class X extends nn.Sequential { constructor(…) { super(…children); } }`:
   * children named `0`, `1`, ….
   */
  new (...modules: nn.Module[]): nn.Sequential;
  /** Base-class form with named children: `super({ conv: …, relu: … })`. */
  new (modules: NamedModules): nn.Sequential;
  readonly prototype: nn.Sequential;
}

/** `nn.ModuleList`: a factory (no `new`) and a base class (`extends nn.ModuleList`). */
interface ModuleListConstructor {
  /**
   * Holds modules in a list. For a literal list the element types are kept, so `list[0]` has the
   * first module's type (and is not `| undefined`).
   *
   * @param modules the modules (an array literal or any array of modules).
   * @example
   * this.blocks = nn.ModuleList([new Block(64), new Block(64)]);
   */
  <const T extends readonly nn.Module[]>(modules: T): ModuleListOf<T>;
  /**
   * Holds modules in a list (any iterable of modules, or none: an empty list to `append` to).
   */
  <T extends nn.Module = nn.Module>(modules?: Iterable<T>): nn.ModuleList<T>;
  /** Base-class form: `class Stack extends nn.ModuleList<Block> { … }`, `super(modules)`. */
  new <T extends nn.Module = nn.Module>(modules?: Iterable<T>): nn.ModuleList<T>;
  readonly prototype: nn.ModuleList;
}

/** `nn.ModuleDict`: a factory (no `new`) and a base class (`extends nn.ModuleDict`). */
interface ModuleDictConstructor {
  /**
   * Holds named modules: `dict.name` or `dict["name"]` reads one; `Object.values(dict)` /
   * `Object.entries(dict)` iterate over them in insertion order. Children are named by the keys.
   *
   * @param modules an object whose values are the modules.
   * @example
   * this.heads = nn.ModuleDict({ cls: nn.Linear(512, 1000), box: nn.Linear(512, 4) });
   */
  <T extends NamedModules>(modules: T): nn.ModuleDict<T>;
  /** An empty dictionary: fill it with `addModule(name, module)`. */
  (): nn.ModuleDict;
  /**
   * Base-class form: `class DenseBlock extends nn.ModuleDict { … }`, with `super()` then
   * `this.addModule(name, layer)`, and `Object.values(this)` in `forward`.
   */
  new <T extends NamedModules = AnyNamedModules>(modules?: T): nn.ModuleDict<T>;
  readonly prototype: nn.ModuleDict;
}


// ── Base class ──────────────────────────────────────────────────────────────────────────

/**
 * Base class of every module, like `torch.nn.Module`.
 *
 * A custom module extends it, creates its children in field initialisers or in the constructor
 * (after `super()`), and defines `forward`. **Its instances are callable**: `block(x)` is
 * `block.forward(x)`, with `forward`'s parameter and return types — one or several tensors, or
 * `Tensor[]`, in and out. Children are named by the field that holds them; nested children get
 * dotted paths (`layer1.0.conv1`) exactly like PyTorch's `named_modules()`. A custom module
 * without children is a leaf: it is reported under its class name with the shapes its `forward`
 * computes.
 *
 * Used as a **type** (`downsample: nn.Module | null`), a module accepts any arguments and returns
 * `any`; use a more precise type (`nn.Sequential`, `nn.Conv2d`, your class) to keep tensor types.
 * (In generic code, a value of a type parameter `M extends nn.Module` cannot be called: type it
 * `nn.Module`, or constrain `M extends { forward(x: Tensor): Tensor }` and call `m.forward(x)`.)
 *
 * `nn.Module` itself declares no `forward`, so a direct subclass's `forward` needs no `override`
 * (even with `noImplicitOverride`) and may have any signature.
 *
 * @example
 * class BasicBlock extends nn.Module {
 *   static expansion = 1;
 *   conv1: nn.Conv2d;
 *   bn1: nn.BatchNorm2d;
 *   relu = nn.ReLU({ inplace: true });
 *   constructor(inplanes: number, planes: number, stride = 1) {
 *     super();
 *     this.conv1 = nn.Conv2d(inplanes, planes, 3, { stride, padding: 1, bias: false });
 *     this.bn1 = nn.BatchNorm2d(planes);
 *   }
 *   forward(x: Tensor): Tensor {
 *     return this.relu(this.bn1(this.conv1(x)));
 *   }
 * }
 * const block = new BasicBlock(64, 64);
 * const y: Tensor = block(x); // callable like a function
 */
export const Module: ModuleConstructor;

/** A module (see {@link nn.Module}): callable — `m(x)` runs `m.forward(x)`. */
export interface Module {
  /**
   * Runs the module: the same as calling its `forward` with these arguments.
   */
  (...inputs: ForwardParameters<this>): ForwardResult<this>;
  /**
   * `true` in training mode, `false` in evaluation mode (PyTorch's `self.training`).
   * CNN Studio analyses models in evaluation mode unless a feature says otherwise: it reads
   * `false`, so branches on `this.training` take the evaluation path.
   */
  training: boolean;
  /**
   * Registers a child under a computed name, like PyTorch's `add_module`. The name becomes part of
   * the child's path (`denseblock1.denselayer3.conv1`).
   *
   * @param name the child's name, e.g. `` `denselayer${i + 1}` ``.
   * @param module the child (`null` registers nothing, as in PyTorch).
   * @example
   * for (let i = 0; i < numLayers; i++) this.addModule(`denselayer${i + 1}`, new DenseLayer(c + i * growth, growth));
   */
  addModule(name: string, module: Module | null): void;
  /**
   * Sets whether the parameters of this module and all its descendants are trainable (PyTorch's
   * `requires_grad_`). Frozen parameters are counted as non-trainable.
   *
   * @param requiresGrad Default: `true`.
   * @returns this module.
   * @example
   * this.backbone = new ResNet18().requiresGrad_(false); // frozen feature extractor
   */
  requiresGrad_(requiresGrad?: boolean): this;
  /** The direct children, in registration order (PyTorch's `children()`). */
  children(): Module[];
  /**
   * This module (name `""`) and all its descendants with their dotted paths, depth first in
   * registration order (PyTorch's `named_modules()`).
   */
  namedModules(): IterableIterator<[string, Module]>;
  /**
   * Switches to evaluation mode (PyTorch's `eval()`); analysis is in evaluation mode anyway.
   * @returns this module.
   */
  eval(): this;
  /**
   * Switches to training mode (PyTorch's `train(mode)`); analysis stays in evaluation mode.
   * @param mode Default: `true`.
   * @returns this module.
   */
  train(mode?: boolean): this;
  /**
   * Registers a buffer: a tensor that is part of the module's state but not trained (PyTorch's
   * `register_buffer`), e.g. a relative-position index. Counted in `buffers`.
   * @param name its attribute name (then readable as `this[name]`).
   * @param tensor the tensor (`torch.zeros(...)`, `torch.arange(...)`, ...), or `null`.
   * @param persistent whether it is in the state_dict. Default: `true`.
   * @example
   * this.registerBuffer("mask", torch.ones(1, 1, 7, 7));
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent?: boolean): void;
  /**
   * Registers a parameter under a computed name (PyTorch's `register_parameter`); assigning an
   * `nn.Parameter` to a field does the same under the field's name.
   * @param name its attribute name.
   * @param param the parameter, or `null`.
   */
  registerParameter(name: string, param: Tensor | null): void;
  /** The `[name, child]` pairs of the direct children, in registration order (PyTorch's `named_children()`). */
  namedChildren(): [string, Module][];
  /** This module and all its descendants, depth first in registration order (PyTorch's `modules()`). */
  modules(): Module[];
}

// ── Containers ──────────────────────────────────────────────────────────────────────────

/**
 * A chain of modules run one after the other, like `torch.nn.Sequential`: `seq(x)` feeds `x` to the
 * first child, its output to the second, and so on.
 *
 * - `nn.Sequential(m0, m1, …)`: children named `0`, `1`, …;
 * - `nn.Sequential({ conv: m0, relu: m1 })`: children named by the keys (PyTorch's `OrderedDict`
 *   form), readable as `seq.conv`;
 * - `class X extends nn.Sequential { constructor() { super(m0, m1); } }`: a named kind of chain
 *   (torchvision's `Conv2dNormActivation`); the subclass may also `addModule` more children.
 *
 * **Shape**: the output of the last child (the input itself when empty).
 * **Parameters**: the sum over the children.
 *
 * @example
 * const features = nn.Sequential(
 *   nn.Conv2d(3, 64, 3, { padding: 1 }), nn.ReLU({ inplace: true }), nn.MaxPool2d(2),
 * ); // [N, 3, 32, 32] → [N, 64, 16, 16]
 */
export const Sequential: SequentialConstructor;

/**
 * A chain of modules (see {@link nn.Sequential}); `seq(x)` runs them in order. Like PyTorch's, it is
 * iterable (`for…of`), has `length`, and `seq[i]` reads the `i`-th child (`Module | undefined`
 * under `noUncheckedIndexedAccess`).
 */
export interface Sequential extends Module, Iterable<Module> {
  /** Runs the children in order, each on the previous one's output. */
  forward(input: Tensor): Tensor;
  /** Number of children. */
  readonly length: number;
  /** The child at `index` (a negative index counts from the end, as in PyTorch). */
  readonly [index: number]: Module;
  /**
   * Appends a module (named by its index), like PyTorch's `append`; use it in the constructor.
   * @returns this chain.
   */
  append(module: Module): this;
}

/**
 * A list of modules, like `torch.nn.ModuleList`: registers its elements as children named `0`,
 * `1`, … (paths `blocks.0`, `blocks.1`). It has no `forward` of its own: iterate over it in the
 * owner's `forward`.
 *
 * - `for (const block of this.blocks) x = block(x);`
 * - `this.blocks.length`, `this.blocks[i]`
 *
 * **Index access and `noUncheckedIndexedAccess`**: for a list created from an array literal,
 * `list[0]`, `list[1]`, … have the element's exact type. Otherwise `list[i]` is `T | undefined`
 * under `noUncheckedIndexedAccess` — prefer `for…of`, or write `list[i]!(x)`.
 *
 * @example
 * this.blocks = nn.ModuleList(Array.from({ length: 4 }, () => new Block(64)));
 * // forward:  for (const b of this.blocks) x = b(x);
 */
export const ModuleList: ModuleListConstructor;

/** A list of modules (see {@link nn.ModuleList}); iterable, with `length` and index access. */
export interface ModuleList<T extends Module = Module> extends Module, Iterable<T> {
  /** Number of modules in the list. */
  readonly length: number;
  /**
   * The module at `index` (`T | undefined` under `noUncheckedIndexedAccess`, except for the
   * numbered elements of a list created from an array literal).
   */
  readonly [index: number]: T;
  /**
   * Appends a module (named by its index), like PyTorch's `append`; use it in the constructor.
   * @returns this list.
   */
  append(module: T): this;
  /**
   * Appends several modules, like PyTorch's `extend`; use it in the constructor.
   * @returns this list.
   */
  extend(modules: Iterable<T>): this;
}

/**
 * A dictionary of named modules, like `torch.nn.ModuleDict`: `dict.name` or `dict["name"]` reads a
 * child; `Object.values(dict)` and `Object.entries(dict)` iterate in insertion order (typed by
 * the children). It has no `forward` of its own.
 *
 * The bare type `nn.ModuleDict` accepts any dictionary, and its children are then `any`; write
 * `nn.ModuleDict<{ cls: nn.Linear }>` (or let the field's type be inferred from
 * `nn.ModuleDict({...})`) to keep the children's types.
 *
 * @example
 * heads = nn.ModuleDict({ cls: nn.Linear(512, 1000), box: nn.Linear(512, 4) });
 * // forward:  const logits = this.heads.cls(x);
 */
export const ModuleDict: ModuleDictConstructor;

/** What every `nn.ModuleDict` type has besides its children. */
export interface ModuleDictBase<T> extends Module {
  /** Phantom member carrying the children's type for `Object.values` / `Object.entries`; never present. */
  readonly [moduleDictChildren]: T;
  /** The children's names, in insertion order (PyTorch's `keys()`; also `Object.keys(dict)`). */
  keys(): string[];
  /** The children, in insertion order (PyTorch's `values()`; also `Object.values(dict)`). */
  values(): T[keyof T][];
  /** The `[name, child]` pairs, in insertion order (PyTorch's `items()`; also `Object.entries(dict)`). */
  items(): [string, T[keyof T]][];
}

/**
 * A dictionary of named modules (see {@link nn.ModuleDict}): the base members plus one property
 * per child.
 */
export type ModuleDict<T extends NamedModules = AnyNamedModules> = ModuleDictBase<T> & T;

/**
 * # `cnn-studio` — typings of the CNN Studio model language
 *
 * A model file is an ordinary `.ts` file that imports from `"cnn-studio"`:
 *
 * ```ts
 * import { nn, F, torch, type Tensor } from "cnn-studio";
 *
 * export const mlp = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10));
 * ```
 *
 * and exports its models (`export const` or `export default`), each with an `@input` JSDoc tag
 * giving the input shape, e.g. `@input [N, 1, 28, 28]` (the batch `N` may stay symbolic).
 *
 * This file only describes that language to the TypeScript compiler and editor: completions,
 * type errors, and hovers that document every layer like PyTorch's docstrings do (what it does, its
 * arguments and defaults, its output-shape rule, its parameter count). **Nothing declared here
 * exists at run time and model files are never executed**: CNN Studio reads them and evaluates
 * them statically, computing shapes, parameters, MACs, memory and receptive fields.
 *
 * The language follows PyTorch 2.x (shapes are NCHW), with JavaScript conventions:
 * - factories are called without `new`: `nn.Conv2d(3, 64, 3)`, and return a module;
 * - a module is callable: `layer(x)` runs its `forward(x)`;
 * - positional arguments follow PyTorch's order; PyTorch's keyword arguments go in a trailing
 *   options object with camelCase names: `nn.Conv2d(3, 64, 3, { stride: 2, padding: 1 })`;
 * - where PyTorch takes a pair, a number means the same number twice: `3` ≡ `[3, 3]`;
 * - `inplace` is accepted wherever PyTorch has it, and ignored;
 * - custom modules are classes that `extend nn.Module` (or `nn.Sequential`) and define
 *   `forward`; their instances are callable too.
 *
 * The contract is `model-language.md` (CNN Studio's specification of the model language).
 *
 * @packageDocumentation
 */

// ────────────────────────────────────────────────────────────────────────────────────────────
// Internal helpers (not exported: see `export {}` at the end of the file)
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

// ────────────────────────────────────────────────────────────────────────────────────────────
// Shared option types
// ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A size over the two spatial axes: one number for both height and width, or `[height, width]`.
 * `3` is the same as `[3, 3]`.
 */
export type Size2d = number | readonly [number, number];

/**
 * Padding of a convolution: zeros added on **both** sides of each spatial axis (`[height, width]` or
 * one number for both), or
 * - `"valid"`: no padding (same as `0`);
 * - `"same"`: enough padding that the output keeps the input's height and width (stride must be 1).
 */
export type Conv2dPadding = Size2d | "same" | "valid";

/** Upsampling algorithms (shapes do not depend on the mode). */
export type InterpolationMode = "nearest" | "nearest-exact" | "bilinear" | "bicubic";

// ────────────────────────────────────────────────────────────────────────────────────────────
// Tensor
// ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A tensor flowing through `forward`. CNN Studio tracks its **shape** (NCHW for images, e.g.
 * `[N, 3, 224, 224]`; the batch may be symbolic) — never its values.
 *
 * Arithmetic operators (`x + y`) do not apply to tensors: write `x.add(y)`, `x.mul(y)`,
 * `torch.add(x, y)` or `torch.mul(x, y)`.
 */
// ---- tensorops: the pieces of x.chunk(3) as a tuple, so that `const [q, k, v] = …` needs no checks ----
type TensorTuple<N extends number, Acc extends Tensor[] = []> = number extends N ? Tensor[] : Acc["length"] extends N ? Acc : TensorTuple<N, [...Acc, Tensor]>;

export interface Tensor {
  /**
   * The shape, e.g. `[N, 64, 56, 56]` (a symbolic batch reads as a number in the typings).
   * With `noUncheckedIndexedAccess`, `x.shape[1]` is `number | undefined`: prefer `x.size(1)`.
   */
  readonly shape: number[];
  /**
   * The size of one dimension.
   * @param dim the dimension; negative counts from the end (`-1` is the last).
   * @example
   * const n = x.size(0); x.view(n, -1)
   */
  size(dim: number): number;
  /** The whole shape, like `x.shape`. */
  size(): number[];
  /** Number of dimensions (`x.shape.length`). */
  dim(): number;
  /** Number of dimensions (`x.shape.length`). */
  readonly ndim: number;
  /**
   * Element-wise sum with broadcasting (PyTorch `x + y`), e.g. a residual connection
   * `out.add(identity)`. Shapes must be equal or broadcastable (aligned from the right, each pair
   * equal or one of them 1); the result has the broadcast shape.
   * @param other a tensor or a number.
   */
  add(other: Tensor | number): Tensor;
  /**
   * Element-wise product with broadcasting (PyTorch `x * y`), e.g. channel attention
   * `x.mul(scale)` with `scale: [N, C, 1, 1]`. The result has the broadcast shape.
   * @param other a tensor or a number.
   */
  mul(other: Tensor | number): Tensor;
  /** Element-wise difference with broadcasting (PyTorch `x - y`). @param other a tensor or a number. */
  sub(other: Tensor | number): Tensor;
  /** Element-wise quotient with broadcasting (PyTorch `x / y`). @param other a tensor or a number. */
  div(other: Tensor | number): Tensor;
  /**
   * Merges dimensions `startDim … endDim` into one whose size is their product.
   * Note the default `startDim` is `0` (like `torch.flatten`), unlike `nn.Flatten` (`1`):
   * to keep the batch write `x.flatten(1)`.
   * @param startDim first dimension to merge. Default: `0`.
   * @param endDim last dimension to merge (inclusive). Default: `-1`.
   * @example
   * x.flatten(1) // [N, 512, 7, 7] → [N, 25088]
   */
  flatten(startDim?: number, endDim?: number): Tensor;
  /**
   * The same elements with another shape; the element count must not change. One size may be `-1`:
   * it is inferred from the others.
   * @param shape the new sizes.
   * @example
   * x.view(x.size(0), -1) // [N, 256, 6, 6] → [N, 9216]
   */
  view(...shape: number[]): Tensor;
  /**
   * The same elements with another shape, like {@link Tensor.view}; one size may be `-1`.
   * @param shape the new sizes.
   * @example
   * x.reshape(n, groups, c / groups, h, w) // channel shuffle
   */
  reshape(...shape: number[]): Tensor;
  /**
   * Mean over the given dimensions.
   * @param dims one dimension or several, e.g. `[2, 3]` for global average pooling.
   * @param keepdim keep the reduced dimensions with size 1. Default: `false`.
   * @example
   * x.mean([2, 3])       // [N, C, H, W] → [N, C]
   * x.mean([2, 3], true) // [N, C, H, W] → [N, C, 1, 1]
   */
  mean(dims: number | number[], keepdim?: boolean): Tensor;
  /** `max(0, x)` element-wise; same shape. */
  relu(): Tensor;
  /** `1 / (1 + exp(−x))` element-wise; same shape. */
  sigmoid(): Tensor;
  /** `tanh(x)` element-wise; same shape. */
  tanh(): Tensor;
  /** The same tensor (memory layout is not modelled); same shape. */
  contiguous(): Tensor;
  // ---- tensorops: tensor operations of version 2 ----
  /**
   * The dimensions in a new order, like `torch.permute`: `x.permute(0, 2, 3, 1)` of `[N, C, H, W]` is `[N, H, W, C]`.
   * @param dims every dimension once.
   */
  permute(...dims: number[]): Tensor;
  /** As `permute(...dims)`, the dimensions as one list. @param dims every dimension once. */
  permute(dims: readonly number[]): Tensor;
  /** Swaps two dimensions, like `torch.transpose`. @param dim0 a dimension. @param dim1 another. */
  transpose(dim0: number, dim1: number): Tensor;
  /** Transposes a tensor of at most 2 dimensions, like `torch.t`. */
  t(): Tensor;
  /** Inserts a dimension of size 1 at `dim` (from `-rank-1` to `rank`). @param dim where. */
  unsqueeze(dim: number): Tensor;
  /** Removes dimensions of size 1: all of them, or those of `dim` that are 1. @param dim one dimension or several. */
  squeeze(dim?: number | readonly number[]): Tensor;
  /**
   * A broadcast view with larger sizes: size-1 dimensions grow, `-1` keeps a size, new leading dimensions may be added.
   * @param size the new sizes (a symbolic batch may be one).
   */
  expand(...size: number[]): Tensor;
  /** As `expand(...size)`, the sizes as one list. @param size the new sizes. */
  expand(size: readonly number[]): Tensor;
  /** `x.expand(other.shape)`. @param other the tensor whose shape to take. */
  expandAs(other: Tensor): Tensor;
  /** Tiles the tensor: dimension `i` becomes `size[i] · repeats[i]` (extra leading repeats add dimensions). @param repeats per dimension. */
  repeat(...repeats: number[]): Tensor;
  /**
   * Cuts `dim` into `chunks` pieces of `ceil(size / chunks)` (the last smaller), like `torch.chunk`.
   * @param chunks how many. @param dim Default: `0`.
   * @example
   * const [q, k, v] = this.qkv(x).chunk(3, -1)
   */
  chunk<C extends number>(chunks: C, dim?: number): TensorTuple<C>;
  /**
   * Cuts `dim` into pieces of `splitSizeOrSections` (the last smaller) or of the listed sizes, like `torch.split`.
   * @param splitSizeOrSections a size or the list of sizes (adding up to the dimension).
   * @param dim Default: `0`.
   */
  split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
  /** `length` entries of `dim` from `start` (negative counts from the end), like `torch.narrow`. @param dim the dimension. @param start first index. @param length how many. */
  narrow(dim: number, start: number, length: number): Tensor;
  /** Entry `index` of `dim`, which is removed: Python's `x[:, 0]` is `x.select(1, 0)`; `x[0]` is `x.select(0, 0)`. @param dim the dimension. @param index the entry. */
  select(dim: number, index: number): Tensor;
  /** The entries of `dim` listed by a 1-D `index` tensor, like `torch.index_select`. @param dim the dimension. @param index the indices. */
  indexSelect(dim: number, index: Tensor): Tensor;
  /** Reverses the order along the given dimensions; same shape. @param dims the dimensions. */
  flip(...dims: number[]): Tensor;
  /** Rolls entries along dimensions (flattened when `dims` is absent), like `torch.roll`; same shape. @param shifts per dimension. @param dims the dimensions. */
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor;
  /**
   * Matrix product with PyTorch's rules (`@` in Python): 1-D operands are promoted, batch dimensions broadcast.
   * Its multiply–accumulates count in the MACs (batch 1); a product of two activations sees the whole input.
   * @param other the right operand.
   * @example
   * q.matmul(k.transpose(-2, -1)) // [N, h, L, d] @ [N, h, d, L] → [N, h, L, L]
   */
  matmul(other: Tensor): Tensor;
  /** Batched matrix product of `[B, n, m]` and `[B, m, p]`, like `torch.bmm`. @param other `[B, m, p]`. */
  bmm(other: Tensor): Tensor;
  /** Softmax along `dim`; same shape. @param dim the dimension. */
  softmax(dim: number): Tensor;
  /** Log-softmax along `dim`; same shape. @param dim the dimension. */
  logSoftmax(dim: number): Tensor;
  /** Sum over `dim` (all when absent). @param dim one dimension or several. @param keepdim keep them with size 1. Default: `false`. */
  sum(dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** Mean of all entries: a 0-D tensor. */
  mean(): Tensor;
  /** Maximum over `dim`. @param dim one dimension or several. @param keepdim Default: `false`. */
  amax(dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** Minimum over `dim`. @param dim one dimension or several. @param keepdim Default: `false`. */
  amin(dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** The largest entry: a 0-D tensor. */
  max(): Tensor;
  /** `[values, indices]` of the maxima along `dim`, like PyTorch's `(values, indices)`. @param dim the dimension. @param keepdim Default: `false`. */
  max(dim: number, keepdim?: boolean): [Tensor, Tensor];
  /** Element-wise maximum with broadcasting (`torch.maximum`). @param other a tensor. */
  max(other: Tensor): Tensor;
  /** The smallest entry: a 0-D tensor. */
  min(): Tensor;
  /** `[values, indices]` of the minima along `dim`. @param dim the dimension. @param keepdim Default: `false`. */
  min(dim: number, keepdim?: boolean): [Tensor, Tensor];
  /** Element-wise minimum with broadcasting (`torch.minimum`). @param other a tensor. */
  min(other: Tensor): Tensor;
  /** Standard deviation over `dim` (all when absent). @param dim one dimension or several. @param keepdim Default: `false`. @param opts `correction` (Default: `1`, Bessel's). */
  std(dim?: number | readonly number[], keepdim?: boolean, opts?: { correction?: number }): Tensor;
  /** Variance over `dim` (all when absent). @param dim one dimension or several. @param keepdim Default: `false`. @param opts `correction` (Default: `1`). */
  var(dim?: number | readonly number[], keepdim?: boolean, opts?: { correction?: number }): Tensor;
  /** The `p`-norm over `dim` (all when absent), like `torch.norm`. @param p Default: `2`. @param dim one dimension or several. @param keepdim Default: `false`. */
  norm(p?: number | "fro", dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** Square root element-wise. */
  sqrt(): Tensor;
  /** `1 / sqrt(x)` element-wise. */
  rsqrt(): Tensor;
  /** `e^x` element-wise. */
  exp(): Tensor;
  /** Natural logarithm element-wise. */
  log(): Tensor;
  /** Absolute value element-wise. */
  abs(): Tensor;
  /** `-x` element-wise. */
  neg(): Tensor;
  /** `x^exponent` element-wise with broadcasting. @param exponent a number or a tensor. */
  pow(exponent: number | Tensor): Tensor;
  /** Clamps entries into `[min, max]`; one bound may be absent. @param min lower bound. @param max upper bound. */
  clamp(min?: number | null, max?: number | null): Tensor;
  /** Clamps with the bounds as options: `x.clamp({ min: 0 })`. @param opts `min`, `max`. */
  clamp(opts: { min?: number; max?: number }): Tensor;
  /** `x + value · tensor1 · tensor2` with broadcasting. @param tensor1 a factor. @param tensor2 the other. @param opts `value` (Default: `1`). */
  addcmul(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor;
  /** `value` where `mask` is true; the mask broadcasts. @param mask a boolean tensor. @param value the fill value. */
  maskedFill(mask: Tensor, value: number): Tensor;
  /** `x` where `condition`, else `other` (PyTorch's `x.where(condition, other)`). @param condition a boolean tensor. @param other a tensor or a number. */
  where(condition: Tensor, other: Tensor | number): Tensor;
  /** `x == other` element-wise with broadcasting. @param other a tensor or a number. */
  eq(other: Tensor | number): Tensor;
  /** `x != other` element-wise. @param other a tensor or a number. */
  ne(other: Tensor | number): Tensor;
  /** `x < other` element-wise. @param other a tensor or a number. */
  lt(other: Tensor | number): Tensor;
  /** `x > other` element-wise. @param other a tensor or a number. */
  gt(other: Tensor | number): Tensor;
  /** `x <= other` element-wise. @param other a tensor or a number. */
  le(other: Tensor | number): Tensor;
  /** `x >= other` element-wise. @param other a tensor or a number. */
  ge(other: Tensor | number): Tensor;
  /** A tensor of zeros of the given size (no dependence on `x`'s values). @param size the sizes. */
  newZeros(...size: number[]): Tensor;
  /** A tensor of ones of the given size. @param size the sizes. */
  newOnes(...size: number[]): Tensor;
  /** The same values as float32 (the only type modelled); same shape. */
  float(): Tensor;
  /** The same tensor on a device or in a type (accepted and ignored); same shape. @param args anything. */
  to(...args: unknown[]): Tensor;
  /** The same values, cut from the gradient; same shape. */
  detach(): Tensor;
  /** A copy; same shape. */
  clone(): Tensor;
  /** Number of entries (the batch may be symbolic). */
  numel(): number;
  /** In place: `x += other` (the tensor keeps its shape). @param other a tensor or a number. */
  add_(other: Tensor | number): Tensor;
  /** In place: `x -= other`. @param other a tensor or a number. */
  sub_(other: Tensor | number): Tensor;
  /** In place: `x *= other`. @param other a tensor or a number. */
  mul_(other: Tensor | number): Tensor;
  /** In place: `x /= other`. @param other a tensor or a number. */
  div_(other: Tensor | number): Tensor;
  /** In place: clamps into `[min, max]`. @param min lower bound. @param max upper bound. */
  clamp_(min?: number | null, max?: number | null): Tensor;
  /** In place: each entry 1 with probability `p`, else 0 (stochastic depth's mask). @param p Default: `0.5`. */
  bernoulli_(p?: number): Tensor;
  // ---- end tensorops ----
}

// ────────────────────────────────────────────────────────────────────────────────────────────
// nn — modules
// ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Module factories and base classes, like `torch.nn`. Factories are called **without** `new` and
 * return callable modules; `nn.Module` and the containers are also base classes for custom modules.
 */
export declare namespace nn {
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

  // ── Convolutions ────────────────────────────────────────────────────────────────────────

  /** Options of {@link nn.Conv2d} (PyTorch's keyword arguments, camelCase). */
  export interface Conv2dOptions {
    /**
     * Step of the kernel over the input: a number, or `[strideH, strideW]`.
     * @defaultValue 1
     */
    stride?: Size2d;
    /**
     * Zeros added on both sides of each spatial axis: a number, `[padH, padW]`, `"valid"` (no
     * padding) or `"same"` (output keeps the input's height and width; requires stride 1).
     * @defaultValue 0
     */
    padding?: Conv2dPadding;
    /**
     * Spacing between kernel elements (atrous / dilated convolution): a number or `[dH, dW]`.
     * The kernel then spans `dilation·(kernelSize − 1) + 1` pixels.
     * @defaultValue 1
     */
    dilation?: Size2d;
    /**
     * Number of blocked connections from input to output channels: `inChannels` and `outChannels`
     * must both be divisible by it. `groups: inChannels` is a depthwise convolution.
     * @defaultValue 1
     */
    groups?: number;
    /**
     * Whether to add a learnable bias (`outChannels` parameters). Usually `false` before a BatchNorm.
     * @defaultValue true
     */
    bias?: boolean;
    /**
     * How the padding is filled. Shapes and parameters do not depend on it.
     * @defaultValue "zeros"
     */
    paddingMode?: "zeros" | "reflect" | "replicate" | "circular";
  }

  /**
   * 2-D convolution over an input of several channels, like `torch.nn.Conv2d`: each of the
   * `outChannels` filters (`kH × kW` over the `inChannels / groups` channels of its group) slides
   * over the input; plus an optional bias per output channel.
   *
   * **Shape**: `[N, inChannels, H_in, W_in]` → `[N, outChannels, H_out, W_out]` with
   * ```text
   * H_out = floor((H_in + 2·padding[0] − dilation[0]·(kernelSize[0] − 1) − 1) / stride[0] + 1)
   * W_out = floor((W_in + 2·padding[1] − dilation[1]·(kernelSize[1] − 1) − 1) / stride[1] + 1)
   * ```
   * (`padding: "same"` keeps `H_in × W_in`.)
   *
   * **Parameters**: `outChannels · (inChannels / groups) · kH · kW` weights `+ outChannels` biases
   * (when `bias`).
   *
   * **MACs**: `N · outChannels · H_out · W_out · (inChannels / groups) · kH · kW`.
   *
   * **Receptive field**: grows by `dilation·(kernelSize − 1)·jump`; the jump (effective stride) is
   * multiplied by `stride`.
   *
   * @param inChannels number of channels of the input; must be divisible by `groups`.
   * @param outChannels number of channels produced (number of filters); must be divisible by `groups`.
   * @param kernelSize size of the kernel: `k` (a `k × k` kernel) or `[kH, kW]`.
   * @param opts `stride` (1), `padding` (0, `"same"`, `"valid"`), `dilation` (1), `groups` (1),
   *   `bias` (true), `paddingMode` ("zeros").
   * @returns a callable `Conv2d` module: `conv(x)`.
   * @example
   * nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }) // [N, 3, 224, 224] → [N, 64, 112, 112]; 9,408 params
   * nn.Conv2d(32, 32, 3, { padding: 1, groups: 32 })            // depthwise 3×3
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
   */
  export function Conv2d(inChannels: number, outChannels: number, kernelSize: Size2d, opts?: Conv2dOptions): Conv2d;
  /** A 2-D convolution module, made by {@link nn.Conv2d}. */
  export interface Conv2d extends Module {
    readonly inChannels: number;
    readonly outChannels: number;
    readonly kernelSize: [number, number];
    readonly stride: [number, number];
    /** Padding per side, `[padH, padW]` (for `"same"`: the top/left amount; `"valid"`: `[0, 0]`). */
    readonly padding: [number, number];
    readonly dilation: [number, number];
    readonly groups: number;
    readonly paddingMode: "zeros" | "reflect" | "replicate" | "circular";
    /** Convolves `input` (`[N, inChannels, H, W]`). */
    forward(input: Tensor): Tensor;
  }

  /** Options of {@link nn.ConvTranspose2d} (PyTorch's keyword arguments, camelCase). */
  export interface ConvTranspose2dOptions {
    /**
     * Upsampling factor: a number or `[strideH, strideW]`.
     * @defaultValue 1
     */
    stride?: Size2d;
    /**
     * Implicit padding of the equivalent convolution: in effect, `padding` rows/columns are cropped
     * from both sides of the output. A number or `[padH, padW]`.
     * @defaultValue 0
     */
    padding?: Size2d;
    /**
     * Extra rows/columns added to one side of the output, to pick among the output sizes a strided
     * convolution maps to the same input size. Must be smaller than `stride` or `dilation`.
     * @defaultValue 0
     */
    outputPadding?: Size2d;
    /**
     * Spacing between kernel elements: a number or `[dH, dW]`.
     * @defaultValue 1
     */
    dilation?: Size2d;
    /**
     * Blocked connections: `inChannels` and `outChannels` must both be divisible by it.
     * @defaultValue 1
     */
    groups?: number;
    /**
     * Whether to add a learnable bias (`outChannels` parameters).
     * @defaultValue true
     */
    bias?: boolean;
  }

  /**
   * 2-D transposed convolution ("deconvolution", fractionally-strided convolution), like
   * `torch.nn.ConvTranspose2d`: the gradient of a `Conv2d` with respect to its input; used to upsample
   * with learned filters (decoders, U-Net, GAN generators).
   *
   * **Shape**: `[N, inChannels, H_in, W_in]` → `[N, outChannels, H_out, W_out]` with
   * ```text
   * H_out = (H_in − 1)·stride[0] − 2·padding[0] + dilation[0]·(kernelSize[0] − 1) + outputPadding[0] + 1
   * W_out = (W_in − 1)·stride[1] − 2·padding[1] + dilation[1]·(kernelSize[1] − 1) + outputPadding[1] + 1
   * ```
   *
   * **Parameters**: `inChannels · (outChannels / groups) · kH · kW` weights `+ outChannels` biases
   * (when `bias`).
   *
   * **MACs**: `N · inChannels · H_in · W_in · (outChannels / groups) · kH · kW`.
   *
   * @param inChannels number of channels of the input; must be divisible by `groups`.
   * @param outChannels number of channels produced; must be divisible by `groups`.
   * @param kernelSize size of the kernel: `k` or `[kH, kW]`.
   * @param opts `stride` (1), `padding` (0), `outputPadding` (0), `dilation` (1), `groups` (1),
   *   `bias` (true).
   * @returns a callable `ConvTranspose2d` module.
   * @example
   * nn.ConvTranspose2d(128, 64, 2, { stride: 2 })                           // [N, 128, 28, 28] → [N, 64, 56, 56]
   * nn.ConvTranspose2d(64, 32, 3, { stride: 2, padding: 1, outputPadding: 1 }) // doubles H and W
   * @see https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html
   */
  export function ConvTranspose2d(inChannels: number, outChannels: number, kernelSize: Size2d, opts?: ConvTranspose2dOptions): ConvTranspose2d;
  /** A 2-D transposed convolution module, made by {@link nn.ConvTranspose2d}. */
  export interface ConvTranspose2d extends Module {
    readonly inChannels: number;
    readonly outChannels: number;
    readonly kernelSize: [number, number];
    readonly stride: [number, number];
    readonly padding: [number, number];
    readonly outputPadding: [number, number];
    readonly dilation: [number, number];
    readonly groups: number;
    /** Applies the transposed convolution to `input` (`[N, inChannels, H, W]`). */
    forward(input: Tensor): Tensor;
  }

  // ── Linear ──────────────────────────────────────────────────────────────────────────────

  /** Options of {@link nn.Linear}. */
  export interface LinearOptions {
    /**
     * Whether to add a learnable bias (`outFeatures` parameters).
     * @defaultValue true
     */
    bias?: boolean;
  }

  /**
   * Fully connected layer, like `torch.nn.Linear`: `y = x·Wᵀ + b` over the **last** dimension.
   * Flatten image features first (`nn.Flatten()`, `torch.flatten(x, 1)`).
   *
   * **Shape**: `[*, inFeatures]` → `[*, outFeatures]` (e.g. `[N, 400]` → `[N, 120]`); the last
   * dimension of the input must equal `inFeatures`.
   *
   * **Parameters**: `inFeatures · outFeatures` weights `+ outFeatures` biases (when `bias`).
   *
   * **MACs**: `inFeatures ·` (number of output elements), e.g. `N · inFeatures · outFeatures`.
   *
   * @param inFeatures size of each input sample (last dimension of the input).
   * @param outFeatures size of each output sample.
   * @param opts `bias` (true).
   * @returns a callable `Linear` module.
   * @example
   * nn.Linear(16 * 5 * 5, 120) // [N, 400] → [N, 120]; 48,120 params
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
   */
  export function Linear(inFeatures: number, outFeatures: number, opts?: LinearOptions): Linear;
  /** A fully connected module, made by {@link nn.Linear}. */
  export interface Linear extends Module {
    readonly inFeatures: number;
    readonly outFeatures: number;
    /** Applies `x·Wᵀ + b` to `input` (`[*, inFeatures]`). */
    forward(input: Tensor): Tensor;
  }

  // ── Pooling ─────────────────────────────────────────────────────────────────────────────

  /** Options of {@link nn.MaxPool2d} and {@link F.maxPool2d}. */
  export interface MaxPool2dOptions {
    /**
     * Step of the window: a number or `[strideH, strideW]`.
     * @defaultValue kernelSize
     */
    stride?: Size2d;
    /**
     * Implicit `−∞` padding on both sides of each spatial axis; at most half the kernel size.
     * @defaultValue 0
     */
    padding?: Size2d;
    /**
     * Spacing between window elements.
     * @defaultValue 1
     */
    dilation?: Size2d;
    /**
     * PyTorch's `return_indices`: only `false` (the indices of the maxima are not modelled).
     * @defaultValue false
     */
    returnIndices?: false;
    /**
     * Use `ceil` instead of `floor` in the output-size formula (a last, partial window is kept when
     * it starts inside the input or the left padding).
     * @defaultValue false
     */
    ceilMode?: boolean;
  }

  /**
   * 2-D max pooling, like `torch.nn.MaxPool2d`: the maximum over each `kH × kW` window, per channel.
   *
   * **Shape**: `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]` with
   * ```text
   * H_out = floor((H_in + 2·padding[0] − dilation[0]·(kernelSize[0] − 1) − 1) / stride[0] + 1)
   * W_out = floor((W_in + 2·padding[1] − dilation[1]·(kernelSize[1] − 1) − 1) / stride[1] + 1)
   * ```
   * (`ceil` instead of `floor` with `ceilMode`).
   *
   * **Parameters**: none.
   *
   * @param kernelSize size of the window: `k` or `[kH, kW]`.
   * @param opts `stride` (= kernelSize), `padding` (0), `dilation` (1), `ceilMode` (false).
   * @returns a callable `MaxPool2d` module.
   * @example
   * nn.MaxPool2d(2)                            // [N, 64, 56, 56] → [N, 64, 28, 28]
   * nn.MaxPool2d(3, { stride: 2, padding: 1 }) // ResNet stem: [N, 64, 112, 112] → [N, 64, 56, 56]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html
   */
  export function MaxPool2d(kernelSize: Size2d, opts?: MaxPool2dOptions): MaxPool2d;
  /** A max-pooling module, made by {@link nn.MaxPool2d}. */
  export interface MaxPool2d extends Module {
    readonly kernelSize: [number, number];
    readonly stride: [number, number];
    readonly padding: [number, number];
    readonly dilation: [number, number];
    readonly ceilMode: boolean;
    /** Max-pools `input` (`[N, C, H, W]`). */
    forward(input: Tensor): Tensor;
  }

  /** Options of {@link nn.AvgPool2d} and {@link F.avgPool2d}. */
  export interface AvgPool2dOptions {
    /**
     * Step of the window: a number or `[strideH, strideW]`.
     * @defaultValue kernelSize
     */
    stride?: Size2d;
    /**
     * Implicit zero padding on both sides of each spatial axis; at most half the kernel size.
     * @defaultValue 0
     */
    padding?: Size2d;
    /**
     * Use `ceil` instead of `floor` in the output-size formula.
     * @defaultValue false
     */
    ceilMode?: boolean;
    /**
     * Whether the zero padding counts in the averages' denominators.
     * @defaultValue true
     */
    countIncludePad?: boolean;
    /**
     * A fixed divisor instead of the window size. Shapes do not depend on it.
     * @defaultValue undefined (the window size)
     */
    divisorOverride?: number;
  }

  /**
   * 2-D average pooling, like `torch.nn.AvgPool2d`: the mean over each `kH × kW` window, per channel.
   *
   * **Shape**: `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]` with
   * ```text
   * H_out = floor((H_in + 2·padding[0] − kernelSize[0]) / stride[0] + 1)
   * W_out = floor((W_in + 2·padding[1] − kernelSize[1]) / stride[1] + 1)
   * ```
   * (`ceil` instead of `floor` with `ceilMode`).
   *
   * **Parameters**: none.
   *
   * @param kernelSize size of the window: `k` or `[kH, kW]`.
   * @param opts `stride` (= kernelSize), `padding` (0), `ceilMode` (false), `countIncludePad` (true).
   * @returns a callable `AvgPool2d` module.
   * @example
   * nn.AvgPool2d(2) // LeNet-5 subsampling: [N, 6, 28, 28] → [N, 6, 14, 14]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.AvgPool2d.html
   */
  export function AvgPool2d(kernelSize: Size2d, opts?: AvgPool2dOptions): AvgPool2d;
  /** An average-pooling module, made by {@link nn.AvgPool2d}. */
  export interface AvgPool2d extends Module {
    readonly kernelSize: [number, number];
    readonly stride: [number, number];
    readonly padding: [number, number];
    readonly ceilMode: boolean;
    readonly countIncludePad: boolean;
    /** Average-pools `input` (`[N, C, H, W]`). */
    forward(input: Tensor): Tensor;
  }

  /**
   * 2-D adaptive average pooling, like `torch.nn.AdaptiveAvgPool2d`: averages over windows chosen so
   * that the output has the requested size **whatever the input size** (output row `i` averages input
   * rows `floor(i·H_in / H_out)` to `ceil((i + 1)·H_in / H_out) − 1`). `nn.AdaptiveAvgPool2d(1)` is
   * global average pooling.
   *
   * **Shape**: `[N, C, H_in, W_in]` → `[N, C, outputSize[0], outputSize[1]]`.
   *
   * **Parameters**: none.
   *
   * @param outputSize the output's height and width: `s` (an `s × s` output) or `[H_out, W_out]`.
   * @returns a callable `AdaptiveAvgPool2d` module.
   * @example
   * nn.AdaptiveAvgPool2d(1)      // [N, 512, 7, 7] → [N, 512, 1, 1]
   * nn.AdaptiveAvgPool2d([6, 6]) // AlexNet: [N, 256, 13, 13] → [N, 256, 6, 6]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveAvgPool2d.html
   */
  export function AdaptiveAvgPool2d(outputSize: Size2d): AdaptiveAvgPool2d;
  /** An adaptive average-pooling module, made by {@link nn.AdaptiveAvgPool2d}. */
  export interface AdaptiveAvgPool2d extends Module {
    readonly outputSize: Size2d;
    /** Pools `input` (`[N, C, H, W]`) to `[N, C, outputSize…]`. */
    forward(input: Tensor): Tensor;
  }

  /**
   * 2-D adaptive max pooling, like `torch.nn.AdaptiveMaxPool2d`: the maximum over windows chosen so
   * that the output has the requested size whatever the input size (same windows as
   * {@link nn.AdaptiveAvgPool2d}).
   *
   * **Shape**: `[N, C, H_in, W_in]` → `[N, C, outputSize[0], outputSize[1]]`.
   *
   * **Parameters**: none.
   *
   * @param outputSize the output's height and width: `s` or `[H_out, W_out]`.
   * @returns a callable `AdaptiveMaxPool2d` module.
   * @example
   * nn.AdaptiveMaxPool2d(1) // [N, 512, 7, 7] → [N, 512, 1, 1]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveMaxPool2d.html
   */
  export function AdaptiveMaxPool2d(outputSize: Size2d): AdaptiveMaxPool2d;
  /** An adaptive max-pooling module, made by {@link nn.AdaptiveMaxPool2d}. */
  export interface AdaptiveMaxPool2d extends Module {
    readonly outputSize: Size2d;
    /** Pools `input` (`[N, C, H, W]`) to `[N, C, outputSize…]`. */
    forward(input: Tensor): Tensor;
  }

  // ── Normalisation ───────────────────────────────────────────────────────────────────────

  /** Options of {@link nn.BatchNorm2d} and {@link nn.BatchNorm1d}. */
  export interface BatchNormOptions {
    /**
     * Added to the variance for numerical stability.
     * @defaultValue 1e-5
     */
    eps?: number;
    /**
     * Weight of the current batch in the running mean and variance.
     * @defaultValue 0.1
     */
    momentum?: number;
    /**
     * Whether to learn a per-channel scale γ and shift β (`2 · numFeatures` parameters).
     * @defaultValue true
     */
    affine?: boolean;
    /**
     * Whether to keep running statistics (buffers `runningMean`, `runningVar`: `numFeatures` each,
     * and `numBatchesTracked`: 1).
     * @defaultValue true
     */
    trackRunningStats?: boolean;
  }

  /**
   * Batch normalisation over a 4-D input, like `torch.nn.BatchNorm2d`: per channel,
   * `y = (x − E[x]) / sqrt(Var[x] + eps) · γ + β`, with statistics over `N, H, W` (training) or the
   * running statistics (evaluation).
   *
   * **Shape**: `[N, C, H, W]` → same, with `C = numFeatures`.
   *
   * **Parameters**: `2 · numFeatures` (γ and β) when `affine`. The running mean and variance
   * (`2 · numFeatures`) and the batch counter (1) are **buffers**, not parameters — as in PyTorch.
   *
   * @param numFeatures number of channels `C` of the input.
   * @param opts `eps` (1e-5), `momentum` (0.1), `affine` (true), `trackRunningStats` (true).
   * @returns a callable `BatchNorm2d` module.
   * @example
   * nn.BatchNorm2d(64) // [N, 64, 56, 56] → [N, 64, 56, 56]; 128 params, 129 buffer elements
   * @see https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
   */
  export function BatchNorm2d(numFeatures: number, opts?: BatchNormOptions): BatchNorm2d;
  /** A 2-D batch-normalisation module, made by {@link nn.BatchNorm2d}. */
  export interface BatchNorm2d extends Module {
    readonly numFeatures: number;
    readonly eps: number;
    readonly momentum: number;
    readonly affine: boolean;
    readonly trackRunningStats: boolean;
    /** Normalises `input` (`[N, numFeatures, H, W]`). */
    forward(input: Tensor): Tensor;
  }

  /**
   * Batch normalisation over a 2-D or 3-D input, like `torch.nn.BatchNorm1d`: per feature,
   * `y = (x − E[x]) / sqrt(Var[x] + eps) · γ + β`.
   *
   * **Shape**: `[N, C]` or `[N, C, L]` → same, with `C = numFeatures`.
   *
   * **Parameters**: `2 · numFeatures` when `affine`; running statistics are buffers.
   *
   * @param numFeatures number of features / channels `C` of the input.
   * @param opts `eps` (1e-5), `momentum` (0.1), `affine` (true), `trackRunningStats` (true).
   * @returns a callable `BatchNorm1d` module.
   * @example
   * nn.Sequential(nn.Linear(512, 256), nn.BatchNorm1d(256), nn.ReLU())
   * @see https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
   */
  export function BatchNorm1d(numFeatures: number, opts?: BatchNormOptions): BatchNorm1d;
  /** A 1-D batch-normalisation module, made by {@link nn.BatchNorm1d}. */
  export interface BatchNorm1d extends Module {
    readonly numFeatures: number;
    readonly eps: number;
    readonly momentum: number;
    readonly affine: boolean;
    readonly trackRunningStats: boolean;
    /** Normalises `input` (`[N, numFeatures]` or `[N, numFeatures, L]`). */
    forward(input: Tensor): Tensor;
  }

  /** Options of {@link nn.LocalResponseNorm}. */
  export interface LocalResponseNormOptions {
    /**
     * Multiplicative factor.
     * @defaultValue 1e-4
     */
    alpha?: number;
    /**
     * Exponent.
     * @defaultValue 0.75
     */
    beta?: number;
    /**
     * Additive factor.
     * @defaultValue 1
     */
    k?: number;
  }

  /**
   * Local response normalisation across channels, like `torch.nn.LocalResponseNorm` (AlexNet):
   * `b_c = a_c · (k + alpha / size · Σ a_c'²)^(−beta)`, the sum over the `size` channels around `c`.
   *
   * **Shape**: `[N, C, H, W]` → same. **Parameters**: none.
   *
   * @param size number of neighbouring channels used for normalisation.
   * @param opts `alpha` (1e-4), `beta` (0.75), `k` (1).
   * @returns a callable `LocalResponseNorm` module.
   * @example
   * nn.LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 2 }) // AlexNet (2012)
   * @see https://pytorch.org/docs/stable/generated/torch.nn.LocalResponseNorm.html
   */
  export function LocalResponseNorm(size: number, opts?: LocalResponseNormOptions): LocalResponseNorm;
  /** A local-response-normalisation module, made by {@link nn.LocalResponseNorm}. */
  export interface LocalResponseNorm extends Module {
    readonly size: number;
    readonly alpha: number;
    readonly beta: number;
    readonly k: number;
    /** Normalises `input` (`[N, C, H, W]`). */
    forward(input: Tensor): Tensor;
  }

  // ── Dropout ─────────────────────────────────────────────────────────────────────────────

  /** The `inplace` option, accepted wherever PyTorch has it and ignored by the analysis. */
  export interface InplaceOptions {
    /**
     * Overwrite the input instead of allocating the output (PyTorch's memory optimisation). Accepted
     * and ignored: it changes neither shapes nor parameters.
     * @defaultValue false
     */
    inplace?: boolean;
  }

  /**
   * Dropout, like `torch.nn.Dropout`: in training, zeroes each element with probability `p` and
   * scales the others by `1 / (1 − p)`; in evaluation (what CNN Studio analyses) it is the identity.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param p probability of an element being zeroed, in `[0, 1]`. Default: `0.5`.
   * @param opts `inplace` (false, ignored).
   * @returns a callable `Dropout` module.
   * @example
   * nn.Sequential(nn.Dropout(), nn.Linear(9216, 4096), nn.ReLU({ inplace: true })) // AlexNet classifier
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html
   */
  export function Dropout(p?: number, opts?: InplaceOptions): Dropout;
  /** A dropout module, made by {@link nn.Dropout}. */
  export interface Dropout extends Module {
    readonly p: number;
    /** Applies dropout to `input` (identity in evaluation mode). */
    forward(input: Tensor): Tensor;
  }

  /**
   * Channel dropout, like `torch.nn.Dropout2d`: in training, zeroes **whole channels** with
   * probability `p` (scaling the others by `1 / (1 − p)`); the identity in evaluation.
   *
   * **Shape**: `[N, C, H, W]` → same. **Parameters**: none.
   *
   * @param p probability of a channel being zeroed, in `[0, 1]`. Default: `0.5`.
   * @param opts `inplace` (false, ignored).
   * @returns a callable `Dropout2d` module.
   * @example
   * nn.Dropout2d(0.2)
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Dropout2d.html
   */
  export function Dropout2d(p?: number, opts?: InplaceOptions): Dropout2d;
  /** A channel-dropout module, made by {@link nn.Dropout2d}. */
  export interface Dropout2d extends Module {
    readonly p: number;
    /** Applies channel dropout to `input` (identity in evaluation mode). */
    forward(input: Tensor): Tensor;
  }

  // ── Reshaping ───────────────────────────────────────────────────────────────────────────

  /**
   * Flattens a range of dimensions into one, like `torch.nn.Flatten`. The defaults keep the batch:
   * `[N, C, H, W]` → `[N, C·H·W]`.
   *
   * **Shape**: dimensions `startDim … endDim` are replaced by their product.
   * **Parameters**: none.
   *
   * @param startDim first dimension to flatten. Default: `1` (unlike `torch.flatten`, whose default is `0`).
   * @param endDim last dimension to flatten (inclusive). Default: `-1`.
   * @returns a callable `Flatten` module.
   * @example
   * nn.Flatten() // [N, 16, 5, 5] → [N, 400]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Flatten.html
   */
  export function Flatten(startDim?: number, endDim?: number): Flatten;
  /** A flattening module, made by {@link nn.Flatten}. */
  export interface Flatten extends Module {
    readonly startDim: number;
    readonly endDim: number;
    /** Flattens `input`. */
    forward(input: Tensor): Tensor;
  }

  /**
   * The identity, like `torch.nn.Identity`: returns its input. Any arguments are accepted and
   * ignored. Handy as a placeholder (`this.downsample = stride === 1 ? nn.Identity() : …`) or to
   * remove a head (`model.fc = nn.Identity()`).
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param args ignored.
   * @returns a callable `Identity` module.
   * @example
   * const shortcut = inC === outC ? nn.Identity() : nn.Conv2d(inC, outC, 1);
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Identity.html
   */
  export function Identity(...args: unknown[]): Identity;
  /** An identity module, made by {@link nn.Identity}. */
  export interface Identity extends Module {
    /** Returns `input` unchanged. */
    forward(input: Tensor): Tensor;
  }

  /** Options of {@link nn.Upsample} and {@link F.interpolate} shared by both forms. */
  export interface UpsampleCommonOptions {
    /**
     * Interpolation algorithm. Shapes do not depend on it.
     * @defaultValue "nearest"
     */
    mode?: InterpolationMode;
    /**
     * For `"bilinear"` / `"bicubic"`: align the corner pixels of input and output. Shapes do not
     * depend on it.
     * @defaultValue undefined (false)
     */
    alignCorners?: boolean;
    /**
     * With `scaleFactor`: compute the source indices from the output size instead of the factor.
     * Shapes do not depend on it.
     * @defaultValue undefined (false)
     */
    recomputeScaleFactor?: boolean;
  }

  /** Upsampling to a fixed output size. */
  export interface UpsampleSizeOptions extends UpsampleCommonOptions {
    /**
     * The output's height and width: `s` or `[H_out, W_out]`. Give either `size` or `scaleFactor`.
     * Another tensor's shape works too: `{ size: skip.shape.slice(-2) }`.
     */
    size: Size2d | readonly number[];
    scaleFactor?: undefined;
  }

  /** Upsampling by a factor. */
  export interface UpsampleScaleOptions extends UpsampleCommonOptions {
    /**
     * Multiplier of height and width: `H_out = floor(H_in · scaleFactor)`. A number or
     * `[scaleH, scaleW]`. Give either `scaleFactor` or `size`.
     */
    scaleFactor: number | readonly [number, number];
    size?: undefined;
  }

  /**
   * Options of {@link nn.Upsample} and {@link F.interpolate}: exactly one of `size` and `scaleFactor`,
   * and optionally `mode` ("nearest") and `alignCorners`.
   */
  export type UpsampleOptions = UpsampleSizeOptions | UpsampleScaleOptions;

  /**
   * Upsampling, like `torch.nn.Upsample`: resizes height and width by interpolation
   * (`"nearest"` by default; `"bilinear"`, `"bicubic"`, `"nearest-exact"`).
   *
   * **Shape**: `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]` with `H_out = size[0]` or
   * `H_out = floor(H_in · scaleFactor[0])` (likewise `W_out`).
   *
   * **Parameters**: none.
   *
   * @param opts exactly one of `size` and `scaleFactor`; `mode` ("nearest"), `alignCorners`.
   * @returns a callable `Upsample` module.
   * @example
   * nn.Upsample({ scaleFactor: 2 })                                        // [N, 64, 28, 28] → [N, 64, 56, 56]
   * nn.Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: true }) // U-Net decoder
   * nn.Upsample({ size: [224, 224], mode: "bilinear" })
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Upsample.html
   */
  export function Upsample(opts: UpsampleOptions): Upsample;
  /** An upsampling module, made by {@link nn.Upsample}. */
  export interface Upsample extends Module {
    readonly size: Size2d | null;
    readonly scaleFactor: number | readonly [number, number] | null;
    readonly mode: InterpolationMode;
    /** Resizes `input` (`[N, C, H, W]`). */
    forward(input: Tensor): Tensor;
  }

  // ── Activations ─────────────────────────────────────────────────────────────────────────

  /**
   * Rectified linear unit, like `torch.nn.ReLU`: `ReLU(x) = max(0, x)` element-wise.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param opts `inplace` (false, accepted and ignored).
   * @returns a callable `ReLU` module.
   * @example
   * nn.ReLU({ inplace: true })
   * @see https://pytorch.org/docs/stable/generated/torch.nn.ReLU.html
   */
  export function ReLU(opts?: InplaceOptions): ReLU;
  /** A ReLU module, made by {@link nn.ReLU}. */
  export interface ReLU extends Module {
    /** `max(0, input)` element-wise. */
    forward(input: Tensor): Tensor;
  }

  /**
   * ReLU capped at 6, like `torch.nn.ReLU6` (MobileNet): `ReLU6(x) = min(max(0, x), 6)`.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param opts `inplace` (false, accepted and ignored).
   * @returns a callable `ReLU6` module.
   * @example
   * nn.ReLU6({ inplace: true })
   * @see https://pytorch.org/docs/stable/generated/torch.nn.ReLU6.html
   */
  export function ReLU6(opts?: InplaceOptions): ReLU6;
  /** A ReLU6 module, made by {@link nn.ReLU6}. */
  export interface ReLU6 extends Module {
    /** `min(max(0, input), 6)` element-wise. */
    forward(input: Tensor): Tensor;
  }

  /**
   * Leaky ReLU, like `torch.nn.LeakyReLU`: `LeakyReLU(x) = max(0, x) + negativeSlope · min(0, x)`.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param negativeSlope slope for negative inputs. Default: `0.01`.
   * @param opts `inplace` (false, accepted and ignored).
   * @returns a callable `LeakyReLU` module.
   * @example
   * nn.LeakyReLU(0.2, { inplace: true }) // DCGAN discriminator
   * @see https://pytorch.org/docs/stable/generated/torch.nn.LeakyReLU.html
   */
  export function LeakyReLU(negativeSlope?: number, opts?: InplaceOptions): LeakyReLU;
  /** A leaky-ReLU module, made by {@link nn.LeakyReLU}. */
  export interface LeakyReLU extends Module {
    readonly negativeSlope: number;
    /** Leaky ReLU of `input`, element-wise. */
    forward(input: Tensor): Tensor;
  }

  /**
   * Exponential linear unit, like `torch.nn.ELU`: `ELU(x) = x` if `x > 0`, else `alpha · (exp(x) − 1)`.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param alpha the value ELU tends to for large negative inputs (as `−alpha`). Default: `1.0`.
   * @param opts `inplace` (false, accepted and ignored).
   * @returns a callable `ELU` module.
   * @example
   * nn.ELU()
   * @see https://pytorch.org/docs/stable/generated/torch.nn.ELU.html
   */
  export function ELU(alpha?: number, opts?: InplaceOptions): ELU;
  /** An ELU module, made by {@link nn.ELU}. */
  export interface ELU extends Module {
    readonly alpha: number;
    /** ELU of `input`, element-wise. */
    forward(input: Tensor): Tensor;
  }

  /** Options of {@link nn.GELU} and {@link F.gelu}. */
  export interface GELUOptions extends InplaceOptions {
    /**
     * `"none"`: exact `x · Φ(x)`; `"tanh"`: the tanh approximation. Shapes do not depend on it.
     * @defaultValue "none"
     */
    approximate?: "none" | "tanh";
  }

  /**
   * Gaussian error linear unit, like `torch.nn.GELU` (Transformers, ConvNeXt):
   * `GELU(x) = x · Φ(x)`, `Φ` the standard normal CDF; with `approximate: "tanh"`,
   * `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param opts `approximate` ("none"), `inplace` (accepted and ignored).
   * @returns a callable `GELU` module.
   * @example
   * nn.GELU()
   * @see https://pytorch.org/docs/stable/generated/torch.nn.GELU.html
   */
  export function GELU(opts?: GELUOptions): GELU;
  /** A GELU module, made by {@link nn.GELU}. */
  export interface GELU extends Module {
    readonly approximate: "none" | "tanh";
    /** GELU of `input`, element-wise. */
    forward(input: Tensor): Tensor;
  }

  /**
   * Sigmoid linear unit ("swish"), like `torch.nn.SiLU` (EfficientNet): `SiLU(x) = x · σ(x)`.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param opts `inplace` (false, accepted and ignored).
   * @returns a callable `SiLU` module.
   * @example
   * nn.SiLU({ inplace: true })
   * @see https://pytorch.org/docs/stable/generated/torch.nn.SiLU.html
   */
  export function SiLU(opts?: InplaceOptions): SiLU;
  /** A SiLU module, made by {@link nn.SiLU}. */
  export interface SiLU extends Module {
    /** `input · σ(input)` element-wise. */
    forward(input: Tensor): Tensor;
  }

  /**
   * Logistic sigmoid, like `torch.nn.Sigmoid`: `σ(x) = 1 / (1 + exp(−x))`, in `(0, 1)`.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param opts `inplace` (accepted and ignored).
   * @returns a callable `Sigmoid` module.
   * @example
   * nn.Sequential(nn.Linear(128, 1), nn.Sigmoid()) // binary classifier head
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Sigmoid.html
   */
  export function Sigmoid(opts?: InplaceOptions): Sigmoid;
  /** A sigmoid module, made by {@link nn.Sigmoid}. */
  export interface Sigmoid extends Module {
    /** `σ(input)` element-wise. */
    forward(input: Tensor): Tensor;
  }

  /**
   * Hyperbolic tangent, like `torch.nn.Tanh`: `tanh(x) = (exp(x) − exp(−x)) / (exp(x) + exp(−x))`,
   * in `(−1, 1)`.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param opts `inplace` (accepted and ignored).
   * @returns a callable `Tanh` module.
   * @example
   * nn.Sequential(nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2)) // LeNet-5
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Tanh.html
   */
  export function Tanh(opts?: InplaceOptions): Tanh;
  /** A tanh module, made by {@link nn.Tanh}. */
  export interface Tanh extends Module {
    /** `tanh(input)` element-wise. */
    forward(input: Tensor): Tensor;
  }

  /**
   * Hard swish, like `torch.nn.Hardswish` (MobileNetV3): `x · ReLU6(x + 3) / 6`.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param opts `inplace` (false, accepted and ignored).
   * @returns a callable `Hardswish` module.
   * @example
   * nn.Hardswish()
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Hardswish.html
   */
  export function Hardswish(opts?: InplaceOptions): Hardswish;
  /** A hard-swish module, made by {@link nn.Hardswish}. */
  export interface Hardswish extends Module {
    /** `input · ReLU6(input + 3) / 6` element-wise. */
    forward(input: Tensor): Tensor;
  }

  /**
   * Hard sigmoid, like `torch.nn.Hardsigmoid` (MobileNetV3 squeeze-excitation): `ReLU6(x + 3) / 6`.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param opts `inplace` (false, accepted and ignored).
   * @returns a callable `Hardsigmoid` module.
   * @example
   * nn.Hardsigmoid()
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Hardsigmoid.html
   */
  export function Hardsigmoid(opts?: InplaceOptions): Hardsigmoid;
  /** A hard-sigmoid module, made by {@link nn.Hardsigmoid}. */
  export interface Hardsigmoid extends Module {
    /** `ReLU6(input + 3) / 6` element-wise. */
    forward(input: Tensor): Tensor;
  }

  /**
   * Softmax, like `torch.nn.Softmax`: `softmax(x)_i = exp(x_i) / Σ_j exp(x_j)` along `dim`, so the
   * values along `dim` are in `(0, 1)` and sum to 1.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param dim the dimension along which to normalise (required; negative counts from the end),
   *   e.g. `1` for class scores `[N, classes]`.
   * @returns a callable `Softmax` module.
   * @example
   * nn.Sequential(nn.Linear(84, 10), nn.Softmax(1))
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Softmax.html
   */
  export function Softmax(dim: number): Softmax;
  /** A softmax module, made by {@link nn.Softmax}. */
  export interface Softmax extends Module {
    readonly dim: number;
    /** Softmax of `input` along `dim`. */
    forward(input: Tensor): Tensor;
  }
}

// ────────────────────────────────────────────────────────────────────────────────────────────
// F — functional forms
// ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Functional forms of layers without parameters, like `torch.nn.functional`: for use inside
 * `forward`, e.g. `F.relu(x)`, `F.adaptiveAvgPool2d(x, 1)`. They are not modules: they do not appear
 * as layers of their own, but their shapes and receptive fields are tracked.
 */
export declare namespace F {
  /**
   * ReLU, like `torch.nn.functional.relu`: `max(0, x)` element-wise. Shape unchanged.
   * @param x the input.
   * @param inplace accepted and ignored (`true`/`false` or `{ inplace }`). Default: `false`.
   * @example
   * F.relu(this.bn1(this.conv1(x)))
   */
  export function relu(x: Tensor, inplace?: boolean | nn.InplaceOptions): Tensor;
  /**
   * ReLU6, like `torch.nn.functional.relu6`: `min(max(0, x), 6)` element-wise. Shape unchanged.
   * @param x the input.
   * @param inplace accepted and ignored. Default: `false`.
   */
  export function relu6(x: Tensor, inplace?: boolean | nn.InplaceOptions): Tensor;
  /**
   * SiLU / swish, like `torch.nn.functional.silu`: `x · σ(x)` element-wise. Shape unchanged.
   * @param x the input.
   * @param inplace accepted and ignored. Default: `false`.
   */
  export function silu(x: Tensor, inplace?: boolean | nn.InplaceOptions): Tensor;
  /**
   * Logistic sigmoid, like `torch.sigmoid`: `1 / (1 + exp(−x))` element-wise. Shape unchanged.
   * @param x the input.
   * @example
   * x.mul(F.sigmoid(this.fc2(s))) // squeeze-and-excitation
   */
  export function sigmoid(x: Tensor): Tensor;
  /**
   * Hyperbolic tangent, like `torch.tanh`, element-wise. Shape unchanged.
   * @param x the input.
   */
  export function tanh(x: Tensor): Tensor;
  /**
   * GELU, like `torch.nn.functional.gelu`: `x · Φ(x)` element-wise (or its tanh approximation).
   * Shape unchanged.
   * @param x the input.
   * @param opts `approximate` ("none").
   */
  export function gelu(x: Tensor, opts?: nn.GELUOptions): Tensor;
  /**
   * ELU, like `torch.nn.functional.elu`: `x` if `x > 0`, else `alpha · (exp(x) − 1)`. Shape unchanged.
   * @param x the input.
   * @param alpha Default: `1.0`.
   * @param inplace accepted and ignored. Default: `false`.
   */
  export function elu(x: Tensor, alpha?: number, inplace?: boolean): Tensor;
  /**
   * Leaky ReLU, like `torch.nn.functional.leaky_relu`: `max(0, x) + negativeSlope · min(0, x)`.
   * Shape unchanged.
   * @param x the input.
   * @param negativeSlope Default: `0.01`.
   * @param inplace accepted and ignored. Default: `false`.
   * @example
   * F.leakyRelu(x, 0.2)
   */
  export function leakyRelu(x: Tensor, negativeSlope?: number, inplace?: boolean): Tensor;
  /**
   * Hard swish, like `torch.nn.functional.hardswish`: `x · ReLU6(x + 3) / 6`. Shape unchanged.
   * @param x the input.
   * @param inplace accepted and ignored. Default: `false`.
   */
  export function hardswish(x: Tensor, inplace?: boolean | nn.InplaceOptions): Tensor;
  /**
   * Hard sigmoid, like `torch.nn.functional.hardsigmoid`: `ReLU6(x + 3) / 6`. Shape unchanged.
   * @param x the input.
   * @param inplace accepted and ignored. Default: `false`.
   */
  export function hardsigmoid(x: Tensor, inplace?: boolean | nn.InplaceOptions): Tensor;
  /**
   * Softmax along `dim`, like `torch.nn.functional.softmax`: `exp(x_i) / Σ_j exp(x_j)`.
   * Shape unchanged.
   * @param x the input.
   * @param dim the dimension to normalise along (required; negative counts from the end).
   * @example
   * F.softmax(logits, 1) // [N, 10] → [N, 10], rows sum to 1
   */
  export function softmax(x: Tensor, dim: number): Tensor;
  /**
   * Dropout, like `torch.nn.functional.dropout`: in training zeroes elements with probability `p`
   * and scales the others by `1 / (1 − p)`; the identity otherwise. Shape unchanged.
   * @param x the input.
   * @param p probability of an element being zeroed. Default: `0.5`.
   * @param training apply dropout (pass `this.training`). Default: `true`.
   * @param inplace accepted and ignored. Default: `false`.
   * @example
   * F.dropout(x, 0.2, this.training)
   */
  export function dropout(x: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
  /**
   * Channel dropout, like `torch.nn.functional.dropout2d`: in training zeroes whole channels with
   * probability `p`; the identity otherwise. Shape unchanged.
   * @param x the input `[N, C, H, W]`.
   * @param p probability of a channel being zeroed. Default: `0.5`.
   * @param training apply dropout (pass `this.training`). Default: `true`.
   * @param inplace accepted and ignored. Default: `false`.
   */
  export function dropout2d(x: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
  /**
   * 2-D max pooling, like `torch.nn.functional.max_pool2d` (see {@link nn.MaxPool2d}):
   * `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]`,
   * `H_out = floor((H_in + 2·padding − dilation·(kernelSize − 1) − 1) / stride + 1)`.
   * @param x the input `[N, C, H, W]`.
   * @param kernelSize size of the window: `k` or `[kH, kW]`.
   * @param opts `stride` (= kernelSize), `padding` (0), `dilation` (1), `ceilMode` (false).
   * @example
   * F.maxPool2d(x, 3, { stride: 2, padding: 1 })
   */
  export function maxPool2d(x: Tensor, kernelSize: Size2d, opts?: nn.MaxPool2dOptions): Tensor;
  /**
   * 2-D average pooling, like `torch.nn.functional.avg_pool2d` (see {@link nn.AvgPool2d}):
   * `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]`,
   * `H_out = floor((H_in + 2·padding − kernelSize) / stride + 1)`.
   * @param x the input `[N, C, H, W]`.
   * @param kernelSize size of the window: `k` or `[kH, kW]`.
   * @param opts `stride` (= kernelSize), `padding` (0), `ceilMode` (false), `countIncludePad` (true).
   * @example
   * F.avgPool2d(x, 2)
   */
  export function avgPool2d(x: Tensor, kernelSize: Size2d, opts?: nn.AvgPool2dOptions): Tensor;
  /**
   * Adaptive average pooling, like `torch.nn.functional.adaptive_avg_pool2d` (see
   * {@link nn.AdaptiveAvgPool2d}): `[N, C, H, W]` → `[N, C, outputSize[0], outputSize[1]]`.
   * @param x the input `[N, C, H, W]`.
   * @param outputSize `s` or `[H_out, W_out]`; `1` is global average pooling.
   * @example
   * torch.flatten(F.adaptiveAvgPool2d(x, 1), 1) // [N, 512, 7, 7] → [N, 512]
   */
  export function adaptiveAvgPool2d(x: Tensor, outputSize: Size2d): Tensor;
  /**
   * Adaptive max pooling, like `torch.nn.functional.adaptive_max_pool2d` (see
   * {@link nn.AdaptiveMaxPool2d}): `[N, C, H, W]` → `[N, C, outputSize[0], outputSize[1]]`.
   * @param x the input `[N, C, H, W]`.
   * @param outputSize `s` or `[H_out, W_out]`.
   */
  export function adaptiveMaxPool2d(x: Tensor, outputSize: Size2d): Tensor;
  /**
   * Resizes height and width, like `torch.nn.functional.interpolate` (see {@link nn.Upsample}):
   * `H_out = size[0]` or `floor(H_in · scaleFactor[0])`.
   * @param x the input `[N, C, H, W]`.
   * @param opts exactly one of `size` and `scaleFactor`; `mode` ("nearest"), `alignCorners`.
   * @example
   * F.interpolate(x, { scaleFactor: 2, mode: "nearest" })     // FPN top-down path
   * F.interpolate(x, { size: [h, w], mode: "bilinear", alignCorners: false })
   */
  export function interpolate(x: Tensor, opts: nn.UpsampleOptions): Tensor;
  // ---- tensorops: functional forms of version 2 ----
  /**
   * Pads the last dimensions, like `torch.nn.functional.pad`: `pad` lists (before, after) pairs from the
   * last dimension backwards; negative entries crop.
   * @param x the input.
   * @param pad `[left, right]`, `[left, right, top, bottom]`, …
   * @param opts `mode` ("constant", "reflect", "replicate" or "circular"; Default: "constant"), `value` (Default: `0`).
   * @example
   * F.pad(x1, [diffX / 2, diffX - diffX / 2, diffY / 2, diffY - diffY / 2]) // UNet's skip connections
   */
  export function pad(x: Tensor, pad: readonly number[], opts?: { mode?: "constant" | "reflect" | "replicate" | "circular"; value?: number }): Tensor;
  /** Layer normalisation over the last dimensions (`normalizedShape`), like `F.layer_norm`. @param x the input. @param normalizedShape the last dimensions. @param weight optional `[*normalizedShape]`. @param bias optional. @param eps Default: `1e-5`. */
  export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps?: number): Tensor;
  /** Group normalisation of `[N, C, *]`, like `F.group_norm`. @param x the input. @param numGroups divides C. @param weight optional `[C]`. @param bias optional `[C]`. @param eps Default: `1e-5`. */
  export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps?: number): Tensor;
  /** `x · weightᵀ + bias`, like `F.linear` (MACs as `nn.Linear`). @param x `[*, in]`. @param weight `[out, in]`. @param bias optional `[out]`. */
  export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor;
  /**
   * 2-D convolution with a given weight `[out, in / groups, kh, kw]`, like `F.conv2d` (shape, MACs and receptive field as `nn.Conv2d`).
   * @param x `[N, C, H, W]`. @param weight the kernel. @param bias optional `[out]`.
   * @param opts `stride` (Default: `1`), `padding` (Default: `0`), `dilation` (Default: `1`), `groups` (Default: `1`).
   */
  export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts?: { stride?: Size2d; padding?: Conv2dPadding; dilation?: Size2d; groups?: number }): Tensor;
  /**
   * `softmax(Q·Kᵀ / sqrt(E) + mask) · V`, like `F.scaled_dot_product_attention`: `[*, L, E]`, `[*, S, E]`, `[*, S, Ev]` → `[*, L, Ev]`.
   * Both products count in the MACs; the result sees the whole input.
   * @param query `[*, L, E]`. @param key `[*, S, E]`. @param value `[*, S, Ev]`.
   * @param opts `attnMask` (a tensor broadcasting to `[*, L, S]`), `dropoutP` (Default: `0`), `isCausal` (Default: `false`), `scale`.
   */
  export function scaledDotProductAttention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts?: { attnMask?: Tensor | null; dropoutP?: number; isCausal?: boolean; scale?: number | null },
  ): Tensor;
  /** `x / max(‖x‖_p, eps)` along `dim`, like `F.normalize`. @param x the input. @param opts `p` (Default: `2`), `dim` (Default: `1`), `eps` (Default: `1e-12`). */
  export function normalize(x: Tensor, opts?: { p?: number; dim?: number; eps?: number }): Tensor;
  /** Log-softmax along `dim`. @param x the input. @param dim the dimension. */
  export function logSoftmax(x: Tensor, dim: number): Tensor;
  /** Adaptive average pooling of `[N, C, L]` to `[N, C, outputSize]`. @param x the input. @param outputSize the length. */
  export function adaptiveAvgPool1d(x: Tensor, outputSize: number): Tensor;
  // ---- end tensorops ----
}

// ────────────────────────────────────────────────────────────────────────────────────────────
// torch — tensor functions
// ────────────────────────────────────────────────────────────────────────────────────────────

/** Tensor functions, like `torch.*`. */
export declare namespace torch {
  /**
   * Concatenates tensors along `dim`, like `torch.cat`: all other dimensions must be equal; the
   * result's `dim` is the sum of theirs.
   * @param tensors the tensors (at least one).
   * @param dim the dimension to join along. Default: `0` — for channels of NCHW tensors pass `1`.
   * @example
   * torch.cat([branch1, branch2, branch3], 1) // Inception: channels add up
   */
  export function cat(tensors: readonly Tensor[], dim?: number): Tensor;
  /**
   * Alias of {@link torch.cat}.
   * @param tensors the tensors (at least one).
   * @param dim the dimension to join along. Default: `0`.
   */
  export function concat(tensors: readonly Tensor[], dim?: number): Tensor;
  /**
   * Flattens dimensions `startDim … endDim` into one, like `torch.flatten`.
   * Note the default `startDim` is `0`: to keep the batch write `torch.flatten(x, 1)`.
   * @param x the input.
   * @param startDim first dimension to flatten. Default: `0`.
   * @param endDim last dimension to flatten (inclusive). Default: `-1`.
   * @example
   * torch.flatten(x, 1) // [N, 512, 1, 1] → [N, 512]
   */
  export function flatten(x: Tensor, startDim?: number, endDim?: number): Tensor;
  /**
   * Element-wise sum with broadcasting, like `torch.add` (`a + b`): the result has the broadcast shape.
   * @param a a tensor.
   * @param b a tensor or a number.
   * @example
   * torch.add(out, identity) // residual connection
   */
  export function add(a: Tensor, b: Tensor | number): Tensor;
  /**
   * Element-wise product with broadcasting, like `torch.mul` (`a * b`): the result has the broadcast
   * shape.
   * @param a a tensor.
   * @param b a tensor or a number.
   * @example
   * torch.mul(x, attention) // [N, C, H, W] · [N, C, 1, 1]
   */
  export function mul(a: Tensor, b: Tensor | number): Tensor;
  /**
   * Element-wise difference with broadcasting, like `torch.sub` (`a - b`).
   * @param a a tensor.
   * @param b a tensor or a number.
   */
  export function sub(a: Tensor, b: Tensor | number): Tensor;
  /**
   * Element-wise quotient with broadcasting, like `torch.div` (`a / b`).
   * @param a a tensor.
   * @param b a tensor or a number.
   */
  export function div(a: Tensor, b: Tensor | number): Tensor;
  /** `max(0, x)` element-wise, like `torch.relu`. Shape unchanged. @param x the input. */
  export function relu(x: Tensor): Tensor;
  /** `1 / (1 + exp(−x))` element-wise, like `torch.sigmoid`. Shape unchanged. @param x the input. */
  export function sigmoid(x: Tensor): Tensor;
  /** `tanh(x)` element-wise, like `torch.tanh`. Shape unchanged. @param x the input. */
  export function tanh(x: Tensor): Tensor;
  // ---- tensorops: torch.* forms of the tensor methods ----
  /** `x.permute(dims)`. @param x the input. @param dims every dimension once. */
  export function permute(x: Tensor, dims: readonly number[]): Tensor;
  /** `x.transpose(dim0, dim1)`. @param x the input. @param dim0 a dimension. @param dim1 another. */
  export function transpose(x: Tensor, dim0: number, dim1: number): Tensor;
  /** `x.t()`. @param x at most 2-D. */
  export function t(x: Tensor): Tensor;
  /** `x.unsqueeze(dim)`. @param x the input. @param dim where. */
  export function unsqueeze(x: Tensor, dim: number): Tensor;
  /** `x.squeeze(dim)`. @param x the input. @param dim one dimension or several. */
  export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor;
  /** `x.chunk(chunks, dim)`. @param x the input. @param chunks how many. @param dim Default: `0`. */
  export function chunk<C extends number>(x: Tensor, chunks: C, dim?: number): TensorTuple<C>;
  /** `x.split(splitSizeOrSections, dim)`. @param x the input. @param splitSizeOrSections a size or sizes. @param dim Default: `0`. */
  export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
  /** `x.narrow(dim, start, length)`. @param x the input. @param dim the dimension. @param start first index. @param length how many. */
  export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor;
  /** `x.select(dim, index)`. @param x the input. @param dim the dimension. @param index the entry. */
  export function select(x: Tensor, dim: number, index: number): Tensor;
  /** `x.indexSelect(dim, index)`. @param x the input. @param dim the dimension. @param index the indices. */
  export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor;
  /** `x.flip(...dims)`. @param x the input. @param dims the dimensions. */
  export function flip(x: Tensor, dims: readonly number[]): Tensor;
  /** `x.roll(shifts, dims)`. @param x the input. @param shifts per dimension. @param dims the dimensions. */
  export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor;
  /** `a.matmul(b)`. @param a the left operand. @param b the right operand. */
  export function matmul(a: Tensor, b: Tensor): Tensor;
  /** `a.bmm(b)`. @param a `[B, n, m]`. @param b `[B, m, p]`. */
  export function bmm(a: Tensor, b: Tensor): Tensor;
  /** `x.softmax(dim)`. @param x the input. @param dim the dimension. */
  export function softmax(x: Tensor, dim: number): Tensor;
  /** `x.logSoftmax(dim)`. @param x the input. @param dim the dimension. */
  export function logSoftmax(x: Tensor, dim: number): Tensor;
  /** `x.sum(dim, keepdim)`. @param x the input. @param dim one dimension or several. @param keepdim Default: `false`. */
  export function sum(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** `x.mean(dim, keepdim)`. @param x the input. @param dim one dimension or several. @param keepdim Default: `false`. */
  export function mean(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** `x.amax(dim, keepdim)`. @param x the input. @param dim one dimension or several. @param keepdim Default: `false`. */
  export function amax(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** `x.std(dim, keepdim)`. @param x the input. @param dim one dimension or several. @param keepdim Default: `false`. */
  export function std(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** `x.norm(p, dim, keepdim)`. @param x the input. @param p Default: `2`. @param dim one dimension or several. @param keepdim Default: `false`. */
  export function norm(x: Tensor, p?: number | "fro", dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** `x.sqrt()`. @param x the input. */
  export function sqrt(x: Tensor): Tensor;
  /** `x.exp()`. @param x the input. */
  export function exp(x: Tensor): Tensor;
  /** `x.log()`. @param x the input. */
  export function log(x: Tensor): Tensor;
  /** `x.abs()`. @param x the input. */
  export function abs(x: Tensor): Tensor;
  /** `x.neg()`. @param x the input. */
  export function neg(x: Tensor): Tensor;
  /** `x.pow(exponent)`. @param x the input. @param exponent a number or a tensor. */
  export function pow(x: Tensor, exponent: number | Tensor): Tensor;
  /** `x.clamp(min, max)`. @param x the input. @param min lower bound. @param max upper bound. */
  export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor;
  /** `x.addcmul(tensor1, tensor2, opts)`. @param x the input. @param tensor1 a factor. @param tensor2 the other. @param opts `value` (Default: `1`). */
  export function addcmul(x: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor;
  /** `x.maskedFill(mask, value)`. @param x the input. @param mask a boolean tensor. @param value the fill value. */
  export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor;
  /** `input` where `condition`, else `other`, with broadcasting. @param condition a boolean tensor. @param input a tensor or a number. @param other a tensor or a number. */
  export function where(condition: Tensor, input: Tensor | number, other: Tensor | number): Tensor;
  /** `x.eq(other)`. @param x the input. @param other a tensor or a number. */
  export function eq(x: Tensor, other: Tensor | number): Tensor;
  /** `x.ne(other)`. @param x the input. @param other a tensor or a number. */
  export function ne(x: Tensor, other: Tensor | number): Tensor;
  /** `x.lt(other)`. @param x the input. @param other a tensor or a number. */
  export function lt(x: Tensor, other: Tensor | number): Tensor;
  /** `x.gt(other)`. @param x the input. @param other a tensor or a number. */
  export function gt(x: Tensor, other: Tensor | number): Tensor;
  /** Zeros of `x`'s shape. @param x the tensor whose shape to take. */
  export function zerosLike(x: Tensor): Tensor;
  /** Ones of `x`'s shape. @param x the tensor whose shape to take. */
  export function onesLike(x: Tensor): Tensor;
  // ---- end tensorops ----
}

// ────────────────────────────────────────────────────────────────────────────────────────────
// Object.values / Object.entries of an nn.ModuleDict
// ────────────────────────────────────────────────────────────────────────────────────────────

declare global {
  interface ObjectConstructor {
    /**
     * The children of an `nn.ModuleDict`, in insertion order (typed by the children).
     * @example
     * for (const head of Object.values(this.heads)) outs.push(head(x));
     */
    values<T>(moduleDict: nn.ModuleDictBase<T>): T[keyof T][];
    /**
     * The `[name, child]` pairs of an `nn.ModuleDict`, in insertion order (typed by the children).
     * @example
     * for (const [name, layer] of Object.entries(this.layers)) x = layer(x);
     */
    entries<T>(moduleDict: nn.ModuleDictBase<T>): [string, T[keyof T]][];
  }
}

// Only the declarations marked `export` above are part of the module.
export {};

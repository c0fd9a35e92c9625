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
 * - factories are called without `new`: `nn.Conv2d(3, 64, 3)`, and return a module; every
 *   built-in module is also a class (`new nn.Conv2d(...)`, `class X extends nn.Conv2d`);
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

export type { Conv2dPadding, InterpolationMode, Size2d, Tensor } from "./cnn-studio/tensor";

/**
 * Module factories and base classes, like `torch.nn`. Factories are called **without** `new` and
 * return callable modules; `nn.Module` and the containers are also base classes for custom modules.
 */
export * as nn from "./cnn-studio/nn/index";

/**
 * Functional forms of layers without parameters, like `torch.nn.functional`: for use inside
 * `forward`, e.g. `F.relu(x)`, `F.adaptiveAvgPool2d(x, 1)`. They are not modules: they do not appear
 * as layers of their own, but their shapes and receptive fields are tracked.
 */
export * as F from "./cnn-studio/functional";

/** Tensor functions, like `torch.*`. */
export * as torch from "./cnn-studio/torch";

/**
 * torchvision's building blocks, mirroring `torchvision.ops` (0.14) with its defaults and child
 * names (so state_dict names are torchvision's): `import { nn, ops } from "cnn-studio"`.
 */
export * as ops from "./cnn-studio/ops";

import type * as nn from "./cnn-studio/nn/index";

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

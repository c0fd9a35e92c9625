import ts = require("typescript");
import type { LayerType } from "../shared/layerCatalog";
import { MINI_LIB_NAME } from "./minilib";
import type { TypingsLayout } from "./program";

/**
 * Where a declaration of the program lives: the model language's API (the `cnn-studio` typings),
 * the JavaScript library the exporter declares, or user code; and for the first two, the owner
 * (namespace or interface) and member name, which the translator maps to PyTorch / Python.
 */
export type Origin = { where: "api" | "lib"; owner: string; name: string } | { where: "user" };

export function originOf(decl: ts.Node, typings: TypingsLayout): Origin {
  const file = decl.getSourceFile().fileName;
  const namespace = typings.namespaceOf(file);
  const where = namespace !== undefined ? "api" : file === MINI_LIB_NAME ? "lib" : undefined;
  if (!where) return { where: "user" };
  // A factory that is also a class (`export const LayerNorm: LayerNormClass`): its call and construct signatures are `nn.LayerNorm`.
  const iface = decl.parent;
  if (
    (ts.isCallSignatureDeclaration(decl) || ts.isConstructSignatureDeclaration(decl)) &&
    namespace &&
    ts.isInterfaceDeclaration(iface) &&
    iface.name.text.endsWith("Class")
  )
    return { where, owner: namespace, name: iface.name.text.slice(0, -"Class".length) };
  let name = "";
  const n = (decl as { name?: ts.Node }).name;
  if (n && (ts.isIdentifier(n) || ts.isStringLiteral(n))) name = n.text;
  let owner = "";
  for (let p: ts.Node | undefined = decl.parent; p; p = p.parent) {
    if (ts.isInterfaceDeclaration(p) || ts.isModuleDeclaration(p) || ts.isTypeAliasDeclaration(p) || ts.isClassDeclaration(p)) {
      owner = p.name?.getText() ?? "";
      break;
    }
  }
  if (!owner && namespace) owner = namespace;
  if (!owner && ts.isVariableDeclaration(decl)) owner = "global";
  return { where, owner, name };
}

/**
 * The PyTorch module of every layer kind (`nn.Conv2d(...)` → `nn.Conv2d(...)`); `noArgs` where the
 * model language accepts arguments that PyTorch's module ignores and the export drops (nn.Identity).
 */
export const NN_MODULES: { readonly [T in LayerType]: { readonly py: `nn.${T}` | `torchvision.ops.${T}`; readonly noArgs?: true } } = {
  Conv2d: { py: "nn.Conv2d" },
  ConvTranspose2d: { py: "nn.ConvTranspose2d" },
  Linear: { py: "nn.Linear" },
  MaxPool2d: { py: "nn.MaxPool2d" },
  AvgPool2d: { py: "nn.AvgPool2d" },
  AdaptiveAvgPool2d: { py: "nn.AdaptiveAvgPool2d" },
  AdaptiveMaxPool2d: { py: "nn.AdaptiveMaxPool2d" },
  BatchNorm2d: { py: "nn.BatchNorm2d" },
  BatchNorm1d: { py: "nn.BatchNorm1d" },
  LocalResponseNorm: { py: "nn.LocalResponseNorm" },
  Dropout: { py: "nn.Dropout" },
  Dropout2d: { py: "nn.Dropout2d" },
  Flatten: { py: "nn.Flatten" },
  ReLU: { py: "nn.ReLU" },
  ReLU6: { py: "nn.ReLU6" },
  LeakyReLU: { py: "nn.LeakyReLU" },
  ELU: { py: "nn.ELU" },
  GELU: { py: "nn.GELU" },
  SiLU: { py: "nn.SiLU" },
  Sigmoid: { py: "nn.Sigmoid" },
  Tanh: { py: "nn.Tanh" },
  Hardswish: { py: "nn.Hardswish" },
  Hardsigmoid: { py: "nn.Hardsigmoid" },
  Softmax: { py: "nn.Softmax" },
  Upsample: { py: "nn.Upsample" },
  Identity: { py: "nn.Identity", noArgs: true },
  // ---- modules: issue 14 ----
  LayerNorm: { py: "nn.LayerNorm" },
  GroupNorm: { py: "nn.GroupNorm" },
  Conv1d: { py: "nn.Conv1d" },
  MaxPool1d: { py: "nn.MaxPool1d" },
  AvgPool1d: { py: "nn.AvgPool1d" },
  AdaptiveAvgPool1d: { py: "nn.AdaptiveAvgPool1d" },
  Embedding: { py: "nn.Embedding" },
  Unflatten: { py: "nn.Unflatten" },
  PixelShuffle: { py: "nn.PixelShuffle" },
  ZeroPad2d: { py: "nn.ZeroPad2d" },
  Mish: { py: "nn.Mish" },
  PReLU: { py: "nn.PReLU" },
  // ---- attention: ----
  MultiheadAttention: { py: "nn.MultiheadAttention" },
  StochasticDepth: { py: "torchvision.ops.StochasticDepth" },
  Permute: { py: "torchvision.ops.Permute" },
};

/** `F.*` names that PyTorch spells differently (beyond camelCase → snake_case). */
export const F_RENAMES: Record<string, string> = {
  sigmoid: "torch.sigmoid",
  tanh: "torch.tanh",
};

/** Module methods of the model language → PyTorch (`list(...)` where PyTorch returns an iterator). */
export const MODULE_METHODS: Record<string, { py: string; list?: boolean }> = {
  addModule: { py: "add_module" },
  requiresGrad_: { py: "requires_grad_" },
  children: { py: "children", list: true },
  namedChildren: { py: "named_children", list: true },
  modules: { py: "modules", list: true },
  namedModules: { py: "named_modules", list: true },
  eval: { py: "eval" },
  train: { py: "train" },
  forward: { py: "forward" },
  append: { py: "append" },
  push: { py: "append" },
  extend: { py: "extend" },
  keys: { py: "keys", list: true },
  values: { py: "values", list: true },
  items: { py: "items", list: true },
  // ---- export: Version 2 ----
  registerBuffer: { py: "register_buffer" },
  registerParameter: { py: "register_parameter" },
  registerModule: { py: "register_module" },
  parameters: { py: "parameters", list: true },
  namedParameters: { py: "named_parameters", list: true },
  buffers: { py: "buffers", list: true },
  namedBuffers: { py: "named_buffers", list: true },
  getSubmodule: { py: "get_submodule" },
  apply: { py: "apply" },
};

/**
 * Names of `nn.Module` attributes in PyTorch that a user method or field of the same name would
 * shadow (a user method named `eval` would replace `Module.eval`).
 */
export const TORCH_MODULE_ATTRIBUTES = new Set([
  "add_module",
  "apply",
  "bfloat16",
  "buffers",
  "children",
  "cpu",
  "cuda",
  "double",
  "dump_patches",
  "eval",
  "extra_repr",
  "float",
  "get_buffer",
  "get_extra_state",
  "get_parameter",
  "get_submodule",
  "half",
  "ipu",
  "load_state_dict",
  "modules",
  "named_buffers",
  "named_children",
  "named_modules",
  "named_parameters",
  "parameters",
  "register_backward_hook",
  "register_buffer",
  "register_forward_hook",
  "register_forward_pre_hook",
  "register_full_backward_hook",
  "register_load_state_dict_post_hook",
  "register_module",
  "register_parameter",
  "requires_grad_",
  "set_extra_state",
  "share_memory",
  "state_dict",
  "to",
  "to_empty",
  "train",
  "type",
  "xpu",
  "zero_grad",
  "call_super_init",
  "append",
  "extend",
  "insert",
  "pop",
  "keys",
  "values",
  "items",
  "update",
  "clear",
]);

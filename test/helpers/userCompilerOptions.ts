import ts = require("typescript");
import { ROOT, TYPINGS } from "./paths";

/** How a user's strict project compiles a model file against the typings (tsc --strict --noUncheckedIndexedAccess). */
export const USER_COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  lib: ["lib.es2022.d.ts"],
  types: [],
  strict: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  baseUrl: ROOT,
  paths: { "cnn-studio": [TYPINGS] },
};

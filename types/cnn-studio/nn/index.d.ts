/**
 * Module factories and base classes, like `torch.nn` (the package exports this file as `nn`).
 */

export * from "./module";
export * from "./conv";
export * from "./pool";
export * from "./norm";
export * from "./reshape";
export * from "./activation";
export * from "./sequence";
export * from "./attention";
export * from "./parameters";

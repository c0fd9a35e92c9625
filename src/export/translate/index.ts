/** The translator of model files to Python with PyTorch, by concern (see context.ts). */
export * from "./context";
export * from "./names";
export * from "./types";
export * from "./layout";
export * from "./statements";
export * from "./classes";
export * from "./expressions";
export * from "./apiCalls";
export * from "./numbers";
export * from "./passes";

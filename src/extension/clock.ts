/**
 * The moment the extension bundle began to run. `main.ts` imports this module first, so the
 * figure covers loading the bundle's modules as well as `activate` itself.
 */
export const bundleStart = performance.now();

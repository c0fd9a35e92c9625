import * as path from "node:path";

/** The repository root (compiled tests live in out/test/). */
export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const EXAMPLES = path.join(ROOT, "examples");
export const FIXTURES = path.join(ROOT, "test", "fixtures");
export const GOLDEN = path.join(ROOT, "test", "golden");
export const CLI = path.join(ROOT, "dist", "cli.js");
/** The `"cnn-studio"` typings users compile against. */
export const TYPINGS = path.join(ROOT, "types", "cnn-studio.d.ts");

import * as path from "node:path";
import { runWithCodeCache } from "../runtime/v8CodeCache";

/**
 * `dist/cli.js`, the `cnn-studio` command: starts the CLI proper (`dist/cli.bundle.js`, built from
 * main.ts, TypeScript's compiler most of it) with a V8 code cache (see src/runtime/v8CodeCache.ts),
 * as this main module, so that the bundle's `require.main === module` holds.
 */
runWithCodeCache("cli", path.join(__dirname, "cli.bundle.js"), module, require);

import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Document URIs ↔ the absolute paths the analyzer works with. `file:` URIs map to their path;
 * other schemes (an unsaved `untitled:` buffer) get a stable synthetic path so that they can
 * still be analysed (relative imports from them resolve against the working directory).
 */

const VIRTUAL_ROOT = path.resolve("/__cnn_studio_virtual__");

export function uriToPath(uri: string): string {
  if (uri.startsWith("file:")) {
    try {
      return path.resolve(fileURLToPath(uri));
    } catch {
      // A malformed file URI: fall through to a synthetic path.
    }
  }
  const name = encodeURIComponent(uri).replace(/%/g, "_");
  return path.join(VIRTUAL_ROOT, name.endsWith(".ts") ? name : `${name}.ts`);
}

export function pathToUri(file: string): string {
  return pathToFileURL(file).href;
}

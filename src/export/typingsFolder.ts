import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The typings' files under a `types/` folder: the entry `cnn-studio.d.ts` first, then every
 * `.d.ts` of `cnn-studio/`, as paths relative to `typesDir` (with `/`). The exporter reads them all;
 * "Write Typings into Workspace" copies them.
 */
export function typingsFiles(typesDir: string): string[] {
  const found: string[] = ["cnn-studio.d.ts"];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(typesDir, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith(".d.ts")) found.push(child);
    }
  };
  walk("cnn-studio");
  return found;
}

/** The text of each typings file under `typesDir`, by absolute path. */
export function readTypings(typesDir: string): Map<string, string> {
  return new Map(typingsFiles(typesDir).map((rel) => [path.join(typesDir, rel), fs.readFileSync(path.join(typesDir, rel), "utf8")]));
}

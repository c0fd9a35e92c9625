import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/paths";

/**
 * "Files under 800 lines" (the brief): every source file of the repository — TypeScript, typings,
 * JavaScript and Python, in src/, webview/, types/, test/, bench/, scripts/ and examples/. Data the
 * tests compare against (test/fixtures/, test/golden/) is not source.
 */

const MAX_LINES = 800;
const FOLDERS = ["src", "webview", "types", "test", "bench", "scripts", "examples"];
const SKIPPED = new Set(["test/fixtures", "test/golden"]);
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|py)$/;

function sourceFiles(rel: string): string[] {
  if (SKIPPED.has(rel) || !fs.existsSync(path.join(ROOT, rel))) return [];
  return fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true }).flatMap((entry) => {
    const child = path.posix.join(rel, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(child);
    return SOURCE.test(entry.name) ? [child] : [];
  });
}

test(`no source file has more than ${MAX_LINES} lines`, () => {
  const files = FOLDERS.flatMap(sourceFiles);
  assert.ok(files.length > 100, `found only ${files.length} source files`);
  const long = files
    .map((file) => ({ file, lines: fs.readFileSync(path.join(ROOT, file), "utf8").split("\n").length - 1 }))
    .filter((f) => f.lines > MAX_LINES)
    .map((f) => `${f.file}: ${f.lines} lines`);
  assert.deepEqual(long, []);
});

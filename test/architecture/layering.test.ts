import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { ROOT } from "../helpers/paths";
import { importsOf, partOf, sourceFiles, specifiersOf } from "./imports";

/**
 * The direction of imports of scripts/layering.mjs (which eslint.config.mjs enforces too), checked
 * without ESLint: e.g. the extension imports nothing of src/server or src/cli, src/shared only
 * src/shared, and only src/extension imports `vscode`.
 */

interface Layering {
  forbidden: Map<string, string[]>;
  vscodeParts: string[];
}

async function readLayering(): Promise<Layering> {
  const url = pathToFileURL(path.join(ROOT, "scripts", "layering.mjs")).href;
  const mod = (await import(url)) as { FORBIDDEN_IMPORTS?: Record<string, { parts?: unknown }>; VSCODE_PARTS?: unknown };
  const forbidden = new Map<string, string[]>();
  for (const [part, rule] of Object.entries(mod.FORBIDDEN_IMPORTS ?? {})) {
    assert.ok(Array.isArray(rule.parts) && rule.parts.every((p) => typeof p === "string"), `scripts/layering.mjs: ${part}.parts is a list of names`);
    forbidden.set(part, rule.parts as string[]);
  }
  assert.ok(Array.isArray(mod.VSCODE_PARTS), "scripts/layering.mjs exports VSCODE_PARTS");
  return { forbidden, vscodeParts: mod.VSCODE_PARTS as string[] };
}

const files = [...sourceFiles("src"), ...sourceFiles("webview")];

test("no part imports a part it must not (scripts/layering.mjs)", async () => {
  const { forbidden } = await readLayering();
  assert.ok(forbidden.get("src/extension")?.includes("server") && forbidden.get("src/extension")?.includes("cli"), "the extension's rule is there");
  const wrong = files
    .flatMap(importsOf)
    .filter((e) => (forbidden.get(partOf(e.from)) ?? []).some((p) => partOf(e.to) === `src/${p}`))
    .map((e) => `${e.from} imports ${e.to}`);
  assert.deepEqual(wrong, []);
});

test("only the extension imports vscode", async () => {
  const { vscodeParts } = await readLayering();
  const wrong = files.filter((f) => !vscodeParts.includes(partOf(f)) && specifiersOf(f).some((s) => s.specifier === "vscode"));
  assert.deepEqual(wrong, []);
});

test("the part of a file is its folder under src/, or its top folder", () => {
  assert.equal(partOf(path.join("src", "trainer", "data", "idx.ts")), "src/trainer");
  assert.equal(partOf(path.join("webview", "curves", "main.ts")), "webview");
});

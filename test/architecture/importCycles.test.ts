import assert from "node:assert/strict";
import { test } from "node:test";
import { importCycles, importsOf, partEdges, sourceFiles, type ImportEdge } from "./imports";

/**
 * No import cycles in src/ and webview/: a cycle means two parts cannot be understood, tested or
 * loaded one without the other (and, at run time, one of them sees the other half-initialised).
 * Type-only imports count too: they tie the modules' meanings together even where they are erased.
 */

test("src/ and webview/ have no import cycle", () => {
  const files = [...sourceFiles("src"), ...sourceFiles("webview")];
  assert.ok(files.length > 100, "the sources are found");
  const cycles = importCycles(files.flatMap(importsOf));
  assert.deepEqual(
    cycles.map((c) => c.join(" → ")),
    [],
  );
});

test("no import cycle between the parts of the code (src/analyzer, src/trainer, webview, …)", () => {
  const files = [...sourceFiles("src"), ...sourceFiles("webview")];
  const cycles = importCycles(partEdges(files.flatMap(importsOf))).map((c) => c.join(" "));
  assert.deepEqual(cycles, [], "cycles between parts");
});

test("the cycle finder reports a cycle, a self-import, and nothing for a chain", () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, typeOnly: false });
  assert.deepEqual(importCycles([edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("c", "d")]), [["a", "b", "c"]]);
  assert.deepEqual(importCycles([edge("a", "a")]), [["a"]]);
  assert.deepEqual(importCycles([edge("a", "b"), edge("b", "c"), edge("a", "c")]), []);
});

/** Issue 19.11: "Put one layer per line" on module lists written with several layers on a line. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import ts = require("typescript");
import { layerPerLineAt } from "../../src/server/layerPerLine";
import { offsetAt } from "../../src/server/treeQueries";

function laidOut(text: string, at: string): string | undefined {
  const sf = ts.createSourceFile("/virtual/model.ts", text, ts.ScriptTarget.Latest, true);
  const offset = text.indexOf(at);
  assert.ok(offset >= 0, at);
  const list = layerPerLineAt(sf, offset, offset);
  if (!list) return undefined;
  const { range, newText } = list.edit;
  return text.slice(0, offsetAt(sf, range.start)) + newText + text.slice(offsetAt(sf, range.end));
}

describe("one layer per line", () => {
  test("a Sequential in a class field, indented by the file's step (4 spaces) under its line", () => {
    const text = ["class Net extends nn.Module {", "    features = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2));", "}", ""].join("\n");
    assert.equal(
      laidOut(text, "nn.ReLU"),
      [
        "class Net extends nn.Module {",
        "    features = nn.Sequential(",
        "        nn.Conv2d(1, 8, 3),",
        "        nn.ReLU(),",
        "        nn.MaxPool2d(2),",
        "    );",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("tabs, a trailing comma, and a ModuleList's array", () => {
    const text = "class B extends nn.Module {\n\tblocks = nn.ModuleList([nn.Linear(4, 4), nn.GELU(),]);\n}\n";
    assert.equal(laidOut(text, "nn.GELU"), "class B extends nn.Module {\n\tblocks = nn.ModuleList([\n\t\tnn.Linear(4, 4),\n\t\tnn.GELU(),\n\t]);\n}\n");
  });

  test("the innermost list with several layers on a line; nested lists keep their text", () => {
    const text = "export const net = nn.Sequential(\n  nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU()),\n  nn.Flatten(),\n);\n";
    assert.equal(
      laidOut(text, "nn.ReLU"),
      "export const net = nn.Sequential(\n  nn.Sequential(\n    nn.Conv2d(1, 8, 3),\n    nn.ReLU(),\n  ),\n  nn.Flatten(),\n);\n",
    );
    // The outer list is one per line already: nothing at its own layers.
    assert.equal(laidOut(text, "nn.Flatten"), undefined);
  });

  test("not offered: one layer per line already, a single layer, comments between the layers", () => {
    assert.equal(laidOut("const a = nn.Sequential(\n  nn.ReLU(),\n  nn.Tanh(),\n);\n", "nn.Tanh"), undefined);
    assert.equal(laidOut("const a = nn.Sequential(nn.ReLU());\n", "nn.ReLU"), undefined);
    assert.equal(laidOut("const a = nn.Sequential(nn.ReLU(), /* why */ nn.Tanh());\n", "nn.Tanh"), undefined);
    assert.equal(laidOut("const a = nn.Sequential(nn.ReLU(), nn.Tanh()); // fine\n", "nn.Tanh")?.includes("// fine"), true);
  });
});

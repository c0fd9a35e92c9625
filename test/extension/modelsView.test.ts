/**
 * Issue 19.19: in a narrow sidebar, a model row's name must stay whole. A row's inline action
 * icons appear on hover and take the row's space from the label, so a model row has at most one
 * (Train); the other actions stay in its context menu, and the figures the description may lose
 * at the row's end are all in the tooltip.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { createFakeVscode, installFakeVscode } from "../helpers/fakeVscode";
import { analyse } from "./fixtures";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const fake = createFakeVscode(ROOT);
installFakeVscode(fake.api);
const { ModelsTreeProvider } = require("../../src/extension/models/modelsView") as typeof import("../../src/extension/models/modelsView");

interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { contributes: { menus: Record<string, MenuItem[]> } };
const itemMenu = manifest.contributes.menus["view/item/context"] ?? [];
const modelRow = (m: MenuItem): boolean => /view == cnnStudio\.models\b/.test(m.when ?? "") && /viewItem == model\b/.test(m.when ?? "");

test("a model row has at most one inline action; every action stays in its context menu", () => {
  const rows = itemMenu.filter(modelRow);
  const inline = rows.filter((m) => m.group?.startsWith("inline"));
  assert.deepEqual(
    inline.map((m) => m.command),
    ["cnnStudio.train"],
  );
  const menu = new Set(rows.filter((m) => !m.group?.startsWith("inline")).map((m) => m.command));
  for (const c of [
    "cnnStudio.train",
    "cnnStudio.showSummary",
    "cnnStudio.openGraph",
    "cnnStudio.openReceptiveField",
    "cnnStudio.openFeatureMaps",
    "cnnStudio.openFilters",
  ])
    assert.ok(menu.has(c), `${c} is not in the model row's context menu`);
  // Nor does any other row of the Models view carry inline icons.
  assert.deepEqual(
    itemMenu.filter((m) => /view == cnnStudio\.models\b/.test(m.when ?? "") && !modelRow(m) && m.group?.startsWith("inline")),
    [],
  );
});

test("a model row: the bare name as its label, figures in the description, all of them in the tooltip", async () => {
  const file = path.join(ROOT, "examples", "lenet5.ts");
  const result = analyse(file);
  const vscode = fake.api as { Uri: { file(p: string): unknown } };
  const entry = { uri: vscode.Uri.file(file), result };
  const store = { onDidChange: () => ({ dispose() {} }), ensureScanned: async () => {}, entries: () => [entry] };
  const view = new ModelsTreeProvider(store as never);
  try {
    const [fileNode] = await view.getChildren();
    assert.ok(fileNode);
    const models = (await view.getChildren(fileNode)).filter((n) => n.kind === "model");
    assert.ok(models.length > 0);
    for (const node of models) {
      if (node.kind !== "model") continue;
      const item = view.getTreeItem(node) as unknown as { label: string; description: string; tooltip: { value: string }; contextValue: string };
      assert.equal(item.label, node.model.name);
      assert.equal(item.contextValue, "model");
      assert.match(item.description, / params · /);
      for (const fact of [`**${node.model.name}**`, "| output |", "| parameters |", "| MACs |", "Right-click for the Summary, Graph"])
        assert.ok(item.tooltip.value.includes(fact), `${fact} in ${item.tooltip.value}`);
    }
  } finally {
    view.dispose();
  }
});

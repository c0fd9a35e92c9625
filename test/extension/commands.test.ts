import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/paths";
import { createFakeVscode, installFakeVscode } from "../helpers/fakeVscode";

/**
 * The extension's command table (src/extension/commands/table.ts) and package.json agree: the
 * table has exactly the contributed commands, and every command a menu, view or walkthrough names
 * is one of them (or VS Code's own).
 */

const fake = createFakeVscode(ROOT);
installFakeVscode(fake.api);
const { COMMANDS, registerCommands } = require("../../src/extension/commands/table") as typeof import("../../src/extension/commands/table");

interface Manifest {
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string }[]>;
    viewsWelcome: { contents: string }[];
    walkthroughs: { steps: { description: string; completionEvents?: string[] }[] }[];
  };
}
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as Manifest;
const contributed = manifest.contributes.commands.map((c) => c.command);

test("the command table holds exactly the commands package.json contributes", () => {
  assert.deepEqual(Object.keys(COMMANDS).sort(), [...contributed].sort());
  assert.equal(new Set(contributed).size, contributed.length, "no command is contributed twice");
});

test("every cnnStudio command that menus, welcome views and the walkthrough name is in the table", () => {
  const named = [
    ...Object.values(manifest.contributes.menus).flatMap((items) => items.map((i) => i.command)),
    ...[
      ...manifest.contributes.viewsWelcome.map((v) => v.contents),
      ...manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.description)),
    ].flatMap((text) => [...text.matchAll(/command:(cnnStudio\.[A-Za-z]+)/g)].map((m) => m[1]!)),
    ...manifest.contributes.walkthroughs.flatMap((w) => w.steps.flatMap((s) => s.completionEvents ?? [])).map((e) => e.replace(/^onCommand:/, "")),
  ].filter((id) => id.startsWith("cnnStudio."));
  assert.ok(named.length > 20, "the manifest's references are found");
  const table = new Set<string>(Object.keys(COMMANDS));
  assert.deepEqual([...new Set(named.filter((id) => !table.has(id)))], []);
});

test("registerCommands registers every command of the table, and a failing command reports instead of throwing", async () => {
  const output: string[] = [];
  const channel = { appendLine: (s: string) => output.push(s) } as unknown as import("vscode").OutputChannel;
  const failing = { rescan: () => Promise.reject(new Error("the disk is gone")) };
  const ctx = { store: failing } as unknown as import("../../src/extension/commands/table").CommandContext;
  const disposables = registerCommands(ctx, channel);
  try {
    assert.deepEqual([...fake.record.commands.keys()].sort(), [...contributed].sort());
    await fake.record.commands.get("cnnStudio.refreshModels")!();
    assert.match(output.join("\n"), /^cnnStudio\.refreshModels failed: Error: the disk is gone/);
    assert.deepEqual(fake.record.messages.at(-1), { level: "error", text: "CNN Studio: the disk is gone" });
  } finally {
    for (const d of disposables) d.dispose();
  }
});

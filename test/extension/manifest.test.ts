import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ModelCommands } from "../../src/shared/lsp";

/** The manifest's contributions hang together: commands, menus, views, settings, walkthrough, trust, TS plugin. */

const ROOT = path.resolve(__dirname, "..", "..", "..");

interface Manifest {
  main: string;
  icon: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | "limited"; description?: string; restrictedConfigurations?: string[] } };
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    viewsContainers: { activitybar: { id: string; title: string; icon: string }[] };
    views: Record<string, { id: string; name: string; type?: string }[]>;
    viewsWelcome: { view: string; contents: string }[];
    configuration: { properties: Record<string, { type: string; default: unknown }> };
    walkthroughs: { id: string; title: string; steps: { id: string; description: string; media: { markdown?: string } }[] }[];
    typescriptServerPlugins: { name: string }[];
  };
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as Manifest;
const c = pkg.contributes;
const commands = new Set(c.commands.map((x) => x.command));

test("the entry point, icons and activation events", () => {
  assert.equal(pkg.main, "./dist/extension.js");
  const icon = fs.readFileSync(path.join(ROOT, pkg.icon));
  assert.equal(icon.subarray(1, 4).toString("latin1"), "PNG");
  assert.equal(icon.readUInt32BE(16), 128);
  assert.equal(c.viewsContainers.activitybar[0]?.title, "CNN Studio");
  assert.ok(fs.readFileSync(path.join(ROOT, c.viewsContainers.activitybar[0]!.icon), "utf8").includes("<svg"));
  assert.ok(pkg.activationEvents.includes("onLanguage:typescript"));
  for (const v of Object.values(c.views).flat()) assert.ok(pkg.activationEvents.includes(`onView:${v.id}`), `activates on ${v.id}`);
  assert.ok(!pkg.activationEvents.includes("*"), "never activates on start-up");
});

test("every command has a CNN Studio title; menus and welcome links name contributed commands", () => {
  for (const cmd of c.commands) assert.equal(cmd.category, "CNN Studio", cmd.command);
  for (const id of Object.values(ModelCommands)) assert.ok(commands.has(id), `the code-lens command ${id} is contributed`);
  for (const [menu, items] of Object.entries(c.menus)) for (const m of items) assert.ok(commands.has(m.command), `${menu}: ${m.command}`);
  const links = [...c.viewsWelcome.map((w) => w.contents), ...c.walkthroughs.flatMap((w) => w.steps.map((s) => s.description))].flatMap((t) =>
    [...t.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]!),
  );
  for (const l of links) assert.ok(commands.has(l) || /^workbench\./.test(l), `link to ${l}`);
  const views = new Set(
    Object.values(c.views)
      .flat()
      .map((v) => v.id),
  );
  assert.deepEqual([...views].sort(), ["cnnStudio.models", "cnnStudio.runs", "cnnStudio.train"]);
  for (const w of c.viewsWelcome) assert.ok(views.has(w.view));
  assert.equal(
    Object.values(c.views)
      .flat()
      .find((v) => v.id === "cnnStudio.train")?.type,
    "webview",
  );
});

test("settings: inlay hints, runs folder, default backend, default dataset folder", () => {
  const p = c.configuration.properties;
  assert.equal(p["cnnStudio.inlayHints.enabled"]?.default, true);
  assert.equal(p["cnnStudio.runsDirectory"]?.type, "string");
  assert.equal(p["cnnStudio.defaultBackend"]?.default, "auto");
  assert.equal(p["cnnStudio.defaultDatasetFolder"]?.type, "string");
  // Every key the extension reads is contributed.
  const src = fs.readFileSync(path.join(ROOT, "src", "extension", "config.ts"), "utf8");
  for (const m of src.matchAll(/\.get<\w+>\("([\w.]+)"/g)) assert.ok(p[`cnnStudio.${m[1]}`], `cnnStudio.${m[1]} is contributed`);
});

test("untrusted workspaces: analysis everywhere, training restricted", () => {
  const u = pkg.capabilities.untrustedWorkspaces;
  assert.equal(u.supported, "limited");
  assert.match(u.description ?? "", /[Tt]raining/);
  for (const k of u.restrictedConfigurations ?? []) assert.ok(c.configuration.properties[k], k);
});

test("the walkthrough's steps and their media", () => {
  const w = c.walkthroughs[0]!;
  assert.equal(w.title, "Get started with CNN Studio");
  assert.deepEqual(
    w.steps.map((s) => s.id),
    ["createModel", "watchShapes", "fixError", "train", "featureMaps"],
  );
  for (const s of w.steps) assert.ok(fs.existsSync(path.join(ROOT, s.media.markdown ?? "")), s.id);
});

/**
 * Issue 19.4: the walkthrough's media column (about half the editor: 500 px at 1400×900 with the
 * sidebar open, less in a narrow window) scrolls a code block sideways rather than wrapping it, so
 * no code line is wider than it; long inline code would stretch a line the same way.
 */
const WALKTHROUGH_CODE_COLUMNS = 50;
const WALKTHROUGH_INLINE_CODE_COLUMNS = 48;

test(`the walkthrough's code is never clipped: code lines of at most ${WALKTHROUGH_CODE_COLUMNS} columns, inline code of at most ${WALKTHROUGH_INLINE_CODE_COLUMNS}`, () => {
  const steps = c.walkthroughs.flatMap((w) => w.steps);
  assert.ok(steps.length > 0);
  for (const s of steps) {
    const file = s.media.markdown;
    if (!file) continue;
    let fenced = false;
    for (const [i, line] of fs.readFileSync(path.join(ROOT, file), "utf8").split("\n").entries()) {
      if (/^\s*```/.test(line)) {
        fenced = !fenced;
        continue;
      }
      const where = `${file}:${i + 1}`;
      if (fenced) assert.ok([...line].length <= WALKTHROUGH_CODE_COLUMNS, `${where} is ${[...line].length} columns: ${line}`);
      else for (const span of line.match(/`[^`]+`/g) ?? []) assert.ok([...span].length - 2 <= WALKTHROUGH_INLINE_CODE_COLUMNS, `${where}: ${span}`);
    }
    assert.equal(fenced, false, `${file}: a code block is not closed`);
  }
});

test("the TypeScript server plugin is the package in src/extension/ts-plugin", () => {
  const plugin = JSON.parse(fs.readFileSync(path.join(ROOT, "src", "extension", "ts-plugin", "package.json"), "utf8")) as { name: string; main: string };
  assert.deepEqual(
    c.typescriptServerPlugins.map((p) => p.name),
    [plugin.name],
  );
  assert.ok(fs.existsSync(path.join(ROOT, "src", "extension", "ts-plugin", plugin.main)));
  const ignore = fs
    .readFileSync(path.join(ROOT, ".vscodeignore"), "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"));
  assert.equal(ignore[0], "**", ".vscodeignore is an allowlist");
  assert.ok(ignore.includes(`!node_modules/${plugin.name}/**`));
});

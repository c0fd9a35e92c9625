import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ModelCommands } from "../../src/shared/lsp";
import type { ProbeResult } from "./activationProbe";

/**
 * Activation: `dist/extension.js` loaded and activated in fresh processes with a stand-in
 * `vscode` module (activationProbe.ts): nothing heavy loaded (no TypeScript, no TensorFlow.js,
 * not even the language client library), and every command, view and provider the manifest
 * contributes is registered. Its time is printed, not asserted: the budget (50 ms) is a row of
 * `npm run bench` (bench/extension.bench.ts), measured against the previous build in the same run.
 */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const PROBE = path.join(__dirname, "activationProbe.js");
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  contributes: { commands: { command: string }[]; views: Record<string, { id: string; type?: string }[]> };
};

function probe(): ProbeResult {
  const r = spawnSync(process.execPath, [PROBE, "--probe", ROOT], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ProbeResult;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test("activation loads nothing heavy (its time is printed; the budget lives in npm run bench)", () => {
  probe(); // warm the file cache
  const runs = Array.from({ length: 7 }, probe);
  const totals = runs.map((r) => r.totalMs);
  const best = Math.min(...totals);
  const size = fs.statSync(path.join(ROOT, "dist", "extension.js")).size;
  console.log(
    `activation in fresh processes: best ${best.toFixed(1)} ms, median ${median(totals).toFixed(1)} ms (require ${median(runs.map((r) => r.requireMs)).toFixed(1)} ms + activate ${median(runs.map((r) => r.activateMs)).toFixed(1)} ms); dist/extension.js is ${(size / 1024).toFixed(0)} KB`,
  );
  assert.deepEqual(runs[0]!.heavyModules, [], "activation loads neither TypeScript, TensorFlow.js nor the language client");
});

test("every contributed command, view and provider is registered by activate, and only those", () => {
  const r = probe();
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(r.commands, contributed);
  for (const id of Object.values(ModelCommands)) assert.ok(r.commands.includes(id), `${id} (used by the server's code lenses) is registered`);
  const views = Object.values(manifest.contributes.views).flat();
  assert.deepEqual(
    [...r.treeViews].sort(),
    views
      .filter((v) => v.type !== "webview")
      .map((v) => v.id)
      .sort(),
  );
  assert.deepEqual(
    r.webviewViews,
    views.filter((v) => v.type === "webview").map((v) => v.id),
  );
  assert.deepEqual(r.contentProviders, ["cnn-studio-summary"]);
  assert.ok(r.serializers.includes("cnnStudio.curves"));
});

test("the bundle leaves the language client, TypeScript and TensorFlow.js out", () => {
  const bundle = fs.readFileSync(path.join(ROOT, "dist", "extension.js"), "utf8");
  assert.ok(bundle.length < 400_000, `dist/extension.js is ${bundle.length} bytes`);
  assert.doesNotMatch(bundle, /require\("(typescript|@tensorflow\/[^"]+)"\)/);
  assert.doesNotMatch(bundle, /class LanguageClient\b/);
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "languageClient.js")), "dist/languageClient.js is built");
});

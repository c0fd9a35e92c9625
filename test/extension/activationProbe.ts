import * as path from "node:path";
import { createFakeVscode, installFakeVscode } from "../helpers/fakeVscode";

/**
 * Run in a fresh process: loads `dist/extension.js` with a stand-in `vscode` module, calls
 * `activate`, and prints one JSON line: the time to require the bundle, to activate, the total,
 * and what was registered, and which heavy modules (TypeScript, TensorFlow.js) got loaded.
 *
 *   node out/test/extension/activationProbe.js --probe [extensionRoot]
 *
 * (`node --test out/test/` runs every file under test/, so it does nothing without `--probe`.)
 */

export interface ProbeResult {
  requireMs: number;
  activateMs: number;
  totalMs: number;
  reported: { loadMs: number; activateMs: number; totalMs: number };
  commands: string[];
  treeViews: string[];
  webviewViews: string[];
  contentProviders: string[];
  serializers: string[];
  heavyModules: string[];
}

function probe(): void {
  const root = path.resolve(process.argv.find((a, i) => i >= 2 && a !== "--probe") ?? path.join(__dirname, "..", "..", ".."));
  const { api, record, context } = createFakeVscode(root);
  installFakeVscode(api);
  const t0 = performance.now();
  const ext = require(path.join(root, "dist", "extension.js")) as {
    activate(c: unknown): { activation: { loadMs: number; activateMs: number; totalMs: number } };
  };
  const t1 = performance.now();
  const result = ext.activate(context);
  const t2 = performance.now();
  const out: ProbeResult = {
    requireMs: t1 - t0,
    activateMs: t2 - t1,
    totalMs: t2 - t0,
    reported: result.activation,
    commands: [...record.commands.keys()].sort(),
    treeViews: record.treeViews,
    webviewViews: record.webviewViews,
    contentProviders: record.contentProviders,
    serializers: record.serializers,
    heavyModules: Object.keys(require.cache).filter((k) => /typescript|tfjs|tensorflow|languageClient|vscode-languageclient/i.test(k)),
  };
  process.stdout.write(JSON.stringify(out) + "\n");
  // The extension's timers (debounces, watchers) must not keep the probe alive.
  process.exit(0);
}

if (process.argv.includes("--probe")) probe();

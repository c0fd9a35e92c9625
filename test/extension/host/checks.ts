import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as vscodeTypes from "vscode";

/**
 * Checks that run inside a real VS Code extension host (code-server's, from the end-to-end test,
 * or desktop VS Code through @vscode/test-electron or @vscode/test-cli): the extension activates, the language server answers hovers, inlay hints,
 * code lenses and diagnostics through VS Code's own provider commands, and every contributed
 * command is registered. `vscode` is required lazily: this file is also loaded (and does nothing)
 * under `node --test`.
 */

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

export interface HostCheck {
  name: string;
  run(): Promise<void>;
}

async function poll<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function label(h: vscodeTypes.InlayHint): string {
  return typeof h.label === "string" ? h.label : h.label.map((p) => p.value).join("");
}

export function hostChecks(): HostCheck[] {
  const vscode = require("vscode") as typeof vscodeTypes;
  const lenet = vscode.Uri.file(path.join(ROOT, "examples", "lenet5.ts"));
  return [
    {
      name: "the extension activates and registers every contributed command",
      async run() {
        const ext = vscode.extensions.getExtension("cnn-studio.cnn-studio");
        assert.ok(ext, "the extension is installed");
        const api = (await ext.activate()) as { activation: { totalMs: number } };
        console.log(`activation: ${api.activation.totalMs.toFixed(1)} ms`);
        const manifest = ext.packageJSON as { contributes: { commands: { command: string }[] } };
        const registered = new Set(await vscode.commands.getCommands(true));
        const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
        assert.deepEqual(missing, []);
      },
    },
    {
      name: "hover, inlay hints and code lenses on LeNet-5",
      async run() {
        const doc = await vscode.workspace.openTextDocument(lenet);
        await vscode.window.showTextDocument(doc);
        const hover = await poll("a hover with the shape", 60_000, async () => {
          const hovers = await vscode.commands.executeCommand<vscodeTypes.Hover[]>("vscode.executeHoverProvider", lenet, new vscode.Position(5, 8));
          const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
          return text.includes("[N, 6, 28, 28]") ? text : undefined;
        });
        assert.match(hover, /\[N, 1, 32, 32\] → \[N, 6, 28, 28\]/);
        const hints = await poll("inlay hints", 30_000, async () => {
          const h = await vscode.commands.executeCommand<vscodeTypes.InlayHint[]>("vscode.executeInlayHintProvider", lenet, new vscode.Range(0, 0, 12, 0));
          return h.length > 0 ? h : undefined;
        });
        assert.ok(hints.some((h) => label(h) === "→ [N, 6, 28, 28]"));
        const lenses = await poll("code lenses", 30_000, async () => {
          const l = await vscode.commands.executeCommand<vscodeTypes.CodeLens[]>("vscode.executeCodeLensProvider", lenet);
          return l.some((x) => x.command?.title.includes("61,706 params")) ? l : undefined;
        });
        assert.ok(lenses.some((l) => l.command?.command === "cnnStudio.showSummary"));
      },
    },
    {
      name: "a seeded error is a diagnostic",
      async run() {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-host-"));
        const file = path.join(dir, "broken.ts");
        fs.writeFileSync(
          file,
          `import { nn } from "cnn-studio";\n\n/** @input [N, 1, 28, 28] */\nexport const broken = nn.Sequential(nn.Conv2d(1, 6, 5), nn.Flatten(), nn.Linear(100, 10));\n`,
        );
        const uri = vscode.Uri.file(file);
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
        const diags = await poll("the diagnostic", 60_000, async () => {
          const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === "CNN Studio" || /Linear expects/.test(x.message));
          return d.length ? d : undefined;
        });
        assert.match(diags[0]!.message, /Linear expects 100 input features but receives 3456/);
      },
    },
  ];
}

/** Runs every check, in order; throws after all ran if any failed. */
export async function runHostChecks(): Promise<void> {
  const failures: string[] = [];
  for (const c of hostChecks()) {
    try {
      await c.run();
      console.log(`ok - ${c.name}`);
    } catch (e) {
      console.log(`not ok - ${c.name}: ${e instanceof Error ? e.message : String(e)}`);
      failures.push(c.name);
    }
  }
  console.log(`extension-host checks: ${hostChecks().length - failures.length} passed, ${failures.length} failed`);
  if (failures.length) throw new Error(`${failures.length} extension-host check(s) failed: ${failures.join("; ")}`);
}

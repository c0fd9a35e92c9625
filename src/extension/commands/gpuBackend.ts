import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { UNTRUSTED_MESSAGE } from "../train/trainingController";

/**
 * “Install GPU Backend”: installs `@tensorflow/tfjs-node-gpu` (CUDA) or `@tensorflow/tfjs-node`
 * (native CPU) with npm into the extension's global storage (`<globalStorage>/backends`), as a
 * task the user watches. The trainer process gets that folder's `node_modules` on `NODE_PATH`
 * (and as `CNN_STUDIO_BACKENDS_DIR`), so its `require` finds the backend.
 */

export const TFJS_VERSION = "4.22.0";

export function backendsDir(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, "backends");
}

export function installedBackends(dir: string): string[] {
  return ["tfjs-node-gpu", "tfjs-node"].filter((p) => fs.existsSync(path.join(dir, "node_modules", "@tensorflow", p, "package.json")));
}

export async function installGpuBackend(context: vscode.ExtensionContext): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
    return;
  }
  const dir = backendsDir(context);
  const have = installedBackends(dir);
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: "GPU (CUDA)",
        description: `@tensorflow/tfjs-node-gpu ${TFJS_VERSION}`,
        detail: "Linux x64 with an NVIDIA GPU, CUDA 11.8 and cuDNN 8.6",
        pkg: "@tensorflow/tfjs-node-gpu",
      },
      {
        label: "Native CPU",
        description: `@tensorflow/tfjs-node ${TFJS_VERSION}`,
        detail: "TensorFlow's C library on the CPU: several times faster than WebAssembly",
        pkg: "@tensorflow/tfjs-node",
      },
    ].map((x) => ({ ...x, description: `${x.description}${have.includes(x.pkg.split("/")[1] ?? "") ? " — installed" : ""}` })),
    { title: "CNN Studio: Install a Training Backend", placeHolder: `Installed with npm into ${dir}` },
  );
  if (!picked) return;
  fs.mkdirSync(dir, { recursive: true });
  const manifest = path.join(dir, "package.json");
  if (!fs.existsSync(manifest))
    fs.writeFileSync(
      manifest,
      JSON.stringify({ name: "cnn-studio-backends", private: true, description: "Training backends installed by CNN Studio" }, null, 2) + "\n",
    );
  const task = new vscode.Task(
    { type: "cnnStudio", task: "installBackend", package: picked.pkg },
    vscode.TaskScope.Global,
    `Install ${picked.label} backend`,
    "CNN Studio",
    new vscode.ProcessExecution(
      process.platform === "win32" ? "npm.cmd" : "npm",
      ["install", "--no-audit", "--no-fund", "--save", `${picked.pkg}@${TFJS_VERSION}`],
      { cwd: dir },
    ),
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  const execution = await vscode.tasks.executeTask(task);
  const done = vscode.tasks.onDidEndTaskProcess((e) => {
    if (e.execution !== execution) return;
    done.dispose();
    if (e.exitCode === 0) {
      void vscode.window.showInformationMessage(
        `CNN Studio: ${picked.label} backend installed. Choose “${picked.label === "GPU (CUDA)" ? "GPU" : "Native CPU"}” (or Auto) as the backend in the Train view.`,
      );
    } else {
      void vscode.window.showErrorMessage(
        `CNN Studio: installing ${picked.pkg} failed (exit code ${e.exitCode ?? "?"}); see the terminal. The bundled WebAssembly backend still trains.`,
      );
    }
  });
  context.subscriptions.push(done);
}

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { selectedPython } from "../train/selectedPython";
import { UNTRUSTED_MESSAGE } from "../train/trainingController";
import { TFJS_VERSION, decisionMessage, planGpuInstall } from "./gpuPlan";
import { probeGpu } from "./gpuProbe";

/**
 * “Install GPU Backend”: installs `@tensorflow/tfjs-node-gpu` (CUDA) or `@tensorflow/tfjs-node`
 * (native CPU) with npm into the extension's global storage (`<globalStorage>/backends`), as a
 * task the user watches. The trainer process gets that folder's `node_modules` on `NODE_PATH`
 * (and as `CNN_STUDIO_BACKENDS_DIR`), so its `require` finds the backend.
 *
 * Before installing the GPU package it probes the driver, CUDA and cuDNN (./gpuProbe.ts), and
 * shows what ./gpuPlan.ts decided in a modal: what will be downloaded from where, or why it cannot
 * work here, recommending the PyTorch engine instead.
 */

export { TFJS_VERSION };

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
        detail: "Linux or Windows x64 with an NVIDIA GPU, CUDA 11.2+ (11.x) and cuDNN 8.1+ (8.x): checked before installing",
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
  if (picked.pkg === "@tensorflow/tfjs-node-gpu" && !(await confirmGpuInstall())) return;
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

/** Probes, shows the decision; true when the user chose to install. */
async function confirmGpuInstall(): Promise<boolean> {
  const probe = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "CNN Studio: checking the NVIDIA driver, CUDA and cuDNN…" },
    () => probeGpu(),
  );
  const decision = planGpuInstall(probe);
  const install = decision.kind === "plan" ? "Install" : "Install Anyway";
  const torch = "Use PyTorch engine";
  const buttons = decision.kind === "plan" || decision.platformSupported ? [install, torch] : [torch];
  const title = decision.kind === "plan" ? "Install the GPU backend (tfjs-node-gpu)?" : "The GPU backend (tfjs-node-gpu) cannot work here";
  const choice = await vscode.window.showWarningMessage(title, { modal: true, detail: decisionMessage(decision) }, ...buttons);
  if (choice === torch) await usePyTorchEngine();
  return choice === install;
}

/** Makes the PyTorch engine the Train view's default backend and says which Python it will use. */
async function usePyTorchEngine(): Promise<void> {
  await vscode.workspace.getConfiguration("cnnStudio").update("defaultBackend", "torch", vscode.ConfigurationTarget.Global);
  const python = await selectedPython(vscode.workspace.workspaceFolders?.[0]?.uri);
  const which = python
    ? `${python.python} (${python.source})`
    : "python3 from PATH ($CNN_STUDIO_PYTHON overrides; select one with “Python: Select Interpreter”)";
  void vscode.window.showInformationMessage(
    `CNN Studio: the Train view now starts with the PyTorch engine, using ${which}. From a terminal: cnn-studio train FILE --backend torch.`,
  );
}

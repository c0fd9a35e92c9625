import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { RunsTreeProvider, type RunNode } from "../runs/runsView";
import type { TrainingController } from "../train/trainingController";

/** The Runs view's item actions: stop, resume, reveal, log, delete. */

export async function pickRun(
  runs: RunsTreeProvider,
  arg: unknown,
  title: string,
  filter: (state: string) => boolean = () => true,
): Promise<string | undefined> {
  const direct = RunsTreeProvider.runDirOf(arg);
  if (direct) return direct;
  const items = (await runs.getChildren()).filter((n): n is RunNode => n.kind === "run" && filter(n.run.state));
  if (items.length === 0) {
    void vscode.window.showInformationMessage("CNN Studio: no training runs to choose from.");
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    items.map((n) => ({ label: n.run.model, description: `${n.run.state} · epoch ${n.run.epoch}/${n.run.epochs ?? "?"}`, detail: n.run.dir, dir: n.run.dir })),
    { title },
  );
  return picked?.dir;
}

export async function stopRun(training: TrainingController, runs: RunsTreeProvider, arg: unknown): Promise<void> {
  const dir = RunsTreeProvider.runDirOf(arg);
  if (!dir || training.isActiveRun(dir)) {
    if (!training.stop()) void vscode.window.showInformationMessage("CNN Studio: no run is training in this window.");
    return;
  }
  // A run started elsewhere (another window, the command line): signal its process.
  const info = await runs.store.read(dir);
  const pid = info?.pid ?? null;
  if (info?.state !== "running" || pid === null) {
    void vscode.window.showInformationMessage(`CNN Studio: ${path.basename(dir)} is not training.`);
    return;
  }
  const ok = await vscode.window.showWarningMessage(
    `${info.model} was started outside this window (process ${pid}). Interrupt that process? It stops at the next step.`,
    { modal: true },
    "Interrupt",
  );
  if (ok !== "Interrupt") return;
  try {
    process.kill(pid, "SIGINT");
  } catch (e) {
    void vscode.window.showErrorMessage(`CNN Studio: could not interrupt process ${pid}: ${e instanceof Error ? e.message : String(e)}`);
  }
  runs.refreshSoon();
}

export async function revealRun(dir: string): Promise<void> {
  const uri = vscode.Uri.file(dir);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand("revealInExplorer", uri);
  else await vscode.commands.executeCommand("revealFileInOS", uri);
}

export async function openRunLog(dir: string): Promise<void> {
  const log = path.join(dir, "log.txt");
  if (!fs.existsSync(log)) {
    void vscode.window.showInformationMessage(`CNN Studio: ${path.basename(dir)} has no log yet.`);
    return;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(log), { preview: true });
}

export async function deleteRun(training: TrainingController, runs: RunsTreeProvider, dir: string): Promise<void> {
  if (training.isActiveRun(dir)) {
    void vscode.window.showWarningMessage("CNN Studio: this run is training; stop it before deleting it.");
    return;
  }
  const name = path.basename(dir);
  const ok = await vscode.window.showWarningMessage(
    `Delete the training run ${name}?`,
    { modal: true, detail: `${dir}\n\nIts metrics, checkpoints and log are deleted.` },
    "Delete",
  );
  if (ok !== "Delete") return;
  const uri = vscode.Uri.file(dir);
  try {
    await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: true });
  } catch {
    // No trash (remote, some Linux desktops): delete for good, as confirmed.
    await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
  }
  runs.store.forget(dir);
  runs.refresh();
}

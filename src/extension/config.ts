import * as path from "node:path";
import * as vscode from "vscode";
import { SETTINGS_SECTION, type PartialServerSettings } from "../shared/lsp";
import { FORM_BACKENDS, type FormBackend } from "../shared/webview/train";

/** CNN Studio's settings (`cnnStudio.*`), read fresh on every call. */

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION);
}

/** What the language server reads: the inlay-hint switches. */
export function serverSettings(): PartialServerSettings {
  const c = section();
  return {
    inlayHints: {
      enabled: c.get<boolean>("inlayHints.enabled", true),
      sequentialEntries: c.get<boolean>("inlayHints.sequentialEntries", true),
      forwardStatements: c.get<boolean>("inlayHints.forwardStatements", true),
    },
  };
}

/** The first workspace folder on disk, if any. */
export function workspaceRoot(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file")?.uri;
}

/**
 * The folder of training runs: `cnnStudio.runsDirectory` (default `runs`), relative paths against
 * the first workspace folder; without a folder, `fallback` (the extension's global storage).
 */
export function runsDirectory(fallback: vscode.Uri): vscode.Uri {
  const setting = section().get<string>("runsDirectory", "runs").trim() || "runs";
  const expanded = setting.replace(/^~(?=$|[\\/])/, process.env["HOME"] ?? process.env["USERPROFILE"] ?? "~");
  if (path.isAbsolute(expanded)) return vscode.Uri.file(expanded);
  const root = workspaceRoot();
  return root ? vscode.Uri.joinPath(root, expanded) : vscode.Uri.joinPath(fallback, "runs");
}

/** `cnnStudio.defaultBackend`: a TensorFlow.js backend, or `torch` for the PyTorch engine. */
export function defaultBackend(): FormBackend {
  const v = section().get<string>("defaultBackend", "auto");
  return (FORM_BACKENDS as readonly string[]).includes(v) ? (v as FormBackend) : "auto";
}

/** `cnnStudio.defaultDatasetFolder` as an absolute path, or "" for the bundled MNIST sample. */
export function defaultDatasetFolder(): string {
  const v = section().get<string>("defaultDatasetFolder", "").trim();
  if (v === "") return "";
  if (path.isAbsolute(v)) return v;
  const root = workspaceRoot();
  return root ? path.join(root.fsPath, v) : v;
}

/**
 * `cnnStudio.remoteRunsDirectories` (issue 16): folders of runs made on other machines (synced or
 * mounted), `~` expanded, relative paths against the first workspace folder (left out without one).
 */
export function remoteRunsDirectories(): string[] {
  const v = section().get<unknown>("remoteRunsDirectories", []);
  const home = process.env["HOME"] ?? process.env["USERPROFILE"] ?? "~";
  const root = workspaceRoot();
  const out: string[] = [];
  for (const item of Array.isArray(v) ? (v as unknown[]) : []) {
    if (typeof item !== "string" || item.trim() === "") continue;
    const expanded = item.trim().replace(/^~(?=$|[\\/])/, home);
    const dir = path.isAbsolute(expanded) ? path.normalize(expanded) : root ? path.join(root.fsPath, expanded) : null;
    if (dir !== null && !out.includes(dir)) out.push(dir);
  }
  return out;
}

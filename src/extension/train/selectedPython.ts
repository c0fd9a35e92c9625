import * as vscode from "vscode";

/**
 * The Python that the PyTorch engine trains with: the interpreter selected in the Python
 * extension (ms-python.python, its `environments` API or the older `settings` API), else the
 * `python.defaultInterpreterPath` setting; undefined leaves the choice to the engine
 * ($CNN_STUDIO_PYTHON, `python3`, `python`). The Python extension's API is untyped here: every
 * member is checked before use, and nothing it does (a failed or slow activation) stops training.
 */

export interface SelectedPython {
  python: string;
  /** Where it comes from, for the output channel. */
  source: string;
}

const ACTIVATION_TIMEOUT_MS = 10_000;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === "object" && v !== null ? (v as Obj) : undefined);
const fn = (o: Obj | undefined, name: string): ((...args: unknown[]) => unknown) | undefined => {
  const f = o?.[name];
  return typeof f === "function" ? (f.bind(o) as (...args: unknown[]) => unknown) : undefined;
};
const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);

function within<T>(p: Thenable<T> | Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    Promise.resolve(p).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

/** The executable of the Python extension's active environment for `resource`, if it has one. */
async function fromPythonExtension(resource: vscode.Uri | undefined): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension("ms-python.python");
  if (!ext) return undefined;
  const api = obj(ext.isActive ? ext.exports : await within(ext.activate(), ACTIVATION_TIMEOUT_MS));
  // The environments API: getActiveEnvironmentPath() → { id, path }, resolveEnvironment() → { executable: { uri } }.
  const environments = obj(api?.["environments"]);
  const active = obj(fn(environments, "getActiveEnvironmentPath")?.(resource));
  if (active) {
    const resolve = fn(environments, "resolveEnvironment");
    const resolved = obj(resolve ? await within(Promise.resolve(resolve(active)), ACTIVATION_TIMEOUT_MS) : undefined);
    const uri = obj(obj(resolved?.["executable"])?.["uri"]);
    const exe = text(uri?.["fsPath"]) ?? text(active["path"]);
    if (exe) return exe;
  }
  // The older settings API: getExecutionDetails(resource).execCommand = ["/path/to/python", ...].
  const details = obj(fn(obj(api?.["settings"]), "getExecutionDetails")?.(resource));
  const command = details?.["execCommand"];
  return Array.isArray(command) ? text(command[0]) : undefined;
}

export async function selectedPython(resource?: vscode.Uri): Promise<SelectedPython | undefined> {
  try {
    const ext = await fromPythonExtension(resource);
    if (ext) return { python: ext, source: "the Python extension's interpreter" };
  } catch {
    // an API that misbehaves is as good as none
  }
  try {
    const configured = text(vscode.workspace.getConfiguration("python", resource).get<unknown>("defaultInterpreterPath"));
    if (!configured || configured === "python") return undefined;
    const folder = resource ? vscode.workspace.getWorkspaceFolder(resource) : vscode.workspace.workspaceFolders?.[0];
    const python = folder ? configured.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath) : configured;
    return python.includes("${") ? undefined : { python, source: "python.defaultInterpreterPath" };
  } catch {
    return undefined;
  }
}

import * as vscode from "vscode";
import type { Range } from "../../shared/analysis";
import type { AnalysisResult, ModelCommandArgs, ModelGraph } from "../../shared/lsp";
import { rangeContains } from "../../shared/ranges";
import { ModelsTreeProvider } from "../models/modelsView";
import type { ModelStore } from "../models/modelStore";

/**
 * Which model a command is about: the code lens' argument, a Models view item, the model under
 * the cursor of the active editor, or one picked from the workspace's models.
 */

export function isModelCommandArgs(x: unknown): x is ModelCommandArgs {
  return typeof x === "object" && x !== null && typeof (x as ModelCommandArgs).uri === "string" && typeof (x as ModelCommandArgs).model === "string";
}

function onLines(r: Range, line: number): boolean {
  return line >= r.start.line && line <= r.end.line;
}

/**
 * The model of `result` that the position is in: its declaration, or the line of one of its
 * layers' definitions or calls (anywhere on the line: a click often lands after the text).
 */
export function modelAt(result: AnalysisResult, line: number, character: number): ModelGraph | undefined {
  const own = result.models.filter((m) => m.location.file === result.file);
  const direct = own.find((m) => rangeContains(m.location.range, { line, character }));
  if (direct) return direct;
  const byLayer = own.find((m) =>
    m.layers.some(
      (l) => (l.definedAt?.file === result.file && onLines(l.definedAt.range, line)) || (l.calledAt?.file === result.file && onLines(l.calledAt.range, line)),
    ),
  );
  if (byLayer) return byLayer;
  // The nearest model declared below the cursor (a class above its `export const`), else above.
  const below = own.filter((m) => m.location.range.start.line >= line).sort((a, b) => a.location.range.start.line - b.location.range.start.line)[0];
  return below ?? own[own.length - 1];
}

/** `pick: false`: no quick pick when neither the argument nor the editor names a model. */
export async function resolveModelArgs(
  arg: unknown,
  store: ModelStore,
  purpose: string,
  options: { pick?: boolean } = {},
): Promise<ModelCommandArgs | undefined> {
  if (isModelCommandArgs(arg)) return arg;
  const fromTree = ModelsTreeProvider.args(arg);
  if (fromTree) return fromTree;
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.languageId === "typescript") {
    const result = await store.refreshFile(editor.document.uri);
    if (result?.isModelFile) {
      const pos = editor.selection.active;
      const m = modelAt(result, pos.line, pos.character);
      if (m) return { uri: editor.document.uri.toString(), model: m.name };
    }
  }
  return options.pick === false ? undefined : pickModel(store, purpose);
}

export async function pickModel(store: ModelStore, purpose: string): Promise<ModelCommandArgs | undefined> {
  await store.ensureScanned();
  const models = store.models();
  if (models.length === 0) {
    const choice = await vscode.window.showInformationMessage("CNN Studio: there is no model in this workspace yet.", "New Model from Template…");
    if (choice) await vscode.commands.executeCommand("cnnStudio.newModel");
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.model.name, description: vscode.workspace.asRelativePath(m.uri), args: { uri: m.uri.toString(), model: m.model.name } })),
    { title: `CNN Studio: ${purpose}`, placeHolder: "Choose a model", matchOnDescription: true },
  );
  return picked?.args;
}

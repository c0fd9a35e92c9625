import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { typingsFiles } from "../../export/typingsFolder";

/**
 * “Write Typings into Workspace”: for people who compile model files with `tsc` themselves (the
 * editor resolves "cnn-studio" through the TypeScript server plugin without this). Copies the
 * declarations to `typings/cnn-studio.d.ts` (and the files it imports, `typings/cnn-studio/`) and maps the module in `tsconfig.json` — creating
 * one, or adding a `paths` entry to one without comments; otherwise it shows what to add.
 */

export const TYPINGS_REL = "typings/cnn-studio.d.ts";

export function newTsconfig(typingsRel: string): string {
  return `${JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        module: "commonjs",
        moduleResolution: "node",
        lib: ["ES2022"],
        types: [],
        strict: true,
        noUncheckedIndexedAccess: true,
        noEmit: true,
        paths: { "cnn-studio": [`./${typingsRel}`] },
      },
      include: ["**/*.ts"],
      exclude: ["node_modules"],
    },
    null,
    2,
  )}\n`;
}

type Patch = { kind: "unchanged" } | { kind: "patched"; text: string } | { kind: "manual"; reason: string };

/** Adds `paths["cnn-studio"]` to a tsconfig's text when it is plain JSON (no comments, no trailing commas). */
export function patchTsconfig(text: string, typingsRel: string): Patch {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "manual", reason: "it has comments or is not plain JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return { kind: "manual", reason: "it is not a JSON object" };
  const root = json as Record<string, unknown>;
  const options = (root["compilerOptions"] ??= {}) as Record<string, unknown>;
  if (typeof options !== "object" || options === null) return { kind: "manual", reason: "its compilerOptions is not an object" };
  const paths = (options["paths"] ??= {}) as Record<string, unknown>;
  if (typeof paths !== "object" || paths === null) return { kind: "manual", reason: "its paths is not an object" };
  if (paths["cnn-studio"] !== undefined) return { kind: "unchanged" };
  // paths are relative to baseUrl when set, else to the tsconfig's folder.
  const base = typeof options["baseUrl"] === "string" ? options["baseUrl"] : ".";
  const target = path.posix.relative(base.replace(/\\/g, "/"), typingsRel);
  paths["cnn-studio"] = [target.startsWith(".") ? target : `./${target}`];
  return { kind: "patched", text: `${JSON.stringify(root, null, 2)}\n` };
}

export async function writeTypings(extensionPath: string): Promise<void> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file");
  if (folders.length === 0) {
    void vscode.window.showWarningMessage("CNN Studio: open a folder first; the typings are written into it.");
    return;
  }
  const folder =
    folders.length === 1
      ? folders[0]
      : (
          await vscode.window.showQuickPick(
            folders.map((f) => ({ label: f.name, description: f.uri.fsPath, folder: f })),
            { title: "Write the cnn-studio typings into…" },
          )
        )?.folder;
  if (!folder) return;
  const types = path.join(extensionPath, "types");
  const targetDir = path.join(folder.uri.fsPath, path.dirname(TYPINGS_REL));
  for (const rel of typingsFiles(types)) {
    const target = path.join(targetDir, rel);
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(target)));
    await vscode.workspace.fs.writeFile(vscode.Uri.file(target), fs.readFileSync(path.join(types, rel)));
  }
  const tsconfig = path.join(folder.uri.fsPath, "tsconfig.json");
  let outcome: string;
  if (!fs.existsSync(tsconfig)) {
    await vscode.workspace.fs.writeFile(vscode.Uri.file(tsconfig), Buffer.from(newTsconfig(TYPINGS_REL), "utf8"));
    outcome = 'and created tsconfig.json, which maps "cnn-studio" to it';
  } else {
    const patch = patchTsconfig(fs.readFileSync(tsconfig, "utf8"), TYPINGS_REL);
    if (patch.kind === "patched") {
      await vscode.workspace.fs.writeFile(vscode.Uri.file(tsconfig), Buffer.from(patch.text, "utf8"));
      outcome = 'and mapped "cnn-studio" to it in tsconfig.json';
    } else if (patch.kind === "unchanged") {
      outcome = '(tsconfig.json maps "cnn-studio" already)';
    } else {
      const snippet = `"paths": { "cnn-studio": ["./${TYPINGS_REL}"] }`;
      const action = await vscode.window.showInformationMessage(
        `CNN Studio: wrote ${TYPINGS_REL}. Add ${snippet} to compilerOptions in tsconfig.json (not edited automatically: ${patch.reason}).`,
        "Open tsconfig.json",
        "Copy Snippet",
      );
      if (action === "Open tsconfig.json") await vscode.window.showTextDocument(vscode.Uri.file(tsconfig));
      if (action === "Copy Snippet") await vscode.env.clipboard.writeText(snippet);
      return;
    }
  }
  void vscode.window.showInformationMessage(`CNN Studio: wrote ${TYPINGS_REL} ${outcome}. \`tsc -p .\` now type-checks your model files.`);
}

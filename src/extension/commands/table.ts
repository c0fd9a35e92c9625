import * as vscode from "vscode";
import type { ModelCommandArgs } from "../../shared/lsp";
import type { AnalysisClient } from "../client";
import type { ModelStore } from "../models/modelStore";
import type { PanelsBridge } from "../panelsBridge";
import { RunsTreeProvider } from "../runs/runsView";
import type { TrainViewProvider } from "../train/trainView";
import { UNTRUSTED_MESSAGE, type TrainingController } from "../train/trainingController";
import { resolveModelArgs } from "./modelArgs";
import { deleteRun, openRunLog, pickRun, revealRun, stopRun } from "./runActions";
import { showSummary } from "./summary";

/**
 * Every command of the extension, by id (the `contributes.commands` of package.json, which a test
 * compares with this table). Each entry makes the command's handler from what `activate` created,
 * like rust-analyzer's commands.ts; `registerCommands` registers them all with one error report.
 * The implementations of rarely used commands load when first run (`require` in the handler).
 */

/** What the commands work with, created once by `activate`. */
export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly client: AnalysisClient;
  readonly store: ModelStore;
  readonly training: TrainingController;
  readonly runsTree: RunsTreeProvider;
  readonly trainView: TrainViewProvider;
  readonly panels: PanelsBridge;
}

type Handler = (...args: unknown[]) => unknown;

/** The model a command is about: its argument, the editor's cursor, or (with `pick`) a choice. */
function model(ctx: CommandContext, arg: unknown, purpose: string, pick = true): Promise<ModelCommandArgs | undefined> {
  return resolveModelArgs(arg, ctx.store, purpose, { pick });
}

/** A Runs view item's model (its config.json names the file and model). */
async function modelOfRun(ctx: CommandContext, arg: unknown): Promise<ModelCommandArgs | undefined> {
  const dir = RunsTreeProvider.runDirOf(arg);
  if (!dir) return undefined;
  const info = await ctx.runsTree.store.read(dir);
  return info?.file ? { uri: vscode.Uri.file(info.file).toString(), model: info.model } : undefined;
}

export const COMMANDS = {
  "cnnStudio.showSummary": (ctx) => async (arg) => {
    const args = await model(ctx, arg, "Show Model Summary");
    if (args) await showSummary(args);
  },
  "cnnStudio.newModel": (ctx) => async (arg) => {
    const { newModelFromTemplate } = require("./templates") as typeof import("./templates");
    await newModelFromTemplate(ctx.extension.extensionPath, arg);
  },
  "cnnStudio.train": (ctx) => async (arg) => {
    if (!vscode.workspace.isTrusted) {
      const a = await vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, "Manage Workspace Trust");
      if (a) await vscode.commands.executeCommand("workbench.trust.manage");
      return;
    }
    // Without a model in the argument or the editor, the Train view itself offers the choice.
    const args = await model(ctx, arg, "Train Model", false);
    await ctx.trainView.show(args);
  },
  "cnnStudio.stopRun": (ctx) => (arg) => stopRun(ctx.training, ctx.runsTree, arg),
  "cnnStudio.openCurves": (ctx) => (arg) => {
    const dir = RunsTreeProvider.runDirOf(arg);
    const active = ctx.training.active?.runDir;
    ctx.panels.openCurves(dir ? [dir] : active ? [active] : []);
  },
  // Issue 18: a run folder path or a Runs view item (several selected: the first two side by side)
  "cnnStudio.openEvaluation": (ctx) => async (arg, selected) => {
    const dirs = (Array.isArray(selected) && selected.length > 1 ? selected : [arg])
      .map((a: unknown) => (typeof a === "string" ? a : RunsTreeProvider.runDirOf(a)))
      .filter((d): d is string => typeof d === "string");
    const picked = dirs.length > 0 ? undefined : await pickRun(ctx.runsTree, undefined, "Evaluate which run?", (state) => state !== "running");
    const runs = picked ? [picked] : dirs;
    if (runs.length > 0) ctx.panels.openEvaluation(runs);
  },
  "cnnStudio.openFeatureMaps": (ctx) => async (arg) => {
    const args = (await modelOfRun(ctx, arg)) ?? (await model(ctx, arg, "Open Feature Maps"));
    if (args) ctx.panels.openFeatureMaps(args);
  },
  "cnnStudio.openFilters": (ctx) => async (arg) => {
    const args = (await modelOfRun(ctx, arg)) ?? (await model(ctx, arg, "Open Filters"));
    if (args) ctx.panels.openFilters(args);
  },
  "cnnStudio.openReceptiveField": (ctx) => async (arg) => {
    const args = await model(ctx, arg, "Open Receptive Field");
    if (args) ctx.panels.openReceptiveField(args);
  },
  "cnnStudio.openGraph": (ctx) => async (arg) => {
    const args = await model(ctx, arg, "Open Model Graph");
    if (args) ctx.panels.openGraph(args);
  },
  "cnnStudio.installGpuBackend": (ctx) => async () => {
    const { installGpuBackend } = require("./gpuBackend") as typeof import("./gpuBackend");
    await installGpuBackend(ctx.extension);
  },
  "cnnStudio.writeTypings": (ctx) => async () => {
    const { writeTypings } = require("./typings") as typeof import("./typings");
    await writeTypings(ctx.extension.extensionPath);
  },
  "cnnStudio.refreshModels": (ctx) => () => ctx.store.rescan(),
  "cnnStudio.refreshRuns": (ctx) => () => ctx.runsTree.refresh(),
  "cnnStudio.resumeRun": (ctx) => async (arg) => {
    const dir = await pickRun(ctx.runsTree, arg, "Resume which run?", (s) => s !== "running" && s !== "completed");
    if (!dir) return;
    const r = ctx.training.resume(dir);
    if (r.kind === "untrusted") void vscode.window.showWarningMessage(r.message);
    else if (r.kind !== "started") void vscode.window.showErrorMessage(r.message);
    ctx.runsTree.refreshSoon();
  },
  "cnnStudio.revealRun": (ctx) => async (arg) => {
    const dir = await pickRun(ctx.runsTree, arg, "Reveal which run?");
    if (dir) await revealRun(dir);
  },
  "cnnStudio.openRunLog": (ctx) => async (arg) => {
    const dir = await pickRun(ctx.runsTree, arg, "Open the log of which run?");
    if (dir) await openRunLog(dir);
  },
  "cnnStudio.deleteRun": (ctx) => async (arg) => {
    const dir = await pickRun(ctx.runsTree, arg, "Delete which run?", (s) => s !== "running");
    if (dir) await deleteRun(ctx.training, ctx.runsTree, dir);
  },
  "cnnStudio.restartServer": (ctx) => () => ctx.client.restart(),
  // issue 15: "Start from weights…" of the Train view; a path (or a file's Uri) skips the file picker
  "cnnStudio.train.chooseWeights": (ctx) => async (arg) => {
    const file = typeof arg === "string" ? arg : arg instanceof vscode.Uri ? arg.fsPath : undefined;
    await ctx.trainView.show();
    await ctx.trainView.chooseWeights(file);
  },
  "cnnStudio.revealLocation": () => async (file, line) => {
    if (typeof file !== "string") return;
    const pos = new vscode.Position(typeof line === "number" ? line : 0, 0);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(pos, pos) });
  },
} satisfies Record<`cnnStudio.${string}`, (ctx: CommandContext) => Handler>;

export type CommandId = keyof typeof COMMANDS;

/**
 * Registers every command of the table. A command that fails shows its message and writes its
 * stack to the output channel; it never throws into VS Code.
 */
export function registerCommands(ctx: CommandContext, output: vscode.OutputChannel): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, make]: [string, (ctx: CommandContext) => Handler]) => {
    const handler = make(ctx);
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await handler(...args);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        output.appendLine(`${id} failed: ${e instanceof Error ? (e.stack ?? message) : message}`);
        void vscode.window.showErrorMessage(`CNN Studio: ${message}`);
      }
    });
  });
}

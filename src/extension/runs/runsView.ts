import * as path from "node:path";
import * as vscode from "vscode";
import { formatCount } from "../../shared/format";
import { remoteRunsDirectories } from "../config";
import type { TrainingController } from "../train/trainingController";
import { remoteGroupItem, RemoteRunsWatcher, type RemoteGroupNode } from "./remoteRuns";
import { percent, RunStore, type RunInfo } from "./runStore";

/**
 * The Runs view: every run folder of the runs directory, newest first, with its state, progress,
 * best validation accuracy and backend; actions in the item's inline and context menus (curves,
 * stop, resume, reveal, delete). Follows the folder on disk and the runs of this window.
 */

export interface RunNode {
  kind: "run";
  run: RunInfo;
  /** The remote runs folder it was listed from (cnnStudio.remoteRunsDirectories); absent for the runs folder's. */
  root?: string;
}

/** The Runs view's items: runs, and (issue 16) a group per remote runs folder. */
export type RunsNode = RunNode | RemoteGroupNode;

const ICONS: Record<RunInfo["state"], [string, string | undefined]> = {
  running: ["sync~spin", "charts.blue"],
  completed: ["pass", "charts.green"],
  stopped: ["debug-pause", "charts.yellow"],
  failed: ["error", "charts.red"],
  interrupted: ["warning", "charts.orange"],
  unknown: ["circle-outline", undefined],
};

export function runDescription(run: RunInfo, live: boolean): string {
  const parts: string[] = [];
  const state = live ? "training" : run.state;
  parts.push(state);
  parts.push(`epoch ${run.epoch}/${run.epochs ?? "?"}`);
  if (run.bestValAccuracy !== null) parts.push(`best ${percent(run.bestValAccuracy)}`);
  if (run.backend) parts.push(run.backend);
  return parts.join(" · ");
}

/** A run folder that could not be read: listed all the same, with the reason (reveal and delete still work). */
function unreadableItem(run: RunInfo): vscode.TreeItem {
  const item = new vscode.TreeItem(run.model, vscode.TreeItemCollapsibleState.None);
  item.id = `run:${run.dir}`;
  item.description = `unreadable · ${run.name.slice(0, 17)}`;
  item.iconPath = new vscode.ThemeIcon("warning", new vscode.ThemeColor("charts.orange"));
  item.contextValue = "run.unreadable";
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${run.name}** — unreadable\n\n`);
  md.appendText(run.error ?? "");
  item.tooltip = md;
  return item;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly store = new RunStore();
  private watcher: vscode.FileSystemWatcher | undefined;
  private watchedDir: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private poll: NodeJS.Timeout | undefined;
  private readonly remote: RemoteRunsWatcher;

  constructor(
    private readonly runsDir: () => vscode.Uri,
    private readonly training: TrainingController,
    options: { remotePollMs?: number } = {},
  ) {
    this.remote = new RemoteRunsWatcher(() => this.refreshSoon(), options.remotePollMs);
    this.disposables.push(
      this.remote,
      training.onDidChange(() => this.refreshSoon()),
      training.onTrainingEvent(({ runDir, event }) => {
        if (event.type === "started") this.store.noteBackend(runDir, event.backend);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration("cnnStudio.runsDirectory") || e.affectsConfiguration("cnnStudio.remoteRunsDirectories")) this.refresh();
      }),
    );
  }

  /** Re-reads the runs folder now. */
  refresh(): void {
    this.changed.fire();
  }

  /** Re-reads the runs folder shortly (coalescing bursts of file events). */
  refreshSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire();
    }, 400);
  }

  private watch(dir: vscode.Uri): void {
    if (this.watchedDir === dir.fsPath) return;
    this.watcher?.dispose();
    this.watchedDir = dir.fsPath;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, "*/{status.json,config.json,metrics.jsonl}"));
    this.watcher.onDidCreate(() => this.refreshSoon());
    this.watcher.onDidChange(() => this.refreshSoon());
    this.watcher.onDidDelete(() => this.refreshSoon());
    // Runs started elsewhere (the CLI, another window) also show up when file events are unavailable.
    clearInterval(this.poll);
    this.poll = setInterval(() => this.refreshSoon(), 15_000);
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (node?.kind === "remote") return (await this.store.list(node.root, true)).map((run) => ({ kind: "run", run, root: node.root }));
    if (node) return [];
    const dir = this.runsDir();
    this.watch(dir);
    const roots = remoteRunsDirectories();
    this.remote.follow(roots);
    const local: RunsNode[] = (await this.store.list(dir.fsPath)).map((run) => ({ kind: "run", run }));
    return [...local, ...roots.map((root): RemoteGroupNode => ({ kind: "remote", root }))];
  }

  getParent(node: RunsNode): RemoteGroupNode | undefined {
    return node.kind === "run" && node.root !== undefined ? { kind: "remote", root: node.root } : undefined;
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === "remote") return remoteGroupItem(node);
    const run = node.run;
    if (run.error !== null) return unreadableItem(run);
    const live = this.training.isActiveRun(run.dir);
    const item = new vscode.TreeItem(run.model, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.dir}`;
    const p = live ? this.training.active?.progress : undefined;
    const progress = p
      ? `training · epoch ${p.epoch}/${p.epochs} · step ${p.step}/${p.stepsPerEpoch}${run.backend ? ` · ${run.backend}` : ""}`
      : runDescription(run, live);
    item.description = `${progress} · ${run.name.slice(0, 17)}`;
    const state = live ? "running" : run.state;
    const [icon, color] = ICONS[state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    // a remote run's process is elsewhere: no Stop or Resume here (the "run." prefix keeps curves, log, reveal, delete)
    item.contextValue = run.remote
      ? `run.remote.${state}`
      : live
        ? "run.running"
        : (state === "stopped" || state === "interrupted" || state === "failed") && run.hasCheckpoint
          ? "run.resumable"
          : `run.${state}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${run.model}** — ${state}\n\n`);
    md.appendMarkdown(`| | |\n|---|---|\n`);
    md.appendMarkdown(`| progress | epoch ${run.epoch} of ${run.epochs ?? "?"} |\n`);
    md.appendMarkdown(`| best validation accuracy | ${percent(run.bestValAccuracy)} |\n`);
    md.appendMarkdown(`| last validation accuracy | ${percent(run.lastValAccuracy)} |\n`);
    if (run.imagesPerSecond !== null) md.appendMarkdown(`| speed | ${formatCount(Math.round(run.imagesPerSecond))} images/s |\n`);
    md.appendMarkdown(`| backend | ${run.backend ?? "–"} |\n`);
    md.appendMarkdown(`| dataset | ${run.dataset ?? "–"} |\n`);
    if (run.file) md.appendMarkdown(`| model file | ${path.basename(run.file)} |\n`);
    md.appendMarkdown(`| folder | ${run.name} |\n`);
    if (node.root !== undefined) md.appendMarkdown(`| trained | elsewhere (remote folder ${path.basename(node.root)}) |\n`);
    if (run.message) md.appendMarkdown(`\n${run.message}\n`);
    item.tooltip = md;
    item.command = { title: "Open Training Curves", command: "cnnStudio.openCurves", arguments: [node] };
    return item;
  }

  /** The run folder a command was invoked on (a Runs view item, `{ runDir }`, or a path). */
  static runDirOf(arg: unknown): string | undefined {
    if (typeof arg === "string") return arg;
    if (typeof arg !== "object" || arg === null) return undefined;
    const a = arg as { kind?: unknown; run?: { dir?: unknown }; runDir?: unknown };
    if (a.kind === "run" && typeof a.run?.dir === "string") return a.run.dir;
    if (typeof a.runDir === "string") return a.runDir;
    return undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearInterval(this.poll);
    this.watcher?.dispose();
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}

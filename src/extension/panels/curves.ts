import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { restoreInfoOf } from "../../shared/webview/common";
import {
  emptyEpochs,
  emptySteps,
  validateCurvesToHost,
  validateCurvesToWebview,
  type CurvesToHost,
  type CurvesToWebview,
  type RunData,
  type RunInfo,
  type RunStatus,
} from "../../shared/webview/curves";
import { errorMessage, PanelHost } from "./panelHost";
import { isListedRun } from "../runs/safeFiles";
import { isRunFolder, listRunFolders } from "../runs/runFolder";
import { MetricsTail, readRunInfo } from "./runMetrics";
import type { PanelServices } from "./services";

/**
 * The training-curves panel: one per window. It overlays the chosen runs; without explicit runs it
 * shows the newest runs of the runs folder and adds new ones as they start. Data comes from each
 * run's metrics.jsonl (followed on disk, so runs started from the CLI update live too); trainer
 * events make updates immediate.
 */

const DEFAULT_RUNS = 6;
const POLL_MS = 1000;
const LIVE_MS = 100;

interface Tracked {
  info: RunInfo;
  tail: MetricsTail;
  /** Status from trainer events (wins over status.json while this window runs it). */
  liveStatus: RunStatus | null;
}

class CurvesPanel {
  private readonly runs = new Map<string, Tracked>();
  private readonly host: PanelHost<CurvesToHost, CurvesToWebview>;
  private poller: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;

  constructor(
    context: vscode.ExtensionContext,
    private readonly services: PanelServices,
    runs: readonly string[],
    /** Add new runs of the runs folder as they appear. */
    private follow: boolean,
    panel?: vscode.WebviewPanel,
  ) {
    for (const r of runs) this.add(r);
    this.host = new PanelHost<CurvesToHost, CurvesToWebview>(context, {
      kind: "curves",
      title: "Training Curves",
      validateToHost: validateCurvesToHost,
      validateToWebview: validateCurvesToWebview,
      snapshot: async () => [{ type: "snapshot", runs: await this.snapshotRuns() }],
      onMessage: (m) => this.onMessage(m),
      ...(panel ? { panel } : {}),
    });
    this.poller = setInterval(() => void this.poll(), POLL_MS);
    this.host.onDispose(() => {
      clearInterval(this.poller);
      clearTimeout(this.soon);
      if (current === this) current = undefined;
    });
    const sub = services.onTrainingEvent?.((e) => this.onTrainingEvent(e.runDir, e.event.type));
    if (sub) this.host.onDispose(() => sub.dispose());
  }

  reveal(runs: readonly string[]): void {
    let added = false;
    for (const r of runs) added = this.add(r) || added;
    if (added) void this.host.refresh();
    this.host.reveal();
  }

  private add(runDir: string): boolean {
    const id = path.resolve(runDir);
    if (this.runs.has(id) || !isRunFolder(id)) return false;
    this.runs.set(id, { info: readRunInfo(id), tail: new MetricsTail(id), liveStatus: null });
    return true;
  }

  private async snapshotRuns(): Promise<RunData[]> {
    const out: RunData[] = [];
    for (const [id, t] of this.runs) {
      t.tail = new MetricsTail(id);
      t.info = { ...readRunInfo(id), ...(t.liveStatus ? { status: t.liveStatus } : {}) };
      const chunk = await t.tail.read();
      if (chunk?.stepsPerEpoch) t.info.stepsPerEpoch = chunk.stepsPerEpoch;
      out.push({ info: t.info, steps: chunk?.steps ?? emptySteps(), epochs: chunk?.epochs ?? emptyEpochs() });
    }
    return out;
  }

  /** One poll at a time (reading a large metrics file takes several turns of the event loop). */
  private polling = false;

  private async poll(): Promise<void> {
    if (!this.host.isReady || this.polling) return;
    this.polling = true;
    try {
      await this.pollOnce();
    } finally {
      this.polling = false;
    }
  }

  private async pollOnce(): Promise<void> {
    if (this.follow) {
      const dir = this.services.runsDir();
      if (dir) {
        for (const r of listRunFolders(dir).slice(0, DEFAULT_RUNS)) {
          if (this.add(r)) {
            const t = this.runs.get(path.resolve(r))!;
            this.host.post({ type: "runInfo", info: t.info });
          }
        }
      }
    }
    for (const [id, t] of this.runs) {
      if (!fs.existsSync(id)) continue;
      const tail = t.tail;
      const chunk = await tail.read();
      // a snapshot meanwhile started the run's data afresh (or the run was removed)
      if (t.tail !== tail || this.runs.get(id) !== t || !this.host.isReady) continue;
      const info: RunInfo = {
        ...readRunInfo(id),
        ...(t.liveStatus ? { status: t.liveStatus } : {}),
        stepsPerEpoch: chunk?.stepsPerEpoch ?? t.info.stepsPerEpoch,
      };
      const changed = info.status !== t.info.status || info.stepsPerEpoch !== t.info.stepsPerEpoch;
      t.info = info;
      if (chunk?.reset) {
        void this.host.refresh();
        return;
      }
      if (changed) this.host.post({ type: "runInfo", info });
      if (chunk && (chunk.steps.globalStep.length > 0 || chunk.epochs.epoch.length > 0))
        this.host.post({ type: "append", run: id, steps: chunk.steps, epochs: chunk.epochs });
    }
  }

  private onTrainingEvent(runDir: string, type: string): void {
    const id = path.resolve(runDir);
    if (type === "started" && !this.runs.has(id)) {
      if (this.add(id)) this.host.post({ type: "runInfo", info: this.runs.get(id)!.info });
    }
    const t = this.runs.get(id);
    if (!t) return;
    const status: RunStatus | null =
      type === "started" || type === "progress" || type === "epochEnd"
        ? "running"
        : type === "completed"
          ? "completed"
          : type === "stopped"
            ? "stopped"
            : type === "error"
              ? "failed"
              : null;
    if (status) t.liveStatus = status;
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      void this.poll();
    }, LIVE_MS);
  }

  private async onMessage(m: Exclude<CurvesToHost, { type: "ready" } | { type: "log" }>): Promise<void> {
    switch (m.type) {
      case "addRuns": {
        const dir = this.services.runsDir();
        const picked = await vscode.window.showOpenDialog({
          canSelectFolders: true,
          canSelectFiles: false,
          canSelectMany: true,
          openLabel: "Add runs",
          title: "Runs to compare",
          ...(dir ? { defaultUri: vscode.Uri.file(dir) } : {}),
        });
        if (!picked) return;
        let added = false;
        for (const u of picked) {
          const folders = isRunFolder(u.fsPath) ? [u.fsPath] : listRunFolders(u.fsPath);
          for (const f of folders) added = this.add(f) || added;
        }
        if (added) {
          this.follow = false;
          await this.host.refresh();
        } else void vscode.window.showWarningMessage("CNN Studio: no training runs there (a run folder has a config.json and a metrics.jsonl).");
        return;
      }
      case "removeRun":
        this.runs.delete(m.run);
        this.follow = false;
        this.host.post({ type: "removeRun", run: m.run });
        return;
      case "exportPng":
      case "exportCsv": {
        const format = m.type === "exportPng" ? "png" : "csv";
        const base = this.services.runsDir() ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        const target = await vscode.window.showSaveDialog({
          title: format === "png" ? "Export curves as PNG" : "Export metrics as CSV",
          filters: format === "png" ? { "PNG image": ["png"] } : { CSV: ["csv"] },
          ...(base ? { defaultUri: vscode.Uri.file(path.join(base, m.suggestedName)) } : {}),
        });
        if (!target) {
          this.host.post({ type: "exported", format, path: null, error: null });
          return;
        }
        try {
          await vscode.workspace.fs.writeFile(target, m.type === "exportPng" ? m.data : new TextEncoder().encode(m.text));
          this.host.post({ type: "exported", format, path: target.fsPath, error: null });
        } catch (e) {
          this.host.post({ type: "exported", format, path: null, error: errorMessage(e) });
        }
        return;
      }
    }
  }
}

let current: CurvesPanel | undefined;

/**
 * Opens (or reveals) the training-curves panel. `runs`: run folders to show (added to those shown);
 * none: the newest runs of the runs folder, following new ones.
 */
export function openCurvesPanel(context: vscode.ExtensionContext, services: PanelServices, runs: readonly string[] = []): void {
  if (current) {
    current.reveal(runs);
    return;
  }
  const dir = services.runsDir();
  const initial = runs.length > 0 ? runs : dir ? listRunFolders(dir).slice(0, DEFAULT_RUNS) : [];
  current = new CurvesPanel(context, services, initial, runs.length === 0);
}

export function restoreCurvesPanel(context: vscode.ExtensionContext, services: PanelServices, panel: vscode.WebviewPanel, state: unknown): void {
  const restore = restoreInfoOf(state);
  const dir = services.runsDir();
  // The saved state is the webview's: only run folders of the runs folder are read again.
  const runs = (restore?.runs ?? []).filter((r) => dir !== undefined && isListedRun(dir, r));
  current?.reveal(runs);
  if (current) {
    panel.dispose();
    return;
  }
  current = new CurvesPanel(context, services, runs.length ? runs : dir ? listRunFolders(dir).slice(0, DEFAULT_RUNS) : [], runs.length === 0, panel);
}

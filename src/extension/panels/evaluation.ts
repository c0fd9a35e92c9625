import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { EvaluationSplit } from "../../shared/evaluation";
import { validateTrainConfig } from "../../shared/training";
import { restoreInfoOf } from "../../shared/webview/common";
import {
  validateEvaluationToHost,
  validateEvaluationToWebview,
  type EvaluationRun,
  type EvaluationToHost,
  type EvaluationToWebview,
} from "../../shared/webview/evaluation";
import { isListedRun } from "../runs/safeFiles";
import { errorMessage, PanelHost } from "./panelHost";
import type { PanelServices } from "./services";

/**
 * Issue 18: the Evaluation panel, one per window: one run, or two side by side, evaluated with their
 * newest checkpoint on a split (the inspector computes it, src/trainer/evaluate.ts). Opened by
 * `cnnStudio.openEvaluation` with a run folder (the Runs view's context menu, the notification after
 * a run); opening it again with other runs shows those.
 */

export const NO_EVALUATION = "Evaluating a run needs its model run on its data, which the trainer does; it is not available in this window.";
/** At most this many runs side by side. */
const MAX_RUNS = 2;

/** The model file and name a run trained (its config.json), or why it cannot be read. */
function runModel(runDir: string): { file: string; model: string } | string {
  try {
    const c = validateTrainConfig(JSON.parse(fs.readFileSync(path.join(runDir, "config.json"), "utf8")));
    return c.ok ? { file: c.value.file, model: c.value.model } : `${runDir}: config.json is not valid (${c.error})`;
  } catch (e) {
    return `${runDir} has no readable config.json (${errorMessage(e)})`;
  }
}

class EvaluationPanel {
  readonly host: PanelHost<EvaluationToHost, EvaluationToWebview>;
  private split: EvaluationSplit = "val";
  private generation = 0;

  constructor(
    context: vscode.ExtensionContext,
    private readonly services: PanelServices,
    private runs: string[],
    panel?: vscode.WebviewPanel,
  ) {
    this.host = new PanelHost(context, {
      kind: "evaluation",
      title: this.title(),
      validateToHost: validateEvaluationToHost,
      validateToWebview: validateEvaluationToWebview,
      snapshot: () => this.snapshot(),
      onMessage: (m) => this.onMessage(m),
      ...(panel ? { panel } : {}),
    });
    if (services.tensors?.evaluate) services.tensors.warmUp?.(null, null); // issue 17: the process loads while the webview does
  }

  show(runs: readonly string[]): void {
    if (runs.length > 0) this.runs = runs.slice(0, MAX_RUNS);
    this.host.setTitle(this.title());
    this.host.reveal();
    void this.host.refresh();
  }

  private title(): string {
    return `Evaluation: ${this.runs.map((r) => path.basename(r)).join(" vs ") || "no run"}`;
  }

  private async snapshot(): Promise<EvaluationToWebview[]> {
    const runs: EvaluationRun[] = this.runs.map((runDir) => ({ runDir, name: path.basename(runDir) }));
    const unavailable = this.services.tensors?.evaluate ? "" : NO_EVALUATION;
    // the evaluations follow the snapshot, one message per run, as they finish
    const generation = ++this.generation;
    if (!unavailable) setTimeout(() => void this.evaluateAll(generation), 0);
    return [{ type: "snapshot", runs, split: this.split, unavailable }];
  }

  private async evaluateAll(generation: number): Promise<void> {
    for (const runDir of this.runs) {
      if (generation !== this.generation) return;
      this.host.post(await this.evaluate(runDir));
    }
  }

  private async evaluate(runDir: string): Promise<EvaluationToWebview> {
    const evaluate = this.services.tensors?.evaluate;
    const model = runModel(runDir);
    if (!evaluate) return { type: "evaluationFailed", runDir, message: NO_EVALUATION };
    if (typeof model === "string") return { type: "evaluationFailed", runDir, message: model };
    try {
      const r = await evaluate({ model: { uri: vscode.Uri.file(model.file).toString(), ...model }, runDir, checkpoint: null, split: this.split });
      return { type: "evaluation", runDir, ...r };
    } catch (e) {
      return { type: "evaluationFailed", runDir, message: errorMessage(e) };
    }
  }

  private async onMessage(m: Exclude<EvaluationToHost, { type: "ready" } | { type: "log" }>): Promise<void> {
    if (m.type === "setSplit") {
      this.split = m.split;
      await this.host.refresh();
      return;
    }
    const samples = this.services.tensors?.samples;
    const model = runModel(m.runDir);
    if (!samples || typeof model === "string" || !this.runs.includes(m.runDir)) return;
    try {
      const images = await samples({
        model: { uri: vscode.Uri.file(model.file).toString(), ...model },
        runDir: m.runDir,
        split: this.split,
        indices: m.indices,
      });
      this.host.post({ type: "samples", requestId: m.requestId, runDir: m.runDir, indices: m.indices, images });
    } catch {
      // no thumbnails: the cells and the list stay as they are
    }
  }
}

let current: EvaluationPanel | undefined;

/** Opens (or reveals) the Evaluation panel with `runs` (run folders, at most two side by side). */
export function openEvaluationPanel(context: vscode.ExtensionContext, services: PanelServices, runs: readonly string[]): void {
  if (current) {
    current.show(runs);
    return;
  }
  const panel = new EvaluationPanel(context, services, runs.slice(0, MAX_RUNS));
  current = panel;
  panel.host.onDispose(() => {
    if (current === panel) current = undefined;
  });
}

export function restoreEvaluationPanel(context: vscode.ExtensionContext, services: PanelServices, panel: vscode.WebviewPanel, state: unknown): void {
  const dir = services.runsDir();
  // The saved state is the webview's: only run folders of the runs folder are read again.
  const runs = (restoreInfoOf(state)?.runs ?? []).filter((r) => dir !== undefined && isListedRun(dir, r));
  if (current) {
    panel.dispose();
    current.show(runs);
    return;
  }
  const restored = new EvaluationPanel(context, services, runs.slice(0, MAX_RUNS), panel);
  current = restored;
  restored.host.onDispose(() => {
    if (current === restored) current = undefined;
  });
}

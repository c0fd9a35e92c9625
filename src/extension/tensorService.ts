import type { InspectQuery, InspectResultOf } from "../shared/training";
import type { ModelRef } from "../shared/webview/common";
import type { EvaluationSplit } from "../shared/evaluation";
import type { TrainerClient } from "../trainer/trainerClient";
import type { TensorService } from "./panels/services";

/**
 * The panels' `TensorService` (src/extension/panels/services.ts), answered by one long-lived
 * "inspector" trainer process (`inspect` requests; src/trainer/inspect.ts), separate from the
 * processes that train. The process starts on the first request, is stopped after some idle
 * minutes and when the extension deactivates, and is started again when it died: the request it
 * was computing fails with a message that says so, the next one gets a new process. A request
 * that takes too long stops the process too. It runs the user's model, so it is refused in
 * untrusted workspaces. No `vscode` import (tested directly).
 *
 * Issue 17: `warmUp`, called when a panel that needs tensors opens, starts the process and has it
 * prepare the model (analysis, backend, compilation, checkpoint, dataset, a first forward pass) in
 * the background, so that the panel's first request finds it ready. It is silent: it starts nothing
 * where a request would be refused (untrusted, disposed), and its failure is dropped (the panel's
 * request then reports it as it would have anyway).
 */

/** The part of the trainer's client the service uses. */
export type InspectorProcess = Pick<TrainerClient, "inspect" | "exited" | "exitStatus" | "outputTail" | "shutdown" | "kill">;

export interface InspectorOptions {
  /** Starts an inspector process (a TrainerClient on dist/trainer.js). */
  start(): InspectorProcess;
  /** Whether the workspace is trusted. */
  trusted(): boolean;
  /** The unsaved text of a model file open in an editor (the panels' node ids come from it); undefined when saved. */
  unsavedText?(file: string): string | undefined;
  /** The time limit of one request (default 60 s). */
  timeoutMs?: number;
  /** The process stops after this long without requests (default 5 minutes). */
  idleMs?: number;
}

export const UNTRUSTED_TENSORS =
  "CNN Studio: feature maps, input gradients and the untrained model's weights are disabled in Restricted Mode, because they run your model in a separate process. Trust this workspace to use them.";

const WHAT: Record<InspectQuery["kind"], string> = {
  featureMaps: "the feature maps",
  inputGradient: "the input gradient",
  attention: "the attention weights",
  initialWeights: "the untrained model's weights",
  dataset: "the dataset",
  predictions: "the predictions",
  gradCam: "the Grad-CAM map",
  evaluate: "the evaluation",
  samples: "the samples",
  prepare: "the warm-up",
};

type Query<K extends "featureMaps" | "inputGradient" | "attention" | "initialWeights" | "predictions" | "gradCam"> = Parameters<
  NonNullable<TensorService[K]>
>[0];

/** A run of a model (its config.json's file and model) and a split of its data. */
type RunQuery = { model: ModelRef; runDir: string; split: EvaluationSplit };

export class TrainerTensorService implements Required<Omit<TensorService, "checkpoints">> {
  private process: InspectorProcess | null = null;
  private inFlight = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly o: InspectorOptions) {}

  // Arrow functions: the panels call them unbound (`const f = services.tensors?.featureMaps`).
  readonly dataset = async (model: ModelRef, checkpoint: string | null) => (await this.ask({ kind: "dataset", ...this.target(model), checkpoint })).dataset;

  readonly featureMaps = async (q: Query<"featureMaps">) => {
    const { input, label, maps } = await this.ask({
      kind: "featureMaps",
      ...this.target(q.model),
      checkpoint: q.checkpoint,
      input: q.input,
      nodeIds: q.nodeIds,
    });
    return { input, label, maps };
  };

  readonly inputGradient = async (q: Query<"inputGradient">) => {
    const { input, gradient } = await this.ask({
      kind: "inputGradient",
      ...this.target(q.model),
      checkpoint: q.checkpoint,
      input: q.input,
      nodeId: q.nodeId,
      unit: q.unit,
    });
    return { input, gradient };
  };

  readonly attention = async (q: Query<"attention">) => {
    const { input, label, weights } = await this.ask({
      kind: "attention",
      ...this.target(q.model),
      checkpoint: q.checkpoint,
      input: q.input,
      nodeId: q.nodeId,
    });
    return { input, label, weights };
  };

  readonly predictions = async (q: Query<"predictions">) => {
    const { input, label, probabilities } = await this.ask({ kind: "predictions", ...this.target(q.model), checkpoint: q.checkpoint, input: q.input });
    return { input, label, probabilities };
  };

  readonly gradCam = async (q: Query<"gradCam">) => {
    const { input, label, classIndex, cam, probabilities } = await this.ask({
      kind: "gradCam",
      ...this.target(q.model),
      checkpoint: q.checkpoint,
      input: q.input,
      nodeId: q.nodeId,
      classIndex: q.classIndex,
    });
    return { input, label, classIndex, cam, probabilities };
  };

  readonly evaluate = async (q: RunQuery & { checkpoint: string | null }) => {
    const { report, labels, predicted, confidence } = await this.ask({
      kind: "evaluate",
      ...this.target(q.model),
      runDir: q.runDir,
      checkpoint: q.checkpoint,
      split: q.split,
    });
    return { report, labels, predicted, confidence };
  };

  readonly samples = async (q: RunQuery & { indices: number[] }) =>
    (await this.ask({ kind: "samples", ...this.target(q.model), runDir: q.runDir, split: q.split, indices: q.indices })).images;

  readonly initialWeights = async (q: Query<"initialWeights">) =>
    (await this.ask({ kind: "initialWeights", ...this.target(q.model), parameter: q.parameter })).weight;

  /** Issue 17: prepares `model` with `checkpoint`'s weights in the background (null: only starts the process; see above); never throws, never waits. */
  readonly warmUp = (model: ModelRef | null, checkpoint: string | null): void => {
    if (this.disposed || !this.o.trusted()) return;
    if (model !== null) {
      this.ask({ kind: "prepare", ...this.target(model), checkpoint }).catch(() => undefined);
      return;
    }
    this.current();
    if (this.inFlight === 0) this.idleLater();
  };

  private target(ref: ModelRef): { file: string; model: string; text?: string } {
    const text = this.o.unsavedText?.(ref.file);
    return { file: ref.file, model: ref.model, ...(text === undefined ? {} : { text }) };
  }

  /** Stops the process (a later request starts a new one unless disposed). */
  stop(): void {
    clearTimeout(this.idleTimer);
    const p = this.process;
    this.process = null;
    void p?.shutdown(2000);
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  /** Stops the process after the idle time (a request in the meantime cancels that). */
  private idleLater(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), this.o.idleMs ?? 5 * 60_000);
    this.idleTimer.unref();
  }

  private current(): InspectorProcess {
    if (this.process && this.process.exitStatus === null) return this.process;
    const p = this.o.start();
    this.process = p;
    void p.exited.then(() => {
      if (this.process === p) this.process = null;
    });
    return p;
  }

  private async ask<Q extends InspectQuery>(q: Q): Promise<InspectResultOf<Q["kind"]>> {
    if (this.disposed) throw new Error("CNN Studio is shutting down.");
    if (!this.o.trusted()) throw new Error(UNTRUSTED_TENSORS);
    const what = `${WHAT[q.kind]} of ${q.model}`;
    const p = this.current();
    const timeoutMs = this.o.timeoutMs ?? 60_000;
    clearTimeout(this.idleTimer);
    this.inFlight++;
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        expired = true;
        reject(new Error("time limit"));
        if (this.process === p) this.process = null;
        p.kill();
      }, timeoutMs);
    });
    try {
      return await Promise.race([p.inspect(q, timeoutMs + 5000), timedOut]);
    } catch (e) {
      if (expired) throw new Error(`Computing ${what} took longer than ${timeoutMs / 1000} s; CNN Studio stopped it (the next request starts afresh).`);
      const exit = p.exitStatus;
      if (exit === null) throw e;
      const how = exit.signal ? `was killed by ${exit.signal}` : exit.code === null ? "could not be started" : `exited with code ${exit.code}`;
      const last = p.outputTail().slice(-2).join(" / ");
      throw new Error(
        `CNN Studio's trainer process ${how} while computing ${what}${last ? ` (its last output: ${last})` : ""}; the next request starts a new one.`,
      );
    } finally {
      clearTimeout(timer);
      if (--this.inFlight === 0 && !this.disposed) this.idleLater();
    }
  }
}

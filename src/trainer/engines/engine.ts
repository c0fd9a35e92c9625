import type { TrainConfig, TrainerRequest } from "../../shared/training";

/**
 * What trains a run in the trainer process: TensorFlow.js (src/trainer/engines/tfjs) or PyTorch
 * with the user's Python (src/trainer/engines/torch). The `start` request names the engine
 * (src/shared/training.ts); src/trainer/process.ts creates it then and hands it every request but
 * `inspect`. Both speak the same events and write the same run folder.
 */

/** A request for the engine: the protocol's, with the start request's configuration alone. */
export type EngineRequest = { type: "start"; config: TrainConfig } | Exclude<TrainerRequest, { type: "start" | "inspect" }>;

export interface Engine {
  /** The run folder, once the run has one. */
  readonly runDir: string | null;
  /** Handles one (validated) request; `start` resolves when the run has ended. */
  handle(req: EngineRequest): Promise<void>;
  /** Stops the run at the next step boundary, with a checkpoint. */
  stop(): void;
  /** Frees what the engine holds (the PyTorch engine's Python process goes too). */
  dispose(): void;
}

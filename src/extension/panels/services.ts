import type { AnalysisResult } from "../../shared/lsp";
import type { TrainerEvent } from "../../shared/training";
import type { CheckpointInfo, DatasetSummary, InputSpec, ModelRef, Tensor } from "../../shared/webview/common";
import type { Unit } from "../../shared/webview/receptiveField";
import type { EvaluationReport, EvaluationSplit } from "../../shared/evaluation";

/**
 * What the panels need from the rest of the extension. The extension creates one `PanelServices`
 * (from its language client, its trainer manager and its settings) and passes it to every
 * `open…Panel` call and to `registerPanelSerializers`. Everything about tensors is optional: a
 * panel shows a clear "not available" state for what is missing.
 */
export interface Disposable {
  dispose(): void;
}

export interface PanelServices {
  /** `cnnStudio/analysis` for a document URI (the language client's request). */
  analysis(uri: string): Promise<AnalysisResult>;
  /** Called with the document URI after each `cnnStudio/didAnalyze`. */
  onDidAnalyze(listener: (uri: string) => void): Disposable;
  /** The runs folder (the resolved `cnnStudio.runsDir` setting); undefined without a workspace. */
  runsDir(): string | undefined;
  /**
   * Trainer events of the runs this window started (`runDir` from their `started` event). The
   * curves follow metrics.jsonl on disk in any case; events make live updates immediate and add a
   * run to the open curves panel as soon as it starts.
   */
  onTrainingEvent?(listener: (e: { runDir: string; event: TrainerEvent }) => void): Disposable;
  /** Computations that need the model's weights (the trainer). */
  tensors?: TensorService;
}

/** Answers of the trainer for the feature-map, filter and receptive-field panels. */
export interface TensorService {
  /** The dataset a model's runs use (for choosing samples); null when unknown. */
  dataset?(model: ModelRef, checkpoint: string | null): Promise<DatasetSummary | null>;
  /**
   * One forward pass in evaluation mode with the weights of `checkpoint` (a checkpoint index path)
   * or, for null, the freshly initialised model; the outputs of `nodeIds` for one sample, `[C, H, W]`
   * each (`[C]` outputs as `[C, 1, 1]`), and the input as given to the model before normalisation.
   */
  featureMaps?(q: {
    model: ModelRef;
    checkpoint: string | null;
    input: InputSpec;
    nodeIds: number[];
  }): Promise<{ input: Tensor; label: number | null; maps: { nodeId: number; tensor: Tensor }[] }>;
  /**
   * The gradient of one output unit of `nodeId` (channel null = the sum over channels) with respect
   * to the input, `[C, H, W]`: the effective receptive field (Luo et al., 2016).
   */
  inputGradient?(q: { model: ModelRef; checkpoint: string | null; input: InputSpec; nodeId: number; unit: Unit }): Promise<{ input: Tensor; gradient: Tensor }>;
  /**
   * The attention weights of one attention layer (`nn.MultiheadAttention`, graph node `nodeId`) for
   * one sample, per head: `[heads, L, S]` (each row sums to 1), whether or not the model asks for them.
   */
  attention?(q: {
    model: ModelRef;
    checkpoint: string | null;
    input: InputSpec;
    nodeId: number;
  }): Promise<{ input: Tensor; label: number | null; weights: Tensor }>;
  /**
   * A parameter of the freshly initialised model (`layer1.0.conv1.weight`), PyTorch layout. (Weights
   * of checkpoints are read from the checkpoint files directly.)
   */
  initialWeights?(q: { model: ModelRef; parameter: string }): Promise<Tensor>;
  /** Issue 18: the softmax probabilities of every class for one input. */
  predictions?(q: { model: ModelRef; checkpoint: string | null; input: InputSpec }): Promise<{ input: Tensor; label: number | null; probabilities: number[] }>;
  /**
   * Issue 18: Grad-CAM of class `classIndex` (null: the predicted one) at graph node `nodeId` (an
   * output `[C, h, w]`): `cam` `[1, h, w]`, not normalised; with the class explained and the probabilities.
   */
  gradCam?(q: {
    model: ModelRef;
    checkpoint: string | null;
    input: InputSpec;
    nodeId: number;
    classIndex: number | null;
  }): Promise<{ input: Tensor; label: number | null; classIndex: number; cam: Tensor; probabilities: number[] }>;
  /** Issue 18: a run (of `model`, as its config.json says) evaluated with a checkpoint (null: its newest) on a split. */
  evaluate?(q: {
    model: ModelRef;
    runDir: string;
    checkpoint: string | null;
    split: EvaluationSplit;
  }): Promise<{ report: EvaluationReport; labels: number[]; predicted: number[]; confidence: number[] }>;
  /** Issue 18: images of a run's split, `[C, H, W]` in [0, 1] (thumbnails). */
  samples?(q: { model: ModelRef; runDir: string; split: EvaluationSplit; indices: number[] }): Promise<Tensor[]>;
  /** Checkpoints of a model, newest first; default: read from the runs folder. */
  checkpoints?(model: ModelRef): Promise<CheckpointInfo[]>;
  /**
   * Issue 17: called when a panel that will ask for tensors of `model` (with `checkpoint`'s weights,
   * null: untrained) opens, so that the first request finds the work done; `model` null: only start
   * what answers (the Evaluation panel). Silent: never throws, starts nothing where the requests
   * would be refused.
   */
  warmUp?(model: ModelRef | null, checkpoint: string | null): void;
}

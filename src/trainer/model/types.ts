import type * as tfc from "@tensorflow/tfjs-core";
import type { ModelAnalysis } from "../../shared/analysis";

/**
 * The contract between the model compiler (analysis graph → TensorFlow.js) and the training loop.
 * Tensors are NCHW at this boundary, exactly as in PyTorch, whatever layout the compiled model uses
 * inside.
 */

export type TF = typeof tfc;

export interface CompileOptions {
  /** Seed for PyTorch-style default initialisation (Kaiming-uniform a=√5 for Conv/Linear, ...). */
  seed: number;
}

export interface CompiledModel {
  readonly name: string;
  /**
   * The forward pass on NCHW inputs (one per `@input`), returning the model's output (e.g. logits
   * [N, classes]). With `training`, dropout is active and BatchNorm uses batch statistics and
   * updates its running statistics with PyTorch's momentum convention. The modules of
   * `evalModules` (paths, `layer1.0.bn1`) run in evaluation mode even in training, as after
   * PyTorch's `module.eval()` (a frozen backbone's BatchNorm keeps its running statistics).
   */
  apply(inputs: readonly tfc.Tensor[], training: boolean, evalModules?: ReadonlySet<string>): tfc.Tensor;
  /**
   * `apply` with every output, by the output's name (`out`, `aux` of an object output; the trained
   * output first): segmentation training adds the auxiliary head's loss. Absent in fakes of tests.
   */
  applyNamed?(inputs: readonly tfc.Tensor[], training: boolean, evalModules?: ReadonlySet<string>): Map<string, tfc.Tensor>;
  /**
   * Parameters by PyTorch `state_dict` name (`layer1.0.conv1.weight`), in PyTorch layout and
   * `state_dict` order. Parameters of frozen modules (`requiresGrad_(false)`) are included with
   * `trainable === false`; `tf.variableGrads(f, list)` reports those with a `null` gradient.
   */
  readonly parameters: ReadonlyMap<string, tfc.Variable>;
  /** Buffers (`bn1.running_mean`, `bn1.running_var`, `bn1.num_batches_tracked` as int32), not trainable. */
  readonly buffers: ReadonlyMap<string, tfc.Variable>;
  /** The outputs of the graph node `nodeId` of the analysis (for feature maps), NCHW, in evaluation mode; the caller disposes them. */
  activations(inputs: readonly tfc.Tensor[], nodeIds: readonly number[]): Map<number, tfc.Tensor>;
  /**
   * Issue 18 (Grad-CAM): the forward pass in evaluation mode with `offset` (NCHW, the node's shape)
   * added to the output of graph node `nodeId`, returning the model's output and that node's value
   * (offset included). Differentiating the output with respect to a zero `offset` gives the gradient
   * with respect to the node's activation. Not wrapped in a tidy: call it inside `tf.grad` or `tf.tidy`.
   */
  outputWithOffset(inputs: readonly tfc.Tensor[], nodeId: number, offset: tfc.Tensor): { output: tfc.Tensor; activation: tfc.Tensor };
  /**
   * The attention weights of attention layers (graph node ids of `nn.MultiheadAttention` calls), per
   * head: `[N, heads, L, S]`, in evaluation mode, whether or not the model asks for them (`needWeights`);
   * the caller disposes them.
   */
  attentionWeights(inputs: readonly tfc.Tensor[], nodeIds: readonly number[]): Map<number, tfc.Tensor>;
  dispose(): void;
}

export type CompileModel = (tf: TF, model: ModelAnalysis, options: CompileOptions) => CompiledModel;

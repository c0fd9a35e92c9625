import type * as tfc from "@tensorflow/tfjs-core";
import type { OptimizerConfig } from "../../shared/training";
import type { TF } from "../model/types";

/**
 * SGD, Adam and AdamW with PyTorch's update formulas (torch.optim, single-tensor implementation),
 * one parameter group, or two with `excludeFromDecay` (timm's param_groups_weight_decay: the
 * second without weight decay); `--lr-for` groups train with their own learning rate (`groupLrs`).
 * The learning rates, and momentum (SGD) or beta1 (Adam), can change every step (schedules set them
 * before `step`).
 */

export interface OptimizerState {
  /** Per-step hyper-parameters and counters. */
  scalars: Record<string, number>;
  /** Per-parameter state tensors by `<param>.<slot>` (e.g. `fc.weight.exp_avg`), flat float32. */
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

export interface Optimizer {
  readonly name: string;
  lr: number;
  /** SGD momentum or Adam beta1 (what one-cycle cycles). */
  momentum: number;
  /** The learning rates of the `--lr-for` groups (by group index; schedules set them with `lr`). */
  groupLrs: number[];
  /** Applies gradients (by parameter name) to the parameters; missing gradients skip a parameter, like PyTorch's `grad is None`. */
  step(grads: ReadonlyMap<string, tfc.Tensor>): void;
  state(): OptimizerState;
  /** Restores a state saved by `state()`; returns an error message when it does not fit the parameters. */
  load(state: OptimizerState): string | null;
  dispose(): void;
}

type Params = ReadonlyMap<string, tfc.Variable>;

abstract class Base implements Optimizer {
  abstract readonly name: string;
  abstract lr: number;
  abstract momentum: number;
  protected readonly slots = new Map<string, tfc.Variable>();
  groupLrs: number[] = [];
  /** Parameter → its `--lr-for` group (absent: `lr`). */
  groupOf: ReadonlyMap<string, number> = new Map();
  constructor(
    protected readonly tf: TF,
    protected readonly params: Params,
    /** Parameters without weight decay (`excludeFromDecay`). */
    private readonly noDecay: ReadonlySet<string>,
  ) {}

  /** The parameter's weight decay: the configuration's, or 0 where it is excluded. */
  protected decayOf(param: string, weightDecay: number): number {
    return this.noDecay.has(param) ? 0 : weightDecay;
  }
  /** The parameter's learning rate: its group's, or `lr`. */
  protected lrOf(param: string): number {
    const g = this.groupOf.get(param);
    return g === undefined ? this.lr : (this.groupLrs[g] ?? this.lr);
  }
  abstract step(grads: ReadonlyMap<string, tfc.Tensor>): void;
  protected abstract scalars(): Record<string, number>;
  protected abstract loadScalars(s: Record<string, number>): string | null;

  protected slot(param: string, name: string, init: () => tfc.Tensor): tfc.Variable {
    const key = `${param}.${name}`;
    let v = this.slots.get(key);
    if (v === undefined) {
      v = this.tf.tidy(() => this.tf.variable(init(), false));
      this.slots.set(key, v);
    }
    return v;
  }

  state(): OptimizerState {
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [k, v] of this.slots) tensors.set(k, { shape: v.shape.slice(), data: Float32Array.from(v.dataSync() as Float32Array) });
    return { scalars: this.scalars(), tensors };
  }

  load(state: OptimizerState): string | null {
    const err = this.loadScalars(state.scalars);
    if (err) return err;
    for (const [key, t] of state.tensors) {
      const dot = [...this.params.keys()].filter((p) => key.startsWith(p + ".")).sort((a, b) => b.length - a.length)[0];
      if (dot === undefined) return `optimizer state ${key} belongs to no parameter of the model`;
      const p = this.params.get(dot)!;
      if (p.size !== t.data.length)
        return `optimizer state ${key} has ${t.data.length} values but parameter ${dot} has ${p.size} (shape [${p.shape.join(", ")}])`;
    }
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
    for (const [key, t] of state.tensors) this.slots.set(key, this.tf.variable(this.tf.tensor(t.data, t.shape, "float32"), false));
    return null;
  }

  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}

/** torch.optim.SGD: g = grad + wd·p; buf = g (first step) or μ·buf + (1−dampening)·g; g = g + μ·buf (Nesterov) or buf; p −= lr·g. */
class Sgd extends Base {
  readonly name = "sgd";
  lr: number;
  momentum: number;
  constructor(
    tf: TF,
    params: Params,
    private readonly c: OptimizerConfig,
    noDecay: ReadonlySet<string>,
  ) {
    super(tf, params, noDecay);
    this.lr = c.lr;
    this.momentum = c.momentum;
  }
  step(grads: ReadonlyMap<string, tfc.Tensor>): void {
    const tf = this.tf;
    const { dampening, nesterov } = this.c;
    const mu = this.momentum;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const grad = grads.get(name);
        if (grad === undefined) continue;
        const weightDecay = this.decayOf(name, this.c.weightDecay);
        let g: tfc.Tensor = weightDecay !== 0 ? tf.add(grad, tf.mul(p, weightDecay)) : grad;
        if (mu !== 0) {
          const key = `${name}.momentum_buffer`;
          let buf = this.slots.get(key);
          if (buf === undefined) buf = this.slot(name, "momentum_buffer", () => tf.clone(g));
          else buf.assign(tf.add(tf.mul(buf, mu), dampening !== 0 ? tf.mul(g, 1 - dampening) : g));
          g = nesterov ? tf.add(g, tf.mul(buf, mu)) : buf;
        }
        p.assign(tf.sub(p, tf.mul(g, this.lrOf(name))));
      }
    });
  }
  protected scalars(): Record<string, number> {
    return { lr: this.lr, momentum: this.momentum };
  }
  protected loadScalars(s: Record<string, number>): string | null {
    if (typeof s["lr"] !== "number" || typeof s["momentum"] !== "number") return "SGD state needs lr and momentum";
    this.lr = s["lr"];
    this.momentum = s["momentum"];
    return null;
  }
}

/**
 * torch.optim.Adam / AdamW: t += 1; (AdamW: p ·= 1 − lr·wd; Adam: g = grad + wd·p);
 * m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).
 */
class Adam extends Base {
  readonly name: string;
  lr: number;
  momentum: number;
  private t = 0;
  constructor(
    tf: TF,
    params: Params,
    private readonly c: OptimizerConfig,
    private readonly decoupled: boolean,
    noDecay: ReadonlySet<string>,
  ) {
    super(tf, params, noDecay);
    this.name = decoupled ? "adamw" : "adam";
    this.lr = c.lr;
    this.momentum = c.betas[0];
  }
  step(grads: ReadonlyMap<string, tfc.Tensor>): void {
    const tf = this.tf;
    const { eps } = this.c;
    const beta1 = this.momentum;
    const beta2 = this.c.betas[1];
    this.t += 1;
    const bc1 = 1 - beta1 ** this.t;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** this.t);
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const grad = grads.get(name);
        if (grad === undefined) continue;
        const wd = this.decayOf(name, this.c.weightDecay);
        const lr = this.lrOf(name);
        if (this.decoupled && wd !== 0) p.assign(tf.mul(p, 1 - lr * wd));
        const g = !this.decoupled && wd !== 0 ? tf.add(grad, tf.mul(p, wd)) : grad;
        const m = this.slot(name, "exp_avg", () => tf.zerosLike(p));
        const v = this.slot(name, "exp_avg_sq", () => tf.zerosLike(p));
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.mul(g, g), 1 - beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), lr / bc1)));
      }
    });
  }
  protected scalars(): Record<string, number> {
    return { lr: this.lr, beta1: this.momentum, step: this.t };
  }
  protected loadScalars(s: Record<string, number>): string | null {
    const { lr, beta1, step } = s;
    if (typeof lr !== "number" || typeof beta1 !== "number" || typeof step !== "number") return `${this.name} state needs lr, beta1 and step`;
    this.lr = lr;
    this.momentum = beta1;
    this.t = step;
    return null;
  }
}

/**
 * The optimiser of the configuration. `embeddingModules` (the paths of the model's Embedding layers)
 * serve `excludeFromDecay`.
 */
export function createOptimizer(
  tf: TF,
  params: Params,
  config: OptimizerConfig,
  embeddingModules: ReadonlySet<string> = new Set(),
  groupOf: ReadonlyMap<string, number> = new Map(),
): Optimizer {
  const noDecay = new Set<string>();
  if (config.excludeFromDecay) for (const [name, p] of params) if (excludedFromDecay(name, p.shape, embeddingModules)) noDecay.add(name);
  const optimizer = config.name === "sgd" ? new Sgd(tf, params, config, noDecay) : new Adam(tf, params, config, config.name === "adamw", noDecay);
  optimizer.groupOf = groupOf;
  return optimizer;
}

/**
 * `--exclude-from-decay`'s rule (NO_DECAY_RULE in src/shared/trainConfig.ts; trainer.py's
 * `no_decay`): a parameter with fewer than 2 dimensions (biases, norm weights), an Embedding's
 * weight, or one whose own name ends in `token` or contains `pos_embed` or `position_bias`
 * (ViT's class_token and pos_embedding, Swin's relative_position_bias_table), as timm's
 * param_groups_weight_decay with its models' no_weight_decay().
 */
export function excludedFromDecay(name: string, shape: readonly number[], embeddingModules: ReadonlySet<string>): boolean {
  if (shape.length < 2) return true;
  const dot = name.lastIndexOf(".");
  const own = name.slice(dot + 1);
  if (own === "weight" && embeddingModules.has(dot < 0 ? "" : name.slice(0, dot))) return true;
  return own.endsWith("token") || own.includes("pos_embed") || own.includes("position_bias");
}

/**
 * torch.nn.utils.clip_grad_norm_(parameters, maxNorm) (norm_type 2): the total norm is the 2-norm
 * of the gradients' 2-norms, and every gradient is multiplied by min(maxNorm / (total + 1e-6), 1).
 * Returns the scaled gradients (new tensors; the caller's tidy disposes them) and the total norm.
 */
export function clipGradNorm(tf: TF, grads: ReadonlyMap<string, tfc.Tensor>, maxNorm: number): { grads: Map<string, tfc.Tensor>; totalNorm: tfc.Scalar } {
  if (grads.size === 0) return { grads: new Map(grads), totalNorm: tf.scalar(0) };
  const norms = [...grads.values()].map((g) => tf.norm(g));
  const totalNorm = tf.norm(tf.stack(norms)) as tfc.Scalar;
  const coef = tf.minimum(tf.div(tf.scalar(maxNorm), tf.add(totalNorm, 1e-6)), 1);
  const out = new Map<string, tfc.Tensor>();
  for (const [name, g] of grads) out.set(name, tf.mul(g, coef));
  return { grads: out, totalNorm };
}

import type { Dim, Shape } from "../../shared/analysis";
import { product } from "../../shared/count";
import { formatShape, normAxis, parseSym } from "../shape";
import { err, NO_COUNTS, type Args, type LayerError, type LayerKind } from "./kind";

/**
 * nn.MultiheadAttention, and torchvision.ops' leaf modules StochasticDepth and Permute.
 * Attention takes query, key and value (`attn(q, k, v, opts?)`) and returns `[output, weights]`
 * like PyTorch's tuple (see MultiCall in ./kind).
 */

export type MultiheadAttentionConfig = {
  embedDim: number;
  numHeads: number;
  dropout: number;
  bias: boolean;
  /** Resolved: embedDim when not given. */
  kdim: number;
  vdim: number;
  batchFirst: boolean;
};

export type StochasticDepthConfig = { p: number; mode: string };
export type PermuteConfig = { dims: number[] };

const py = (b: boolean): string => (b ? "True" : "False");

/** The sequence length, batch and feature dimensions of an attention input (`[L, N, E]`, `[N, L, E]` or unbatched `[L, E]`). */
function layout(c: MultiheadAttentionConfig, s: Shape): { seq: Dim; batch: Dim | null; features: Dim } {
  if (s.length === 2) return { seq: s[0]!, batch: null, features: s[1]! };
  return c.batchFirst ? { seq: s[1]!, batch: s[0]!, features: s[2]! } : { seq: s[0]!, batch: s[1]!, features: s[2]! };
}

/** The batch that MACs count: a number, or 1 for a symbolic batch (times its coefficient). */
function batchFactor(d: Dim | null): bigint {
  if (d === null) return 1n;
  return BigInt(typeof d === "number" ? d : parseSym(d).coef);
}

const num = (d: Dim): bigint => BigInt(typeof d === "number" ? d : parseSym(d).coef);

function checkInputs(c: MultiheadAttentionConfig, [q, k, v]: readonly Shape[]): LayerError | undefined {
  const order = c.batchFirst ? "[N, L, E] (batchFirst)" : "[L, N, E]";
  for (const [name, s] of [
    ["query", q],
    ["key", k],
    ["value", v],
  ] as const) {
    if (!s || (s.length !== 2 && s.length !== 3))
      return err("rank-mismatch", `MultiheadAttention expects a 3-D ${name} ${order} or a 2-D unbatched one but receives ${s ? formatShape(s) : "nothing"}`);
  }
  if (q!.length !== k!.length || q!.length !== v!.length)
    return err(
      "rank-mismatch",
      `MultiheadAttention's query, key and value must all be batched or all unbatched, got ${[q!, k!, v!].map(formatShape).join(", ")}`,
    );
  const [lq, lk, lv] = [layout(c, q!), layout(c, k!), layout(c, v!)];
  const expect: [string, Dim, number, string][] = [
    ["query", lq.features, c.embedDim, "embedDim"],
    ["key", lk.features, c.kdim, "kdim"],
    ["value", lv.features, c.vdim, "vdim"],
  ];
  for (const [name, got, want, param] of expect) {
    if (got !== want)
      return err(
        "feature-mismatch",
        `MultiheadAttention expects ${name} features ${want} (${param}) but receives ${String(got)} (${name} ${formatShape(name === "query" ? q! : name === "key" ? k! : v!)})`,
      );
  }
  if (lk.seq !== lv.seq)
    return err("shape-mismatch", `MultiheadAttention's key and value must have the same sequence length, got ${formatShape(k!)} and ${formatShape(v!)}`);
  if (lq.batch !== lk.batch || lq.batch !== lv.batch)
    return err("shape-mismatch", `MultiheadAttention's query, key and value must have the same batch, got ${[q!, k!, v!].map(formatShape).join(", ")}`);
  return undefined;
}

function checkMasks(c: MultiheadAttentionConfig, q: Shape, k: Shape, masks: ReadonlyMap<string, Shape>): LayerError | undefined {
  const { seq: L, batch } = layout(c, q);
  const S = layout(c, k).seq;
  const attn = masks.get("attnMask");
  if (attn) {
    const ok2 = attn.length === 2 && attn[0] === L && attn[1] === S;
    const lead = attn[0];
    const heads = batch === null ? c.numHeads : typeof batch === "number" ? batch * c.numHeads : undefined;
    const ok3 = attn.length === 3 && attn[1] === L && attn[2] === S && (heads === undefined || typeof lead !== "number" || lead === heads);
    if (!ok2 && !ok3)
      return err(
        "shape-mismatch",
        `MultiheadAttention's attnMask must be [${String(L)}, ${String(S)}] or [N·numHeads, ${String(L)}, ${String(S)}], got ${formatShape(attn)}`,
      );
  }
  const pad = masks.get("keyPaddingMask");
  if (pad) {
    const want = batch === null ? [S] : [batch, S];
    if (pad.length !== want.length || pad.some((d, i) => d !== want[i]))
      return err("shape-mismatch", `MultiheadAttention's keyPaddingMask must be ${formatShape(want)} (batch, key length), got ${formatShape(pad)}`);
  }
  return undefined;
}

function attentionOutputs(c: MultiheadAttentionConfig, inputs: readonly Shape[], opts: Args, masks: ReadonlyMap<string, Shape>): (Shape | null)[] | LayerError {
  const bad = checkInputs(c, inputs) ?? checkMasks(c, inputs[0]!, inputs[1]!, masks);
  if (bad) return bad;
  const q = inputs[0]!;
  const { seq: L, batch } = layout(c, q);
  const S = layout(c, inputs[1]!).seq;
  const output: Shape = [...q.slice(0, -1), c.embedDim];
  if (opts.needWeights !== true) return [output, null];
  const lead: Dim[] = batch === null ? [] : [batch];
  const weights: Shape = opts.averageAttnWeights === false ? [...lead, c.numHeads, L, S] : [...lead, L, S];
  return [output, weights];
}

/** Projections of query, key and value, the products Q·Kᵀ and A·V, and the output projection (batch 1 convention). */
function attentionMacs(c: MultiheadAttentionConfig, inputs: readonly Shape[]): bigint {
  const lq = layout(c, inputs[0]!);
  const L = num(lq.seq);
  const S = num(layout(c, inputs[1]!).seq);
  const E = BigInt(c.embedDim);
  const projections = L * E * E + S * BigInt(c.kdim) * E + S * BigInt(c.vdim) * E + L * E * E;
  const products = 2n * L * S * E;
  return batchFactor(lq.batch) * (projections + products);
}

export const MultiheadAttention: LayerKind<MultiheadAttentionConfig> = {
  type: "MultiheadAttention",
  params: [
    { name: "embedDim", type: "posInt" },
    { name: "numHeads", type: "posInt" },
    { name: "dropout", type: "probability", default: 0 },
    { name: "bias", type: "bool", default: true },
    { name: "kdim", type: "posIntOrNull", default: null, keywordOnly: true },
    { name: "vdim", type: "posIntOrNull", default: null, keywordOnly: true },
    { name: "batchFirst", type: "bool", default: false, keywordOnly: true },
  ],
  build(a) {
    const embedDim = a.embedDim as number;
    const numHeads = a.numHeads as number;
    if (embedDim % numHeads !== 0) return err("invalid-argument", `MultiheadAttention's embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    return {
      embedDim,
      numHeads,
      dropout: a.dropout as number,
      bias: a.bias as boolean,
      kdim: (a.kdim as number | null) ?? embedDim,
      vdim: (a.vdim as number | null) ?? embedDim,
      batchFirst: a.batchFirst as boolean,
    };
  },
  describe(c) {
    const extra = [
      c.dropout !== 0 ? `dropout=${c.dropout}` : "",
      c.bias ? "" : "bias=False",
      c.kdim !== c.embedDim ? `kdim=${c.kdim}` : "",
      c.vdim !== c.embedDim ? `vdim=${c.vdim}` : "",
      c.batchFirst ? `batch_first=${py(true)}` : "",
    ].filter((s) => s !== "");
    return `MultiheadAttention(${[`embed_dim=${c.embedDim}`, `num_heads=${c.numHeads}`, ...extra].join(", ")})`;
  },
  counts(c) {
    const E = c.embedDim;
    const inProj = c.kdim === E && c.vdim === E ? product(3 * E, E) : product(E, E) + product(E, c.kdim) + product(E, c.vdim);
    const biases = c.bias ? BigInt(4 * E) : 0n;
    return { params: inProj + product(E, E) + biases, buffers: 0n };
  },
  forward(c, inputs) {
    const out = attentionOutputs(c, inputs.length === 1 ? [inputs[0]!, inputs[0]!, inputs[0]!] : inputs, { needWeights: false }, new Map());
    return Array.isArray(out) ? out[0]! : out;
  },
  macs: (c, inputs) => attentionMacs(c, inputs.length === 1 ? [inputs[0]!, inputs[0]!] : inputs),
  field: () => null,
  parts: (c) => [{ name: "out_proj", type: "NonDynamicallyQuantizableLinear", params: product(c.embedDim, c.embedDim) + (c.bias ? BigInt(c.embedDim) : 0n) }],
  multiCall: {
    tensors: ["query", "key", "value"],
    options: [
      { name: "needWeights", type: "bool", default: true },
      { name: "averageAttnWeights", type: "bool", default: true },
      { name: "isCausal", type: "bool", default: false },
    ],
    tensorOptions: ["keyPaddingMask", "attnMask"],
    outputs: attentionOutputs,
    macs: (c, inputs) => attentionMacs(c, inputs),
  },
};

/** torchvision.ops.StochasticDepth: drops whole rows (or the batch) with probability p in training; the identity at evaluation. */
export const StochasticDepth: LayerKind<StochasticDepthConfig> = {
  type: "StochasticDepth",
  params: [
    { name: "p", type: "probability" },
    { name: "mode", type: "string", choices: ["batch", "row"] },
  ],
  describe: (c) => `StochasticDepth(p=${c.p}, mode=${c.mode})`,
  counts: () => NO_COUNTS,
  forward: (_c, [x]) => x!,
};

/** torchvision.ops.Permute: `torch.permute(x, dims)` as a module. */
export const Permute: LayerKind<PermuteConfig> = {
  type: "Permute",
  params: [{ name: "dims", type: "intList" }],
  describe: () => "Permute()",
  counts: () => NO_COUNTS,
  forward(c, [x]) {
    const rank = x!.length;
    const axes = c.dims.map((d) => normAxis(d, rank));
    const complete = c.dims.length === rank && axes.every((a) => a !== undefined) && new Set(axes).size === rank;
    if (!complete)
      return err("invalid-dim", `Permute's dims [${c.dims.join(", ")}] must be a permutation of the ${rank} dimensions of its input ${formatShape(x!)}`);
    return axes.map((a) => x![a!]!);
  },
  // The output is no longer [N, C, H, W] unless the spatial axes stay in place.
  field: (c, input) => {
    const [h, w] = [normAxis(c.dims[2] ?? -1, 4), normAxis(c.dims[3] ?? -1, 4)];
    return c.dims.length === 4 && h === 2 && w === 3 ? input : null;
  },
};

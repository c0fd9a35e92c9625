/**
 * The PyTorch engine's own training settings (issue 16): data-parallel training
 * (`--nproc-per-node`, `--nnodes`, `--node-rank`, `--master-addr`, `--master-port`) and the GPU
 * features (`--precision`, `--channels-last`, `--compile`), their parsing, their check and their
 * place in `TrainConfig`. A run without them has none of these fields, so the config.json of every
 * other run stays as it was.
 */

import { bool, Invalid, nullable, num, obj, oneOf, optional, record, str, type V } from "./validate";

export type Precision = "fp32" | "bf16" | "fp16";
export const PRECISIONS: readonly Precision[] = ["fp32", "bf16", "fp16"];

/** torch.distributed's process-group backend: gloo on the CPU, nccl on CUDA GPUs. */
export type DistributedBackend = "gloo" | "nccl";

/** `torch.distributed`'s `env://` rendezvous, as torchrun's options name it. */
export interface DistributedConfig {
  /** Processes (ranks) on this machine. */
  nprocPerNode: number;
  /** Machines. */
  nnodes: number;
  /** This machine's index, 0 to nnodes - 1 (node 0 holds rank 0, which writes the run folder). */
  nodeRank: number;
  masterAddr: string;
  /** null: a free port, chosen when the run starts (one machine only). */
  masterPort: number | null;
  /** nprocPerNode × nnodes. */
  worldSize: number;
  /** The process group's backend, known once PyTorch reports its device (recorded in config.json). */
  backend?: DistributedBackend;
}

/** The settings of this file that a `TrainConfig` carries (each absent when not given). */
export interface TorchTrainSettings {
  distributed?: DistributedConfig;
  /** torch.autocast's dtype (bf16, fp16 with a GradScaler); absent: fp32. */
  precision?: Precision;
  /** Model and inputs in torch.channels_last (CUDA only: ignored with a warning on the CPU). */
  channelsLast?: boolean;
  /** torch.compile the model (PyTorch 2 or later). */
  compile?: boolean;
}

/** --help entries (one per option) and the flags the CLI parser knows. */
export const TORCH_OPTIONS = [
  {
    flag: "--nproc-per-node",
    metavar: "N",
    help: "data-parallel training (--backend torch): N processes on this machine, one per GPU (gloo on the CPU); --batch-size is per process",
  },
  { flag: "--nnodes", metavar: "K", help: "machines taking part (default 1); start the same command on each with its --node-rank" },
  { flag: "--node-rank", metavar: "R", help: "this machine's index, 0 to K-1 (default 0; node 0 writes the run folder)" },
  { flag: "--master-addr", metavar: "ADDR", help: "the address of node 0 (default 127.0.0.1)" },
  { flag: "--master-port", metavar: "PORT", help: "node 0's rendezvous port (default: a free port; needed with --nnodes above 1)" },
  { flag: "--precision", metavar: "P", help: "fp32, bf16 (torch.autocast; the CPU too) or fp16 (autocast with a GradScaler; CUDA only) (default fp32)" },
] as const;
export const TORCH_FLAGS = [
  { flag: "--channels-last", help: "model and inputs in channels-last memory format (CUDA; ignored with a warning on the CPU)" },
  { flag: "--compile", help: "torch.compile the model (PyTorch 2 or later)" },
] as const;
export const TORCH_VALUE_FLAGS: readonly string[] = TORCH_OPTIONS.map((o) => o.flag);
export const TORCH_FLAG_FLAGS: readonly string[] = TORCH_FLAGS.map((o) => o.flag);

const LIMITS = { nproc: 64, nodes: 4096, port: 65535 };

function wholeNumber(flag: string, text: string, min: number, max: number): number | { error: string } {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) return { error: `${flag} must be a whole number from ${min} to ${max}, got '${text}'` };
  return n;
}

/** The command line's PyTorch options (values by flag, flags given), parsed; a string is the error, naming the value. */
export function torchFromArgs(values: ReadonlyMap<string, string>, flags: ReadonlySet<string>): TorchTrainSettings | { error: string } {
  const out: TorchTrainSettings = {};
  const precision = values.get("--precision");
  if (precision !== undefined) {
    if (!(PRECISIONS as readonly string[]).includes(precision)) return { error: `--precision must be one of ${PRECISIONS.join(", ")}, got '${precision}'` };
    if (precision !== "fp32") out.precision = precision as Precision;
  }
  if (flags.has("--channels-last")) out.channelsLast = true;
  if (flags.has("--compile")) out.compile = true;
  const given = TORCH_VALUE_FLAGS.filter((f) => f !== "--precision" && values.has(f));
  if (given.length === 0) return out;
  const number = (flag: string, dflt: number, min: number, max: number) => {
    const t = values.get(flag);
    return t === undefined ? dflt : wholeNumber(flag, t, min, max);
  };
  const nprocPerNode = number("--nproc-per-node", 1, 1, LIMITS.nproc);
  const nnodes = number("--nnodes", 1, 1, LIMITS.nodes);
  const nodeRank = number("--node-rank", 0, 0, LIMITS.nodes - 1);
  const port = values.get("--master-port");
  const masterPort = port === undefined ? null : wholeNumber("--master-port", port, 1, LIMITS.port);
  for (const v of [nprocPerNode, nnodes, nodeRank, masterPort]) if (v !== null && typeof v === "object") return v;
  const d = { nprocPerNode, nnodes, nodeRank, masterPort } as { nprocPerNode: number; nnodes: number; nodeRank: number; masterPort: number | null };
  if (d.nodeRank >= d.nnodes) return { error: `--node-rank must be below --nnodes (${d.nnodes}), got ${d.nodeRank}` };
  if (d.nnodes > 1 && d.masterPort === null) return { error: "--nnodes above 1 needs --master-port (the same on every machine)" };
  if (d.nnodes > 1 && !values.has("--master-addr")) return { error: "--nnodes above 1 needs --master-addr (node 0's address, the same on every machine)" };
  const masterAddr = values.get("--master-addr") ?? "127.0.0.1";
  out.distributed = { ...d, masterAddr, worldSize: d.nprocPerNode * d.nnodes };
  return out;
}

const positive = num({ int: true, min: 1 });

const distributedShape = obj({
  nprocPerNode: positive,
  nnodes: positive,
  nodeRank: num({ int: true, min: 0 }),
  masterAddr: str,
  masterPort: nullable(num({ int: true, min: 1, max: LIMITS.port })),
  worldSize: positive,
  backend: optional(oneOf(["gloo", "nccl"] as const)),
});

/** The `distributed` section's check (absent: undefined, one process). */
export const distributedConfigOf: V<DistributedConfig | undefined> = (v, at) => {
  if (v === undefined) return undefined;
  record(v, at);
  const d = distributedShape(v, at);
  if (d.nodeRank >= d.nnodes) throw new Invalid(`${at}.nodeRank must be below nnodes (${d.nnodes}), got ${d.nodeRank}`);
  if (d.worldSize !== d.nprocPerNode * d.nnodes)
    throw new Invalid(`${at}.worldSize must be nprocPerNode × nnodes (${d.nprocPerNode * d.nnodes}), got ${d.worldSize}`);
  return d;
};

/** The checks of `TorchTrainSettings`' fields, for the configuration's shape. */
export const torchSettingsShape = {
  distributed: distributedConfigOf,
  precision: optional(oneOf(PRECISIONS)),
  channelsLast: optional(bool),
  compile: optional(bool),
};

/** A line for the run log: world size, the process group's backend and the global batch. */
export function describeDistributed(d: DistributedConfig, batchSize: number): string {
  const nodes = d.nnodes > 1 ? ` on ${d.nnodes} machines (this is node ${d.nodeRank})` : "";
  return `data-parallel: ${d.worldSize} processes${nodes}, ${d.backend ?? "?"} backend; batch ${batchSize} per process, global batch ${batchSize * d.worldSize}`;
}

/** Why PyTorch `torchVersion` on this device cannot do the settings (trainer.py's distributed.py says the same), or null. */
export function gpuSettingsProblem(torchVersion: string, onCuda: boolean, s: TorchTrainSettings): string | null {
  if (s.precision === "fp16" && !onCuda)
    return "--precision fp16 needs a CUDA GPU (float16 autocast with torch.cuda.amp.GradScaler); this run trains on the CPU: use --precision bf16 (torch.autocast on the CPU) or fp32";
  const major = Number(/^(\d+)/.exec(torchVersion)?.[1] ?? "0");
  if (s.compile && major < 2) return `--compile needs PyTorch >= 2 (torch.compile); you have ${torchVersion}`;
  return null;
}

/** The TensorFlow.js engine's refusal of these settings, or null when none is given. */
export function torchOnlyProblem(s: TorchTrainSettings): string | null {
  const given = [
    s.distributed ? "--nproc-per-node" : null,
    s.precision ? "--precision" : null,
    s.channelsLast ? "--channels-last" : null,
    s.compile ? "--compile" : null,
  ].filter((x): x is string => x !== null);
  return given.length ? `${given.join(", ")} ${given.length > 1 ? "are options" : "is an option"} of the PyTorch engine (--backend torch)` : null;
}

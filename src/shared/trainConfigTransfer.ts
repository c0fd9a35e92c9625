/**
 * Transfer learning's training settings (issue 15): `--weights FILE`, `--freeze GLOB[,GLOB...]` and
 * `--lr-for GLOB=LR`, their parsing, their check and the glob rule over PyTorch parameter names that
 * both engines apply (src/trainer/train/freeze.ts; trainer.py's transfer.py has the same rule).
 * A configuration without them has no `transfer` section at all, so the config.json of every
 * other run stays as it was.
 */

import { arr, Invalid, nullable, num, obj, record, str, type V } from "./validate";

/** One `--lr-for GLOB=LR`: the parameters the glob matches train with this learning rate. */
export interface LrGroup {
  glob: string;
  lr: number;
}

export interface TransferConfig {
  /** Absolute path of a weights file (.pth, .pt, .safetensors) loaded before training; null: none. */
  weights: string | null;
  /** Globs over parameter names; the parameters they match never change. */
  freeze: string[];
  /** Parameter groups with their own learning rate; a parameter takes the first glob that matches it. */
  lrFor: LrGroup[];
}

/** The limits of an `--lr-for` learning rate: 0 (the group stays as it is) to 10, like `--lr`'s maximum. */
export const GROUP_LR = { min: 0, max: 10 } as const;

/** What `--freeze`, `--lr-for` and `--weights` mean, for --help and the docs (one entry per option). */
export const TRANSFER_OPTIONS = [
  { flag: "--weights", metavar: "FILE", help: "load matching tensors of a .pth/.pt/.safetensors file before training (others stay freshly initialised)" },
  {
    flag: "--freeze",
    metavar: "GLOBS",
    help: "comma-separated globs over parameter names (features.*, layer1.*,layer2.*, conv1,bn1: a module path means its parameters) that never change; BatchNorm layers whose parameters are all frozen keep their running statistics",
  },
  {
    flag: "--lr-for",
    metavar: "GLOB=LR",
    help: "the learning rate of the parameters GLOB matches (repeatable; the first matching glob wins; it follows the schedule as --lr does)",
  },
] as const;

/** Why a glob cannot name parameters, or undefined when it can. Globs are names with `*` (any run of characters, dots too) and `?` (one character). */
export function globProblem(glob: string): string | undefined {
  if (glob === "") return "an empty glob";
  if (!/^[A-Za-z0-9_.*?]+$/.test(glob)) return `'${glob}' is not a glob over parameter names (letters, digits, _, '.', '*' and '?')`;
  if (glob.startsWith(".") || glob.endsWith(".") || glob.includes("..")) return `'${glob}' has an empty name between dots`;
  return undefined;
}

/** The glob as a regular expression: the whole name, or a module path (`conv1`) that the name continues (`conv1.weight`). */
export function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.]/g, "\\.").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}(?:\\..*)?$`);
}

/** Does the glob match this parameter (or buffer) name? */
export function globMatches(glob: string, name: string): boolean {
  return globRegExp(glob).test(name);
}

/** `--freeze`'s value: globs separated by commas, each checked; a string is the error, naming the value. */
export function parseFreeze(text: string): string[] | { error: string } {
  const globs = text.split(",").map((g) => g.trim());
  for (const g of globs) {
    const problem = globProblem(g);
    if (problem !== undefined) return { error: `--freeze: ${problem} in '${text}'` };
  }
  return [...new Set(globs)];
}

/** One `--lr-for GLOB=LR`; a string is the error, naming the value. */
export function parseLrFor(text: string): LrGroup | { error: string } {
  const eq = text.lastIndexOf("=");
  if (eq < 0) return { error: `--lr-for must be GLOB=LR (e.g. 'layer4.*=0.0001'), got '${text}'` };
  const glob = text.slice(0, eq).trim();
  const problem = globProblem(glob);
  if (problem !== undefined) return { error: `--lr-for: ${problem} in '${text}'` };
  const lrText = text.slice(eq + 1).trim();
  const lr = Number(lrText);
  if (lrText === "" || !Number.isFinite(lr)) return { error: `--lr-for ${glob}: the learning rate must be a number, got '${lrText}'` };
  if (lr < GROUP_LR.min || lr > GROUP_LR.max)
    return { error: `--lr-for ${glob}: the learning rate must be from ${GROUP_LR.min} to ${GROUP_LR.max}, got ${lrText}` };
  return { glob, lr };
}

/** The command line's transfer options, parsed; null when none is given; a string is the error. `weights` is already an absolute path. */
export function transferFromArgs(a: { weights?: string; freeze?: string; lrFor: readonly string[] }): TransferConfig | null | { error: string } {
  if (a.weights === undefined && a.freeze === undefined && a.lrFor.length === 0) return null;
  const freeze = a.freeze === undefined ? [] : parseFreeze(a.freeze);
  if (!Array.isArray(freeze)) return freeze;
  const lrFor: LrGroup[] = [];
  for (const text of a.lrFor) {
    const g = parseLrFor(text);
    if ("error" in g) return g;
    if (lrFor.some((x) => x.glob === g.glob)) return { error: `--lr-for ${g.glob} is given twice` };
    lrFor.push(g);
  }
  return { weights: a.weights ?? null, freeze, lrFor };
}

const globOf: V<string> = (v, at) => {
  const g = str(v, at);
  const problem = globProblem(g);
  if (problem !== undefined) throw new Invalid(`${at}: ${problem}`);
  return g;
};

const lrGroupShape = obj({ glob: globOf, lr: num(GROUP_LR) });

/** The `transfer` section's check (absent: undefined, a run without transfer settings). */
export const transferConfigOf: V<TransferConfig | undefined> = (v, at) => {
  if (v === undefined) return undefined;
  record(v, at);
  return obj({ weights: nullable(str), freeze: arr(globOf), lrFor: arr(lrGroupShape) })(v, at);
};

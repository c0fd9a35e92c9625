/**
 * The data options for fine-tuning (issue 15): how pixels are normalised (`--normalize`), which
 * augmentations train with (`--augment`) and how image-folder images reach the model's size
 * (`--resize`). A configuration without them (every run before issue 15) means what it meant:
 * `normalize` true/false, the `augment` section's crop padding and flip, images stretched.
 */

import { Invalid, obj, oneOf, type V } from "./validate";

/** `dataset`: the training split's mean and std; `imagenet`: torchvision's ImageNet statistics; `none`: x/255. */
export type NormalizeMode = "dataset" | "imagenet" | "none";
export const NORMALIZE_MODES: readonly NormalizeMode[] = ["dataset", "imagenet", "none"];

/**
 * `none`: no augmentation; `flip`: horizontal flips; `standard`: RandomResizedCrop (scale 0.08–1,
 * ratio 3/4–4/3) + flip; `strong`: standard + ColorJitter(brightness 0.4, contrast 0.4, saturation 0.4).
 */
export type AugmentPreset = "none" | "flip" | "standard" | "strong";
export const AUGMENT_PRESETS: readonly AugmentPreset[] = ["none", "flip", "standard", "strong"];

/** `stretch`: resize to H×W (today's); `crop`: shorter side to round(max(H, W)·256/224), then a centred H×W crop (torchvision's Resize(256) + CenterCrop(224), scaled). */
export type ResizeMode = "stretch" | "crop";
export const RESIZE_MODES: readonly ResizeMode[] = ["stretch", "crop"];

export interface DataConfig {
  normalize: NormalizeMode;
  augment: AugmentPreset;
  resize: ResizeMode;
}

/** torchvision's ImageNet statistics (transforms.Normalize in its reference scripts and weights' transforms). */
export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];

/** RandomResizedCrop's defaults (torchvision): area fraction and aspect-ratio ranges. */
export const RRC_SCALE: readonly [number, number] = [0.08, 1];
export const RRC_RATIO: readonly [number, number] = [3 / 4, 4 / 3];
/** The `strong` preset's ColorJitter strengths (brightness, contrast, saturation), as timm's and torchvision's references use. */
export const JITTER = { brightness: 0.4, contrast: 0.4, saturation: 0.4 } as const;

/** The CLI options of this file: `--normalize M`, `--augment P`, `--resize R`. */
export const DATA_OPTIONS = {
  "--normalize": {
    key: "normalize",
    choices: NORMALIZE_MODES,
    metavar: "M",
    help: "dataset (the training split's mean/std) | imagenet (torchvision's) | none (x/255)",
  },
  "--augment": {
    key: "augment",
    choices: AUGMENT_PRESETS,
    metavar: "P",
    help: "training only: none | flip | standard (random resized crop + flip) | strong (standard + colour jitter)",
  },
  "--resize": {
    key: "resize",
    choices: RESIZE_MODES,
    metavar: "R",
    help: "image folders: stretch to the model's size | crop (shorter side to size·256/224, centre crop)",
  },
} as const;
export type DataOptionFlag = keyof typeof DATA_OPTIONS;
export const DATA_OPTION_FLAGS = Object.keys(DATA_OPTIONS) as DataOptionFlag[];

/** What a configuration means, with or without its `data` section. */
export function dataConfigOf(c: { normalize: boolean; augment: { cropPadding: number; flip: boolean }; data?: DataConfig }): DataConfig {
  return c.data ?? { normalize: c.normalize ? "dataset" : "none", augment: c.augment.flip ? "flip" : "none", resize: "stretch" };
}

/** Does the preset crop at random (RandomResizedCrop)? */
export const randomResizedCrop = (p: AugmentPreset): boolean => p === "standard" || p === "strong";

/** The `data` section's check; `normalize` (the older flag) and the crop padding must agree with it. */
export const dataConfigShape: V<DataConfig> = obj({ normalize: oneOf(NORMALIZE_MODES), augment: oneOf(AUGMENT_PRESETS), resize: oneOf(RESIZE_MODES) });

export function checkDataAgrees(c: { normalize: boolean; augment: { cropPadding: number; flip: boolean }; data?: DataConfig }, at: string): void {
  const d = c.data;
  if (d === undefined) return;
  if (c.normalize !== (d.normalize !== "none"))
    throw new Invalid(`${at}.normalize is ${c.normalize} but ${at}.data.normalize is '${d.normalize}' (--no-normalize is --normalize none)`);
  if (randomResizedCrop(d.augment) && c.augment.cropPadding > 0)
    throw new Invalid(`${at}.data.augment '${d.augment}' crops at random already; it cannot be combined with a crop padding (got ${c.augment.cropPadding})`);
  if (c.augment.flip !== (d.augment !== "none"))
    throw new Invalid(`${at}.augment.flip is ${c.augment.flip} but ${at}.data.augment is '${d.augment}' (every preset but none flips)`);
}

/**
 * The CLI's data options (flag → value as typed), with the older `--no-normalize`, `--flip` and
 * `--crop-padding`: the `data` section and the older fields it implies, or a message naming the bad value.
 */
export function parseDataOptions(
  values: ReadonlyMap<string, string>,
  legacy: { noNormalize: boolean; flip: boolean; cropPadding: number },
): { data: DataConfig; normalize: boolean; flip: boolean } | null | { error: string } {
  const given = DATA_OPTION_FLAGS.filter((f) => values.has(f));
  if (given.length === 0) return null;
  const pick = <T extends string>(flag: DataOptionFlag, choices: readonly T[], dflt: T): T | { error: string } => {
    const v = values.get(flag);
    if (v === undefined) return dflt;
    return (choices as readonly string[]).includes(v) ? (v as T) : { error: `${flag} must be one of ${choices.join(", ")}, got '${v}'` };
  };
  const normalize = pick("--normalize", NORMALIZE_MODES, legacy.noNormalize ? "none" : "dataset");
  if (typeof normalize === "object") return normalize;
  const augment = pick("--augment", AUGMENT_PRESETS, legacy.flip ? "flip" : "none");
  if (typeof augment === "object") return augment;
  const resize = pick("--resize", RESIZE_MODES, "stretch");
  if (typeof resize === "object") return resize;
  if (legacy.noNormalize && normalize !== "none") return { error: `--no-normalize contradicts --normalize ${normalize}` };
  if (legacy.flip && augment === "none") return { error: "--flip contradicts --augment none" };
  if (legacy.cropPadding > 0 && randomResizedCrop(augment))
    return { error: `--augment ${augment} crops at random already (RandomResizedCrop); leave out --crop-padding` };
  return { data: { normalize, augment, resize }, normalize: normalize !== "none", flip: augment !== "none" };
}

/** The data options in words, for the run log. */
export function describeData(d: DataConfig): string {
  const aug = {
    none: "no augmentation",
    flip: "horizontal flip",
    standard: "random resized crop (scale 0.08–1, ratio 3/4–4/3) + horizontal flip",
    strong: "random resized crop + horizontal flip + colour jitter (0.4, 0.4, 0.4)",
  }[d.augment];
  return `${d.normalize} normalisation; ${aug}; images ${d.resize === "crop" ? "resized (shorter side) and centre-cropped" : "stretched"} to the model's size`;
}

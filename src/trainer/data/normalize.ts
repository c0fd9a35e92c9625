import { IMAGENET_MEAN, IMAGENET_STD, type NormalizeMode } from "../../shared/trainConfigData";
import { channelStats, IDENTITY_NORMALIZATION, type Normalization } from "./batches";
import { fail, ok, type ImageDataset, type Result } from "./types";

/**
 * The per-channel normalisation of `--normalize`: the training split's statistics (`dataset`),
 * torchvision's ImageNet mean and std (`imagenet`, for RGB models: what pretrained weights expect),
 * or none (x/255).
 */
export function normalizationFor(mode: NormalizeMode, dataset: ImageDataset): Result<Normalization> {
  if (mode === "none") return ok(IDENTITY_NORMALIZATION(dataset.channels));
  if (mode === "dataset") return ok(channelStats(dataset.train, dataset.channels, dataset.height * dataset.width));
  if (dataset.channels !== 3)
    return fail(
      `--normalize imagenet: ImageNet's statistics are for 3 (RGB) channels, but the model's @input has ${dataset.channels}; use --normalize dataset or none`,
    );
  return ok({ mean: [...IMAGENET_MEAN], std: [...IMAGENET_STD] });
}

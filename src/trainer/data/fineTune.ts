import * as path from "node:path";
import type { ResizeMode } from "../../shared/trainConfigData";
import type { Decoded } from "./image";
import { resizeCenterCrop, resizeTo, withChannels, type Planes } from "./transforms";
import { fail, ok, type Result } from "./types";

/**
 * An image-folder image at the model's input for runs with issue 15's data options: colour made
 * grey for a 1-channel model (PIL's convert("L"), with a note), then stretched or resized and
 * centre-cropped (src/trainer/data/transforms.ts), as bytes.
 */
export function fineTuneInput(
  img: Decoded,
  file: string,
  opts: { channels: number; height: number; width: number; resize?: ResizeMode },
  notes: Set<string>,
): Result<Uint8Array> {
  const planes = modelPlanes(img, file, opts.channels, notes);
  if (!planes.ok) return planes;
  const { height: H, width: W } = opts;
  const sized = opts.resize === "crop" ? resizeCenterCrop(planes.value, H, W) : resizeTo(planes.value, H, W);
  return ok(Uint8Array.from(sized.data));
}

/** The decoded image with the model's channels, or why it cannot have them. */
export function modelPlanes(img: Decoded, file: string, channels: number, notes: Set<string>): Result<Planes> {
  if (channels !== 1 && channels !== 3) return fail(`${file}: images have 1 (greyscale) or 3 (RGB) channels, but the model's @input has ${channels}`);
  const { planes, converted } = withChannels(img, channels);
  if (converted && ![...notes].some((n) => n.startsWith("colour images")))
    notes.add(`colour images were converted to greyscale for the model's 1-channel @input (PIL's convert("L") luma), the first ${path.basename(file)}`);
  return ok(planes);
}

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import type { EpochEndEvent, TrainConfig } from "../../src/shared/training";
import { TfjsEngine } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { TorchTrainingSession, type TorchEvent } from "../../src/trainer/engines/torch/pythonRun";
import { collect, deps } from "../trainer/helpers/env";
import { segConfig } from "../trainer/segmentation/helpers";
import { PYTHON } from "./helpers";

/**
 * Both engines train a segmentation model alike: from the same weights (a first PyTorch epoch's
 * checkpoint, loaded with --weights), one epoch of SGD with flips on shapes-seg gives the same
 * training loss, pixel accuracy, validation loss and mean IoU in TensorFlow.js and PyTorch (the
 * same shuffling, flips, masks, loss and metrics). About 70 s on two loaded cores, so only with
 * CNN_STUDIO_LONG_TESTS=1. Skipped without Debian's python3-torch.
 */

async function torchRun(c: TrainConfig): Promise<TorchEvent[]> {
  const events: TorchEvent[] = [];
  await new TorchTrainingSession({ python: PYTHON }, (e) => events.push(e)).start(c);
  return events;
}

const long = process.env["CNN_STUDIO_LONG_TESTS"] === "1" ? false : "about 70 s on two CPU cores: set CNN_STUDIO_LONG_TESTS=1";

test(
  "from the same weights, an epoch of segmentation training gives the same metrics in both engines (long: CNN_STUDIO_LONG_TESTS=1)",
  { skip: long },
  async (t) => {
    if (!fs.existsSync(PYTHON)) return t.skip(`${PYTHON} not found: install python3-torch (Debian)`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-seg-parity-"));
    try {
      const base = (runs: string, weights: string | null) =>
        segConfig(path.join(dir, runs), {
          epochs: 1,
          batchSize: 64,
          optimizer: { ...segConfig(dir).optimizer, name: "sgd", lr: 0.05, momentum: 0.9 },
          ...(weights ? { transfer: { weights, freeze: [], lrFor: [] } } : {}),
        });
      const first = await torchRun(base("first", null));
      const failure = first.find((e) => e.type === "error");
      if (failure?.type === "error" && /PyTorch is not installed/.test(failure.message)) return t.skip(`PyTorch is not installed for ${PYTHON}`);
      const ck = first.filter((e) => e.type === "checkpoint").at(-1);
      assert.ok(ck?.type === "checkpoint", JSON.stringify(failure));
      const torch = (await torchRun(base("torch", ck.path))).filter((e): e is EpochEndEvent => e.type === "epochEnd");
      const events = collect();
      await new TfjsEngine(deps(), (e) => events.emit(e)).handle({ type: "start", config: base("tfjs", ck.path) });
      const tfjs = events.of("epochEnd");
      assert.equal(torch.length, 1);
      assert.equal(tfjs.length, 1, JSON.stringify(events.of("error")));
      for (const k of ["trainLoss", "trainAccuracy", "valLoss", "valAccuracy", "valMiou"] as const) {
        const [a, b] = [tfjs[0]![k]!, torch[0]![k]!];
        assert.ok(Math.abs(a - b) < 2e-3, `${k}: TensorFlow.js ${a}, PyTorch ${b}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return undefined;
  },
);

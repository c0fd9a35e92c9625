import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { describe, test } from "node:test";
import { validateEvent, type TrainerEvent } from "../../../src/shared/training";
import { CLI, ROOT, tempDir } from "../helpers/env";
import { imageFolder } from "../helpers/imageFolder";

/** The data options through `cnn-studio train`, in both engines (--backend torch with Debian's /usr/bin/python3). */

const PYTHON = "/usr/bin/python3";
const hasTorch = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"]).status === 0;

function train(...args: string[]): { code: number | null; events: TrainerEvent[]; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, "train", "examples/simple-cnn.ts", "--out", tempDir(), "--json", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CNN_STUDIO_TRAINER: "", CNN_STUDIO_PYTHON: PYTHON },
    timeout: 240_000,
  });
  const events = r.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const e = validateEvent(JSON.parse(l));
      assert.ok(e.ok, l);
      return e.value;
    });
  return { code: r.status, events, stderr: r.stderr };
}

describe("data options in both engines", { timeout: 300_000 }, () => {
  const dir = imageFolder(tempDir(), 5);
  const common = ["--dataset", `folder:${dir}`, "--epochs", "1", "--batch-size", "4", "--normalize", "imagenet", "--resize", "crop"];

  for (const backend of ["js", "torch"]) {
    test(`--backend ${backend}: ImageNet statistics in the started event, and the run completes`, { skip: backend === "torch" && !hasTorch }, () => {
      const r = train(...common, "--augment", "flip", "--backend", backend);
      assert.equal(r.code, 0, r.stderr);
      const started = r.events.find((e) => e.type === "started");
      assert.ok(started && started.type === "started");
      assert.deepEqual(
        [started.dataset.mean, started.dataset.std],
        [
          [0.485, 0.456, 0.406],
          [0.229, 0.224, 0.225],
        ],
      );
      assert.ok(r.events.some((e) => e.type === "completed"));
    });
  }

  test("--backend torch refuses --augment standard before starting Python, naming it", () => {
    const r = train(...common, "--augment", "standard", "--backend", "torch");
    assert.equal(r.code, 1);
    const error = r.events.find((e) => e.type === "error");
    assert.ok(error && error.type === "error");
    assert.match(error.message, /--augment standard \(random resized crops from the image files\) is not in the PyTorch engine yet/);
  });
});

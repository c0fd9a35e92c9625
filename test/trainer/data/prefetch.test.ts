import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { trainConfig, type TrainConfig } from "../../../src/shared/training";
import { loadDataset, type ImageDataset } from "../../../src/trainer/data/index";
import { normalizationFor } from "../../../src/trainer/data/normalize";
import { trainBatchLoader, type BatchLoader } from "../../../src/trainer/data/prefetch";
import { TfjsEngine } from "../../../src/trainer/engines/tfjs/tfjsEngine";
import { collect, deps, EXAMPLES, metricsOf, tempDir } from "../helpers/env";
import { imageFolder } from "../helpers/imageFolder";

/**
 * The augmented training batches (--augment standard|strong) of an image folder: decoded again
 * from the files, in a worker thread or in the trainer's own, with the same batches either way;
 * a file that cannot be decoded is a message naming it; the loader ends cleanly.
 */

function load(dir: string): ImageDataset {
  const d = loadDataset(
    { kind: "folder", dir },
    { input: { channels: 3, height: 32, width: 32, classes: 2 }, validationFraction: 0.25, seed: 1, resize: "crop" },
  );
  assert.ok(d.ok, d.ok ? "" : d.error);
  return d.value;
}

function loader(d: ImageDataset, preset: "standard" | "strong", worker: boolean): BatchLoader {
  const n = normalizationFor("imagenet", d);
  assert.ok(n.ok);
  const l = trainBatchLoader({ augment: preset }, 7, d, n.value, worker);
  assert.ok(l !== null);
  assert.equal(l.kind, worker ? "worker" : "thread");
  return l;
}

describe("augmented batches in a worker", () => {
  const dir = imageFolder(tempDir(), 8);
  const dataset = load(dir);

  test("the worker gives the batches the thread gives, for both presets; no loader without a random crop", async () => {
    for (const preset of ["standard", "strong"] as const) {
      const [inThread, inWorker] = [loader(dataset, preset, false), loader(dataset, preset, true)];
      const steps = [Uint32Array.from([0, 3, 5, 1]), Uint32Array.from([2, 4, 11, 6]), Uint32Array.from([0, 3, 5, 1])];
      // all requests at once: the worker answers them in order
      const [a, b] = await Promise.all([inThread, inWorker].map((l) => Promise.all(steps.map((idx, k) => l.request(idx, k + 1)))));
      for (let k = 0; k < steps.length; k++) {
        const [x, y] = [a![k]!, b![k]!];
        assert.ok(x.ok && y.ok);
        assert.deepEqual(y.value.x, x.value.x, `${preset}, step ${k + 1}`);
        assert.deepEqual(y.value.y, x.value.y);
      }
      // the same images at another step: other draws
      assert.ok(a![0]!.ok && a![2]!.ok);
      assert.notDeepEqual(a![2]!.value.x, a![0]!.value.x);
      await Promise.all([inThread.close(), inWorker.close()]);
    }
    const n = normalizationFor("dataset", dataset);
    assert.ok(n.ok);
    assert.equal(trainBatchLoader({ augment: "flip" }, 7, dataset, n.value), null);
  });

  test("an image that no longer decodes: a message naming its file, from the worker as from the thread; closing ends open requests", async () => {
    const d = load(imageFolder(tempDir(), 4));
    const bad = d.train.files![1]!;
    fs.writeFileSync(bad, fs.readFileSync(bad).subarray(0, 40));
    for (const worker of [false, true]) {
      const l = loader(d, "standard", worker);
      const r = await l.request(Uint32Array.from([0, 1, 2]), 1);
      assert.ok(!r.ok, `${bad} fails`);
      assert.match(r.error, new RegExp(`${path.basename(path.dirname(bad))}/${path.basename(bad)}: cannot decode the image`));
      assert.ok(r.error.includes(bad), r.error);
      const fine = await l.request(Uint32Array.from([0, 2]), 2);
      assert.ok(fine.ok, `the loader goes on after a failure: ${fine.ok ? "" : fine.error}`);
      await l.close();
      const after = await l.request(Uint32Array.from([0]), 3);
      assert.ok(!after.ok);
    }
  });
});

describe("training with --augment standard on an image folder", { timeout: 300_000 }, () => {
  const dir = imageFolder(tempDir(), 12);
  const config = (runsDir: string): TrainConfig =>
    trainConfig({
      file: path.join(EXAMPLES, "simple-cnn.ts"),
      model: "simpleCnn",
      dataset: { kind: "folder", dir },
      runsDir,
      epochs: 2,
      batchSize: 6,
      seed: 3,
      augment: { flip: true },
      data: { normalize: "imagenet", augment: "strong", resize: "crop" },
    });

  async function train(
    worker: boolean,
    o: { corrupt?: string; stopAt?: number; resume?: string } = {},
  ): Promise<{ errors: string[]; losses: unknown[]; log: string; dir: string; stopped: number }> {
    const before = process.env["CNN_STUDIO_DATA_WORKER"];
    process.env["CNN_STUDIO_DATA_WORKER"] = worker ? "1" : "0";
    const events = collect();
    const session = new TfjsEngine(deps(), (e) => {
      events.emit(e);
      if (e.type === "started" && o.corrupt) fs.writeFileSync(o.corrupt, "not an image");
      if (e.type === "progress" && e.globalStep === o.stopAt) session.stop();
    });
    try {
      await session.handle({ type: "start", config: { ...config(tempDir()), resume: o.resume ?? null } });
    } finally {
      session.dispose();
      if (before === undefined) delete process.env["CNN_STUDIO_DATA_WORKER"];
      else process.env["CNN_STUDIO_DATA_WORKER"] = before;
    }
    const started = events.of("started")[0];
    assert.ok(started, JSON.stringify(events.of("error")));
    const losses = metricsOf(started.runDir)
      .filter((m) => m["type"] === "step")
      .map((m) => m["loss"]);
    return {
      errors: events.of("error").map((e) => e.message),
      losses,
      log: fs.readFileSync(path.join(started.runDir, "log.txt"), "utf8"),
      dir: started.runDir,
      stopped: events.of("stopped")[0]?.globalStep ?? 0,
    };
  }

  let reference: unknown[] = [];
  test("the same losses with and without the worker; the log says where images are decoded", async () => {
    const a = await train(true);
    reference = a.losses;
    const b = await train(false);
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
    assert.equal(a.losses.length, 2 * 4, "20 training images (a 20% hold-out of 24) in batches of 6");
    assert.deepEqual(a.losses, b.losses);
    assert.match(
      a.log,
      /imagenet normalisation; random resized crop \+ horizontal flip \+ colour jitter .* \(training images decoded and augmented in a worker thread\)/,
    );
    assert.match(b.log, /in the trainer's thread/);
  });

  test("a training image corrupted during the run ends it with an error naming the file", async () => {
    const victim = path.join(dir, "dog", "3.jpg");
    const saved = fs.readFileSync(victim);
    try {
      const r = await train(true, { corrupt: victim });
      assert.equal(r.errors.length, 1);
      assert.match(r.errors[0]!, /dog\/3\.jpg: not a JPEG image/);
    } finally {
      fs.writeFileSync(victim, saved);
    }
  });

  test("stopped in the first epoch and resumed: the augmentation draws, and so the losses, of the uninterrupted run", async () => {
    const first = await train(true, { stopAt: 3 });
    assert.equal(first.stopped, 3);
    const second = await train(true, { resume: first.dir });
    assert.deepEqual(second.errors, []);
    assert.deepEqual(second.losses, reference);
  });
});

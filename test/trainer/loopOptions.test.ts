import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { trainConfig, type TrainConfig, type TrainerEvent } from "../../src/shared/training";
import { TfjsEngine } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { createSchedule } from "../../src/trainer/train/schedules";
import { collect, deps, EXAMPLES, metricsOf, smallMnistIdx, tempDir } from "./helpers/env";

/**
 * The training loop with the options transformers need (in process, LeNet-5 on a slice of
 * mnist-sample): the learning rate follows warm-up + cosine every step, label smoothing and
 * clipping change the steps, and a stopped run resumes to exactly the uninterrupted history.
 * Their numbers against PyTorch: optimTransformer.test.ts.
 */

const data = smallMnistIdx(320, 100);

function config(runsDir: string, over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...trainConfig({
      file: path.join(EXAMPLES, "lenet5.ts"),
      model: "lenet5Mnist",
      dataset: { kind: "idx", dir: data },
      runsDir,
      epochs: 2,
      batchSize: 32,
      seed: 5,
      optimizer: { name: "adamw", lr: 0.003, weightDecay: 0.05, excludeFromDecay: true, clipGradNorm: 0.5 },
      schedule: { name: "warmup-cosine", warmupEpochs: 1, warmupStart: 0.1, minLr: 1e-5 },
      labelSmoothing: 0.1,
    }),
    ...over,
  };
}

async function train(c: TrainConfig, onEvent?: (e: TrainerEvent, s: TfjsEngine) => void): Promise<{ events: ReturnType<typeof collect>; dir: string }> {
  const events = collect();
  const session: TfjsEngine = new TfjsEngine(deps(), (e) => {
    events.emit(e);
    onEvent?.(e, session);
  });
  await session.handle({ type: "start", config: c });
  session.dispose();
  const started = events.of("started")[0];
  assert.ok(started, `no started event: ${JSON.stringify(events.of("error"))}`);
  return { events, dir: started.runDir };
}

const losses = (dir: string): unknown[] =>
  metricsOf(dir)
    .filter((m) => m["type"] === "step")
    .map((m) => m["loss"]);

describe("training loop with the options transformers need", () => {
  let reference: Record<string, unknown>[] = [];

  test("warm-up + cosine every step, and the run learns with decay exclusion, clipping and label smoothing", async () => {
    const c = config(tempDir());
    const { events, dir } = await train(c);
    assert.deepEqual(events.of("error"), []);
    const progress = events.of("progress");
    assert.equal(progress.length, 20);
    const schedule = createSchedule(c.schedule, c.optimizer.lr, c.epochs, 10, c.optimizer.name);
    for (const p of progress) assert.equal(p.lr, schedule.at(p.epoch - 1, p.globalStep - 1).lr, `step ${p.globalStep}`);
    assert.ok(Math.abs(progress[0]!.lr - 0.0003) < 1e-15, "the first step: lr × warmupStart");
    assert.equal(progress[10]!.lr, 0.003, "the warm-up ends at the lr");
    const completed = events.of("completed")[0]!;
    assert.ok(completed.final!.valAccuracy > 0.3, `learned something: ${completed.final!.valAccuracy}`);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")), c);
    reference = metricsOf(dir);
  });

  test("each option changes the steps (off: another history)", async () => {
    const short: Partial<TrainConfig> = { epochs: 1, schedule: { ...config("").schedule, name: "none" } };
    const base = losses((await train(config(tempDir(), short))).dir);
    for (const over of [
      { labelSmoothing: 0 },
      { optimizer: { ...config("").optimizer, clipGradNorm: 0 } },
      { optimizer: { ...config("").optimizer, excludeFromDecay: false } },
    ]) {
      const other = losses((await train(config(tempDir(), { ...short, ...over }))).dir);
      // the same first batch and weights: only the loss's smoothing changes the first loss
      if ("labelSmoothing" in over) assert.notEqual(other[0], base[0]);
      else assert.equal(other[0], base[0]);
      assert.notDeepEqual(other.slice(1, 10), base.slice(1, 10), JSON.stringify(over));
    }
  });

  test("stopped and resumed: exactly the uninterrupted history", async () => {
    const runs = tempDir();
    const first = await train(config(runs), (e, s) => {
      if (e.type === "progress" && e.globalStep === 13) s.stop();
    });
    assert.equal(first.events.of("stopped")[0]?.globalStep, 13);
    const second = await train({ ...config(runs), resume: first.dir });
    assert.equal(second.events.of("completed").length, 1, JSON.stringify(second.events.of("error")));
    const strip = (m: Record<string, unknown>[]) => m.map(({ time: _t, seconds: _s, imagesPerSecond: _i, ...rest }) => rest);
    assert.deepEqual(strip(metricsOf(first.dir)), strip(reference));
  });
});

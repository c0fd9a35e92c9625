import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { describe, test } from "node:test";
import { exportPyTorch } from "../../src/export/pytorch";
import { trainConfig, validateEvent, validateTrainConfig, type TrainConfig } from "../../src/shared/training";
import type { DistributedConfig } from "../../src/shared/trainConfigTorch";
import { listCheckpoints } from "../../src/trainer/checkpoint";
import type { TorchEvent } from "../../src/trainer/engines/torch/pythonRun";
import { TORCH_DISTRIBUTED_PY, TORCH_TRAINER_PY, TORCH_TRANSFER_PY } from "../../src/trainer/engines/torch/script";
import { freePort } from "../../src/trainer/engines/torch/ranks";
import { PYTHON, runEngineCheck, trainTorch } from "../export/helpers";
import { EXAMPLES, smallMnistIdx, tempDir } from "./helpers/env";

/**
 * Issue 16: data-parallel training on the PyTorch engine (2 CPU ranks on gloo), trainer.py alone
 * under torchrun's variables, and the GPU settings on the CPU (bf16 autocast trains; fp16 and
 * --compile on torch 1.13 are refused with a message). LeNet-5 on 2,048 MNIST-sample images.
 * Skipped with a message without Debian's python3-torch.
 */

const LENET = path.join(EXAMPLES, "lenet5.ts");
const skipWhy = fs.existsSync(PYTHON) ? null : `${PYTHON} not found: install python3-torch (Debian) to test the PyTorch engine`;
let data: string | null = null;
const dataDir = (): string => (data ??= smallMnistIdx(2048, 512));

function twoRanks(): DistributedConfig {
  return { nprocPerNode: 2, nnodes: 1, nodeRank: 0, masterAddr: "127.0.0.1", masterPort: null, worldSize: 2 };
}

function config(runsDir: string, extra: Partial<TrainConfig> = {}): TrainConfig {
  return trainConfig({ file: LENET, model: "lenet5Mnist", dataset: { kind: "idx", dir: dataDir() }, runsDir, epochs: 2, batchSize: 64, ...extra });
}

function last(events: TorchEvent[]): TorchEvent {
  return events[events.length - 1]!;
}

function errorOf(events: TorchEvent[]): string {
  const e = events.find((x) => x.type === "error");
  return e?.type === "error" ? e.message : "";
}

describe("data-parallel training on the PyTorch engine", { skip: skipWhy ?? false }, () => {
  test("2 gloo ranks and 1 process with the same global batch reach the same validation accuracy; config.json records distributed", async () => {
    const runs = tempDir("cnn-studio-ddp-");
    const one = await trainTorch(config(runs, { epochs: 1, batchSize: 64 }));
    const two = await trainTorch(config(runs, { epochs: 1, batchSize: 32, distributed: twoRanks() }));
    for (const events of [one, two]) {
      assert.equal(last(events).type, "completed", errorOf(events));
      for (const e of events) assert.ok(validateEvent(e).ok, JSON.stringify(validateEvent(e)));
    }
    const acc = (events: TorchEvent[]) => {
      const done = last(events);
      return done.type === "completed" && done.final ? done.final.valAccuracy : -1;
    };
    assert.ok(acc(one) > 0.6, `one process trains: ${acc(one)}`);
    assert.ok(Math.abs(acc(one) - acc(two)) <= 0.02, `one process ${acc(one)}, two ranks ${acc(two)}`);
    const started = two.find((e) => e.type === "started");
    assert.ok(started?.type === "started");
    assert.equal(started.stepsPerEpoch, 32, "2,048 images in global batches of 64");
    const saved = JSON.parse(fs.readFileSync(path.join(started.runDir, "config.json"), "utf8")) as Record<string, unknown>;
    assert.ok(validateTrainConfig(saved).ok);
    assert.deepEqual(saved["distributed"], { ...twoRanks(), backend: "gloo" });
    assert.match(
      fs.readFileSync(path.join(started.runDir, "log.txt"), "utf8"),
      /data-parallel: 2 processes, gloo backend; batch 32 per process, global batch 64/,
    );
    assert.deepEqual(
      listCheckpoints(started.runDir).map((f) => path.basename(f)),
      ["e0001-s000032.safetensors"],
      "rank 0 alone writes the checkpoints",
    );
  });

  test("a rank that dies ends the run with an error naming it and its last output; the run folder is kept, marked failed", async () => {
    const runs = tempDir("cnn-studio-ddp-");
    process.env["CNN_STUDIO_TEST_FAIL_RANK"] = "1:3";
    let events: TorchEvent[];
    try {
      events = await trainTorch(config(runs, { batchSize: 32, distributed: twoRanks() }));
    } finally {
      delete process.env["CNN_STUDIO_TEST_FAIL_RANK"];
    }
    const err = last(events);
    assert.equal(err.type, "error");
    assert.ok(err.type === "error" && err.runDir !== null);
    assert.match(err.message, /^rank 1 exited \(exit code 7\) before the run ended; its last output:\nfault injection: rank 1 ends at step 3/);
    const status = JSON.parse(fs.readFileSync(path.join(err.runDir, "status.json"), "utf8")) as Record<string, unknown>;
    assert.equal(status["state"], "failed");
    assert.match(fs.readFileSync(path.join(err.runDir, "log.txt"), "utf8"), /error \(training\): rank 1 exited/);
  });

  test("stop and resume with 2 ranks: every rank stops at the same step, rank 0 writes the checkpoint, the run resumes to the end", async () => {
    const runs = tempDir("cnn-studio-ddp-");
    const first = await trainTorch(config(runs, { epochs: 1, batchSize: 32, distributed: twoRanks() }), 4);
    const stopped = last(first);
    assert.ok(stopped.type === "stopped" && stopped.checkpoint !== null, errorOf(first) || JSON.stringify(stopped));
    assert.ok(stopped.step >= 4 && stopped.step < 32);
    const second = await trainTorch({ ...config(runs, { epochs: 1 }), resume: stopped.runDir });
    assert.equal(last(second).type, "completed", errorOf(second));
    const resumed = second.find((e) => e.type === "started");
    assert.ok(resumed?.type === "started");
    assert.deepEqual(resumed.resumedFrom, { epoch: 1, step: stopped.step, globalStep: stopped.step });
    const steps = fs
      .readFileSync(path.join(stopped.runDir, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; globalStep?: number })
      .filter((l) => l.type === "step");
    assert.deepEqual(
      steps.map((l) => l.globalStep),
      Array.from({ length: 32 }, (_, i) => i + 1),
      "one uninterrupted history",
    );
  });

  test("trainer.py alone under torch.distributed.run's variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), 2 processes", async () => {
    const dir = tempDir("cnn-studio-ddp-alone-");
    fs.writeFileSync(path.join(dir, "trainer.py"), TORCH_TRAINER_PY);
    fs.writeFileSync(path.join(dir, "transfer.py"), TORCH_TRANSFER_PY);
    fs.writeFileSync(path.join(dir, "distributed.py"), TORCH_DISTRIBUTED_PY);
    const exported = exportPyTorch(LENET, { models: ["lenet5Mnist"] });
    assert.ok(exported.ok);
    fs.writeFileSync(path.join(dir, "model.py"), exported.code);
    const n = 256;
    const images = Buffer.alloc(n * 784);
    for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761) % 251;
    const labels = new Int32Array(n).map((_, i) => i % 10);
    fs.writeFileSync(path.join(dir, "x.u8"), images);
    fs.writeFileSync(path.join(dir, "y.i32"), Buffer.from(labels.buffer));
    const split = { images: path.join(dir, "x.u8"), labels: path.join(dir, "y.i32"), count: n };
    const job = {
      code: path.join(dir, "model.py"),
      model: "lenet5Mnist",
      data: { channels: 1, height: 28, width: 28, classes: 10, train: split, validation: split },
      normalization: { mean: [0.5], std: [0.25] },
      config: config(dir, { epochs: 1, batchSize: 32 }),
      checkpoints: path.join(dir, "checkpoints"),
      resume: null,
      metricsLines: 0,
    };
    fs.writeFileSync(path.join(dir, "job.json"), JSON.stringify(job));
    const port = await freePort();
    const rank = (r: number) =>
      new Promise<{ code: number | null; types: string[]; stderr: string }>((resolve) => {
        // rank 0 reads the job line on its input, rank 1 (like a rank under srun, without input) finds it in $CNN_STUDIO_JOB
        const job = r === 1 ? { CNN_STUDIO_JOB: path.join(dir, "job.json") } : {};
        const env = {
          ...process.env,
          ...job,
          RANK: String(r),
          LOCAL_RANK: String(r),
          WORLD_SIZE: "2",
          MASTER_ADDR: "127.0.0.1",
          MASTER_PORT: String(port),
          OMP_NUM_THREADS: "1",
        };
        const child = spawn(PYTHON, ["-u", path.join(dir, "trainer.py")], { cwd: dir, env, stdio: [r === 1 ? "ignore" : "pipe", "pipe", "pipe"] });
        const types: string[] = [];
        let stderr = "";
        child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
        readline.createInterface({ input: child.stdout! }).on("line", (l) => types.push((JSON.parse(l) as { type: string }).type));
        child.stdin?.write(JSON.stringify({ job: path.join(dir, "job.json") }) + "\n"); // kept open: its end would mean "stop"
        child.on("close", (code) => resolve({ code, types, stderr }));
      });
    const [r0, r1] = await Promise.all([rank(0), rank(1)]);
    assert.equal(r0.code, 0, r0.stderr);
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(r0.types.filter((t) => t === "step").length, 4, "256 images in global batches of 64: 4 steps, reported by rank 0");
    assert.deepEqual(r0.types.slice(-3), ["epoch", "checkpoint", "done"]);
    assert.deepEqual(r1.types, ["hello", "ready", "done"], "the other rank reports no steps and writes nothing");
    assert.deepEqual(fs.readdirSync(path.join(dir, "checkpoints")).sort(), ["e0001-s000004.optimizer.safetensors", "e0001-s000004.safetensors"]);
  });
});

test("distributed.py reads torchrun's rank variables, else SLURM's (with MASTER_ADDR), else trains in one process", { skip: skipWhy ?? false }, () => {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(RANK|WORLD_SIZE|LOCAL_RANK|MASTER_ADDR|MASTER_PORT|SLURM_.*)$/.test(k)));
  const world = (vars: Record<string, string>): unknown => {
    const r = runEngineCheck("distributed_world.py", [], { ...clean, ...vars });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  assert.deepEqual(world({}), [0, 1, 0]);
  assert.deepEqual(world({ RANK: "3", WORLD_SIZE: "4", LOCAL_RANK: "1", MASTER_ADDR: "h", MASTER_PORT: "1" }), [3, 4, 1]);
  assert.deepEqual(world({ SLURM_PROCID: "5", SLURM_NTASKS: "8", SLURM_LOCALID: "1", MASTER_ADDR: "h", MASTER_PORT: "1" }), [5, 8, 1]);
  assert.deepEqual(world({ SLURM_PROCID: "5", SLURM_NTASKS: "8", SLURM_LOCALID: "1" }), [0, 1, 0], "SLURM without MASTER_ADDR: one process");
  assert.deepEqual(world({ RANK: "0", WORLD_SIZE: "1" }), [0, 1, 0]);
});

describe("the PyTorch engine's precision and compile settings on the CPU", { skip: skipWhy ?? false }, () => {
  test("--precision bf16 trains on the CPU with torch.autocast; --channels-last is ignored there with a warning; the run log and config.json record them", async () => {
    const runs = tempDir("cnn-studio-bf16-");
    const events = await trainTorch(config(runs, { epochs: 1, precision: "bf16", channelsLast: true }));
    assert.ok(
      events.some((e) => e.type === "log" && e.level === "warning" && e.message.startsWith("--channels-last is for CUDA GPUs; on the CPU it is ignored")),
      "the CPU ignores --channels-last with a warning",
    );
    const done = last(events);
    assert.ok(done.type === "completed" && done.final !== null, errorOf(events));
    assert.ok(done.final.valAccuracy > 0.5, `bf16 trains: ${done.final.valAccuracy}`);
    const saved = JSON.parse(fs.readFileSync(path.join(done.runDir, "config.json"), "utf8")) as Record<string, unknown>;
    assert.equal(saved["precision"], "bf16");
    assert.equal(saved["channelsLast"], true);
    assert.match(fs.readFileSync(path.join(done.runDir, "log.txt"), "utf8"), /precision bf16, channels-last/);
  });

  test("--precision fp16 on the CPU and --compile on PyTorch 1 are refused with a message naming the setting, before a run folder exists", async () => {
    const runs = tempDir("cnn-studio-fp16-");
    const fp16 = await trainTorch(config(runs, { precision: "fp16" }));
    assert.match(errorOf(fp16), /^--precision fp16 needs a CUDA GPU .*this run trains on the CPU: use --precision bf16/);
    const compile = await trainTorch(config(runs, { compile: true }));
    const version = /you have (\S+)$/.exec(errorOf(compile))?.[1];
    if (version === undefined || !version.startsWith("1.")) {
      assert.equal(errorOf(compile), "", "PyTorch 2 compiles");
    } else assert.equal(errorOf(compile), `--compile needs PyTorch >= 2 (torch.compile); you have ${version}`);
    assert.deepEqual(fs.readdirSync(runs), [], "no run folder");
  });
});

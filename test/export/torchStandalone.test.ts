import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { runExport } from "../../src/cli/export";
import { listRunCheckpoints, readRunConfig, readRunStatus } from "../../src/extension/runs/runFolder";
import { RunStore } from "../../src/extension/runs/runStore";
import { validateTrainConfig } from "../../src/shared/training";
import { latestCheckpoint } from "../../src/trainer/checkpoint";
import { PYTHON, ROOT } from "./helpers";

/**
 * Issue 16 item 2: `cnn-studio export --with-trainer` writes a folder that trains with plain
 * `python train.py` (a clean working folder, no CNN Studio) and with torch.distributed.run's
 * environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT set by the test), and its
 * run folder is what the Runs view reads; Ctrl+C stops with a checkpoint that --resume continues.
 * The data is trimmed to 512 + 128 images (--data) to stay fast. Skipped without Debian's python3-torch.
 */

const LENET = path.join(ROOT, "examples/lenet5.ts");
const CHECK = path.join(ROOT, "test/export/standalone_check.py");

function torchMissing(): string | null {
  const r = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  return r.status === 0 ? null : `${PYTHON} has no PyTorch: install python3-torch (Debian) to test the standalone trainer`;
}

/** A copy of the prepared data with the first `train` / `validation` images of each split. */
function trimData(from: string, to: string, train: number, validation: number): void {
  const meta = JSON.parse(fs.readFileSync(path.join(from, "data.json"), "utf8")) as {
    data: { channels: number; height: number; width: number } & Record<"train" | "validation", { images: string; labels: string; count: number }>;
  };
  const d = meta.data;
  const pixels = d.channels * d.height * d.width;
  fs.mkdirSync(to, { recursive: true });
  for (const [split, n] of [
    ["train", train],
    ["validation", validation],
  ] as const) {
    const s = d[split];
    fs.writeFileSync(path.join(to, s.images), fs.readFileSync(path.join(from, s.images)).subarray(0, n * pixels));
    fs.writeFileSync(path.join(to, s.labels), fs.readFileSync(path.join(from, s.labels)).subarray(0, n * 4));
    s.count = n;
  }
  fs.writeFileSync(path.join(to, "data.json"), JSON.stringify(meta));
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs train.py in `cwd`; `interruptOn`: sends SIGINT once stdout has matched it. */
function trainPy(out: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, interruptOn?: RegExp): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [path.join(out, "train.py"), ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let sent = false;
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
      if (interruptOn && !sent && interruptOn.test(stdout)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The environment without the distributed variables (the test's own may have some). */
const DISTRIBUTED = new Set(["RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "CNN_STUDIO_RUNS_DIR"]);
function plainEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !DISTRIBUTED.has(k)));
}

describe("cnn-studio export --with-trainer", () => {
  const skip = torchMissing();
  let tmp = "";
  let out = "";
  let data = "";
  const exportErr: string[] = [];
  let exportCode = -1;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-standalone-"));
    out = path.join(tmp, "lenet-trainer");
    const args = [LENET, "--model", "lenet5Mnist", "--to", "pytorch", "--with-trainer", "--out", out, "--dataset", "mnist-sample"];
    exportCode = runExport(
      [...args, "--backend", "torch", "--epochs", "1", "--batch-size", "64"],
      { out: () => undefined, err: (s) => exportErr.push(s) },
      tmp,
    );
    data = path.join(tmp, "small-data");
    if (exportCode === 0) trimData(path.join(out, "data"), data, 512, 128);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test("writes the model, the engine, train.py, config.json, the data and the cluster examples", () => {
    assert.equal(exportCode, 0, exportErr.join("\n"));
    for (const f of [
      "model.py",
      "engine/trainer.py",
      "engine/transfer.py",
      "engine/distributed.py",
      "engine/segmentation.py",
      "train.py",
      "run_folder.py",
      "config.json",
      "data/data.json",
      "slurm.sbatch",
      "torchrun.sh",
      "README.txt",
    ])
      assert.ok(fs.existsSync(path.join(out, f)), f);
    assert.equal(
      fs.readFileSync(path.join(out, "engine/trainer.py"), "utf8"),
      fs.readFileSync(path.join(ROOT, "src/trainer/engines/torch/trainer.py"), "utf8"),
    );
    const config = validateTrainConfig(JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8")));
    assert.ok(config.ok, config.ok ? "" : config.error);
    assert.deepEqual([config.value.model, config.value.epochs, config.value.batchSize, config.value.file], ["lenet5Mnist", 1, 64, LENET]);
    assert.match(exportErr.join("\n"), /data 7\.9 MB: 8000 training \/ 2000 validation images/);
    assert.match(fs.readFileSync(path.join(out, "README.txt"), "utf8"), /sbatch slurm\.sbatch/);
  });

  test("train.py and run_folder.py compile as Python (without PyTorch too)", (t) => {
    const py = ["python3", PYTHON].find((p) => spawnSync(p, ["-c", "pass"]).status === 0);
    if (py === undefined) return t.skip("no python3 found: install python3 to compile the standalone trainer");
    const sources = ["train.py", "run_folder.py"].map((f) => path.join(ROOT, "src/export/trainer", f));
    const r = spawnSync(py, [CHECK, "compile", ...sources], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  });

  test("refuses --with-trainer without --out or with --to onnx, naming the problem", () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (s: string) => err.push(s) };
    assert.equal(runExport([LENET, "--with-trainer", "--dataset", "mnist-sample"], io, tmp), 2);
    assert.match(err.join("\n"), /--with-trainer needs --out DIR/);
    assert.equal(runExport([LENET, "--with-trainer", "--to", "onnx", "--out", path.join(tmp, "x")], io, tmp), 2);
    assert.match(err.join("\n"), /--with-trainer goes with --to pytorch, got 'onnx'/);
    err.length = 0;
    assert.equal(runExport([LENET, "--with-trainer", "--out", path.join(tmp, "x"), "--dataset", "mnist-sample"], io, tmp), 2);
    assert.equal(
      err.join("\n"),
      `cnn-studio export --with-trainer: --model is needed: ${LENET} has 2 models (lenet5, lenet5Mnist)\nThe training options are those of 'cnn-studio train --help'.`,
    );
  });

  test("python train.py in a clean folder writes a run folder the Runs view reads, with a checkpoint that loads", async (t) => {
    if (skip) return t.skip(skip);
    const cwd = fs.mkdtempSync(path.join(tmp, "cwd-"));
    const runs = path.join(tmp, "runs-plain");
    const r = await trainPy(out, ["--data", data, "--runs-dir", runs], cwd, plainEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(cwd), [], "nothing is written to the working folder");
    const list = await new RunStore().list(runs);
    assert.equal(list.length, 1);
    const run = list[0]!;
    assert.deepEqual(
      [run.model, run.state, run.epoch, run.epochs, run.step, run.stepsPerEpoch, run.backend, run.dataset, run.error, run.hasCheckpoint],
      ["lenet5Mnist", "completed", 1, 1, 8, 8, "torch", "MNIST sample", null, true],
    );
    assert.ok(run.bestValAccuracy !== null && run.bestValAccuracy > 0.2, `validation accuracy ${run.bestValAccuracy}`);
    assert.equal(readRunStatus(run.dir)?.state, "completed");
    assert.equal(readRunConfig(run.dir)?.engine, "torch");
    const saved = validateTrainConfig(JSON.parse(fs.readFileSync(path.join(run.dir, "config.json"), "utf8")));
    assert.ok(saved.ok && saved.value.runsDir === runs);
    const metrics = fs.readFileSync(path.join(run.dir, "metrics.jsonl"), "utf8").trim().split("\n");
    assert.equal(metrics.length, 9);
    assert.match(fs.readFileSync(path.join(run.dir, "log.txt"), "utf8"), /Z backend torch \(PyTorch .*8 steps per epoch of 64; normalisation mean/);
    assert.equal((await listRunCheckpoints(run.dir)).length, 1);
    const latest = latestCheckpoint(run.dir).checkpoint;
    assert.ok(latest !== null && latest.index.position.globalStep === 8);
    const load = spawnSync(PYTHON, [CHECK, "load", out, "lenet5Mnist", latest.file], { cwd, encoding: "utf8" });
    assert.equal(load.status, 0, load.stderr);
    assert.equal(load.stdout.trim(), "1");
  });

  test("with torch.distributed.run's environment (RANK=0, WORLD_SIZE=1): rank 0 writes the run; Ctrl+C stops with a checkpoint and --resume ends it", async (t) => {
    if (skip) return t.skip(skip);
    const cwd = fs.mkdtempSync(path.join(tmp, "cwd-"));
    const env = { ...plainEnv(), RANK: "0", WORLD_SIZE: "1", LOCAL_RANK: "0", MASTER_ADDR: "127.0.0.1", MASTER_PORT: String(29500 + (process.pid % 1000)) };
    const runs = path.join(tmp, "runs-env");
    const stopped = await trainPy(out, ["--data", data, "--epochs", "3"], cwd, { ...env, CNN_STUDIO_RUNS_DIR: runs }, /epoch 1\/3 step \d+/);
    assert.equal(stopped.code, 130, stopped.stderr);
    const [run] = await new RunStore().list(runs);
    assert.ok(run !== undefined);
    assert.equal(run.state, "stopped");
    assert.ok(run.hasCheckpoint);
    const at = latestCheckpoint(run.dir).checkpoint;
    assert.ok(at !== null && at.index.reason === "stop", "a stop checkpoint");
    const resumed = await trainPy(out, ["--data", data, "--resume", run.dir], cwd, env);
    assert.equal(resumed.code, 0, resumed.stderr);
    const done = (await new RunStore().read(run.dir))!;
    assert.deepEqual([done.state, done.epoch, done.epochs], ["completed", 3, 3]);
    const steps = fs
      .readFileSync(path.join(run.dir, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; globalStep?: number })
      .filter((m) => m.type === "step")
      .map((m) => m.globalStep);
    assert.deepEqual(
      steps,
      Array.from({ length: 24 }, (_, i) => i + 1),
      "one uninterrupted history of steps",
    );
  });

  test("two ranks of train.py with torch.distributed.run's environment (RANK 0 and 1, WORLD_SIZE=2) train one run that rank 0 writes", async (t) => {
    if (skip) return t.skip(skip);
    const cwd = fs.mkdtempSync(path.join(tmp, "cwd-"));
    const runs = path.join(tmp, "runs-two");
    const world = { MASTER_ADDR: "127.0.0.1", MASTER_PORT: String(30500 + (process.pid % 1000)), WORLD_SIZE: "2", CNN_STUDIO_RUNS_DIR: runs };
    const ranks = await Promise.all(
      [0, 1].map((rank) => trainPy(out, ["--data", data], cwd, { ...plainEnv(), ...world, RANK: String(rank), LOCAL_RANK: String(rank) })),
    );
    for (const [rank, r] of ranks.entries()) assert.equal(r.code, 0, `rank ${rank}: ${r.stderr}`);
    const list = await new RunStore().list(runs);
    assert.equal(list.length, 1, "one run folder, rank 0's");
    const run = list[0]!;
    assert.deepEqual([run.state, run.epoch, run.step, run.stepsPerEpoch], ["completed", 1, 4, 4], "512 images in global batches of 2 × 64");
    assert.ok(run.bestValAccuracy !== null && run.bestValAccuracy > 0.1, `validation accuracy ${run.bestValAccuracy}`);
  });
});

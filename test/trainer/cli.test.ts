import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { formatDuration, progressLine } from "../../src/cli/train";
import { validateEvent } from "../../src/shared/training";
import { readStatus } from "../../src/trainer/runFiles";
import { CLI, ROOT, smallMnistIdx, tempDir } from "./helpers/env";

/** `cnn-studio train`, run as a user runs it (dist/cli.js). */

const env = { ...process.env, CNN_STUDIO_TRAINER: "" };
const data = smallMnistIdx(192, 64);
const quick = ["--dataset", `idx:${data}`, "--epochs", "1", "--batch-size", "32"];

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, "train", ...args], { cwd: ROOT, encoding: "utf8", env, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("cnn-studio train", { timeout: 300_000 }, () => {
  test("the terminal progress bar and durations", () => {
    const e = {
      type: "progress",
      epoch: 2,
      epochs: 5,
      step: 63,
      stepsPerEpoch: 125,
      globalStep: 188,
      loss: 0.12345,
      accuracy: 0.961,
      imagesPerSecond: 812.4,
      etaSeconds: 42.2,
      lr: 0.01,
    } as const;
    assert.equal(progressLine(e, 100), "epoch 2/5 [████████████████████░░░░░░░░░░░░░░░░░░░] 63/125 loss 0.1235 acc 96.1% 812 img/s ETA 0:42");
    assert.ok(progressLine(e, 60).length <= 59);
    assert.deepEqual([formatDuration(0), formatDuration(59.6), formatDuration(3725), formatDuration(NaN)], ["0:00", "1:00", "1:02:05", "?"]);
  });

  test("--help prints the usage; bad arguments exit 2 with a clear message", () => {
    const help = cli("--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: cnn-studio train FILE --model NAME --dataset DATA/);
    const cases: [string[], RegExp][] = [
      [[], /train needs a model FILE/],
      [["examples/lenet5.ts", "--model", "lenet5Mnist"], /--dataset is needed/],
      [
        ["examples/lenet5.ts", "--model", "lenet5Mnist", "--dataset", "imagenet"],
        /--dataset must be mnist-sample, shapes10-sample, shapes-seg, idx:DIR, cifar10:DIR, folder:DIR or segfolder:DIR, got 'imagenet'/,
      ],
      [["examples/lenet5.ts", "--model", "lenet5Mnist", "--dataset", "idx:/no/such/dir"], /--dataset idx:\/no\/such\/dir: no folder \/no\/such\/dir/],
      [["examples/lenet5.ts", "--model", "lenet5Mnist", "--dataset", "mnist-sample", "--lr", "fast"], /--lr must be a number, got 'fast'/],
      [["examples/lenet5.ts", "--model", "lenet5Mnist", "--dataset", "mnist-sample", "--epochs", "0"], /--epochs must be at least 1, got 0/],
      [
        ["examples/lenet5.ts", "--model", "lenet5Mnist", "--dataset", "mnist-sample", "--backend", "cuda"],
        /--backend must be one of auto, gpu, native, wasm, js, got 'cuda'/,
      ],
      [["examples/lenet5.ts", "--model", "lenet5Mnist", "--dataset", "mnist-sample", "--nesterov"], /--nesterov is an SGD option \(the optimizer is adam\)/],
      [
        ["examples/lenet5.ts", "--model", "lenet5Mnist", "--dataset", "mnist-sample", "--optimizer", "rmsprop"],
        /--optimizer must be one of sgd, adam, adamw, got 'rmsprop'/,
      ],
      [["examples/lenet5.ts", "--dataset", "mnist-sample"], /--model is needed: examples\/lenet5.ts has 2 models \(lenet5, lenet5Mnist\)/],
      [["examples/nope.ts", "--dataset", "mnist-sample"], /cannot read examples\/nope.ts/],
      [["examples/lenet5.ts", "--dataset", "mnist-sample", "--frobnicate"], /unknown option '--frobnicate'/],
      [["--resume", "/no/such/run"], /--resume \/no\/such\/run: no run there/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  test("model errors and data that does not fit exit 1 before training", () => {
    const dir = tempDir();
    const bad = path.join(dir, "bad.ts");
    fs.writeFileSync(
      bad,
      'import { nn } from "cnn-studio";\n/** @input [N, 1, 28, 28] */\nexport const net = nn.Sequential(nn.Flatten(), nn.Linear(100, 10));\n',
    );
    const r = cli(bad, "--dataset", "mnist-sample", "--out", dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.ts:3:\d+: error: Linear expects 100 input features but receives 784/);
    const m = cli("examples/lenet5.ts", "--model", "lenet5", "--dataset", "mnist-sample", "--out", dir, "--json");
    assert.equal(m.code, 1);
    const last = JSON.parse(m.stdout.trim().split("\n").at(-1)!) as { type: string; phase: string; message: string };
    assert.deepEqual([last.type, last.phase], ["error", "dataset"]);
    assert.match(last.message, /images are 28×28 but the model's @input expects 32×32/);
    assert.deepEqual(fs.readdirSync(dir), ["bad.ts"]);
  });

  test("a decompression bomb in the data exits 1 naming the file, with bounded memory", () => {
    const dir = tempDir();
    for (const f of fs.readdirSync(data)) fs.copyFileSync(path.join(data, f), path.join(dir, f));
    const header = Buffer.alloc(16);
    [0x803, 192, 28, 28].forEach((v, i) => header.writeUInt32BE(v, 4 * i));
    // 200 KB on disk (less than the data announced), 200 MB once inflated, behind the header of the 192 images the labels announce
    const zeros = gzipSync(Buffer.alloc(2 ** 20));
    const bomb = path.join(dir, "train-images-idx3-ubyte.gz");
    fs.rmSync(path.join(dir, "train-images-idx3-ubyte"), { force: true });
    fs.writeFileSync(bomb, Buffer.concat([gzipSync(header), ...Array.from({ length: 200 }, () => zeros)]));
    const rss = path.join(dir, "rss.js");
    fs.writeFileSync(rss, "process.on('exit', () => process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n'));");
    const r = spawnSync(
      process.execPath,
      ["-r", rss, CLI, "train", "examples/lenet5.ts", "--model", "lenet5Mnist", "--dataset", `idx:${dir}`, "--out", tempDir()],
      { cwd: ROOT, encoding: "utf8", env, timeout: 120_000 },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /train-images-idx3-ubyte\.gz: decompresses to more than the 216\.1 KB its header announces \(192×28×28 values\)/);
    const kb = Number(/maxRSS (\d+)/.exec(r.stderr)?.[1]);
    assert.ok(kb < 250_000, `peak memory ${kb} KB`);
  });

  test("--json: one valid event per line, ending with completed; exit 0", () => {
    const out = tempDir();
    const r = cli(
      "examples/lenet5.ts",
      "--model",
      "lenet5Mnist",
      ...quick,
      "--out",
      out,
      "--json",
      "--optimizer",
      "adamw",
      "--schedule",
      "onecycle",
      "--lr",
      "0.005",
    );
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout.slice(-2000)}`);
    const lines = r.stdout.trim().split("\n");
    const types = lines.map((l) => {
      const v = validateEvent(JSON.parse(l));
      assert.ok(v.ok, v.ok ? "" : v.error);
      return v.value.type;
    });
    assert.equal(types[0], "started");
    assert.equal(types.at(-1), "completed");
    assert.equal(types.filter((t) => t === "progress").length, 6);
    const [run] = fs.readdirSync(out);
    assert.equal(readStatus(path.join(out, run!))?.state, "completed");
  });

  test("text output without a terminal: a header, epoch lines, the result", () => {
    const out = tempDir();
    const r = cli("examples/lenet5.ts", "--model", "lenet5Mnist", ...quick, "--out", out);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0]!, /^Training lenet5Mnist \(44,426 parameters\) on idx:.* \(192 training \/ 64 validation images, 10 classes\)$/);
    assert.match(lines[1]!, /^backend: (wasm|js)/);
    assert.match(lines[2]!, /^run: .*-lenet5Mnist$/);
    assert.match(lines[3]!, /^epoch 1\/1: loss \d\.\d{4}, accuracy \d+\.\d\d% \| validation loss \d\.\d{4}, accuracy \d+\.\d\d% \| lr 0\.00100 \| 0:\d\d$/);
    assert.match(lines[4]!, /^done in 0:\d\d: validation accuracy \d+\.\d\d% \(run: .*\)$/);
    assert.ok(!r.stdout.includes("\r"), "no progress bar into a pipe");
  });

  test("Ctrl+C stops at a step boundary with a checkpoint (exit 130); --resume finishes the run", async () => {
    const out = tempDir();
    const child = spawn(
      process.execPath,
      [CLI, "train", "examples/lenet5.ts", "--model", "lenet5Mnist", "--dataset", `idx:${data}`, "--epochs", "3", "--batch-size", "16", "--out", out, "--json"],
      { cwd: ROOT, env },
    );
    let stdout = "";
    let interrupted = false;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      if (!interrupted && /"type":"progress"/.test(stdout)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopping at the next step/);
    const events = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; runDir?: string; reason?: string });
    assert.deepEqual(
      events.slice(-2).map((e) => [e.type, e.reason]),
      [
        ["checkpoint", "stop"],
        ["stopped", undefined],
      ],
    );
    const runDir = events.at(-1)!.runDir!;
    assert.equal(readStatus(runDir)?.state, "stopped");
    const conflicting = cli("--resume", runDir, "--lr", "0.1");
    assert.equal(conflicting.code, 2);
    assert.match(conflicting.stderr, /--resume continues a run with its own configuration; --lr cannot change it/);
    const resumed = cli("--resume", runDir, "--json");
    assert.equal(resumed.code, 0, resumed.stderr);
    const started = JSON.parse(resumed.stdout.split("\n")[0]!) as { type: string; resumedFrom: { epoch: number } | null };
    assert.equal(started.type, "started");
    assert.ok(started.resumedFrom !== null);
    assert.equal(readStatus(runDir)?.state, "completed");
  });
});

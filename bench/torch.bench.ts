import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { trainConfig, type BackendName, type TrainConfig } from "../src/shared/training";
import { TorchTrainingSession } from "../src/trainer/engines/torch/pythonRun";
import { selectBackend } from "../src/trainer/model/backend";
import { compileModel } from "../src/trainer/model/compile";
import { TfjsEngine } from "../src/trainer/engines/tfjs/tfjsEngine";

/**
 * Training throughput of the PyTorch engine (`--backend torch`: the exported model trained by the
 * user's Python) against the TensorFlow.js engines, in the same run, on the same model, data
 * (the bundled MNIST sample, the same shuffling and augmentation) and settings (batch 64, Adam):
 * whole engines end to end, as `cnn-studio train` runs them — data, forward, backward, update,
 * metrics, events. Images per second are the median step between progress events after a
 * warm-up; a run stops after BENCH_STEPS steps or BENCH_SECONDS seconds of steps, whichever comes
 * first (the plain JavaScript backend needs minutes per step of the larger models). PyTorch runs on the CPU, and on CUDA where a
 * GPU is visible to it; TensorFlow.js on every backend that loads here (gpu and native need
 * @tensorflow/tfjs-node[-gpu]).
 *
 * Environment: BENCH_PYTHON (default /usr/bin/python3), BENCH_STEPS (default 40), BENCH_SECONDS
 * (default 60), BENCH_MODELS (default lenet5Mnist,mnistResNet), BENCH_BACKENDS (TensorFlow.js backends,
 * default gpu,native,wasm,js).
 */

const ROOT = path.resolve(__dirname, "..", "..");
const PYTHON = process.env["BENCH_PYTHON"] ?? "/usr/bin/python3";
const STEPS = Number(process.env["BENCH_STEPS"] ?? 40);
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 60);
const WARMUP = 3;
const MODELS: Record<string, string> = { lenet5Mnist: "examples/lenet5.ts", ourCnn: "examples/mnist-cnn.ts", mnistResNet: "examples/mnist-resnet.ts" };
const CHOSEN = (process.env["BENCH_MODELS"] ?? "lenet5Mnist,mnistResNet").split(",").filter((m) => m in MODELS);
const BACKENDS = (process.env["BENCH_BACKENDS"] ?? "gpu,native,wasm,js")
  .split(",")
  .filter((b): b is BackendName => ["gpu", "native", "wasm", "js"].includes(b));

interface Result {
  engine: string;
  imagesPerSecond: number | null;
  note: string;
}

function config(model: string, runsDir: string): TrainConfig {
  return trainConfig({ file: path.join(ROOT, MODELS[model]!), model, dataset: { kind: "mnist-sample" }, runsDir, epochs: 1, batchSize: 64 });
}

/** Images per second from the times between progress events after the warm-up (median step). */
function rate(times: number[], batch: number): number | null {
  const skip = Math.max(1, Math.min(WARMUP, Math.floor(times.length / 3)));
  const dts = times
    .slice(skip)
    .map((t, i) => t - times[skip + i - 1]!)
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  if (dts.length < 1) return null;
  return batch / dts[Math.floor(dts.length / 2)]!;
}

/** Stop after STEPS steps or SECONDS seconds of steps. */
function enough(times: number[], step: number): boolean {
  return step >= STEPS || (times.length >= 3 && times[times.length - 1]! - times[0]! > SECONDS);
}

async function tfjs(model: string, backend: BackendName): Promise<Result> {
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-bench-"));
  const times: number[] = [];
  let note = "";
  const session: TfjsEngine = new TfjsEngine(
    {
      compile: compileModel,
      selectBackend: async (choice) => {
        const r = await selectBackend(choice, { strict: true });
        note = r.ok ? r.detail : (r.notUsed.find((n) => n.backend === backend)?.reason ?? r.error);
        return r;
      },
    },
    (e) => {
      if (e.type === "progress") {
        times.push(performance.now() / 1000);
        if (enough(times, e.step)) session.stop();
      } else if (e.type === "error" && !note) note = e.message.split("\n")[0]!.slice(0, 90);
    },
  );
  await session.handle({ type: "start", config: { ...config(model, runs), backend } });
  session.dispose();
  fs.rmSync(runs, { recursive: true, force: true });
  return { engine: `tfjs ${backend}`, imagesPerSecond: rate(times, 64), note };
}

async function torch(model: string, device: "cpu" | "cuda"): Promise<Result> {
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-bench-"));
  const times: number[] = [];
  let note = "";
  const before = process.env["CNN_STUDIO_TORCH_DEVICE"];
  process.env["CNN_STUDIO_TORCH_DEVICE"] = device;
  const session: TorchTrainingSession = new TorchTrainingSession({ python: PYTHON }, (e) => {
    if (e.type === "progress") {
      times.push(performance.now() / 1000);
      if (enough(times, e.step)) session.stop();
    } else if (e.type === "started") note = e.device;
    else if (e.type === "error") note = e.message.split("\n")[0]!.slice(0, 90);
  });
  await session.start(config(model, runs));
  if (before === undefined) delete process.env["CNN_STUDIO_TORCH_DEVICE"];
  else process.env["CNN_STUDIO_TORCH_DEVICE"] = before;
  fs.rmSync(runs, { recursive: true, force: true });
  return { engine: `torch ${device}`, imagesPerSecond: rate(times, 64), note };
}

/** Does PyTorch see a CUDA GPU? */
async function cudaVisible(): Promise<boolean> {
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(PYTHON, ["-c", "import torch; print(torch.cuda.is_available())"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() === "True";
}

async function main(): Promise<void> {
  if (!fs.existsSync(PYTHON)) {
    console.log(`${PYTHON} not found: the PyTorch engine cannot be measured (set BENCH_PYTHON)`);
    return;
  }
  const cuda = await cudaVisible();
  console.log(
    `up to ${STEPS} training steps (or ${SECONDS} s) of batch 64 per engine, median step after ${WARMUP} warm-up steps; mnist-sample, Adam; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log(cuda ? "CUDA: available (torch cuda rows)" : "CUDA: not available (PyTorch sees no CUDA GPU here; the torch cuda rows are left out)");
  console.log("ratios: images per second relative to the PyTorch engine on the CPU");
  for (const model of CHOSEN) {
    const results: Result[] = [await torch(model, "cpu")];
    if (cuda) results.push(await torch(model, "cuda"));
    for (const b of BACKENDS) results.push(await tfjs(model, b));
    const base = results[0]!.imagesPerSecond;
    console.log(`\n${model}`);
    for (const r of results) {
      const v = r.imagesPerSecond;
      const ips = (v === null ? "—" : v < 10 ? v.toFixed(2) : Math.round(v).toLocaleString("en-US")).padStart(10);
      const ratio = r.imagesPerSecond !== null && base ? `${(r.imagesPerSecond / base).toFixed(2)}×`.padStart(7) : "".padStart(7);
      console.log(`  ${r.engine.padEnd(12)} ${ips} img/s ${ratio}  ${r.note}`);
    }
  }
}

void main().then(() => process.exit(0));

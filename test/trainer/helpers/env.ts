import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TrainerEvent } from "../../../src/shared/training";
import { selectBackend } from "../../../src/trainer/model/backend";
import { compileModel } from "../../../src/trainer/model/compile";
import type { TF } from "../../../src/trainer/model/types";
import type { SessionDeps } from "../../../src/trainer/runSetup";

export const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
export const EXAMPLES = path.join(ROOT, "examples");
export const TRAINER = path.join(ROOT, "dist", "trainer.js");
export const CLI = path.join(ROOT, "dist", "cli.js");

/** The backend the trainer picks by itself ("auto": wasm here, unless tfjs-node is installed). */
export async function testTf(): Promise<{ tf: TF; backend: string }> {
  const s = await selectBackend("auto");
  if (!s.ok) throw new Error(s.error);
  return { tf: s.tf, backend: s.backend };
}

/** In-process session dependencies: what the trainer process uses. */
export function deps(): SessionDeps {
  return { compile: compileModel, selectBackend: (choice) => selectBackend(choice) };
}

export function tempDir(prefix = "cnn-studio-trainer-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function collect(): {
  events: TrainerEvent[];
  emit: (e: TrainerEvent) => void;
  of<K extends TrainerEvent["type"]>(type: K): Extract<TrainerEvent, { type: K }>[];
} {
  const events: TrainerEvent[] = [];
  return {
    events,
    emit: (e) => events.push(e),
    of: <K extends TrainerEvent["type"]>(type: K) => events.filter((e): e is Extract<TrainerEvent, { type: K }> => e.type === type),
  };
}

/** A small IDX copy of mnist-sample (the first `train` and `validation` images), for quick runs. */
export function smallMnistIdx(train: number, validation: number): string {
  const { loadMnistSample } = require("../../../src/trainer/data/mnistSample") as typeof import("../../../src/trainer/data/mnistSample");
  const r = loadMnistSample();
  if (!r.ok) throw new Error(r.error);
  const d = r.value;
  const dir = tempDir("cnn-studio-small-mnist-");
  const write = (name: string, dims: number[], data: Uint8Array) => {
    const header = Buffer.alloc(4 + 4 * dims.length);
    header.writeUInt32BE(0x800 + dims.length, 0);
    dims.forEach((v, i) => header.writeUInt32BE(v, 4 + 4 * i));
    fs.writeFileSync(path.join(dir, name), Buffer.concat([header, Buffer.from(data)]));
  };
  write("train-images-idx3-ubyte", [train, 28, 28], d.train.images.subarray(0, train * 784));
  write("train-labels-idx1-ubyte", [train], Uint8Array.from(d.train.labels.subarray(0, train)));
  write("t10k-images-idx3-ubyte", [validation, 28, 28], d.validation.images.subarray(0, validation * 784));
  write("t10k-labels-idx1-ubyte", [validation], Uint8Array.from(d.validation.labels.subarray(0, validation)));
  return dir;
}

/** metrics.jsonl without the wall-clock fields. */
export function metricsOf(runDir: string): Record<string, unknown>[] {
  return fs
    .readFileSync(path.join(runDir, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l)
    .map((l) => {
      const { time: _t, imagesPerSecond: _i, seconds: _s, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
}

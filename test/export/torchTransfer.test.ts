import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { validateEvent, type TrainConfig } from "../../src/shared/training";
import type { TransferConfig } from "../../src/shared/trainConfigTransfer";
import { listCheckpoints, readCheckpoint } from "../../src/trainer/checkpoint";
import type { TorchEvent } from "../../src/trainer/engines/torch/pythonRun";
import { TfjsEngine } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { collect, deps } from "../trainer/helpers/env";
import { smallMnistIdx, tempDir } from "../trainer/helpers/env";
import { PYTHON, ROOT, trainTorch } from "./helpers";
import { BACKBONE, BN_BUFFERS, makeWeights, same, transferConfig } from "../trainer/transfer/helpers";

/**
 * Transfer learning in the PyTorch engine (transfer.py): weights files read with
 * torch.load(weights_only=True) or, for .safetensors, with torch alone; the loaded tensors equal the
 * file's bit for bit; a frozen backbone (requires_grad=False, its BatchNorm layers in eval mode)
 * stays bit-identical through training and a resume while the head trains; `--lr-for 0` keeps a
 * group; a glob that matches nothing is named. Skipped without Debian's python3-torch.
 */

const TRANSFER_PY = path.join(ROOT, "src/trainer/engines/torch/transfer.py");
const CHECKPOINT_PY = path.join(ROOT, "src/export/checkpoint.py");
const hasTorch = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"]).status === 0;
const noTorch = hasTorch ? false : `PyTorch is not installed for ${PYTHON}: install python3-torch (Debian) to test the PyTorch engine`;

const data = hasTorch ? smallMnistIdx(128, 32) : "";

function config(runsDir: string, transfer: TransferConfig, over: Partial<TrainConfig> = {}): TrainConfig {
  return transferConfig(data, runsDir, transfer, over);
}

function checkpointTensors(file: string): Map<string, { kind: string; data: Float32Array }> {
  const ck = readCheckpoint(file);
  assert.ok(ck.ok, ck.ok ? "" : ck.error);
  return new Map([...ck.value.tensors].map(([n, t]) => [n, { kind: t.kind, data: t.data }]));
}

function errorsOf(events: TorchEvent[]): string[] {
  return events.flatMap((e) => (e.type === "error" ? [e.message] : []));
}

describe("transfer learning in the PyTorch engine", () => {
  test("transfer.py loads .pth (weights_only) and .safetensors bit for bit and reports like the TypeScript matching", { skip: noTorch }, () => {
    const { base } = makeWeights();
    const r = spawnSync(PYTHON, [path.join(ROOT, "test/export/transfer_check.py"), TRANSFER_PY, CHECKPOINT_PY, base], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, { report: Record<string, unknown>; exact: boolean; fresh: boolean }>;
    for (const ext of [".pth", ".safetensors"]) {
      const o = out[ext]!;
      assert.ok(o.exact, `${ext}: loaded bit for bit`);
      assert.ok(o.fresh, `${ext}: the mismatched head is left as it was`);
      assert.deepEqual(o.report["loaded"], [
        "features.0.weight",
        "features.1.weight",
        "features.1.bias",
        "features.1.running_mean",
        "features.1.running_var",
        "features.1.num_batches_tracked",
        "features.3.weight",
        "features.3.bias",
        "features.4.weight",
        "features.4.bias",
        "features.4.running_mean",
        "features.4.running_var",
        "features.4.num_batches_tracked",
      ]);
      assert.deepEqual(o.report["mismatched"], [
        { name: "fc.weight", fileShape: [5, 8], modelShape: [10, 8] },
        { name: "fc.bias", fileShape: [5], modelShape: [10] },
      ]);
      assert.deepEqual([o.report["missing"], o.report["unexpected"]], [[], ["extra.weight"]]);
    }
  });

  test(
    "--weights a.pth --freeze features.*: frozen tensors and BatchNorm statistics bit-identical through a stop and resume; the head trains",
    { skip: noTorch },
    async () => {
      const { base, tensors } = makeWeights();
      const runs = tempDir();
      const first = await trainTorch(config(runs, { weights: base + ".pth", freeze: ["features.*"], lrFor: [] }), 2);
      assert.deepEqual(errorsOf(first), []);
      for (const e of first) assert.ok(validateEvent(e).ok, `${e.type}: ${JSON.stringify(validateEvent(e))}`);
      const started = first.find((e) => e.type === "started");
      assert.ok(started?.type === "started" && started.weights !== undefined);
      assert.deepEqual(started.weights.unexpected, ["extra.weight"]);
      assert.equal(started.weights.loaded.length, 13);
      const stopped = first[first.length - 1]!;
      assert.ok(stopped.type === "stopped" && stopped.checkpoint, JSON.stringify(stopped));
      const atStop = checkpointTensors(stopped.checkpoint);

      const second = await trainTorch({ ...config(runs, { weights: null, freeze: [], lrFor: [] }), resume: started.runDir });
      assert.deepEqual(errorsOf(second), []);
      const resumed = second.find((e) => e.type === "started");
      assert.ok(resumed?.type === "started" && resumed.weights === undefined, "on resume the checkpoint has the weights");
      const last = listCheckpoints(started.runDir).at(-1)!;
      const final = checkpointTensors(last);
      for (const ck of [atStop, final]) {
        for (const name of [...BACKBONE, ...BN_BUFFERS])
          assert.ok(same(ck.get(name)?.data, Float32Array.from(tensors[name]!.values)), `${name} as in the file`);
        const optimizerState = [...ck.keys()].filter((n) => n.startsWith("optimizer."));
        assert.ok(
          optimizerState.length > 0 && optimizerState.every((n) => n.startsWith("optimizer.fc.")),
          `no optimiser state for frozen parameters: ${optimizerState.join(", ")}`,
        );
      }
      for (const name of ["fc.weight", "fc.bias"]) assert.ok(!same(atStop.get(name)?.data, final.get(name)?.data), `${name} trained`);
      const log = fs.readFileSync(path.join(started.runDir, "log.txt"), "utf8");
      assert.match(log, /weights: .*backbone\.pth: 13 of 15 tensors loaded, 2 mismatched, 0 missing, 1 unexpected/);
      assert.match(log, /frozen: 7 of 9 parameter tensors; 2 BatchNorm layers keep their running statistics \(evaluation mode\)/);
    },
  );

  test(
    "--weights a.safetensors --lr-for features.*=0: the backbone's parameters stay the file's, its running statistics update, the head trains",
    { skip: noTorch },
    async () => {
      const { base, tensors } = makeWeights();
      const events = await trainTorch(config(tempDir(), { weights: base + ".safetensors", freeze: [], lrFor: [{ glob: "features.*", lr: 0 }] }));
      assert.deepEqual(errorsOf(events), []);
      const started = events.find((e) => e.type === "started");
      assert.ok(started?.type === "started");
      const final = checkpointTensors(listCheckpoints(started.runDir).at(-1)!);
      for (const name of BACKBONE) assert.ok(same(final.get(name)?.data, Float32Array.from(tensors[name]!.values)), `${name} unchanged`);
      for (const name of ["features.1.running_mean", "features.4.running_var"])
        assert.ok(!same(final.get(name)?.data, Float32Array.from(tensors[name]!.values)), `${name} updated`);
    },
  );

  test("a --freeze glob that matches nothing is an error naming it", { skip: noTorch }, async () => {
    const events = await trainTorch(config(tempDir(), { weights: null, freeze: ["backbone.*"], lrFor: [] }));
    assert.match(errorsOf(events).join("\n"), /--freeze backbone\.\* matches no parameter of smallBackbone \(its parameters: features\.0\.weight, /);
  });

  test(
    "both engines give the same numbers: the whole model from one file, a frozen stem, a slower --lr-for group on a step schedule",
    { skip: noTorch },
    async () => {
      const { base } = makeWeights(10);
      const transfer: TransferConfig = { weights: base + ".safetensors", freeze: ["features.0", "features.1"], lrFor: [{ glob: "features.3", lr: 0.01 }] };
      // SGD: Adam would magnify the rounding noise of the gradient of features.3.bias, which a BatchNorm in training mode cancels
      const base0 = config("", transfer);
      const c = (runs: string) =>
        config(runs, transfer, {
          epochs: 2,
          optimizer: { ...base0.optimizer, name: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 0.01 },
          schedule: { ...base0.schedule, name: "step", stepSize: 1, gamma: 0.5 },
        });
      const torchEvents = await trainTorch(c(tempDir()));
      assert.deepEqual(errorsOf(torchEvents), []);
      const torchStarted = torchEvents.find((e) => e.type === "started");
      assert.ok(torchStarted?.type === "started");
      const tfjs = collect();
      const session = new TfjsEngine(deps(), (e) => tfjs.emit(e));
      await session.handle({ type: "start", config: c(tempDir()) });
      session.dispose();
      assert.deepEqual(tfjs.of("error"), []);
      const tfjsDir = tfjs.of("started")[0]!.runDir;
      assert.deepEqual(tfjs.of("started")[0]!.weights, torchStarted.weights, "the same matching report");
      const a = checkpointTensors(listCheckpoints(torchStarted.runDir).at(-1)!);
      const b = checkpointTensors(listCheckpoints(tfjsDir).at(-1)!);
      for (const [name, t] of a) {
        if (t.kind === "optimizer") continue;
        const u = b.get(name)?.data;
        assert.ok(u && u.length === t.data.length, name);
        const worst = Math.max(...t.data.map((x, i) => Math.abs(x - u[i]!) / (1e-3 + Math.abs(x))));
        assert.ok(worst < 1e-3, `${name}: the engines differ by ${worst}`);
      }
    },
  );
});

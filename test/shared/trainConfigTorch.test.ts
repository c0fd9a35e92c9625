import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parseTrainArgs, runTrain, TRAIN_USAGE } from "../../src/cli/train";
import { trainConfig, validateTrainConfig } from "../../src/shared/trainConfig";
import { describeDistributed, gpuSettingsProblem } from "../../src/shared/trainConfigTorch";

/** Issue 16: --nproc-per-node and the rendezvous options, --precision, --channels-last, --compile: parsing, messages, the config's check. */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const LENET = path.join(ROOT, "examples", "lenet5.ts");
const args = (...more: string[]) => parseTrainArgs([LENET, "--model", "lenet5Mnist", "--dataset", "mnist-sample", ...more], ROOT, () => null);

function error(...more: string[]): string {
  const r = args(...more);
  assert.ok(!r.ok, "refused");
  return r.message.split("\n")[0]!;
}

describe("the PyTorch engine's settings (issue 16)", () => {
  test("--nproc-per-node N makes a distributed section (one machine, a free port); config.json without them has none", () => {
    const r = args("--nproc-per-node", "2", "--precision", "bf16", "--channels-last", "--compile");
    assert.ok(r.ok, r.ok ? "" : r.message);
    assert.deepEqual(r.config.distributed, { nprocPerNode: 2, nnodes: 1, nodeRank: 0, masterAddr: "127.0.0.1", masterPort: null, worldSize: 2 });
    assert.equal(r.config.precision, "bf16");
    assert.equal(r.config.channelsLast, true);
    assert.equal(r.config.compile, true);
    assert.ok(validateTrainConfig(JSON.parse(JSON.stringify(r.config))).ok);
    const plain = args("--precision", "fp32");
    assert.ok(plain.ok);
    for (const k of ["distributed", "precision", "channelsLast", "compile"]) assert.ok(!(k in plain.config), `${k} is absent at its default`);
    const multi = args("--nproc-per-node", "8", "--nnodes", "2", "--node-rank", "1", "--master-addr", "10.0.0.1", "--master-port", "29500");
    assert.ok(multi.ok, multi.ok ? "" : multi.message);
    assert.equal(multi.config.distributed?.worldSize, 16);
    assert.equal(
      describeDistributed({ ...multi.config.distributed!, backend: "nccl" }, 64),
      "data-parallel: 16 processes on 2 machines (this is node 1), nccl backend; batch 64 per process, global batch 1024",
    );
  });

  test("bad values are refused with a message naming the option and the value", () => {
    assert.equal(error("--nproc-per-node", "0"), "cnn-studio train: --nproc-per-node must be a whole number from 1 to 64, got '0'");
    assert.equal(error("--nproc-per-node", "two"), "cnn-studio train: --nproc-per-node must be a whole number from 1 to 64, got 'two'");
    assert.equal(error("--precision", "fp8"), "cnn-studio train: --precision must be one of fp32, bf16, fp16, got 'fp8'");
    assert.equal(
      error("--nnodes", "2", "--node-rank", "2", "--master-addr", "a", "--master-port", "1"),
      "cnn-studio train: --node-rank must be below --nnodes (2), got 2",
    );
    assert.equal(error("--nnodes", "2", "--master-addr", "a"), "cnn-studio train: --nnodes above 1 needs --master-port (the same on every machine)");
    assert.equal(
      error("--nnodes", "2", "--master-port", "29500"),
      "cnn-studio train: --nnodes above 1 needs --master-addr (node 0's address, the same on every machine)",
    );
    assert.equal(error("--master-port", "70000"), "cnn-studio train: --master-port must be a whole number from 1 to 65535, got '70000'");
  });

  test("config.json's distributed section is checked: world size, node rank", () => {
    const base = trainConfig({ file: LENET, model: "m", dataset: { kind: "mnist-sample" }, runsDir: "/r" });
    const d = { nprocPerNode: 2, nnodes: 1, nodeRank: 0, masterAddr: "127.0.0.1", masterPort: null, worldSize: 3 };
    const bad = validateTrainConfig({ ...base, distributed: d });
    assert.ok(!bad.ok && /config\.distributed\.worldSize must be nprocPerNode × nnodes \(2\), got 3/.test(bad.error), JSON.stringify(bad));
    const backend = validateTrainConfig({ ...base, distributed: { ...d, worldSize: 2, backend: "mpi" } });
    assert.ok(!backend.ok && /config\.distributed\.backend/.test(backend.error));
    assert.ok(!validateTrainConfig({ ...base, precision: "fp8" }).ok);
  });

  test("fp16 on the CPU and --compile before PyTorch 2 are refused; bf16 on the CPU and --compile on PyTorch 2 are not", () => {
    assert.match(gpuSettingsProblem("1.13.0", false, { precision: "fp16" }) ?? "", /^--precision fp16 needs a CUDA GPU/);
    assert.equal(gpuSettingsProblem("1.13.0", true, { precision: "fp16" }), null);
    assert.equal(gpuSettingsProblem("1.13.0", false, { precision: "bf16" }), null);
    assert.equal(gpuSettingsProblem("1.13.1", false, { compile: true }), "--compile needs PyTorch >= 2 (torch.compile); you have 1.13.1");
    assert.equal(gpuSettingsProblem("2.3.0+cu121", true, { compile: true }), null);
  });

  test("the TensorFlow.js engine refuses them; --help lists them", async () => {
    const errors: string[] = [];
    const code = await runTrain([LENET, "--model", "lenet5Mnist", "--dataset", "mnist-sample", "--nproc-per-node", "2", "--precision", "bf16"], {
      out: () => undefined,
      err: (s) => errors.push(s),
    });
    assert.equal(code, 2);
    assert.match(errors[0] ?? "", /^cnn-studio train: --nproc-per-node, --precision are options of the PyTorch engine \(--backend torch\)/);
    for (const flag of [
      "--nproc-per-node N",
      "--nnodes K",
      "--node-rank R",
      "--master-addr ADDR",
      "--master-port PORT",
      "--precision P",
      "--channels-last",
      "--compile",
    ])
      assert.ok(TRAIN_USAGE.includes(`  ${flag}`), flag);
  });
});

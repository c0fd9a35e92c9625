import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { runWeights, type WeightsJson } from "../../src/cli/weights";
import { PYTHON } from "../export/helpers";
import { CLI, ROOT } from "../helpers/paths";

/** `cnn-studio weights` on weights files torch 1.13 wrote (test/trainer/weightFiles/pytorch_files.py). */

const GENERATE = path.join(ROOT, "test/trainer/weightFiles/pytorch_files.py");
const hasTorch = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch, torchvision"]).status === 0;
const noTorch = hasTorch ? false : `PyTorch and torchvision are not installed for ${PYTHON} (python3-torch, python3-torchvision)`;

let dir = "";
let marker = "";
let names: Record<string, string[]> = {};
let smallModel = "";
let brokenModel = "";

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-weights-cli-"));
  // the Sequential of pytorch_files.py's small_model()
  smallModel = path.join(dir, "small.ts");
  fs.writeFileSync(
    smallModel,
    `import { nn } from "cnn-studio";\n\n/** @input [N, 3, 8, 8] */\nexport const small = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(144, 5));\n`,
  );
  brokenModel = path.join(dir, "broken.ts");
  fs.writeFileSync(
    brokenModel,
    `import { nn } from "cnn-studio";\n\n/** @input [N, 3, 8, 8] */\nexport const broken = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(5, 2));\n`,
  );
  if (!hasTorch) return;
  marker = path.join(dir, "PWNED");
  const r = spawnSync(PYTHON, [GENERATE, dir, marker], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  names = JSON.parse(r.stdout) as Record<string, string[]>;
});

async function weights(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runWeights(args, { out: (s) => out.push(s), err: (s) => err.push(s) }, ROOT);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function report(...args: string[]): Promise<WeightsJson> {
  const r = await weights(...args, "--json");
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as WeightsJson;
}

const HEAD_MISMATCH = [
  { name: "fc.weight", fileShape: [1000, 512], modelShape: [10, 512] },
  { name: "fc.bias", fileShape: [1000], modelShape: [10] },
];

describe("cnn-studio weights", { timeout: 300_000 }, () => {
  test("a torchvision ResNet-18 file on transfer-learning.ts's 10-class model: all loads but the head, which mismatches", { skip: noTorch }, async () => {
    const file = path.join(dir, "resnet18.pth");
    const r = await report("examples/transfer-learning.ts", "--model", "resnet18Cifar10", file);
    const backbone = names["resnet18"]!.filter((n) => !n.startsWith("fc."));
    assert.equal(backbone.length, 120);
    assert.deepEqual(r.model, "resnet18Cifar10");
    assert.equal(r.file, file);
    assert.deepEqual(r.loaded, backbone, "every backbone tensor, in state_dict order");
    assert.deepEqual(r.missing, []);
    assert.deepEqual(r.unexpected, []);
    assert.deepEqual(r.mismatched, HEAD_MISMATCH);
    assert.deepEqual(r.notes, ["20 tensors stored as I64 converted to float32"]);
    assert.equal(r.strippedPrefix, undefined);
  });

  test("the same file on examples/resnet.ts's resnet18 loads every tensor; resnet34 reports the difference", { skip: noTorch }, async () => {
    const file = path.join(dir, "resnet18.pth");
    const r18 = await report("examples/resnet.ts", "--model", "resnet18", file);
    assert.deepEqual(r18.loaded, names["resnet18"]);
    assert.deepEqual([r18.missing, r18.unexpected, r18.mismatched], [[], [], []]);
    const r34 = await report("examples/resnet.ts", "--model", "resnet34", file);
    assert.equal(r34.loaded.length, 122);
    assert.ok(r34.missing.includes("layer1.2.conv1.weight") && r34.missing.includes("layer4.2.bn2.num_batches_tracked"));
    assert.equal(r34.loaded.length + r34.missing.length, 218);
    assert.deepEqual([r34.unexpected, r34.mismatched], [[], []]);
  });

  test("a .safetensors file reports the same sets", { skip: noTorch }, async () => {
    const r = await report("examples/transfer-learning.ts", "--model", "resnet18Cifar10", path.join(dir, "resnet18.expected.safetensors"));
    assert.deepEqual(
      r.loaded,
      names["resnet18"]!.filter((n) => !n.startsWith("fc.")),
    );
    assert.deepEqual([r.missing, r.unexpected, r.mismatched, r.notes], [[], [], HEAD_MISMATCH, []]);
  });

  test("a DataParallel checkpoint matches with its module. prefix stripped; a wrapped one from its model entry", { skip: noTorch }, async () => {
    const all = ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "4.weight", "4.bias"];
    const dp = await report(smallModel, path.join(dir, "dataparallel.pth"));
    assert.deepEqual([dp.loaded, dp.missing, dp.unexpected, dp.strippedPrefix], [all, [], [], "module."]);
    const wrapped = await report(smallModel, path.join(dir, "wrapped_model.pth"));
    assert.deepEqual([wrapped.loaded, wrapped.unexpected], [all, []]);
    assert.equal(wrapped.notes[0], `the state_dict is the file's "model" entry (the file also holds: optimizer)`);
  });

  test("the table says it in words (the built CLI)", { skip: noTorch }, () => {
    const r = spawnSync(process.execPath, [CLI, "weights", "examples/transfer-learning.ts", "--model", "resnet18Cifar10", path.join(dir, "resnet18.pth")], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), [
      `resnet18Cifar10 (examples/transfer-learning.ts) from ${path.join(dir, "resnet18.pth")}`,
      `${path.join(dir, "resnet18.pth")}: 120 of 122 tensors loaded, 2 mismatched, 0 missing, 0 unexpected`,
      "note: 20 tensors stored as I64 converted to float32",
      "fc.weight: file [1000, 512], model [10, 512] — kept freshly initialised",
      "fc.bias: file [1000], model [10] — kept freshly initialised",
    ]);
  });

  test("a malicious file is refused naming the global (exit 1) and its command never runs", { skip: noTorch }, async () => {
    const r = await weights(smallModel, path.join(dir, "malicious.pth"));
    assert.equal(r.code, 1);
    assert.match(r.err, /refused global posix\.system: weights files may only hold tensors and plain containers; nothing was executed/);
    assert.equal(fs.existsSync(marker), false);
  });

  test("unusable arguments exit 2 with a message, a model with errors 1; a file with several models needs --model", async () => {
    const cases: [string[], number, RegExp][] = [
      [[smallModel], 2, /needs a model FILE and a WEIGHTS file, got '.*small\.ts'/],
      [[smallModel, path.join(dir, "none.pth")], 2, /none\.pth: no such weights file or run folder/],
      [["nope.ts", smallModel], 2, /cannot read nope\.ts/],
      [[smallModel, smallModel, "--bogus"], 2, /unknown option '--bogus'/],
      [["examples/resnet.ts", smallModel], 2, /--model is needed: examples\/resnet\.ts has 7 models/],
      [["examples/resnet.ts", "--model", "resnet9", smallModel], 2, /has no model 'resnet9'/],
      [[smallModel, smallModel], 1, /is neither a PyTorch file .* nor a \.safetensors file/],
      [[brokenModel, smallModel], 1, /broken\.ts:4: error: .*\ncnn-studio weights: broken has errors; fix them first/],
    ];
    for (const [args, code, message] of cases) {
      const r = await weights(...args);
      assert.equal(r.code, code, args.join(" "));
      assert.match(r.err, message, args.join(" "));
    }
    const help = await weights("--help");
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: cnn-studio weights FILE \[--model NAME\] WEIGHTS \[--json\]/);
  });
});

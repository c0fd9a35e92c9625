import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parseTrainArgs, TRAIN_USAGE } from "../../src/cli/train";
import { trainConfig, validateTrainConfig } from "../../src/shared/trainConfig";
import { globMatches, parseFreeze, parseLrFor } from "../../src/shared/trainConfigTransfer";
import { planTransfer } from "../../src/trainer/train/freeze";

/** --weights, --freeze and --lr-for: the glob rule, the CLI's parsing and messages, the config's check, the plan. */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const LENET = path.join(ROOT, "examples", "lenet5.ts");
const args = (...more: string[]) => parseTrainArgs([LENET, "--model", "lenet5Mnist", "--dataset", "mnist-sample", ...more], ROOT, () => null);

describe("transfer-learning settings", () => {
  test("globs over parameter names: '*' crosses dots, a bare module path means its tensors", () => {
    const cases: [string, string, boolean][] = [
      ["features.*", "features.0.weight", true],
      ["features.*", "features_x.weight", false],
      ["layer1.*", "layer10.0.weight", false],
      ["conv1", "conv1.weight", true],
      ["conv1", "conv10.weight", false],
      ["bn1", "bn1.running_mean", true],
      ["fc.weight", "fc.weight", true],
      ["fc.weight", "fc.bias", false],
      ["layer?.0.*", "layer3.0.conv1.weight", true],
      ["*.bias", "features.0.bias", true],
    ];
    for (const [glob, name, want] of cases) assert.equal(globMatches(glob, name), want, `${glob} ~ ${name}`);
  });

  test("the CLI parses the options into the config, which passes its check and survives JSON (config.json)", () => {
    const weights = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-w-")), "w.safetensors");
    fs.writeFileSync(weights, "x");
    const r = args("--weights", weights, "--freeze", "layer1.*, layer2.*,conv1", "--lr-for", "fc=0.01", "--lr-for=layer4.*=0");
    assert.ok(r.ok, r.ok ? "" : r.message);
    assert.deepEqual(r.config.transfer, {
      weights,
      freeze: ["layer1.*", "layer2.*", "conv1"],
      lrFor: [
        { glob: "fc", lr: 0.01 },
        { glob: "layer4.*", lr: 0 },
      ],
    });
    const back = validateTrainConfig(JSON.parse(JSON.stringify(r.config)));
    assert.ok(back.ok);
    assert.deepEqual(back.value, r.config);
    const plain = args();
    assert.ok(plain.ok);
    assert.equal("transfer" in plain.config, false, "no transfer section without the options: config.json as before");
    assert.match(TRAIN_USAGE, /--freeze GLOBS/);
    assert.match(TRAIN_USAGE, /--lr-for GLOB=LR [^]*the first\s+matching glob wins/);
  });

  test("bad globs, learning rates and files give messages naming the value", () => {
    for (const [more, message] of [
      [["--freeze", "layer1.*,,fc"], /--freeze: an empty glob in 'layer1\.\*,,fc'/],
      [["--freeze", "layer1/conv"], /--freeze: 'layer1\/conv' is not a glob over parameter names/],
      [["--freeze", "layer1..conv"], /--freeze: 'layer1\.\.conv' has an empty name between dots/],
      [["--lr-for", "fc"], /--lr-for must be GLOB=LR \(e\.g\. 'layer4\.\*=0\.0001'\), got 'fc'/],
      [["--lr-for", "fc=fast"], /--lr-for fc: the learning rate must be a number, got 'fast'/],
      [["--lr-for", "fc=-0.1"], /--lr-for fc: the learning rate must be from 0 to 10, got -0\.1/],
      [["--lr-for", "fc=0.1", "--lr-for", "fc=0.2"], /--lr-for fc is given twice/],
      [["--lr-for", "[fc]=0.1"], /--lr-for: '\[fc\]' is not a glob/],
      [["--weights", "/no/such/file.pth"], /--weights: \/no\/such\/file\.pth: no such weights file or run folder/],
    ] as const) {
      const r = args(...more);
      assert.ok(!r.ok && r.code === 2, more.join(" "));
      assert.match(r.message, message);
    }
    assert.deepEqual(parseFreeze("a,a"), ["a"]);
    assert.deepEqual(parseLrFor("x.*=1e-4"), { glob: "x.*", lr: 1e-4 });
  });

  test("the config's check names a bad transfer section", () => {
    const base = trainConfig({ file: LENET, model: "m", dataset: { kind: "mnist-sample" }, runsDir: "/tmp" });
    const bad = validateTrainConfig({ ...base, transfer: { weights: null, freeze: ["a b"], lrFor: [] } });
    assert.ok(!bad.ok);
    assert.match(bad.error, /config\.transfer\.freeze\[0\]: 'a b' is not a glob/);
    const lr = validateTrainConfig({ ...base, transfer: { weights: null, freeze: [], lrFor: [{ glob: "fc", lr: 11 }] } });
    assert.ok(!lr.ok);
    assert.match(lr.error, /config\.transfer\.lrFor\[0\]\.lr/);
  });

  test("--resume keeps the run's own transfer settings and refuses new ones", () => {
    const r = parseTrainArgs(["--resume", "/no/run", "--freeze", "fc"], ROOT, () => null);
    assert.ok(!r.ok);
    assert.match(r.message, /--freeze cannot change it/);
  });

  test("the plan: frozen names, BatchNorm layers whose parameters are all frozen, the first matching --lr-for glob", () => {
    const names = {
      model: "m",
      parameters: ["conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv.weight", "layer1.0.bn.weight", "layer1.0.bn.bias", "fc.weight", "fc.bias"],
      buffers: [
        "bn1.running_mean",
        "bn1.running_var",
        "bn1.num_batches_tracked",
        "layer1.0.bn.running_mean",
        "layer1.0.bn.running_var",
        "layer1.0.bn.num_batches_tracked",
      ],
      batchNorms: ["bn1", "layer1.0.bn"],
    };
    const plan = planTransfer(
      {
        weights: null,
        freeze: ["conv1", "bn1", "layer1.0.bn.weight"],
        lrFor: [
          { glob: "layer1.*", lr: 0.1 },
          { glob: "*", lr: 1 },
        ],
      },
      names,
    );
    assert.ok(typeof plan !== "string");
    assert.deepEqual([...plan.frozen], ["conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.bn.weight"]);
    assert.deepEqual([...plan.evalNorms], ["bn1"], "layer1.0.bn's bias still trains: it keeps updating its statistics");
    assert.equal(
      planTransfer({ weights: null, freeze: ["*"], lrFor: [] }, names),
      "--freeze * freezes every parameter of m: nothing would train (leave the new head out of the globs)",
    );
    assert.deepEqual(
      [...plan.groupOf],
      [
        ["layer1.0.conv.weight", 0],
        ["layer1.0.bn.bias", 0],
        ["fc.weight", 1],
        ["fc.bias", 1],
      ],
    );
  });
});

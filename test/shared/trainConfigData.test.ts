import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parseTrainArgs, TRAIN_USAGE } from "../../src/cli/train";
import { trainConfig, validateTrainConfig } from "../../src/shared/trainConfig";
import { dataConfigOf } from "../../src/shared/trainConfigData";

/** Issue 15's data options: --normalize, --augment, --resize (src/shared/trainConfigData.ts). */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const LENET = path.join(ROOT, "examples", "lenet5.ts");
const args = (...more: string[]) => parseTrainArgs([LENET, "--model", "lenet5Mnist", "--dataset", "mnist-sample", ...more], ROOT, () => null);

describe("data options (issue 15)", () => {
  test("without them a configuration is what it was: no data section, the older fields say it", () => {
    const r = args();
    assert.ok(r.ok);
    assert.equal("data" in r.config, false);
    assert.deepEqual(dataConfigOf(r.config), { normalize: "dataset", augment: "none", resize: "stretch" });
    const old = args("--no-normalize", "--flip");
    assert.ok(old.ok);
    assert.deepEqual(dataConfigOf(old.config), { normalize: "none", augment: "flip", resize: "stretch" });
  });

  test("--normalize, --augment and --resize parse, and set the older fields they imply", () => {
    const r = args("--normalize", "imagenet", "--augment", "strong", "--resize", "crop");
    assert.ok(r.ok, r.ok ? "" : r.message);
    assert.deepEqual(r.config.data, { normalize: "imagenet", augment: "strong", resize: "crop" });
    assert.deepEqual([r.config.normalize, r.config.augment.flip, r.config.augment.cropPadding], [true, true, 0]);
    const none = args("--normalize=none", "--augment=none");
    assert.ok(none.ok);
    assert.deepEqual([none.config.normalize, none.config.augment.flip, none.config.data?.resize], [false, false, "stretch"]);
    // a saved config.json with the section validates to the same configuration
    const again = validateTrainConfig(JSON.parse(JSON.stringify(r.config)));
    assert.ok(again.ok);
    assert.deepEqual(again.value, r.config);
    assert.match(TRAIN_USAGE, /--normalize M +dataset/);
    assert.match(TRAIN_USAGE, /--augment P +training only/);
  });

  test("bad values and contradictions are named", () => {
    const cases: [string[], RegExp][] = [
      [["--normalize", "imagenet1k"], /--normalize must be one of dataset, imagenet, none, got 'imagenet1k'/],
      [["--augment", "heavy"], /--augment must be one of none, flip, standard, strong, got 'heavy'/],
      [["--resize", "fit"], /--resize must be one of stretch, crop, got 'fit'/],
      [["--no-normalize", "--normalize", "imagenet"], /--no-normalize contradicts --normalize imagenet/],
      [["--flip", "--augment", "none"], /--flip contradicts --augment none/],
      [["--crop-padding", "4", "--augment", "standard"], /--augment standard crops at random already/],
      [["--normalize"], /--normalize needs a value/],
    ];
    for (const [more, message] of cases) {
      const r = args(...more);
      assert.ok(!r.ok, more.join(" "));
      assert.equal(r.code, 2);
      assert.match(r.message, message);
    }
  });

  test("the protocol's check names a bad or contradictory data section", () => {
    const base = trainConfig({ file: LENET, model: "m", dataset: { kind: "mnist-sample" }, runsDir: "/tmp" });
    const bad = validateTrainConfig({ ...base, data: { normalize: "imagenet", augment: "wild", resize: "crop" } });
    assert.ok(!bad.ok);
    assert.match(bad.error, /config\.data\.augment/);
    const contradicts = validateTrainConfig({ ...base, normalize: false, data: { normalize: "imagenet", augment: "none", resize: "crop" } });
    assert.ok(!contradicts.ok);
    assert.match(contradicts.error, /config\.normalize is false but config\.data\.normalize is 'imagenet'/);
  });
});

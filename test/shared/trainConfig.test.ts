import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parseTrainArgs, TRAIN_USAGE } from "../../src/cli/train";
import { defaultForm, FORM_NUMBER_FIELDS, validateForm, type FormModel, type TrainFormState } from "../../src/extension/train/form";
import {
  fieldValue,
  numberDefault,
  trainConfig,
  trainField,
  TRAIN_FIELD_NAMES,
  validateTrainConfig,
  withField,
  type FieldValue,
  type NumberField,
  type NumberFieldName,
  type PairField,
  type TrainConfigInput,
  type TrainFieldName,
} from "../../src/shared/trainConfig";

/** The settings table (src/shared/trainConfig.ts) drives the CLI, the Train view's form and the protocol's check alike. */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const LENET = path.join(ROOT, "examples", "lenet5.ts");
const FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-fields-"));
const model: FormModel = { id: "m#lenet5Mnist", file: LENET, name: "lenet5Mnist", inputs: [["N", 1, 28, 28]], output: ["N", 10], params: 1, errors: 0 };

/** The values at and just past each limit of a number setting, with whether they are allowed. */
function boundaries(f: NumberField | PairField): [number, boolean][] {
  const int = f.type === "number" && f.int === true;
  const step = (x: number): number => (int ? 1 : Math.max(Math.abs(x) * 1e-6, 1e-6));
  const out: [number, boolean][] = [];
  if (f.min !== undefined) out.push([f.min, true], [f.min - step(f.min), false]);
  if (f.above !== undefined) out.push([f.above, false], [f.above + step(f.above), true]);
  if (f.max !== undefined) out.push([f.max, true], [f.max + step(f.max), false]);
  if (f.below !== undefined) out.push([f.below, false], [f.below - step(f.below), true]);
  if (int) out.push([(f.min ?? 0) + 0.5, false]);
  return out;
}

/** Settings that make `f` mean something (SGD for momentum, step decay for gamma, an image folder for the validation fraction). */
function context(name: TrainFieldName): { cli: string[]; form: Partial<TrainFormState>; config: Partial<TrainConfigInput> } {
  const w = trainField(name).when;
  const optimizer = w?.optimizer?.[0];
  const schedule = w?.schedule?.[0];
  const folder = w?.dataset?.includes("folder") === true;
  // a warm-up needs more epochs than it lasts
  const long = schedule === "warmup-cosine";
  return {
    cli: [
      ...(optimizer && name !== "optimizer" ? ["--optimizer", optimizer] : []),
      ...(schedule ? ["--schedule", schedule] : []),
      ...(long ? ["--epochs", "10000"] : []),
      "--dataset",
      folder ? `folder:${FOLDER}` : "mnist-sample",
    ],
    form: {
      ...(optimizer ? { optimizer } : {}),
      ...(schedule ? { schedule } : {}),
      ...(folder ? { dataset: "folder" as const, datasetDir: FOLDER } : {}),
      ...(long ? { epochs: "10000" } : {}),
    },
    config: {
      ...(optimizer ? { optimizer: { name: optimizer } } : {}),
      ...(schedule ? { schedule: { name: schedule } } : {}),
      ...(long ? { epochs: 10000 } : {}),
    },
  };
}

function cliAccepts(name: TrainFieldName, value: string): boolean {
  const c = context(name);
  const r = parseTrainArgs([LENET, "--model", "lenet5Mnist", ...c.cli, trainField(name).flag, value], ROOT, () => null);
  return r.ok;
}

function validatorAccepts(name: TrainFieldName, value: FieldValue): boolean {
  const base: TrainConfigInput = { file: LENET, model: "lenet5Mnist", dataset: { kind: "mnist-sample" }, runsDir: "/runs", ...context(name).config };
  return validateTrainConfig(trainConfig(withField(base, trainField(name), value))).ok;
}

function formAccepts(name: (typeof FORM_NUMBER_FIELDS)[number], value: string): boolean {
  const r = validateForm({ ...defaultForm(), model: model.id, ...context(name).form, [name]: value }, [model], "/runs");
  assert.equal(r.config !== undefined, r.errors[name] === undefined, `${name} ${value}: ${JSON.stringify(r.errors)}`);
  return r.config !== undefined;
}

describe("the settings table", () => {
  test("every number setting: the CLI, the form and the protocol accept and reject the same boundary values", () => {
    const formFields: readonly string[] = FORM_NUMBER_FIELDS;
    for (const name of TRAIN_FIELD_NAMES) {
      const f = trainField(name);
      if (f.type !== "number") continue;
      for (const [value, allowed] of boundaries(f)) {
        const what = `${name} = ${value}`;
        assert.equal(validatorAccepts(name, value), allowed, `protocol, ${what}`);
        assert.equal(cliAccepts(name, String(value)), allowed, `CLI, ${what}`);
        if (formFields.includes(name)) assert.equal(formAccepts(name as (typeof FORM_NUMBER_FIELDS)[number], String(value)), allowed, `form, ${what}`);
      }
    }
  });

  test("pair settings (Adam's betas): the CLI and the protocol accept and reject the same boundary values, each of the two", () => {
    for (const name of TRAIN_FIELD_NAMES) {
      const f = trainField(name);
      if (f.type !== "pair") continue;
      for (const [value, allowed] of boundaries(f)) {
        for (const pair of [
          [value, f.default[1]],
          [f.default[0], value],
        ] as const) {
          assert.equal(validatorAccepts(name, pair), allowed, `protocol, ${name} = ${pair.join(",")}`);
          assert.equal(cliAccepts(name, pair.join(",")), allowed, `CLI, ${name} = ${pair.join(",")}`);
        }
      }
      assert.equal(cliAccepts(name, "0.9"), false, "one number is not a pair");
      assert.equal(validatorAccepts(name, [0.9] as unknown as [number, number]), false);
    }
  });

  test("the limits that used to disagree are one limit now (epochs ≤ 10000, lr in (0, 10])", () => {
    for (const [name, value] of [
      ["epochs", 10001],
      ["lr", 0],
      ["lr", 11],
    ] as const) {
      assert.equal(validatorAccepts(name, value), false, `protocol ${name} ${value}`);
      assert.equal(cliAccepts(name, String(value)), false, `CLI ${name} ${value}`);
      assert.equal(formAccepts(name, String(value)), false, `form ${name} ${value}`);
    }
  });

  test("choices and flags: the CLI and the protocol agree", () => {
    for (const name of TRAIN_FIELD_NAMES) {
      const f = trainField(name);
      if (f.type !== "choice") continue;
      for (const choice of f.choices) assert.ok(cliAccepts(name, choice) && validatorAccepts(name, choice), `${name} ${choice}`);
      assert.ok(!cliAccepts(name, "nope") && !validatorAccepts(name, "nope"), `${name} nope`);
    }
    const nesterov = parseTrainArgs(
      [LENET, "--model", "lenet5Mnist", "--dataset", "mnist-sample", "--optimizer", "sgd", "--momentum", "0.9", "--nesterov", "--flip", "--no-normalize"],
      ROOT,
      () => null,
    );
    assert.ok(nesterov.ok);
    assert.deepEqual([nesterov.config.optimizer.nesterov, nesterov.config.augment.flip, nesterov.config.normalize], [true, true, false]);
  });

  test("every setting has its place in the configuration, and trainConfig's defaults are the table's", () => {
    const c = trainConfig({ file: LENET, model: "m", dataset: { kind: "mnist-sample" }, runsDir: "/runs" });
    const sgd = trainConfig({ file: LENET, model: "m", dataset: { kind: "mnist-sample" }, runsDir: "/runs", optimizer: { name: "sgd" } });
    for (const name of TRAIN_FIELD_NAMES) {
      const f = trainField(name);
      const expected = f.type === "number" ? numberDefault(name as NumberFieldName) : f.default;
      assert.deepEqual(fieldValue(c, f), expected, name);
      if (f.type === "number") assert.equal(fieldValue(sgd, f), numberDefault(name as NumberFieldName, "sgd"), `${name} (sgd)`);
    }
    assert.equal(sgd.optimizer.lr, 0.01);
  });

  test("the options transformers need: flags parse, bad values are named, a warm-up must be shorter than the run", () => {
    const args = (...more: string[]) => parseTrainArgs([LENET, "--model", "lenet5Mnist", "--dataset", "mnist-sample", ...more], ROOT, () => null);
    const r = args(
      "--optimizer",
      "adamw",
      "--exclude-from-decay",
      "--clip-grad-norm",
      "1.5",
      "--label-smoothing",
      "0.1",
      "--schedule",
      "warmup-cosine",
      "--warmup-epochs",
      "2",
      "--warmup-start",
      "0.01",
      "--min-lr",
      "1e-5",
    );
    assert.ok(r.ok, r.ok ? "" : r.message);
    assert.deepEqual(
      [r.config.optimizer.excludeFromDecay, r.config.optimizer.clipGradNorm, r.config.labelSmoothing, r.config.schedule.name, r.config.schedule.warmupEpochs],
      [true, 1.5, 0.1, "warmup-cosine", 2],
    );
    assert.deepEqual([r.config.schedule.warmupStart, r.config.schedule.minLr], [0.01, 1e-5]);
    const plain = args();
    assert.ok(plain.ok);
    assert.deepEqual(
      [plain.config.optimizer.excludeFromDecay, plain.config.optimizer.clipGradNorm, plain.config.labelSmoothing],
      [false, 0, 0],
      "PyTorch's defaults: off",
    );
    for (const [flag, value, message] of [
      ["--label-smoothing", "1.5", /--label-smoothing must be at most 1, got 1\.5/],
      ["--label-smoothing", "abc", /--label-smoothing must be a number, got 'abc'/],
      ["--clip-grad-norm", "-1", /--clip-grad-norm must be at least 0, got -1/],
      ["--warmup-epochs", "1.5", /--warmup-epochs must be a whole number.*, got 1\.5/],
      ["--warmup-start", "0", /--warmup-start must be above 0, got 0/],
      ["--schedule", "warmup", /--schedule must be one of .*warmup-cosine, got 'warmup'/],
    ] as const) {
      const bad = args(flag, value);
      assert.ok(!bad.ok && bad.code === 2, `${flag} ${value}`);
      assert.match(bad.message, message);
    }
    const long = args("--schedule", "warmup-cosine", "--epochs", "3", "--warmup-epochs", "3");
    assert.ok(!long.ok);
    assert.match(long.message, /a warm-up of 3 epochs needs more than 3 epochs to anneal \(got epochs 3\)/);
    const form = validateForm({ ...defaultForm(), model: model.id, schedule: "warmup-cosine", epochs: "2", warmupEpochs: "2" }, [model], "/runs");
    assert.equal(form.config, undefined);
    assert.equal(form.errors.warmupEpochs, "Warm-up epochs must be fewer than the epochs (2)");
    const good = validateForm(
      {
        ...defaultForm(),
        model: model.id,
        optimizer: "adamw",
        schedule: "warmup-cosine",
        epochs: "3",
        warmupEpochs: "1",
        clipGradNorm: "1",
        labelSmoothing: "0.1",
        excludeFromDecay: true,
      },
      [model],
      "/runs",
    );
    assert.ok(good.config, JSON.stringify(good.errors));
    assert.deepEqual(
      [good.config.optimizer.excludeFromDecay, good.config.optimizer.clipGradNorm, good.config.labelSmoothing, good.config.schedule.warmupEpochs],
      [true, 1, 0.1, 1],
      "the form's values reach the configuration",
    );
  });

  test("a config.json written before these options resumes with their defaults (PyTorch's)", () => {
    const c = trainConfig({ file: LENET, model: "m", dataset: { kind: "mnist-sample" }, runsDir: "/runs" });
    const old = JSON.parse(JSON.stringify(c)) as Record<string, Record<string, unknown>>;
    delete old["labelSmoothing"];
    delete old["optimizer"]!["excludeFromDecay"];
    delete old["optimizer"]!["clipGradNorm"];
    delete old["schedule"]!["warmupEpochs"];
    delete old["schedule"]!["warmupStart"];
    const r = validateTrainConfig(old);
    assert.ok(r.ok, r.ok ? "" : r.error);
    assert.deepEqual(r.value, c);
    const bad = validateTrainConfig({ ...c, labelSmoothing: "0.1" });
    assert.ok(!bad.ok && /labelSmoothing/.test(bad.error), "present but wrong is still an error");
  });

  test("--help lists every setting, with its value name", () => {
    for (const name of TRAIN_FIELD_NAMES) {
      const f = trainField(name);
      const head = f.type === "flag" ? f.flag : `${f.flag} ${f.metavar}`;
      assert.match(TRAIN_USAGE, new RegExp(`^  ${head.replace(/[-]/g, "\\-")} `, "m"), name);
    }
    assert.ok(
      TRAIN_USAGE.split("\n").every((l) => l.length <= 100),
      "lines fit 100 columns",
    );
  });
});

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { CLI, ROOT } from "./helpers/paths";

/** The built CLI, run as a user runs it. */
function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempModel(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-cli-"));
  const file = path.join(dir, "model.ts");
  fs.writeFileSync(file, text);
  return file;
}

describe("cnn-studio summary", () => {
  test("--json for LeNet-5 is exactly the contract's example", () => {
    const r = cli("summary", "examples/lenet5.ts", "--model", "lenet5", "--json");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ["file", "models", "diagnostics"]);
    assert.equal(doc.file, "examples/lenet5.ts");
    assert.deepEqual(doc.diagnostics, []);
    const [m] = doc.models;
    assert.deepEqual(Object.keys(m), ["name", "inputs", "output", "params", "trainableParams", "macs", "paramBytes", "activationBytes", "layers"]);
    assert.deepEqual(
      {
        name: m.name,
        inputs: m.inputs,
        output: m.output,
        params: m.params,
        trainableParams: m.trainableParams,
        macs: m.macs,
        paramBytes: m.paramBytes,
        activationBytes: m.activationBytes,
      },
      {
        name: "lenet5",
        inputs: [["N", 1, 32, 32]],
        output: ["N", 10],
        params: 61706,
        trainableParams: 61706,
        macs: 416520,
        paramBytes: 246824,
        activationBytes: 60008,
      },
    );
    assert.deepEqual(m.layers[0], {
      path: "0",
      type: "Conv2d",
      output: ["N", 6, 28, 28],
      params: 156,
      macs: 117600,
      receptiveField: { size: [5, 5], jump: [1, 1], start: [2, 2] },
    });
    assert.equal(m.layers.length, 12);
  });

  test("a model whose forward pass ran out of evaluation budget says its totals are incomplete", () => {
    const file = "test/fixtures/diagnostics/endless-forward-loop.ts";
    const table = cli("summary", file);
    assert.equal(table.code, 1);
    assert.match(table.stderr, /Evaluation budget of 150,000 steps exceeded/);
    assert.match(
      table.stdout,
      /^Model: net\nINCOMPLETE: analysis stopped at an error \(see below\); the layers, MACs and activation sizes cover only the part analysed$/m,
    );
    assert.match(table.stdout, /^MACs per sample: at least [\d.]+G \([\d,]+\)$/m);
    assert.match(table.stdout, /^Forward activations size \(MB per sample\): at least [\d.]+$/m);
    assert.match(table.stdout, /^Estimated total for training with Adam \(MB per sample\): at least [\d.]+$/m);
    const json = cli("summary", file, "--json");
    assert.equal(json.code, 1);
    const [m] = JSON.parse(json.stdout).models;
    assert.equal(m.complete, false);
    assert.deepEqual(Object.keys(m).slice(0, 3), ["name", "complete", "inputs"]);
    // a complete model's document is the contract's, without the field
    assert.equal("complete" in JSON.parse(cli("summary", "examples/lenet5.ts", "--json").stdout).models[0], false);
  });

  test("control characters in names and messages never reach the terminal raw (table, JSON, diagnostics, train, export)", () => {
    const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202e]/;
    const evil = "\u001b[2J\u0007x\u2028\u009b\u202e";
    const file = tempModel(
      [
        'import { nn } from "cnn-studio";',
        `/** @input [N, 8] */`,
        `export const net = nn.Sequential(nn.ModuleDict({ ${JSON.stringify(evil)}: nn.ReLU() }));`,
        `/** @input [N, 8] */`,
        `export const bad = nn.ModuleDict({ ${JSON.stringify(evil)}: 3 });`,
        "",
      ].join("\n"),
    );
    const table = cli("summary", file);
    assert.doesNotMatch(table.stdout + table.stderr, raw);
    assert.match(table.stdout, /^Model: net$/m);
    assert.match(table.stderr, /got 3 at '\\u001b\[2J\\u0007x\\u2028\\u009b\\u202e'/);
    const json = cli("summary", file, "--json");
    assert.doesNotMatch(json.stdout + json.stderr, raw);
    // still valid JSON, meaning the same
    assert.equal(JSON.parse(json.stdout).diagnostics[0].message.includes(evil), true);
    const exported = cli("export", file);
    assert.doesNotMatch(exported.stdout + exported.stderr, raw);
    assert.match(exported.stderr, /\\u001b\[2J/);
    const train = cli("train", file, "--model", "net", "--dataset", `idx:/no/such/${evil}`);
    assert.equal(train.code, 2);
    assert.doesNotMatch(train.stdout + train.stderr, raw);
    assert.match(train.stderr, /idx:\/no\/such\/\\u001b\[2J\\u0007x/);
  });

  test("the table is aligned, with thousands separators, totals and memory", () => {
    const r = cli("summary", "examples/lenet5.ts", "--model", "lenet5");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^0 +Conv2d +\[N, 6, 28, 28\] +156 +117,600 +5×5\/1$/m);
    assert.match(r.stdout, /^Total params: 61,706$/m);
    assert.match(r.stdout, /^MACs per sample: 416\.5K \(416,520\)$/m);
    assert.match(r.stdout, /^Params size \(MB\): 0\.25$/m);
    const rows = r.stdout.split("\n").filter((l) => /^\d+ /.test(l));
    assert.equal(new Set(rows.map((l) => l.length)).size <= 2, true, "rows are aligned");
  });

  test("a big model's JSON arrives whole through a pipe", () => {
    const r = cli("summary", "examples/resnet.ts", "--json");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.models.find((m: { name: string }) => m.name === "resnet152").layers.length, 464);
  });

  test("a reader that stops early (`| head`) is not an error", () => {
    const r = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" "${CLI}" summary examples/resnet.ts --json | head -c 100 > /dev/null`], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
  });

  test("errors: exit 1, diagnostics in JSON with 1-based positions", () => {
    const file = tempModel(
      `import { nn } from "cnn-studio";\n/** @input [N, 3, 8, 8] */\nexport const net = nn.Sequential(\n  nn.Conv2d(3, 16, 3),\n  nn.Conv2d(32, 8, 3),\n);\n`,
    );
    const r = cli("summary", file, "--json");
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.diagnostics, [
      { severity: "error", message: "Conv2d expects 32 input channels but receives 16 (input [N, 16, 6, 6])", line: 5, column: 3 },
    ]);
    assert.equal(doc.models[0].output, null);
    assert.equal(doc.models[0].layers.length, 1, "analysis keeps everything before the error");
    const table = cli("summary", file);
    assert.equal(table.code, 1);
    assert.match(table.stderr, /model\.ts:5:3: error: Conv2d expects 32 input channels but receives 16/);
  });

  test("unusable arguments and unreadable files exit 2", () => {
    assert.equal(cli().code, 2);
    assert.equal(cli("frobnicate").code, 2);
    assert.equal(cli("summary").code, 2);
    assert.equal(cli("summary", "examples/lenet5.ts", "--bogus").code, 2);
    const missing = cli("summary", "no/such/file.ts");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read no\/such\/file\.ts/);
    const unknown = cli("summary", "examples/lenet5.ts", "--model", "nope");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no model 'nope' \(models: lenet5, lenet5Mnist\)/);
    assert.equal(cli("--help").code, 0);
  });
});

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { describe, test } from "node:test";
import { dedent, exportSource, PYTHON } from "./helpers";

/**
 * Constructs met while transcribing torchvision's models (RegNet, EfficientNetV2, ...): each
 * exported as Python that runs like the TypeScript.
 */

const H = `import { nn, type Tensor } from "cnn-studio";\n`;

function exported(files: Record<string, string>, models?: string[]): string {
  const r = exportSource(files, "model.ts", models);
  assert.deepEqual(
    r.diagnostics.map((d) => d.message),
    [],
    "no diagnostics",
  );
  assert.ok(r.ok);
  return r.code;
}

function contains(code: string, block: string): void {
  const want = dedent(block);
  const found = [0, 4, 8].some((n) =>
    code.includes(
      want
        .split("\n")
        .map((l) => (l ? " ".repeat(n) + l : l))
        .join("\n"),
    ),
  );
  assert.ok(found, `expected\n${want}\n\nin\n${code}`);
}

/** Runs exported code plus `tail` with Debian's Python and PyTorch: the last line `tail` printed, or a skip reason. */
function runPython(code: string, tail: string): { out: string } | { skip: string } {
  if (!fs.existsSync(PYTHON)) return { skip: `${PYTHON} not found` };
  const r = spawnSync(PYTHON, ["-"], { input: `${code}\n${tail}\n`, encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0 && /No module named 'torch'/.test(r.stderr)) return { skip: `PyTorch is not installed for ${PYTHON}` };
  assert.equal(r.status, 0, r.stderr);
  return { out: r.stdout.trim().split("\n").pop() ?? "" };
}

describe("export to PyTorch: constructs of torchvision's models", () => {
  test("an nn.Sequential subclass given a Record of named children: super().__init__(OrderedDict(layers))", () => {
    const code = exported({
      "model.ts":
        H +
        `
export class Transform extends nn.Sequential {
  constructor(c: number, se: boolean) {
    const layers: Record<string, nn.Module> = {};
    layers["a"] = nn.Conv2d(c, c, 1);
    if (se) layers["se"] = nn.ReLU();
    layers["c"] = nn.Conv2d(c, c, 1);
    super(layers);
  }
}
/** @input [N, 3, 8, 8] */
export const net = new Transform(3, true);
`,
    });
    contains(code, `super().__init__(OrderedDict(layers))`);
    assert.match(code, /^from collections import OrderedDict$/m);
    const run = runPython(code, `print([n for n, _ in build_net().named_children()])`);
    if ("skip" in run) return;
    assert.equal(run.out, "['a', 'se', 'c']");
  });

  test("top-level destructuring in an imported file, or with --model, keeps its declaration and what it uses", () => {
    const files = {
      "conf.ts": `
function pair(): [number, number] {
  return [3, 4];
}
export const [cin, cout] = pair();
export const { k, pad } = { k: 3, pad: 1 };
`,
      "model.ts":
        H +
        `import { cin, cout, k, pad } from "./conf";
/** @input [N, 3, 8, 8] */
export const net = nn.Conv2d(cin, cout, k, { padding: pad });
/** @input [N, 3, 8, 8] */
export const other = nn.Identity();
`,
    };
    for (const models of [undefined, ["net"]]) {
      const code = exported(files, models);
      contains(
        code,
        `
        def pair():
            return [3, 4]


        cin, cout = pair()
      `,
      );
      contains(code, `_value = {"k": 3, "pad": 1}\nk = _value["k"]\npad = _value["pad"]`);
      if (!models) continue;
      const run = runPython(code, `print(tuple(build_net().weight.shape), build_net().padding)`);
      if ("skip" in run) continue;
      assert.equal(run.out, "(4, 3, 3, 3) (1, 1)");
    }
  });

  test("{ ...instance } of a configuration class is copy.copy(instance), a copy with the same fields", () => {
    const code = exported({
      "model.ts":
        H +
        `
class Conf {
  constructor(public inC: number, public outC: number) {}
}
function widened(cnf: Conf): Conf {
  const copy = { ...cnf };
  copy.outC = cnf.outC * 2;
  return copy;
}
const base = new Conf(3, 4);
const wide = widened(base);
/** @input [N, 3, 8, 8] */
export const net = nn.Conv2d(wide.inC, wide.outC, 1);
`,
    });
    contains(code, `copy_ = copy.copy(cnf)\ncopy_.outC = cnf.outC * 2`);
    assert.match(code, /^import copy$/m);
    const run = runPython(code, `print(type(wide).__name__, wide.inC, wide.outC, base.outC, wide is base, build_net().out_channels)`);
    if ("skip" in run) return;
    assert.equal(run.out, "Conf 3 8 4 False 8");
  });

  test("a spread of a class instance beside other properties is an export error naming it", () => {
    const r = exportSource({
      "model.ts":
        H +
        `
class Conf {
  constructor(public inC: number, public stride: number) {}
}
const base = new Conf(3, 2);
const other = { ...base, stride: 1 };
/** @input [N, 3, 8, 8] */
export const net = nn.Conv2d(other.inC, 4, 1);
`,
    });
    assert.equal(r.ok, false);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    assert.equal(errors.length, 1, JSON.stringify(r.diagnostics.map((d) => d.message)));
    assert.match(errors[0]!.message, /A spread of the class instance 'base' beside other properties .* cannot be exported/);
    assert.equal(errors[0]!.code, "export-unsupported");
    assert.equal(errors[0]!.location.range.start.line + 1, 7);
  });

  test("a Tensor method or property on the call of an `nn.Module | null` field: no unknown-type warning", () => {
    const code = exported({
      "model.ts":
        H +
        `
class Block extends nn.Module {
  readonly proj: nn.Module | null;
  readonly f: nn.Conv2d;
  constructor(c: number, project: boolean) {
    super();
    this.proj = project ? nn.Conv2d(c, c, 1) : null;
    this.f = nn.Conv2d(c, c, 1);
  }
  forward(x: Tensor): Tensor {
    const skip = this.proj === null ? x : this.proj(x).add(0);
    const dims = this.proj === null ? 4 : this.proj(x).ndim;
    return this.f(x).add(skip).flatten(dims - 3);
  }
}
/** @input [N, 3, 8, 8] */
export const net = new Block(3, true);
`,
    });
    contains(code, `skip = x if self.proj is None else self.proj(x).add(0)\ndims = 4 if self.proj is None else self.proj(x).ndim`);
  });
});

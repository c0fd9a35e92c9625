import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { Analyzer } from "../src/analyzer/index";
import { isWholeInput, type FileAnalysis, type ModelAnalysis } from "../src/shared/analysis";
import { EXAMPLES, GOLDEN } from "./helpers/paths";

/**
 * Every example against PyTorch: goldens made by scripts/golden/generate.py with torch/torchvision
 * (forward hooks on every leaf module), committed so the tests need no Python.
 */

type GoldenShape = (string | number)[];

interface Golden {
  model: string;
  example: string;
  input: GoldenShape;
  /** A forward returning a dict (torchvision's segmentation models) gives an object of shapes. */
  output: GoldenShape | Record<string, GoldenShape>;
  params: number;
  trainableParams: number;
  buffers: number;
  macs: number;
  /** Goldens counted with the torch function mode: the matrix products between activations (in `macs`). */
  productMacs?: number;
  layers: { path: string; type: string; output: (string | number)[]; params: number; macs: number }[];
}

const analyzer = new Analyzer();
const analyses = new Map<string, FileAnalysis>();
function analysisOf(example: string): FileAnalysis {
  let a = analyses.get(example);
  if (!a) {
    a = analyzer.analyzeFile(path.join(EXAMPLES, example));
    analyses.set(example, a);
  }
  return a;
}

function model(example: string, name: string): ModelAnalysis {
  const m = analysisOf(example).models.find((x) => x.name === name);
  assert.ok(m, `${example} has no analyzed model ${name}`);
  return m;
}

const goldens: Golden[] = fs
  .readdirSync(GOLDEN)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(fs.readFileSync(path.join(GOLDEN, f), "utf8")) as Golden);

describe("examples match PyTorch", () => {
  test("there is a golden for every family of the course", () => {
    const names = new Set(goldens.map((g) => g.model));
    for (const n of [
      "lenet5",
      "lenet5Mnist",
      "ourCnn",
      "simpleCnn",
      "alexnet",
      "vgg11",
      "vgg16",
      "vgg16Bn",
      "vgg19",
      "googlenet",
      "resnet18",
      "resnet34",
      "resnet50",
      "resnet101",
      "resnet152",
      "densenet121",
      "mobilenetV1",
      "mobilenetV2",
      "efficientnetB0",
      "squeezenet1_0",
      "mnistResNet",
      // zoo2 (issue 14)
      "shufflenetV2X1_0",
      "regnetY400mf",
      "mobilenetV3Small",
      "efficientnetV2S",
      "resnext50_32x4d",
      "wideResnet50_2",
      "convnextTiny",
      "vitB16",
      "swinT",
      "fcnResnet50",
      "fcnResnet50NoAux",
      "inceptionV3",
      "unet",
      "vitMnist",
      "convnextMnist",
    ]) {
      assert.ok(names.has(n), `missing golden for ${n}`);
    }
  });

  for (const g of goldens) {
    test(`${g.model} (${g.example}): totals, output and every layer`, () => {
      const m = model(g.example, g.model);
      assert.deepEqual(m.inputs, [g.input]);
      assert.deepEqual(m.output, g.output);
      assert.equal(m.params, g.params, "params");
      assert.equal(m.trainableParams, g.trainableParams, "trainable params");
      assert.equal(m.buffers, g.buffers, "buffers");
      assert.equal(m.macs, g.macs, "MACs");
      const ours = m.layers.map((l) => ({ path: l.path, type: l.type, output: l.output, params: l.params, macs: l.macs }));
      assert.deepEqual(ours, g.layers);
    });
  }

  test("the examples analyse without any diagnostic", () => {
    for (const f of fs.readdirSync(EXAMPLES).filter((x) => x.endsWith(".ts"))) {
      assert.deepEqual(
        analysisOf(f).diagnostics.map((d) => `${d.location.range.start.line + 1}: ${d.message}`),
        [],
        f,
      );
    }
  });
});

describe("figures from the course (torchvision, batch 1)", () => {
  const table: [string, string, number, number | null][] = [
    ["lenet5.ts", "lenet5", 61_706, 416_520],
    ["lenet5.ts", "lenet5Mnist", 44_426, null],
    ["mnist-cnn.ts", "ourCnn", 206_922, null],
    ["simple-cnn.ts", "simpleCnn", 94_538, 10_323_200],
    ["alexnet.ts", "alexnet", 61_100_840, 714_188_480],
    ["vgg.ts", "vgg16", 138_357_544, 15_470_264_320],
    ["vgg.ts", "vgg16Bn", 138_365_992, 15_470_264_320],
    ["resnet.ts", "resnet18", 11_689_512, 1_814_073_344],
    ["resnet.ts", "resnet34", 21_797_672, 3_663_761_408],
    ["resnet.ts", "resnet50", 25_557_032, 4_089_184_256],
    ["resnet.ts", "resnet152", 60_192_808, 11_513_626_624],
    ["googlenet.ts", "googlenet", 6_624_904, 1_498_376_192],
    ["densenet.ts", "densenet121", 7_978_856, 2_834_161_664],
    ["mobilenet-v2.ts", "mobilenetV2", 3_504_872, 300_774_272],
    ["efficientnet.ts", "efficientnetB0", 5_288_548, 385_814_752],
    ["squeezenet.ts", "squeezenet1_0", 1_248_424, 818_924_576],
    // zoo2 (issue 14): torchvision's parameter counts; MACs as torchvision's later releases
    // publish them rounded (0.14, 0.40, 0.06, 4.23, 11.40 GFLOPS; EfficientNetV2-S: 224×224 here, 8.37 at 384)
    ["shufflenet.ts", "shufflenetV2X1_0", 2_278_604, 144_907_992],
    ["regnet.ts", "regnetY400mf", 4_344_144, 401_842_848],
    ["mobilenet-v3.ts", "mobilenetV3Small", 2_542_856, 56_510_400],
    ["efficientnet-v2.ts", "efficientnetV2S", 21_458_488, 2_849_895_872],
    ["resnet.ts", "resnext50_32x4d", 25_028_904, 4_230_479_872],
    ["resnet.ts", "wideResnet50_2", 68_883_240, 11_398_021_120],
    ["convnext.ts", "convnextTiny", 28_589_128, 4_455_531_264],
    ["vit.ts", "vitB16", 86_567_656, 17_563_828_224],
    ["swin.ts", "swinT", 28_288_354, 4_490_566_656],
    ["segmentation.ts", "fcnResnet50", 35_322_218, 152_716_512_000],
    ["inception-v3.ts", "inceptionV3", 23_834_568, 5_713_216_096],
  ];
  for (const [file, name, params, macs] of table) {
    test(`${name}: ${params.toLocaleString("en-US")} params${macs ? `, ${macs.toLocaleString("en-US")} MACs` : ""}`, () => {
      const m = model(file, name);
      assert.equal(m.params, params);
      if (macs !== null) assert.equal(m.macs, macs);
    });
  }

  /**
   * torchvision's published figures (GFLOPS are MACs, to 2 decimals), checked against the goldens
   * themselves: the generator's counting of matrix products between activations and of F.linear
   * calls reproduces them, so the goldens the examples are compared with are the published models.
   */
  const published: [string, number, number, number | null][] = [
    ["convnextTiny", 28_589_128, 4.46, null],
    ["vitB16", 86_567_656, 17.56, 16.85],
    ["swinT", 28_288_354, 4.49, null],
    ["fcnResnet50", 35_322_218, 152.72, null],
    ["inceptionV3", 23_834_568, 5.71, null],
  ];
  for (const [name, params, gmacs, withoutProducts] of published) {
    test(`the ${name} golden has torchvision's ${params.toLocaleString("en-US")} params and ${gmacs} G MACs`, () => {
      const g = goldens.find((x) => x.model === name);
      assert.ok(g, `missing golden for ${name}`);
      assert.equal(g.params, params);
      assert.equal(Math.round(g.macs / 1e7) / 100, gmacs);
      if (withoutProducts !== null) {
        assert.ok(g.productMacs !== undefined, "productMacs");
        assert.equal(Math.round((g.macs - g.productMacs) / 1e7) / 100, withoutProducts);
      }
    });
  }

  test("nn.MultiheadAttention is one leaf: projections plus Q·Kᵀ and A·V (ViT-B/16 encoder layer)", () => {
    const g = goldens.find((x) => x.model === "vitB16");
    const row = g?.layers.find((l) => l.path === "encoder.layers.encoder_layer_0.self_attention");
    assert.ok(row, "self_attention row");
    const [tokens, dim] = [197, 768];
    assert.equal(row.type, "MultiheadAttention");
    assert.equal(row.params, 4 * dim * dim + 4 * dim);
    assert.equal(row.macs, 4 * tokens * dim * dim + 2 * tokens * tokens * dim);
  });

  /** Receptive field size of the last spatial output under a module path prefix. */
  const fields: [string, string, string, number][] = [
    ["alexnet.ts", "alexnet", "features", 195],
    ["vgg.ts", "vgg16", "features", 212],
    ["resnet.ts", "resnet18", "layer4", 435],
    ["resnet.ts", "resnet50", "layer4", 427],
    ["mobilenet-v2.ts", "mobilenetV2", "features", 491],
    ["densenet.ts", "densenet121", "features", 2071],
  ];
  for (const [file, name, prefix, size] of fields) {
    test(`${name} ${prefix}: receptive field ${size}`, () => {
      const m = model(file, name);
      const last = m.layers.filter((l) => l.path.startsWith(`${prefix}.`) && l.receptiveField).at(-1);
      assert.ok(last?.receptiveField && !isWholeInput(last.receptiveField), `no spatial layer under ${prefix}`);
      assert.deepEqual(last.receptiveField.size, [size, size]);
    });
  }

  test("LeNet-5 receptive fields, jumps and starts (Araujo et al.)", () => {
    const m = model("lenet5.ts", "lenet5");
    const rf = (i: number) => m.layers[i]!.receptiveField;
    assert.deepEqual(rf(0), { size: [5, 5], jump: [1, 1], start: [2, 2] });
    assert.deepEqual(rf(2), { size: [6, 6], jump: [2, 2], start: [2.5, 2.5] });
    assert.deepEqual(rf(5), { size: [16, 16], jump: [4, 4], start: [7.5, 7.5] });
    assert.equal(rf(6), null, "flattened outputs have no receptive field");
  });

  test("LeNet-5 memory: 60,008 activation bytes, 246,824 parameter bytes", () => {
    const m = model("lenet5.ts", "lenet5");
    assert.equal(m.activationBytes, 60_008);
    assert.equal(m.paramBytes, 246_824);
  });
});

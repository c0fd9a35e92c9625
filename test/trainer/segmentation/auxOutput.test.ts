import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { Analyzer } from "../../../src/analyzer/index";
import { trainConfig } from "../../../src/shared/training";
import { compileModel } from "../../../src/trainer/model/compile";
import { createOptimizer } from "../../../src/trainer/train/optimizers";
import { trainStep, variableNames } from "../../../src/trainer/train/loop";
import { pixelLossSum } from "../../../src/trainer/train/segmentation";
import { tempDir, testTf } from "../helpers/env";

/**
 * A model returning `{ out, aux }` (torchvision's segmentation models) trains on the loss of `out`
 * plus 0.5 × that of `aux`, as references/segmentation/train.py's criterion: the compiled model's
 * named outputs, and the training step's loss equal to that sum computed from them.
 */

const SOURCE = `import { nn, type Tensor } from "cnn-studio";
export class TwoHeads extends nn.Module {
  readonly head: nn.Conv2d;
  readonly auxHead: nn.Conv2d;
  constructor() {
    super();
    this.head = nn.Conv2d(3, 4, 3, { padding: 1 });
    this.auxHead = nn.Conv2d(3, 4, 1);
  }
  forward(x: Tensor): Record<string, Tensor> {
    const result: Record<string, Tensor> = {};
    result["out"] = this.head(x);
    result["aux"] = this.auxHead(x);
    return result;
  }
}
/** @input [N, 3, 6, 5] */
export const twoHeads = new TwoHeads();
`;

test("{ out, aux }: the named outputs, and a training step's loss is out's plus 0.5 × aux's (ignoring 255)", async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "twoHeads.ts");
    fs.writeFileSync(file, SOURCE);
    const model = new Analyzer().analyzeFile(file).models.find((m) => m.name === "twoHeads");
    assert.ok(model, "the model analyses");
    const { tf } = await testTf();
    const c = compileModel(tf, model, { seed: 3 });
    const shape: [number, number, number, number] = [2, 3, 6, 5];
    const x = Float32Array.from({ length: 2 * 3 * 6 * 5 }, (_, i) => Math.sin(0.7 * i));
    const target = Int32Array.from({ length: 2 * 6 * 5 }, (_, i) => (i % 9 === 4 ? 255 : i % 4));
    const named = c.applyNamed!([tf.tensor4d(x, shape)], true);
    assert.deepEqual([...named.keys()], ["out", "aux"]);
    const part = (t: string) => {
      const { sum, count } = pixelLossSum(named.get(t)!.dataSync() as Float32Array, 2, 4, target);
      return sum / count;
    };
    const expected = part("out") + 0.5 * part("aux");
    for (const t of named.values()) t.dispose();
    const optimizer = createOptimizer(tf, c.parameters, trainConfig({ file, model: "twoHeads", dataset: { kind: "shapes-seg" }, runsDir: dir }).optimizer);
    const { loss } = await trainStep(tf, c, [...c.parameters.values()], variableNames(c), optimizer, x, shape, new Int32Array(2), {
      labelSmoothing: 0,
      clipGradNorm: 0,
      target,
    });
    assert.ok(Math.abs(loss - expected) < 1e-5, `step loss ${loss}, out + 0.5 × aux ${expected}`);
    optimizer.dispose();
    c.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import type { InspectQuery } from "../../src/shared/training";
import { Inspector } from "../../src/trainer/inspect";
import { deps, EXAMPLES } from "./helpers/env";

/**
 * Issue 17: the inspector's `prepare` (a panel opened): the answers after it are those of a cold
 * inspector, byte for byte; its failures leave the next query's message unchanged; the prepared
 * model follows the editor's text.
 */

const FILE = path.join(EXAMPLES, "lenet5.ts");
const MODEL = "lenet5Mnist";
const TEXT = fs.readFileSync(FILE, "utf8");
const fm = (extra: Partial<Extract<InspectQuery, { kind: "featureMaps" }>> = {}): InspectQuery => ({
  kind: "featureMaps",
  file: FILE,
  model: MODEL,
  checkpoint: null,
  input: { kind: "sample", split: "validation", index: 4 },
  nodeIds: [1, 4],
  ...extra,
});
const gradient: InspectQuery = {
  kind: "inputGradient",
  file: FILE,
  model: MODEL,
  checkpoint: null,
  input: { kind: "sample", split: "train", index: 2 },
  nodeId: 4,
  unit: { channel: 1, y: 2, x: 2 },
};

describe("Inspector.prepare (issue 17)", { timeout: 120_000 }, () => {
  const inspectors: Inspector[] = [];
  const fresh = (): Inspector => (inspectors.push(new Inspector(deps())), inspectors.at(-1)!);
  after(() => inspectors.forEach((i) => i.dispose()));

  test("prepare, then the panels' queries: identical to a cold inspector's answers", async () => {
    const warm = fresh();
    const p = await warm.inspect({ kind: "prepare", file: FILE, model: MODEL, checkpoint: null });
    assert.deepEqual(p, { ok: true, value: { kind: "prepare" } });
    for (const q of [fm(), gradient, { kind: "dataset", file: FILE, model: MODEL, checkpoint: null } as const]) {
      assert.deepEqual(await warm.inspect(q), await fresh().inspect(q), q.kind);
    }
  });

  test("a failing prepare (a broken model, a missing checkpoint) leaves the next query's error as a cold inspector gives it", async () => {
    const broken = "export const lenet5Mnist = ;";
    const missing = path.join(path.dirname(FILE), "no-such-run", "checkpoints", "e0001-s000001.json");
    for (const [text, checkpoint] of [
      [broken, null],
      [undefined, missing],
    ] as const) {
      const warm = fresh();
      const p = await warm.inspect({ kind: "prepare", file: FILE, model: MODEL, checkpoint, ...(text ? { text } : {}) });
      assert.ok(!p.ok);
      const q = fm({ checkpoint, ...(text ? { text } : {}) });
      const after = await warm.inspect(q);
      assert.ok(!after.ok);
      assert.deepEqual(after, await fresh().inspect(q));
      assert.equal(p.error, after.error, "prepare reports what the request would");
    }
  });

  test("the prepared model follows the editor's text: an edit after prepare gives the new model's maps", async () => {
    const warm = fresh();
    assert.ok((await warm.inspect({ kind: "prepare", file: FILE, model: MODEL, checkpoint: null, text: TEXT })).ok);
    const edited = TEXT.replace(
      "      nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),\n      nn.Conv2d(6, 16, 5)",
      "      nn.Conv2d(1, 8, 5), nn.Tanh(), nn.AvgPool2d(2),\n      nn.Conv2d(8, 16, 5)",
    );
    assert.notEqual(edited, TEXT);
    const shapes = async (text: string) => {
      const r = await warm.inspect(fm({ text, nodeIds: [1] }));
      assert.ok(r.ok && r.value.kind === "featureMaps", r.ok ? "" : r.error);
      return r.value.maps.map((m) => m.tensor.shape);
    };
    assert.deepEqual(await shapes(edited), [[8, 24, 24]]);
    assert.deepEqual(await shapes(TEXT), [[6, 24, 24]]);
    // and the edited model's answer equals a cold inspector's
    assert.deepEqual(await warm.inspect(fm({ text: edited })), await fresh().inspect(fm({ text: edited })));
  });
});

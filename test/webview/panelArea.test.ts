import * as assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import type { AnalysisResult } from "../../src/shared/lsp";
import { createFake, fakeContext, install } from "../helpers/fakeVscode";
import { ROOT } from "./harness";

/**
 * Issue 19.1: CNN Studio's panels share one area beside the code. A new panel opens in the column
 * of the last CNN Studio panel (wherever the user moved it), never takes the focus from the code,
 * and opening a panel of the same kind and model again reveals it instead of adding another.
 */

const fake = createFake();
install(fake);
const panels = require("../../src/extension/panels/index") as typeof import("../../src/extension/panels/index");
const host = require("../../src/extension/panels/panelHost") as typeof import("../../src/extension/panels/panelHost");
type Services = import("../../src/extension/panels/services").PanelServices;

const context = fakeContext(path.join(os.tmpdir(), "cnn-studio-ext")) as unknown as Parameters<typeof panels.openCurvesPanel>[0];
const MNIST = path.join(ROOT, "examples", "mnist-cnn.ts");
const uri = `file://${MNIST}`;

function analysisOf(u: string): AnalysisResult {
  const file = u.replace(/^file:\/\//, "");
  const r = new Analyzer().analyzeFile(file);
  return {
    uri: u,
    file,
    version: null,
    isModelFile: true,
    models: r.models.map((m) => ({ ...m, edges: [] })),
    diagnostics: r.diagnostics,
    dependencies: r.dependencies,
  };
}

const services: Services = { analysis: async (u) => analysisOf(u), onDidAnalyze: () => ({ dispose() {} }), runsDir: () => undefined };

describe("the panel area (19.1)", () => {
  it("five panels open in the column of the last CNN Studio panel, keep the focus on the code, and reopening reveals", () => {
    const args = { uri, model: "ourCnn" };
    panels.openGraphPanel(context, services, args);
    const first = fake.panels[0]!;
    assert.equal(first.preserveFocus, true, "the code keeps the focus");
    // The user drags the first panel to column 3: the next ones follow it there.
    first.viewColumn = 3;
    panels.openReceptiveFieldPanel(context, services, args);
    panels.openFeatureMapsPanel(context, services, args);
    panels.openFiltersPanel(context, services, args);
    panels.openCurvesPanel(context, services, []);
    assert.equal(fake.panels.length, 5);
    assert.deepEqual(
      fake.panels.map((p) => [p.viewType, p.viewColumn, p.preserveFocus]),
      [
        ["cnnStudio.graph", 3, true],
        ["cnnStudio.receptiveField", 3, true],
        ["cnnStudio.featureMaps", 3, true],
        ["cnnStudio.filters", 3, true],
        ["cnnStudio.curves", 3, true],
      ],
    );
    panels.openGraphPanel(context, services, args);
    panels.openFiltersPanel(context, services, args);
    assert.equal(fake.panels.length, 5, "one panel per kind and model");
    assert.equal(first.revealed, 1);
    assert.equal(first.preserveFocus, true);
    for (const p of [...fake.panels]) p.dispose();
    assert.equal(host.panelColumn(), -2, "beside the active editor once every panel is closed");
  });
});

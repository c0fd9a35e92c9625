import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { defaultForm } from "../../src/extension/train/form";
import { validateTrainToWebview, type TrainToWebview } from "../../src/shared/webview/train";
import { weightsReportView, type TransferInfo } from "../../src/shared/webview/trainTransfer";
import { writeSafetensors } from "../../src/trainer/weightFiles/safetensors";
import { CSP_SOURCE, createFake, Emitter, install, makePanel, Uri, type FakePanel } from "../helpers/fakeVscode";
import { ROOT } from "./harness";

/**
 * The Train view's host side (src/extension/train/trainView.ts) against a fake `vscode`: its page
 * is the panels' (dist/webview/train.js under the nonce-only CSP), every message it sends passes
 * the protocol's check, and a malformed message from the webview is refused and logged by name.
 */

const fake = createFake();
const commands: string[] = [];
const workspace = fake.api["workspace"] as Record<string, unknown>;
Object.assign(workspace, {
  isTrusted: true,
  onDidGrantWorkspaceTrust: () => ({ dispose() {} }),
  getConfiguration: () => ({ get: <T>(_key: string, fallback: T): T => fallback }),
});
fake.api["commands"] = {
  executeCommand: async (id: string) => {
    commands.push(id);
  },
};
install(fake);
// Loaded after the fake is installed (it requires "vscode").
const { TrainViewProvider } = require("../../src/extension/train/trainView") as typeof import("../../src/extension/train/trainView");

const EXT = path.join(os.tmpdir(), "cnn-studio-ext");
const MNIST = path.join(ROOT, "examples", "mnist-cnn.ts");

function storeEntry(file: string): { uri: Uri; result: Record<string, unknown> } {
  const uri = Uri.file(file);
  const r = new Analyzer().analyzeFile(file);
  const result = {
    uri: uri.toString(),
    file,
    version: null,
    isModelFile: true,
    models: r.models.map((m) => ({ ...m, edges: [] })),
    diagnostics: r.diagnostics,
    dependencies: r.dependencies,
  };
  return { uri, result };
}

/** The view over `files` (the store's entries, which the test may grow and announce with `changed`). */
function openView(files: string[] = [MNIST]): {
  panel: FakePanel;
  started: unknown[];
  stopped: number[];
  entries: ReturnType<typeof storeEntry>[];
  changed: Emitter<void>;
  view: InstanceType<typeof TrainViewProvider>;
} {
  const entries = files.map(storeEntry);
  const changed = new Emitter<void>();
  const saved = new Map<string, unknown>();
  const context = {
    extensionUri: Uri.file(EXT),
    globalStorageUri: Uri.file(path.join(EXT, "storage")),
    workspaceState: { get: (k: string) => saved.get(k), update: async (k: string, v: unknown) => void saved.set(k, v) },
  };
  const store = { onDidChange: changed.event, entries: () => entries, ensureScanned: async () => {}, refreshFile: async () => {} };
  const started: unknown[] = [];
  const stopped: number[] = [];
  const training = {
    onDidChange: new Emitter<void>().event,
    active: undefined,
    currentRunDir: undefined,
    start: (config: unknown) => {
      started.push(config);
      return { kind: "started" };
    },
    stop: () => stopped.push(1),
  };
  const view = new TrainViewProvider(context as never, store as never, training as never);
  const panel = makePanel("cnnStudio.train", "Train", {});
  view.resolveWebviewView({ webview: panel.webview, onDidDispose: panel.onDidDispose } as never);
  return { panel, started, stopped, entries, changed, view };
}

const posted = (p: FakePanel, type: TrainToWebview["type"]): Record<string, unknown>[] =>
  (p.posted as Record<string, unknown>[]).filter((m) => m["type"] === type);

describe("Train view host (fake vscode)", () => {
  it("loads dist/webview/train.js under the panels' nonce-only CSP: no extension-wide script source, no inline styles", () => {
    const { panel } = openView();
    assert.equal(panel.webview.options.enableScripts, true);
    assert.equal(panel.webview.options.enableCommandUris, false);
    assert.deepEqual(
      panel.webview.options.localResourceRoots!.map((u) => u.fsPath),
      [path.join(EXT, "dist", "webview"), path.join(EXT, "media")],
      "not node_modules, not all of dist/",
    );
    const html = panel.webview.html;
    const csp = (/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "").replace(/&#39;/g, "'");
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? "";
    const styleSrc = /style-src ([^;]*)/.exec(csp)?.[1] ?? "";
    assert.match(scriptSrc, /^'nonce-[A-Za-z0-9_-]{32}'$/, `script-src is the nonce only: ${csp}`);
    assert.ok(!scriptSrc.includes(CSP_SOURCE), "no cspSource in script-src");
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(styleSrc, /^https:\/\/\*\.vscode-cdn\.net 'nonce-/);
    assert.match(
      html,
      new RegExp(`<script nonce="[^"]+" src="https://file%2B.vscode-resource.vscode-cdn.net${path.join(EXT, "dist", "webview", "train.js")}"></script>`),
    );
    assert.doesNotMatch(html, /<style|style="|bundled\.js|vscode-elements\.js|node_modules/, "no inline style, no whole vscode-elements bundle");
    assert.equal((html.match(/<script/g) ?? []).length, 1, "one script, no inline one");
  });

  it("answers ready with the form, the models and the status, each a valid message", async () => {
    const { panel } = openView();
    await panel.receive({ type: "ready", state: null });
    assert.deepEqual(
      panel.posted.map((m) => (m as { type: string }).type),
      ["state", "models", "status", "transfer"],
    );
    for (const m of panel.posted) {
      const r = validateTrainToWebview(m);
      assert.ok(r.ok, r.ok ? "" : r.error);
    }
    const models = posted(panel, "models")[0]!;
    assert.ok(String(models["selected"]).startsWith(`file://${MNIST}#`), "a model of the file is selected");
    assert.match((models["models"] as { label: string }[])[0]!.label, / — mnist-cnn\.ts$/);
  });

  it("starts what the form says, and validates each change", async () => {
    const { panel, started, stopped } = openView();
    await panel.receive({ type: "ready", state: null });
    const state = { ...defaultForm(), model: String(posted(panel, "models")[0]!["selected"]), epochs: "2" };
    await panel.receive({ type: "change", state: { ...state, epochs: "0" } });
    assert.equal((posted(panel, "validation")[0]!["errors"] as Record<string, string>)["epochs"], "Epochs must be at least 1");
    await panel.receive({ type: "start", state });
    assert.equal(started.length, 1);
    assert.equal((started[0] as { epochs: number }).epochs, 2);
    await panel.receive({ type: "stop" });
    await panel.receive({ type: "curves" });
    assert.equal(stopped.length, 1);
    assert.deepEqual(commands, ["cnnStudio.openCurves"]);
  });

  it("a model it picked itself that does not fit is replaced when a fitting one is analysed; a user's choice stays", async () => {
    const ALEXNET = path.join(ROOT, "examples", "alexnet.ts");
    const LENET = path.join(ROOT, "examples", "lenet5.ts");
    const selected = (p: FakePanel): string => String(posted(p, "models").at(-1)!["selected"]);
    // Only AlexNet (3×224×224, not the MNIST sample's size) is analysed when the view opens.
    const auto = openView([ALEXNET]);
    await auto.panel.receive({ type: "ready", state: null });
    assert.match(selected(auto.panel), /alexnet\.ts#alexnet$/);
    await auto.panel.receive({ type: "change", state: { ...defaultForm(), model: selected(auto.panel) } });
    auto.entries.push(storeEntry(LENET));
    auto.changed.fire();
    assert.match(selected(auto.panel), /lenet5\.ts#lenet5Mnist$/, "the fitting model replaces the automatic pick");
    // The same, but the user chose AlexNet (say, to switch to an image folder next).
    const chosen = openView([LENET, ALEXNET]);
    await chosen.panel.receive({ type: "ready", state: null });
    const alexnet = (posted(chosen.panel, "models")[0]!["models"] as { id: string }[]).find((m) => m.id.endsWith("#alexnet"))!.id;
    await chosen.panel.receive({ type: "change", state: { ...defaultForm(), model: alexnet } });
    chosen.changed.fire();
    assert.equal(selected(chosen.panel), alexnet, "the user's choice stays");
  });

  it("the automatic pick is the smallest fitting model so far, even when the webview echoes an earlier pick late", async () => {
    const VIT = path.join(ROOT, "examples", "vit-mnist.ts");
    const LENET = path.join(ROOT, "examples", "lenet5.ts");
    const selected = (p: FakePanel): string => String(posted(p, "models").at(-1)!["selected"]);
    // Only the MNIST ViT is analysed when the view opens: it fits, and is picked.
    const v = openView([VIT]);
    await v.panel.receive({ type: "ready", state: null });
    const vit = selected(v.panel);
    assert.match(vit, /vit-mnist\.ts#vitMnist$/);
    // LeNet-5 arrives: a smaller fitting model replaces the pick nobody made...
    v.entries.push(storeEntry(LENET));
    v.changed.fire();
    assert.match(selected(v.panel), /lenet5\.ts#lenet5Mnist$/);
    // ...and the webview's late echo of the earlier pick is not a user's choice (seen in the E2E).
    await v.panel.receive({ type: "change", state: { ...defaultForm(), model: vit } });
    v.changed.fire();
    assert.match(selected(v.panel), /lenet5\.ts#lenet5Mnist$/, "the echo of an automatic pick does not stick");
  });

  it("the Train code lens shows the view with that model and focuses Start once the page is ready (19.2)", async () => {
    const { panel, view } = openView();
    const uri = Uri.file(MNIST).toString();
    await view.show({ uri, model: "ourCnn" });
    assert.equal(posted(panel, "focus").length, 0, "not before the page is ready");
    await panel.receive({ type: "ready", state: null });
    assert.equal(posted(panel, "models")[0]!["selected"], `${uri}#ourCnn`);
    assert.equal(posted(panel, "focus").length, 1);
    assert.ok(commands.includes("cnnStudio.train.focus"));
    await view.show();
    assert.equal(posted(panel, "focus").length, 1, "the view opened by itself leaves the focus alone");
  });

  it("a valid model beside a broken one in the same file can be started; the broken one is named (19.7)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-two-models-"));
    const file = path.join(dir, "two.ts");
    fs.writeFileSync(
      file,
      fs
        .readFileSync(MNIST, "utf8")
        .replace(
          "export const ourCnn = new OurCNN();",
          "export const ourCnn = new OurCNN();\n\n/** @input [N, 3, 28, 28] */\nexport const myMnist = new OurCNN();",
        ),
    );
    const { panel, started } = openView([file]);
    await panel.receive({ type: "ready", state: null });
    const uri = Uri.file(file).toString();
    const labels = posted(panel, "models")[0]!["models"] as { id: string; detail: string }[];
    assert.match(labels.find((m) => m.id === `${uri}#myMnist`)!.detail, /^myMnist has 1 error; fix it first$/);
    await panel.receive({ type: "start", state: { ...defaultForm(), model: `${uri}#ourCnn`, epochs: "1" } });
    assert.equal(started.length, 1, "ourCnn starts");
    await panel.receive({ type: "start", state: { ...defaultForm(), model: `${uri}#myMnist`, epochs: "1" } });
    assert.equal(started.length, 1, "myMnist does not");
    const errors = posted(panel, "validation").at(-1)!["errors"] as { model?: string };
    assert.match(errors.model ?? "", /^myMnist has 1 error/);
  });

  it("refuses a malformed message from the webview, naming it, and changes nothing", async () => {
    const { panel, started } = openView();
    fake.logs.length = 0;
    await panel.receive({ type: "start", state: { ...defaultForm(), epochs: 5 } });
    await panel.receive({ type: "launch" });
    await panel.receive("start");
    assert.equal(started.length, 0, "nothing started");
    assert.deepEqual(panel.posted, [], "nothing answered");
    assert.deepEqual(fake.logs, [
      'warn [train] ignored a message from the webview: train webview→host message "start".state.epochs must be a string, got 5',
      'warn [train] ignored a message from the webview: unknown train webview→host message type "launch" (expected one of ready, log, change, browse, chooseWeights, start, stop, curves)',
      'warn [train] ignored a message from the webview: a train webview→host message must be an object, got "start"',
    ]);
  });

  it("Start from weights: the file matched against the selected model, the report shown, the freeze checked and counted; Start carries them", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-weights-"));
    const file = path.join(dir, "pretrained.safetensors");
    const t = (name: string, shape: number[]): { name: string; shape: number[]; values: Float32Array } => ({
      name,
      shape,
      values: new Float32Array(shape.reduce((a, d) => a * d, 1)),
    });
    writeSafetensors(file, [t("conv1.weight", [16, 1, 3, 3]), t("conv1.bias", [16]), t("fc2.weight", [1000, 128]), t("head.weight", [2])]);
    const { panel, started, view } = openView();
    await panel.receive({ type: "ready", state: null });
    const model = String(posted(panel, "models")[0]!["selected"]);
    const state = { ...defaultForm(), model, epochs: "1", freeze: "conv1, conv2" };
    await panel.receive({ type: "change", state });
    await view.chooseWeights(file);
    assert.deepEqual(posted(panel, "set").at(-1), { type: "set", field: "weights", value: file });
    const info = posted(panel, "transfer").at(-1)!["info"] as TransferInfo;
    assert.ok(validateTrainToWebview(posted(panel, "transfer").at(-1)).ok);
    const report = info.weights!.report!;
    assert.deepEqual(report.loaded, ["conv1.weight", "conv1.bias"]);
    assert.deepEqual(report.mismatched, [{ name: "fc2.weight", fileShape: [1000, 128], modelShape: [10, 128] }]);
    assert.deepEqual(report.missing, ["conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.bias"]);
    assert.deepEqual(report.unexpected, ["head.weight"]);
    assert.equal(weightsReportView(report).headline, "2 of 8 tensors load");
    assert.deepEqual(info.freezeNames.slice(0, 4), ["conv1", "conv1.weight", "conv1.bias", "conv2"], "module paths and parameter names, in state_dict order");
    // conv1 (160) and conv2 (4,640) of 206,922 parameters frozen
    assert.equal(info.trainable, "202,122 trainable of 206.9K parameters");
    const [uri, name] = [model.slice(0, model.lastIndexOf("#")), model.slice(model.lastIndexOf("#") + 1)];
    assert.equal(view.transfer.trainableFor(uri, name), info.trainable, "what the Models view and the code lens show");
    assert.equal(view.transfer.trainableFor(uri, "other"), undefined);

    // a glob that matches nothing is named next to its field, as the command line names it
    await panel.receive({ type: "change", state: { ...state, weights: file, freeze: "conv1,features.*" } });
    const errors = posted(panel, "validation").at(-1)!["errors"] as Record<string, string>;
    assert.match(errors["freeze"]!, /^--freeze features\.\* matches no parameter of ourCnn/);
    assert.equal(view.transfer.trainableFor(uri, name), undefined, "no count while the freeze is invalid");

    await panel.receive({ type: "start", state: { ...state, weights: file, lrFor: "fc1=0.001\n" } });
    assert.equal(started.length, 1);
    assert.deepEqual((started[0] as { transfer: unknown }).transfer, { weights: file, freeze: ["conv1", "conv2"], lrFor: [{ glob: "fc1", lr: 0.001 }] });

    // a file that is not weights: refused, naming it; Start refuses too
    const bad = path.join(dir, "notes.pth");
    fs.writeFileSync(bad, "not a weights file at all");
    await view.chooseWeights(bad);
    const badInfo = posted(panel, "transfer").at(-1)!["info"] as TransferInfo;
    assert.equal(badInfo.weights!.report, null);
    assert.match(badInfo.weights!.error!, new RegExp(`^${bad.replace(/[.\\/]/g, "\\$&")} is neither a PyTorch file`));
    await panel.receive({ type: "start", state: { ...state, weights: bad } });
    assert.equal(started.length, 1, "not started");
    assert.match((posted(panel, "validation").at(-1)!["errors"] as Record<string, string>)["weights"]!, /notes\.pth is neither/);

    // cleared: no transfer section at all (the config of a run without it stays as it was)
    await panel.receive({ type: "change", state: { ...state, freeze: "" } });
    await panel.receive({ type: "start", state: { ...state, freeze: "" } });
    assert.equal(started.length, 2);
    assert.equal("transfer" in (started[1] as object), false);
    assert.equal((posted(panel, "transfer").at(-1)!["info"] as TransferInfo).weights, null);
  });

  it("passes the webview's log messages to the panels' output channel", async () => {
    const { panel } = openView();
    fake.logs.length = 0;
    await panel.receive({ type: "log", level: "error", message: "boom" });
    assert.deepEqual(fake.logs, ["error [train] boom"]);
  });

  it("issue 19: choosing a 3×32×32 model switches the bundled sample to Shapes-10, a 1×28×28 one back to MNIST; a folder stays", async () => {
    const SIMPLE = path.join(ROOT, "examples", "simple-cnn.ts");
    const LENET = path.join(ROOT, "examples", "lenet5.ts");
    const { panel } = openView([SIMPLE, LENET]);
    await panel.receive({ type: "ready", state: null });
    const ids = (posted(panel, "models")[0]!["models"] as { id: string }[]).map((m) => m.id);
    const simple = ids.find((id) => id.endsWith("#simpleCnn"))!;
    const lenet = ids.find((id) => id.endsWith("#lenet5Mnist"))!;
    const lastState = (): Record<string, unknown> => posted(panel, "state").at(-1)!["state"] as Record<string, unknown>;
    await panel.receive({ type: "change", state: { ...defaultForm(), model: lenet } });
    await panel.receive({ type: "change", state: { ...defaultForm(), model: simple } });
    assert.equal(lastState()["dataset"], "shapes10-sample");
    assert.deepEqual(posted(panel, "validation").at(-1)!["errors"] as Record<string, string>, {}, "SimpleCNN trains on it as it is");
    await panel.receive({ type: "change", state: { ...defaultForm(), model: lenet, dataset: "shapes10-sample" } });
    assert.equal(lastState()["dataset"], "mnist-sample");
    const states = posted(panel, "state").length;
    await panel.receive({ type: "change", state: { ...defaultForm(), model: simple, dataset: "folder", datasetDir: "/data/pets" } });
    assert.equal(posted(panel, "state").length, states, "a folder the person chose is not replaced");
  });
});

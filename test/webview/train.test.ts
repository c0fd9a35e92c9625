import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultForm } from "../../src/extension/train/form";
import { validateTrainToHost, type TrainFormState } from "../../src/shared/webview/train";
import { assertCleanPage, ensureChromium, panelSession, type PanelPage } from "./harness";
import type { PageDocument } from "./page";

// Globals of the page, for the callbacks that run there (see page.ts).
declare const document: PageDocument;
declare const window: unknown;

const chromium = ensureChromium();
const skip = "skip" in chromium ? chromium.skip : false;

/** The Train view's page (dist/webview/train.js) in headless Chromium, under the panels' CSP. */
describe("Train view (headless Chromium)", { skip }, () => {
  const session = panelSession(chromium);
  const MODELS = [
    { id: "file:///w/mnist.ts#lenet", label: "lenet — mnist.ts", detail: "[N, 1, 28, 28] → [N, 10] · 61.7K params" },
    { id: "file:///w/mnist.ts#big", label: "big — mnist.ts", detail: "big takes [N, 3, 64, 64]; the trainer needs an image input [N, C, H, W]" },
  ];
  const form: TrainFormState = { ...defaultForm({ backend: "auto" }), optimizer: "sgd", lr: "0.01", schedule: "step" };

  async function loaded(theme: "dark" | "light"): Promise<PanelPage> {
    const p = await session.open("train", theme, { width: 340, height: 900 });
    const ready = await p.waitForPosted("ready");
    assert.ok(validateTrainToHost(ready).ok, "ready is a valid message");
    assert.equal(ready["state"], null, "no kept form: the host sends its own");
    await p.post({ type: "state", state: form });
    await p.post({ type: "models", models: MODELS, selected: MODELS[0]!.id });
    await p.post({ type: "status", text: "", kind: "info", detail: "", training: false, canStart: true, hasRun: true });
    await p.post({ type: "validation", errors: { epochs: "Epochs must be at most 10000" }, preview: "Train lenet on the bundled MNIST sample for 5 epochs." });
    await p.page.waitForFunction(() => (document.querySelector("#preview")?.textContent ?? "") !== "");
    return p;
  }

  for (const theme of ["dark", "light"] as const) {
    it(`renders the form from the settings table, and shows the host's problems (${theme})`, async () => {
      const p = await loaded(theme);
      try {
        const labels = await p.page.$$eval("vscode-label", (els) => els.filter((e) => !e.closest("[hidden]")).map((e) => e.textContent ?? ""));
        assert.deepEqual(labels, [
          "Model",
          "Dataset",
          "Epochs",
          "Batch size",
          "Optimizer",
          "Learning rate",
          "Momentum",
          "Weight decay",
          "Learning-rate schedule",
          "Step size (epochs)",
          "Gamma",
          "Clip gradient norm",
          "Label smoothing",
          "Random crop padding (pixels, 0 = off)",
          "Seed",
          "Freeze (parameter globs, comma-separated)",
          "Learning rate per group (GLOB=LR, one a line; the first match wins)",
          "Backend",
        ]);
        assert.equal(await p.page.getAttribute("#epochs", "type"), "number");
        assert.equal(await p.page.getAttribute("#epochs", "max"), "10000", "the table's limit");
        assert.equal(await p.page.$eval("#lr", (e) => (e as unknown as { value: string }).value), "0.01");
        assert.equal(await p.page.textContent("#error-epochs"), "Epochs must be at most 10000");
        assert.equal(await p.page.isVisible("#error-epochs"), true);
        assert.equal(await p.page.isVisible("#curves"), true, "a run exists");
        assert.equal(await p.page.isVisible("#stop"), false);
        await p.screenshot(`train-${theme}`);
        await assertCleanPage(p);
      } finally {
        await p.close();
      }
    });
  }

  it("shows the weights report before Start, completes the freeze field, says the trainable count, and clears", async () => {
    const p = await loaded("dark");
    try {
      const report = {
        file: "/w/resnet18.pth",
        loaded: Array.from({ length: 120 }, (_, i) => `t${i}`),
        missing: [],
        unexpected: ["extra.weight"],
        mismatched: [
          { name: "fc.weight", fileShape: [1000, 512], modelShape: [10, 512] },
          { name: "fc.bias", fileShape: [1000], modelShape: [10] },
        ],
        notes: [],
      };
      await p.post({ type: "set", field: "weights", value: "/w/resnet18.pth" });
      await p.post({
        type: "transfer",
        info: {
          weights: { path: "/w/resnet18.pth", source: "/w/resnet18.pth", report, error: null },
          freezeNames: ["conv1", "conv1.weight", "layer1", "layer1.0.conv1.weight", "fc", "fc.weight"],
          trainable: "5,130 trainable of 11.69M parameters",
        },
      });
      await p.page.waitForSelector("#weights-report", { state: "visible" });
      assert.equal(await p.page.textContent("#weights-headline"), "120 of 122 tensors load");
      assert.equal(await p.page.textContent("#weights-counts"), "2 mismatched · 0 missing · 1 unexpected");
      const lines = await p.page.$$eval("#weights-lines li", (els) => els.map((e) => e.textContent ?? ""));
      assert.equal(lines[0], "fc.weight: file [1000, 512], model [10, 512] — kept freshly initialised");
      assert.equal(await p.page.isVisible("#clearWeights"), true);
      assert.equal(await p.page.textContent("#freeze-trainable"), "5,130 trainable of 11.69M parameters");
      // typing a glob and a comma offers the other names after it
      await p.page.fill("#freeze", "conv1,");
      const options = await p.page.$$eval("#freeze-names option", (els) => els.map((e) => e.getAttribute("value") ?? ""));
      assert.deepEqual(options.slice(0, 2), ["conv1,conv1.weight", "conv1,layer1"]);
      const change = await p.page.waitForFunction(() =>
        (window as unknown as { __cs: { rec: { posted: { type?: string; state?: { freeze?: string; weights?: string } }[] } } }).__cs.rec.posted.some(
          (m) => m.type === "change" && m.state?.freeze === "conv1," && m.state.weights === "/w/resnet18.pth",
        ),
      );
      assert.ok(change, "the form carries the weights and the freeze");
      await p.post({ type: "validation", errors: { freeze: "--freeze: an empty glob in 'conv1,'" }, preview: "" });
      assert.equal(await p.page.textContent("#error-freeze"), "--freeze: an empty glob in 'conv1,'");
      await p.page.$eval("#weights-report", (e) => e.scrollIntoView());
      await p.screenshot("train-weights-dark");
      // a file that cannot be used says so, naming it
      await p.post({
        type: "transfer",
        info: {
          weights: { path: "/w/evil.pth", source: "/w/evil.pth", report: null, error: "/w/evil.pth: refused global posix.system" },
          freezeNames: [],
          trainable: "",
        },
      });
      await p.page.waitForFunction(() => document.querySelector("#weights-counts")?.textContent === "/w/evil.pth: refused global posix.system");
      assert.equal(await p.page.textContent("#weights-headline"), "This file cannot be used");
      await p.page.click("#clearWeights");
      await p.page.waitForFunction(() =>
        (window as unknown as { __cs: { rec: { posted: { type?: string; state?: { weights?: string } }[] } } }).__cs.rec.posted.some(
          (m) => m.type === "change" && m.state?.weights === "",
        ),
      );
      assert.equal(await p.page.isVisible("#weights-report"), false);
      p.errors.length = 0;
    } finally {
      await p.close();
    }
  });

  it("sends the form on Start, hides settings that do not apply, and refuses a malformed host message", async () => {
    const p = await loaded("dark");
    try {
      await p.page.waitForFunction(() => (document.querySelector("#model") as unknown as { value: string } | null)?.value === "file:///w/mnist.ts#lenet");
      // typing in a field sends the form to the host for checking (as the e2e test types 1 epoch)
      await p.page.fill("#epochs input", "1");
      await p.page.waitForFunction(() =>
        (window as unknown as { __cs: { rec: { posted: { type?: string; state?: { epochs?: string } }[] } } }).__cs.rec.posted.some(
          (m) => m.type === "change" && m.state?.epochs === "1",
        ),
      );
      await p.page.click("#start");
      const startMsg = await p.waitForPosted("start");
      const r = validateTrainToHost(startMsg);
      assert.ok(r.ok, r.ok ? "" : r.error);
      assert.equal(r.value.type === "start" && r.value.state.model, MODELS[0]!.id);
      assert.equal(r.value.type === "start" && r.value.state.optimizer, "sgd");
      assert.equal(r.value.type === "start" && r.value.state.epochs, "1");

      // the host switches to Adam: momentum (SGD only) hides, as the table's `when` says
      await p.post({ type: "state", state: { ...form, optimizer: "adam", dataset: "folder", datasetDir: "/data" } });
      const hidden = (id: string): Promise<boolean> => p.page.$eval(`#${id}`, (e) => e.hasAttribute("hidden"));
      assert.equal(await hidden("group-momentum"), true);
      assert.equal(await hidden("group-validationFraction"), false, "image folders hold out a validation fraction");
      assert.equal(await hidden("group-datasetDir"), false);
      assert.equal(await hidden("group-stepSize"), false);
      assert.equal(await hidden("group-warmupEpochs"), true, "the warm-up means something only for warmup-cosine");
      assert.equal(await hidden("group-clipGradNorm"), false);
      assert.equal(await hidden("group-labelSmoothing"), false);
      await p.post({ type: "state", state: { ...form, schedule: "warmup-cosine", warmupEpochs: "2", excludeFromDecay: true } });
      assert.equal(await hidden("group-warmupEpochs"), false);
      assert.equal(await hidden("group-stepSize"), true);
      assert.equal(await p.page.$eval("#warmupEpochs", (e) => (e as unknown as { value: string }).value), "2");
      assert.equal(await p.page.$eval("#excludeFromDecay", (e) => (e as unknown as { checked: boolean }).checked), true);

      await p.post({ type: "status", text: "Training lenet", kind: "nope", detail: "", training: true, canStart: true, hasRun: true });
      const log = await p.waitForPosted("log");
      assert.match(
        String(log["message"]),
        /ignored a message from the host: train host→webview message "status"\.kind must be one of "info", "warning", "error", got "nope"/,
      );
      assert.equal(await p.page.isVisible("#stop"), false, "the bad message changed nothing");
      await p.post({ type: "status", text: "Training lenet: epoch 1/5", kind: "info", detail: "backend wasm", training: true, canStart: true, hasRun: true });
      await p.page.waitForSelector("#stop", { state: "visible" });
      assert.equal(await p.page.textContent("#status"), "Training lenet: epoch 1/5");
      assert.equal(await p.page.textContent("#detail"), "backend wasm");
      assert.equal(await p.page.$eval("#start", (e) => e.hasAttribute("disabled")), true, "Start is disabled while training");
      p.errors.length = 0;
    } finally {
      await p.close();
    }
  });
});

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { RunStore } from "../../src/extension/runs/runStore";
import { trainConfig, type TrainerEvent } from "../../src/shared/training";
import { TrainerClient } from "../../src/trainer/trainerClient";
import { smallMnistIdx } from "../trainer/helpers/env";
import { createFakeVscode, installFakeVscode } from "../helpers/fakeVscode";

/**
 * The extension's TrainingController with the PyTorch engine (the Train view's backend "torch"):
 * the trainer process (dist/trainer.js) with the engine `torch` in its start request and the
 * Python extension's selected interpreter, the same events, status
 * bar text, stop (with a checkpoint) and resume (with the engine the run's config.json names) as
 * the TensorFlow.js engine; the Runs view says backend "torch". Skipped without Debian's
 * python3-torch.
 */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const PYTHON = process.env["CNN_STUDIO_TEST_PYTHON"] ?? "/usr/bin/python3";
const LENET = path.join(ROOT, "examples", "lenet5.ts");
const fake = createFakeVscode(ROOT);
installFakeVscode(fake.api);
const { TrainingController, statusText } =
  require("../../src/extension/train/trainingController") as typeof import("../../src/extension/train/trainingController");
const { selectedPython } = require("../../src/extension/train/selectedPython") as typeof import("../../src/extension/train/selectedPython");

/** The Python extension's API as VS Code hands it out (environments API). */
function pythonExtension(python: string): unknown {
  return {
    isActive: false,
    activate: async () => ({
      environments: {
        getActiveEnvironmentPath: () => ({ id: "debian", path: python }),
        resolveEnvironment: async () => ({ executable: { uri: { fsPath: python } } }),
      },
    }),
  };
}

test("the Python extension's interpreter, else python.defaultInterpreterPath, else none", async () => {
  const extensions = fake.api["extensions"] as { getExtension: (id: string) => unknown };
  const workspace = fake.api["workspace"] as { getConfiguration: unknown };
  const getExtension = extensions.getExtension;
  const getConfiguration = workspace.getConfiguration;
  try {
    extensions.getExtension = (id) => (id === "ms-python.python" ? pythonExtension("/envs/torch/bin/python") : undefined);
    assert.deepEqual(await selectedPython(), { python: "/envs/torch/bin/python", source: "the Python extension's interpreter" });
    // an extension whose API is not what we know, or that throws, counts as none
    extensions.getExtension = () => ({ isActive: true, exports: { environments: { getActiveEnvironmentPath: () => 42 } } });
    assert.equal(await selectedPython(), undefined);
    extensions.getExtension = () => ({ isActive: false, activate: () => Promise.reject(new Error("no")) });
    workspace.getConfiguration = () => ({ get: (key: string) => (key === "defaultInterpreterPath" ? "/usr/local/bin/python3.12" : undefined) });
    assert.deepEqual(await selectedPython(), { python: "/usr/local/bin/python3.12", source: "python.defaultInterpreterPath" });
    workspace.getConfiguration = () => ({ get: () => "python" });
    assert.equal(await selectedPython(), undefined, "the setting's default says nothing");
  } finally {
    extensions.getExtension = getExtension;
    workspace.getConfiguration = getConfiguration;
  }
});

test("the trainer process runs the engine its start request names (not an environment variable): PyTorch refuses feature maps", async () => {
  const client = new TrainerClient({ trainerPath: path.join(ROOT, "dist", "trainer.js") });
  assert.equal((await client.ping()).state, "idle");
  await assert.rejects(client.featureMaps([1], "train", 0), /no run has been started in this trainer \(state: idle\)/);
  const failed = new Promise<TrainerEvent>((resolve) => client.on((e) => e.type === "error" && e.phase !== "request" && resolve(e)));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-engine-"));
  const config = trainConfig({ file: LENET, model: "lenet5Mnist", dataset: { kind: "mnist-sample" }, runsDir: path.join(home, "runs"), epochs: 1 });
  assert.ok(client.start(config, { name: "torch", python: path.join(home, "no-such-python") }));
  const e = await failed;
  assert.ok(e.type === "error");
  assert.match(e.message, /^No Python interpreter found \(tried .*no-such-python \(not found\)\)/, "the PyTorch engine ran, with the request's interpreter");
  await assert.rejects(client.featureMaps([1], "train", 0), /the PyTorch engine's run computes no feature maps/);
  assert.deepEqual(await client.shutdown(), { code: 0, signal: null });
});

test("TrainingController trains with the PyTorch engine: events, status bar, stop, resume, Runs view", async (t) => {
  if (!fs.existsSync(PYTHON)) return t.skip(`${PYTHON} not found: install python3-torch (Debian) to test the PyTorch engine`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-ext-torch-"));
  const data = smallMnistIdx(320, 100);
  const extensions = fake.api["extensions"] as { getExtension: (id: string) => unknown };
  const getExtension = extensions.getExtension;
  extensions.getExtension = (id) => (id === "ms-python.python" ? pythonExtension(PYTHON) : undefined);
  const context = { ...fake.context, asAbsolutePath: (p: string) => (p === path.join("dist", "trainer.js") ? path.join(ROOT, p) : path.join(home, p)) };
  const output: string[] = [];
  const channel = { appendLine: (s: string) => output.push(s), show: () => undefined } as unknown as import("vscode").OutputChannel;
  const controller = new TrainingController(context as unknown as import("vscode").ExtensionContext, channel, () => path.join(home, "backends"));
  const events: TrainerEvent[] = [];
  const statusTexts: string[] = [];
  controller.onTrainingEvent(({ event }) => events.push(event));
  controller.onDidChange(() => {
    if (controller.active?.progress) statusTexts.push(statusText(controller.active));
  });
  /** Resolves when the active run has ended. */
  const ended = (): Promise<void> =>
    new Promise((resolve) => {
      const d = controller.onDidChange(() => {
        if (!controller.active) {
          d.dispose();
          resolve();
        }
      });
    });
  try {
    const config = trainConfig({
      file: LENET,
      model: "lenet5Mnist",
      dataset: { kind: "idx", dir: data },
      runsDir: path.join(home, "runs"),
      epochs: 2,
      batchSize: 32,
      seed: 5,
    });
    const first = ended();
    const stopAtStep = 3;
    const d = controller.onTrainingEvent(({ event }) => {
      if (event.type === "progress" && event.globalStep === stopAtStep) controller.stop();
    });
    const r = controller.start(config, "torch");
    assert.equal(r.kind, "started");
    assert.equal(controller.start(config, "torch").kind, "busy");
    await first;
    d.dispose();
    // a run that fails before its folder exists has no events for the run; the user sees an error message
    const failure = fake.record.messages.find((m) => m.level === "error");
    if (failure && /PyTorch is not installed/.test(failure.text))
      return t.skip(`PyTorch is not installed for ${PYTHON}: install python3-torch (Debian) to test the PyTorch engine`);
    assert.equal(failure, undefined, `${failure?.text}\n${output.join("\n")}`);
    assert.ok(output.includes(`[trainer] PyTorch engine: ${PYTHON} (the Python extension's interpreter)`), output.join("\n"));
    assert.ok(
      output.some((l) => /^\[trainer\] backend torch on (cpu|cuda)/.test(l)),
      output.join("\n"),
    );
    const started = events.find((e) => e.type === "started");
    assert.ok(started?.type === "started");
    assert.equal(started.backend, "torch");
    assert.equal(started.stepsPerEpoch, 10);
    const stopped = events.at(-1)!;
    assert.ok(stopped.type === "stopped" && stopped.step >= stopAtStep && stopped.checkpoint !== null, JSON.stringify(stopped));
    assert.ok(
      statusTexts.some((s) => /^\$\((sync~spin|debug-pause)\) lenet5Mnist · epoch 1\/2 · (train \(batch\)|val) \d+\.\d% · [\d,]+ img\/s$/.test(s)),
      statusTexts.join("\n"),
    );
    assert.equal(controller.currentRunDir, started.runDir);

    const store = new RunStore();
    const afterStop = (await store.read(started.runDir))!;
    assert.equal(afterStop.state, "stopped");
    assert.equal(afterStop.backend, "torch");
    assert.ok(afterStop.hasCheckpoint);

    // resume: the run's config.json names the engine
    events.length = 0;
    const second = ended();
    assert.equal(controller.resume(started.runDir).kind, "started");
    await second;
    const resumed = events.find((e) => e.type === "started");
    assert.ok(resumed?.type === "started" && resumed.backend === "torch" && resumed.resumedFrom?.globalStep === stopped.globalStep, JSON.stringify(resumed));
    const done = events.at(-1)!;
    assert.equal(done.type, "completed", JSON.stringify(events.filter((e) => e.type === "error")));
    const afterResume = (await new RunStore().read(started.runDir))!;
    assert.equal(afterResume.state, "completed");
    assert.equal(afterResume.backend, "torch");
    assert.equal(afterResume.epoch, 2);
  } finally {
    extensions.getExtension = getExtension;
    controller.dispose();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  }
  return undefined;
});

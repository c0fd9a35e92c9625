import * as assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { createFakeVscode, installFakeVscode } from "../helpers/fakeVscode";

/** Issue 19.3: the end-of-run notifications carry the next action; Evaluate only where its command exists. */

const { api } = createFakeVscode(path.resolve(__dirname, "../../.."));
const shown: { text: string; actions: string[] }[] = [];
const executed: unknown[][] = [];
let registered: string[] = [];
let answer: string | undefined;
Object.assign(api["window"] as object, {
  showInformationMessage: async (text: string, ...actions: string[]) => {
    shown.push({ text, actions });
    return answer;
  },
});
Object.assign(api["commands"] as object, {
  getCommands: async () => registered,
  executeCommand: async (...args: unknown[]) => void executed.push(args),
});
installFakeVscode(api);
const n = require("../../src/extension/train/runNotifications") as typeof import("../../src/extension/train/runNotifications");

test("Finished — Open Curves / Feature Maps, and Evaluate once its command is registered", async () => {
  registered = ["cnnStudio.openCurves"];
  answer = "Feature Maps";
  await n.notifyFinished("lenet5Mnist", "/runs/a", 0.9641);
  assert.deepEqual(shown.at(-1), { text: "CNN Studio: lenet5Mnist finished training — validation accuracy 96.41%.", actions: ["Open Curves", "Feature Maps"] });
  assert.deepEqual(executed.at(-1), ["cnnStudio.openFeatureMaps", { runDir: "/runs/a" }]);
  registered = ["cnnStudio.openCurves", "cnnStudio.openEvaluation"];
  answer = "Evaluate";
  await n.notifyFinished("lenet5Mnist", "/runs/a", null);
  assert.deepEqual(shown.at(-1)!.actions, ["Open Curves", "Feature Maps", "Evaluate"]);
  assert.deepEqual(executed.at(-1), ["cnnStudio.openEvaluation", "/runs/a"]);
});

test("Stopped — Resume (with a checkpoint), Open Curves", async () => {
  answer = "Resume";
  await n.notifyStopped("lenet5Mnist", 2, "/runs/b", true);
  assert.deepEqual(shown.at(-1), { text: "CNN Studio: lenet5Mnist stopped at epoch 2 (checkpoint saved).", actions: ["Resume", "Open Curves"] });
  assert.deepEqual(executed.at(-1), ["cnnStudio.resumeRun", "/runs/b"]);
  answer = undefined;
  const before = executed.length;
  await n.notifyStopped("lenet5Mnist", 1, "/runs/c", false);
  assert.deepEqual(shown.at(-1)!.actions, ["Open Curves"], "nothing to resume from");
  assert.equal(executed.length, before, "dismissed: nothing runs");
});

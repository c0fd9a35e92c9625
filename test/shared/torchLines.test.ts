import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { trainConfig } from "../../src/shared/training";
import { parseTorchLine } from "../../src/shared/torchLines";
import { TorchTrainingSession, type TorchEvent } from "../../src/trainer/engines/torch/pythonRun";

/** The PyTorch engine's JSON lines (src/shared/torchLines.ts): checked like every other boundary. */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const HELLO = { type: "hello", torch: "2.1.0", python: "3.11.2", cuda: false, cudaVersion: null, device: "cpu", deviceName: null, cudaError: null, threads: 2 };

describe("the PyTorch engine's lines", () => {
  test("valid lines are typed messages; stray prints are no messages", () => {
    assert.deepEqual(parseTorchLine(JSON.stringify(HELLO)), { ok: true, value: HELLO });
    const step = {
      type: "step",
      epoch: 1,
      step: 2,
      globalStep: 2,
      loss: null,
      accuracy: 0.5,
      lr: 0.01,
      momentum: 0.9,
      imagesPerSecond: 10,
      etaSeconds: 3,
      time: "2026-01-01T00:00:00.000Z",
    };
    assert.deepEqual(parseTorchLine(JSON.stringify(step)), { ok: true, value: step });
    const stopped = { type: "done", kind: "stopped", epoch: 1, step: 3, globalStep: 3, checkpoint: null };
    assert.deepEqual(parseTorchLine(JSON.stringify(stopped)), { ok: true, value: stopped });
    assert.equal(parseTorchLine("epoch 1 of my model's own print"), null);
    assert.equal(parseTorchLine("42"), null);
  });

  test("a malformed line is an error naming the message, the field, the value and the line", () => {
    const line = '{"type":"ready","params":10,"stepsPerEpoch":"many"}';
    assert.deepEqual(parseTorchLine(line), {
      ok: false,
      error: `PyTorch engine line "ready".stepsPerEpoch must be a number, got "many" (in the line ${line})`,
    });
    assert.match(
      (parseTorchLine('{"type":"progress"}') as { error: string }).error,
      /^unknown PyTorch engine line type "progress" \(expected one of hello, ready, step, epoch, checkpoint, done, error\)/,
    );
    assert.match(
      (parseTorchLine('{"type":"done","kind":"paused"}') as { error: string }).error,
      /^PyTorch engine line "done".kind must be one of "completed", "stopped", got "paused"/,
    );
  });

  test("a run whose Python sends a malformed line ends with that error, not a crash or a hang", async (t) => {
    if (process.platform === "win32") return t.skip("the stand-in Python is a shell script");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-lines-"));
    // a stand-in interpreter: says hello, reads the job, then sends a malformed "ready"
    const python = path.join(dir, "python");
    fs.writeFileSync(
      python,
      `#!/bin/sh\necho '${JSON.stringify(HELLO)}'\nread job\necho 'not json: a stray print'\necho '{"type":"ready","params":10,"stepsPerEpoch":"many"}'\nsleep 5\n`,
      { mode: 0o755 },
    );
    const events: TorchEvent[] = [];
    const session = new TorchTrainingSession({ python }, (e) => events.push(e));
    const config = trainConfig({
      file: path.join(ROOT, "examples", "lenet5.ts"),
      model: "lenet5Mnist",
      dataset: { kind: "mnist-sample" },
      runsDir: path.join(dir, "runs"),
      epochs: 1,
    });
    await session.start(config);
    const errors = events.filter((e) => e.type === "error");
    assert.equal(errors.length, 1, JSON.stringify(events));
    const e = errors[0]!;
    assert.ok(e.type === "error");
    assert.equal(e.phase, "process");
    assert.match(
      e.message,
      /^the PyTorch trainer sent a malformed message: PyTorch engine line "ready".stepsPerEpoch must be a number, got "many" \(in the line \{"type":"ready"/,
    );
  });
});

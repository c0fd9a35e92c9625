import assert from "node:assert/strict";
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { trainConfig, validateEvent, type TrainConfig, type TrainerEvent } from "../../src/shared/training";
import { listCheckpoints } from "../../src/trainer/checkpoint";
import { TrainerClient } from "../../src/trainer/trainerClient";
import { readStatus } from "../../src/trainer/runFiles";
import { TfjsEngine } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { collect, deps, EXAMPLES, metricsOf, smallMnistIdx, tempDir, TRAINER } from "./helpers/env";

/** The trainer as a child process, through the client (what the extension and the CLI use). */

const data = smallMnistIdx(320, 100);

function config(runsDir: string, over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...trainConfig({
      file: path.join(EXAMPLES, "lenet5.ts"),
      model: "lenet5Mnist",
      dataset: { kind: "idx", dir: data },
      runsDir,
      epochs: 2,
      batchSize: 32,
      seed: 11,
      optimizer: { name: "sgd", lr: 0.05, momentum: 0.9, nesterov: true },
      schedule: { name: "cosine" },
    }),
    ...over,
  };
}

function until<K extends TrainerEvent["type"]>(
  client: TrainerClient,
  type: K,
  pred: (e: Extract<TrainerEvent, { type: K }>) => boolean = () => true,
  timeoutMs = 60_000,
): Promise<Extract<TrainerEvent, { type: K }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms; output: ${client.outputTail().join("\n")}`)), timeoutMs);
    const off = client.on((e) => {
      if (e.type === type && pred(e as Extract<TrainerEvent, { type: K }>)) {
        clearTimeout(timer);
        off();
        resolve(e as Extract<TrainerEvent, { type: K }>);
      }
    });
  });
}

describe("trainer process and client", { timeout: 120_000 }, () => {
  test("a run end to end: events, feature maps as binary over IPC, ping, shutdown", { timeout: 60_000 }, async () => {
    const client = new TrainerClient({ trainerPath: TRAINER });
    const events: TrainerEvent[] = [];
    client.on((e) => events.push(e));
    const pong = await client.ping();
    assert.equal(pong.state, "idle");
    client.start(config(tempDir()));
    const completed = await until(client, "completed");
    assert.ok(completed.final!.valAccuracy > 0.3);
    const types = [...new Set(events.map((e) => e.type))];
    assert.deepEqual(types, ["ready", "pong", "started", "progress", "epochEnd", "checkpoint", "completed"]);
    const fm = await client.featureMaps([1, 12], "validation", 3);
    assert.ok(fm.maps[0]!.data instanceof Float32Array);
    assert.deepEqual(
      fm.maps.map((m) => m.shape),
      [
        [1, 6, 24, 24],
        [1, 10],
      ],
    );
    await assert.rejects(client.featureMaps([500], "validation", 0), /has no graph node 500/);
    assert.equal((await client.ping()).state, "finished");
    const exit = await client.shutdown();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(readStatus(completed.runDir)?.state, "completed");
  });

  test("stop is graceful: a checkpoint, status stopped, the process still answers", { timeout: 60_000 }, async () => {
    const client = new TrainerClient({ trainerPath: TRAINER });
    client.start(config(tempDir()));
    await until(client, "progress", (e) => e.globalStep >= 3);
    client.stop();
    const stopped = await until(client, "stopped");
    assert.ok(stopped.checkpoint !== null && fs.existsSync(stopped.checkpoint));
    assert.equal(readStatus(stopped.runDir)?.state, "stopped");
    assert.equal((await client.ping()).state, "finished");
    assert.equal((await client.shutdown()).code, 0);
  });

  test("SIGINT (the Runs view interrupting a run of another window) stops gracefully too", { timeout: 60_000 }, async () => {
    const client = new TrainerClient({ trainerPath: TRAINER });
    client.start(config(tempDir()));
    const started = until(client, "started");
    await until(client, "progress", (e) => e.globalStep >= 3);
    const pid = readStatus((await started).runDir)?.pid;
    assert.ok(typeof pid === "number");
    process.kill(pid, "SIGINT");
    const stopped = await until(client, "stopped");
    assert.ok(stopped.checkpoint !== null && fs.existsSync(stopped.checkpoint));
    assert.equal(readStatus(stopped.runDir)?.state, "stopped");
    assert.equal((await client.shutdown()).code, 0);
  });

  test("a killed trainer: the run is marked failed with the log tail, nothing written is lost, and it resumes exactly", { timeout: 60_000 }, async () => {
    // the uninterrupted reference, in-process
    const ref = collect();
    const refSession = new TfjsEngine(deps(), ref.emit);
    await refSession.handle({ type: "start", config: config(tempDir()) });
    refSession.dispose();
    const reference = metricsOf(ref.of("started")[0]!.runDir);

    const client = new TrainerClient({ trainerPath: TRAINER });
    const errors: TrainerEvent[] = [];
    client.on((e) => e.type === "error" && errors.push(e));
    client.start(config(tempDir()));
    await until(client, "progress", (e) => e.globalStep === 14);
    client.kill("SIGKILL");
    const exit = await client.exited;
    assert.equal(exit.signal, "SIGKILL");
    const err = errors[0];
    assert.ok(err && err.type === "error");
    assert.equal(err.phase, "process");
    assert.equal(err.message, "the trainer process was killed by SIGKILL before the run ended");
    const runDir = err.runDir!;
    const status = readStatus(runDir)!;
    assert.equal(status.state, "failed");
    assert.match(status.message!, /killed by SIGKILL/);
    assert.ok(status.logTail.some((l) => /\[parent\] run failed/.test(l)));
    // what was written is intact: whole lines, the epoch-1 checkpoint
    const lines = fs
      .readFileSync(path.join(runDir, "metrics.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l);
    assert.ok(lines.length >= 11, `${lines.length} lines`);
    assert.deepEqual(metricsOf(runDir).slice(0, 11), reference.slice(0, 11));
    assert.ok(listCheckpoints(runDir).some((f) => f.endsWith("e0001-s000010.safetensors")));

    const again = new TrainerClient({ trainerPath: TRAINER });
    again.start({ ...config(tempDir()), resume: runDir });
    const started = await until(again, "started");
    assert.deepEqual(started.resumedFrom, { epoch: 1, step: 10, globalStep: 10 });
    await until(again, "completed");
    await again.shutdown();
    assert.deepEqual(metricsOf(runDir), reference);
    assert.equal(readStatus(runDir)?.state, "completed");
  });

  test("a trainer that crashes at start or cannot be started is an error with its output, not a crash", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const crasher = path.join(dir, "crash.js");
    fs.writeFileSync(crasher, 'console.error("loading the native backend failed: libcuda.so.1 missing"); process.exit(3);');
    const client = new TrainerClient({ trainerPath: crasher });
    const got = new Promise<TrainerEvent>((resolve) => client.on((e) => e.type === "error" && resolve(e)));
    client.start(config(tempDir()));
    const e = await got;
    assert.ok(e.type === "error");
    assert.equal(e.message, "the trainer process exited with code 3 before the run ended");
    assert.deepEqual(e.logTail, ["loading the native backend failed: libcuda.so.1 missing"]);
    assert.equal(client.start(config(tempDir())), false);
    await assert.rejects(client.ping(), /not running/);

    const missing = new TrainerClient({ trainerPath: path.join(dir, "nope.js") });
    const e2 = await new Promise<TrainerEvent>((resolve) => missing.on((ev) => ev.type === "error" && resolve(ev)));
    assert.ok(e2.type === "error" && /exited with code 1/.test(e2.message) && e2.logTail.some((l) => /Cannot find module/.test(l)));
  });

  test(
    "invalid messages are refused with a clear error and the trainer keeps running; losing the parent stops the run with a checkpoint",
    { timeout: 60_000 },
    async (t) => {
      const child = fork(TRAINER, [], { serialization: "advanced", stdio: ["ignore", "ignore", "ignore", "ipc"] });
      t.after(() => child.kill("SIGKILL"));
      const received: TrainerEvent[] = [];
      const next = (pred: (e: TrainerEvent) => boolean) =>
        new Promise<TrainerEvent>((resolve) => {
          const seen = received.find(pred);
          if (seen) return resolve(seen);
          const on = (raw: unknown) => {
            const v = validateEvent(raw);
            if (v.ok && pred(v.value)) {
              child.off("message", on);
              resolve(v.value);
            }
          };
          child.on("message", on);
        });
      child.on("message", (raw) => {
        const v = validateEvent(raw);
        assert.ok(v.ok, v.ok ? "" : v.error);
        received.push(v.value);
      });
      await next((e) => e.type === "ready");
      child.send({ type: "train", model: "x" });
      const e1 = await next((e) => e.type === "error");
      assert.ok(e1.type === "error" && e1.phase === "request");
      assert.equal(e1.message, 'rejected a request: unknown request type "train" (expected one of start, stop, featureMaps, ping, inspect, shutdown)');
      child.send({ type: "start", config: { epochs: 3 } });
      const e2 = await next((e) => e.type === "error" && e.phase === "config");
      assert.ok(e2.type === "error");
      assert.equal(e2.message, 'rejected a request: request "start": config.optimizer must be an object, got undefined');
      child.send({ type: "ping", requestId: 5 });
      assert.ok((await next((e) => e.type === "pong")).type === "pong");
      // a run, then the parent goes away mid-training
      child.send({ type: "start", config: config(tempDir(), { epochs: 3 }), engine: { name: "tfjs" } });
      const started = await next((e) => e.type === "started");
      await next((e) => e.type === "progress" && e.globalStep >= 2);
      child.disconnect();
      const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
      assert.equal(code, 0);
      assert.ok(started.type === "started");
      assert.equal(readStatus(started.runDir)?.state, "stopped");
      assert.ok(listCheckpoints(started.runDir).length >= 1);
    },
  );
});

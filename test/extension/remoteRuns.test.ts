import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { REMOTE_STALE_MS, remoteRunAlive, remoteSignature } from "../../src/extension/runs/remoteFolders";
import { trainConfig } from "../../src/shared/training";
import { createFakeVscode, installFakeVscode } from "../helpers/fakeVscode";

/**
 * Issue 16 item 2: the run folders of `cnnStudio.remoteRunsDirectories` (a cluster's runs, synced or
 * mounted) show in the Runs view as a "Remote" group, their new metrics lines arrive while they
 * train (the folders are polled), a running remote run is live while its files change (its process
 * id is another machine's), and crafted run folders there are listed safely.
 */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const fake = createFakeVscode(ROOT);
installFakeVscode(fake.api);
let remoteSetting: unknown = [];
(fake.api["workspace"] as Record<string, unknown>)["getConfiguration"] = () => ({
  get: <T>(key: string, fallback: T): T => (key === "remoteRunsDirectories" ? (remoteSetting as T) : fallback),
  has: () => false,
  inspect: () => undefined,
  update: async () => undefined,
});
const { RunsTreeProvider } = require("../../src/extension/runs/runsView") as typeof import("../../src/extension/runs/runsView");

const LENET = path.join(ROOT, "examples/lenet5.ts");
const training = { onDidChange: () => ({ dispose() {} }), onTrainingEvent: () => ({ dispose() {} }), isActiveRun: () => false, active: undefined };
type Item = { label: string; description: string; contextValue: string; tooltip: { value: string } | string };

function runFolder(root: string, name: string, status: Record<string, unknown>, metrics: string[]): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, "checkpoints"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "config.json"),
    JSON.stringify({ ...trainConfig({ file: LENET, model: "lenet5Mnist", dataset: { kind: "mnist-sample" }, runsDir: root, epochs: 3 }), engine: "torch" }),
  );
  fs.writeFileSync(
    path.join(dir, "status.json"),
    JSON.stringify({ state: "running", epoch: 1, step: 2, globalStep: 2, message: null, pid: 999_999_999, logTail: [], ...status }),
  );
  fs.writeFileSync(path.join(dir, "metrics.jsonl"), metrics.map((m) => m + "\n").join(""));
  return dir;
}

const step = (epoch: number, s: number) =>
  JSON.stringify({ type: "step", epoch, step: s, globalStep: (epoch - 1) * 10 + s, loss: 1 / s, accuracy: 0.5, lr: 0.001, imagesPerSecond: 900, time: "t" });

test("a run folder under a remote runs directory is listed in a Remote group and its new metrics lines arrive", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-remote-"));
  const local = path.join(tmp, "runs");
  const remote = path.join(tmp, "cluster-runs");
  fs.mkdirSync(local);
  fs.mkdirSync(remote);
  remoteSetting = [remote, "  ", 42, remote];
  const dir = runFolder(remote, "2026-12-07-210000-lenet5Mnist", { updatedAt: new Date().toISOString() }, [step(1, 1), step(1, 2)]);
  const view = new RunsTreeProvider(() => ({ fsPath: local }) as never, training as never, { remotePollMs: 20 });
  try {
    const top = await view.getChildren();
    assert.deepEqual(top, [{ kind: "remote", root: remote }], "one group per folder (a repeated or bad entry is left out)");
    const group = view.getTreeItem(top[0]!) as unknown as Item;
    assert.equal(group.label, "Remote: cluster-runs");
    assert.equal(group.contextValue, "runs.remote");
    const [node] = await view.getChildren(top[0]);
    assert.ok(node?.kind === "run");
    assert.deepEqual(
      [node.run.state, node.run.epoch, node.run.step, node.run.bestValAccuracy, node.run.backend, node.run.remote],
      ["running", 1, 2, null, "torch", true],
    );
    assert.deepEqual(view.getParent(node), { kind: "remote", root: remote });
    const item = view.getTreeItem(node) as unknown as Item;
    assert.equal(item.contextValue, "run.remote.running", "no local Stop or Resume on a remote run");
    assert.match(item.description, /^running · epoch 1\/3 · torch/);

    // the run trains on: lines are appended remotely; the poll notices and the view reads only what is new
    const changed = new Promise<void>((resolve) => view.onDidChangeTreeData(() => resolve()));
    fs.appendFileSync(
      path.join(dir, "metrics.jsonl"),
      [step(1, 3), JSON.stringify({ type: "epoch", epoch: 1, epochs: 3, valAccuracy: 0.75 }), step(2, 1)].join("\n") + "\n",
    );
    await changed;
    const [after] = await view.getChildren(top[0]);
    assert.ok(after?.kind === "run");
    assert.deepEqual([after.run.epoch, after.run.step, after.run.stepsPerEpoch, after.run.bestValAccuracy], [2, 1, 3, 0.75]);
  } finally {
    view.dispose();
    remoteSetting = [];
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("a remote run is live while its files change, not while a local process has its id; crafted folders are listed safely", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-remote-"));
  try {
    const old = new Date(Date.now() - 2 * REMOTE_STALE_MS);
    // status.json names this very process: alive here, but the run is another machine's and silent for 20 minutes
    const stale = runFolder(tmp, "2026-12-01-000000-stale", { updatedAt: old.toISOString(), pid: process.pid }, [step(1, 1)]);
    for (const f of ["status.json", "metrics.jsonl"]) fs.utimesSync(path.join(stale, f), old, old);
    assert.equal(remoteRunAlive(stale, old.toISOString()), false);
    assert.equal(remoteRunAlive(stale, new Date().toISOString()), true);
    // crafted: a huge status.json, metrics that are no JSON, a config.json that links outside, a checkpoint that is no checkpoint
    const crafted = path.join(tmp, "2026-12-02-000000-crafted");
    fs.mkdirSync(path.join(crafted, "checkpoints"), { recursive: true });
    fs.writeFileSync(path.join(crafted, "status.json"), "{" + " ".repeat(17 * 1024 * 1024));
    fs.writeFileSync(path.join(crafted, "metrics.jsonl"), 'not json\n{"type":"epoch","valAccuracy":"high"}\n[1,2]\n' + "x".repeat(1000));
    fs.symlinkSync("/etc/passwd", path.join(crafted, "config.json"));
    fs.writeFileSync(path.join(crafted, "checkpoints", "e0001-s000001.safetensors"), Buffer.from([255, 255, 255, 255, 255, 255, 255, 127]));
    remoteSetting = [tmp];
    const view = new RunsTreeProvider(() => ({ fsPath: path.join(tmp, "none") }) as never, training as never, { remotePollMs: 60_000 });
    try {
      const [group] = await view.getChildren();
      const runs = await view.getChildren(group);
      const byName = new Map(runs.map((n) => (n.kind === "run" ? [n.run.name, n.run] : ["", null])));
      assert.equal(byName.get("2026-12-01-000000-stale")?.state, "interrupted");
      const c = byName.get("2026-12-02-000000-crafted");
      assert.ok(c);
      assert.deepEqual([c.state, c.model, c.bestValAccuracy, c.hasCheckpoint, c.error], ["unknown", "crafted", null, false, null]);
      for (const n of runs) assert.doesNotThrow(() => view.getTreeItem(n));
    } finally {
      view.dispose();
      remoteSetting = [];
    }
    // the poll's signature changes with a run's files
    const before = remoteSignature([tmp]);
    fs.appendFileSync(path.join(stale, "metrics.jsonl"), step(1, 2) + "\n");
    assert.notEqual(remoteSignature([tmp]), before);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

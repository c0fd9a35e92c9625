import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateCurvesToHost } from "../../src/shared/webview/curves";
import { syntheticRun, slice } from "./fixtures";
import { assertCleanPage, canvasInk, ensureChromium, panelSession, type PanelPage } from "./harness";
import type { PageDocument } from "./page";

// Globals of the page, for the callbacks that run there (see page.ts).
declare const document: PageDocument;

const chromium = ensureChromium();
const skip = "skip" in chromium ? chromium.skip : false;

describe("curves panel (headless Chromium)", { skip }, () => {
  const session = panelSession(chromium);

  const runA = syntheticRun("2026-11-23-101500-ourCnn", 2000, 400, 1, "completed");
  const runB = syntheticRun("2026-11-23-113000-ourCnn-sgd", 1200, 400, 2, "running", 0.01);

  async function loaded(theme: "dark" | "light", state?: unknown): Promise<PanelPage> {
    const p = await session.open("curves", theme, state === undefined ? {} : { state });
    await p.waitForPosted("ready");
    await p.post({ type: "snapshot", runs: [runA, runB] });
    await p.page.waitForSelector(".cs-chart[data-chart=loss] canvas");
    await p.page.waitForFunction(() => document.querySelectorAll(".cs-chart canvas").length >= 4);
    return p;
  }

  for (const theme of ["dark", "light"] as const) {
    it(`draws four charts with two runs overlaid (${theme})`, async () => {
      const p = await loaded(theme);
      try {
        for (const id of ["loss", "accuracy", "lr", "speed"]) {
          const ink = await canvasInk(p.page, `.cs-chart[data-chart=${id}] canvas`);
          assert.ok(ink > 0.01, `the ${id} chart is not blank (ink ${ink})`);
        }
        const runs = await p.page.$$eval(".cs-run", (els) => els.map((e) => e.getAttribute("data-run")));
        assert.deepEqual(runs, [runA.info.name, runB.info.name]);
        const legend = await p.page.$$eval(".cs-chart[data-chart=loss] .u-legend .u-series th", (els) => els.map((e) => e.textContent ?? ""));
        assert.ok(
          legend.some((l) => l.includes("#1 validation")),
          `legend: ${legend.join(" | ")}`,
        );
        assert.match((await p.page.textContent(".cs-header")) ?? "", /2 runs · 3,200 steps · live/);
        await p.screenshot(`curves-${theme}`);
        await assertCleanPage(p);
      } finally {
        await p.close();
      }
    });
  }

  it("shows values on hover and syncs the cursor across charts", async () => {
    const p = await loaded("dark");
    try {
      const over = await p.page.$(".cs-chart[data-chart=loss] .u-over");
      const box = (await over!.boundingBox())!;
      await p.page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
      await p.page.waitForFunction(() => {
        const v = document.querySelectorAll(".cs-chart[data-chart=loss] .u-legend .u-series td.u-value");
        return [...v].some((e) => /\d/.test(e.textContent ?? ""));
      });
      const step = await p.page.$eval(".cs-chart[data-chart=loss] .u-legend .u-series:first-child td.u-value", (e) => e.textContent ?? "");
      const n = Number(step);
      assert.ok(n > 600 && n < 1400, `hovering the middle reads a step near the middle (got ${step})`);
      const acc = await p.page.$$eval(".cs-chart[data-chart=accuracy] .u-legend td.u-value", (els) => els.map((e) => e.textContent ?? ""));
      assert.ok(
        acc.some((v) => /%$/.test(v)),
        `the accuracy legend follows the cursor in percent: ${acc.join(", ")}`,
      );
      // the read-out is the exact value at that step (not a reduced one)
      const train = await p.page.$$eval(".cs-chart[data-chart=lr] .u-legend td.u-value", (els) => els.map((e) => e.textContent ?? ""));
      const exactLr = runA.steps.lr[n - 1]!;
      assert.equal(Number(train[1]), Number(Number(exactLr.toPrecision(3))), `learning rate of run 1 at step ${n}: ${train.join(", ")}`);
      await p.screenshot("curves-hover-dark");
    } finally {
      await p.close();
    }
  });

  it("keyboard: focus a chart, arrows move the read-out, + zooms, 0 resets; smoothing and log scale are controls", async () => {
    const p = await loaded("dark");
    try {
      await p.page.focus(".cs-chart[data-chart=loss]");
      await p.page.keyboard.press("ArrowRight");
      await p.page.keyboard.press("ArrowRight");
      const text = await p.page.textContent("[role=status][aria-live=polite]");
      assert.match(text ?? "", /Loss at step \d+: .*train/);
      await p.page.keyboard.press("+");
      const zoom = ((await p.state()) as { zoom: [number, number] | null }).zoom;
      assert.ok(zoom && zoom[1] - zoom[0] < 1200, `zoomed in: ${JSON.stringify(zoom)}`);
      await p.page.keyboard.press("0");
      assert.equal(((await p.state()) as { zoom: unknown }).zoom, null);
      // Tab reaches the smoothing slider; arrows change it; the state keeps it.
      await p.page.focus(".cs-range");
      await p.page.keyboard.press("ArrowLeft");
      const smoothing = ((await p.state()) as { smoothing: number }).smoothing;
      assert.equal(smoothing, 0.59);
      const labelled = await p.page.evaluate(
        () =>
          [...document.querySelectorAll("vscode-button, vscode-checkbox, vscode-single-select, input, .cs-chart")].filter(
            (e) => !e.getAttribute("aria-label") && !(e.textContent ?? "").trim(),
          ).length,
      );
      assert.equal(labelled, 0, "every control has a label");
    } finally {
      await p.close();
    }
  });

  it("appends live points, hides a run, and restores its state when shown again", async () => {
    const p = await loaded("dark");
    try {
      const more = slice(runB, 1200, 1200, 0, 0);
      more.steps.globalStep = Float64Array.from({ length: 300 }, (_, i) => 1201 + i);
      for (const k of ["epoch", "loss", "accuracy", "lr", "imagesPerSecond"] as const)
        more.steps[k] = new Float64Array(300).fill(k === "epoch" ? 4 : k === "imagesPerSecond" ? 1500 : 0.2);
      more.steps.time = Float64Array.from({ length: 300 }, (_, i) => runB.steps.time[1199]! + 50 * (i + 1));
      await p.post({ type: "append", run: runB.info.id, ...more });
      await p.page.waitForFunction(() => /3,500 steps/.test(document.querySelector(".cs-header")?.textContent ?? ""));
      // hide run A with the keyboard (its checkbox)
      await p.page.focus(`.cs-run[data-run="${runA.info.name}"] vscode-checkbox`);
      await p.page.keyboard.press("Space");
      await p.page.waitForFunction(() => document.querySelectorAll(".cs-chart[data-chart=loss] .u-legend .u-series").length === 1 + 3);
      const saved = await p.state();
      assert.deepEqual((saved as { hidden: string[] }).hidden, [runA.info.id]);
      assert.deepEqual((saved as { restore: { runs: string[] } }).restore.runs, [runA.info.id, runB.info.id]);
      await p.close();
      // A new page with the saved state (the panel was hidden and shown again): same options, asks for a snapshot.
      const q = await loaded("dark", saved);
      try {
        assert.equal(await q.page.$$eval(".cs-chart[data-chart=loss] .u-legend .u-series", (e) => e.length), 1 + 3);
      } finally {
        await q.close();
      }
    } catch (e) {
      await p.close().catch(() => undefined);
      throw e;
    }
  });

  it("exports PNG and CSV through the host", async () => {
    const p = await loaded("light");
    try {
      await p.page.click("vscode-button[aria-label='Export the metrics as CSV']");
      const csv = await p.waitForPosted("exportCsv");
      const checked = validateCurvesToHost(csv);
      assert.ok(checked.ok, checked.ok ? "" : checked.error);
      const text = String(csv["text"]);
      assert.match(text, /^run,kind,epoch,global_step,loss,accuracy,lr,images_per_second,val_loss,val_accuracy\n/);
      assert.equal(text.trim().split("\n").length, 1 + 2000 + 5 + 1200 + 3);
      await p.page.click("vscode-button[aria-label='Export the charts as a PNG image']");
      const png = await p.waitForPosted("exportPng");
      const data = png["data"] as Uint8Array;
      assert.ok(data instanceof Uint8Array && data.length > 10_000);
      assert.deepEqual([...data.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      await p.post({ type: "exported", format: "png", path: "/tmp/curves.png", error: null });
      await p.page.waitForFunction(() => /Saved \/tmp\/curves.png/.test(document.body.textContent ?? ""));
    } finally {
      await p.close();
    }
  });

  it("shows a clear empty state and rejects invalid host messages", async () => {
    const p = await session.open("curves", "dark");
    try {
      await p.waitForPosted("ready");
      await p.post({ type: "snapshot", runs: [] });
      await p.page.waitForSelector(".cs-notice");
      assert.match((await p.page.textContent(".cs-notice")) ?? "", /No training runs/);
      await p.post({ type: "append", run: 42 });
      const log = await p.waitForPosted("log");
      assert.match(String(log["message"]), /append.*run must be a string/);
      await p.screenshot("curves-empty-dark");
    } finally {
      await p.close();
    }
  });
});

import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { syntheticRun } from "./fixtures";
import { assertCleanPage, ensureChromium, panelSession, type PanelPage } from "./harness";
import type { PageDocument } from "./page";
import type { ThemeName } from "./themes";

// Globals of the page, for the callbacks that run there (see page.ts).
declare const document: PageDocument;

/** Issue 19, item 12: the curves' legend without hovering, time axes, the fitted accuracy axis, validation markers, epoch lines. */

const chromium = ensureChromium();
const skip = "skip" in chromium ? chromium.skip : false;

describe("curves panel: axes and legend (headless Chromium)", { skip }, () => {
  const session = panelSession(chromium);
  const runA = syntheticRun("2026-11-23-101500-ourCnn", 2000, 400, 1, "completed");
  const runB = syntheticRun("2026-11-23-113000-ourCnn-sgd", 1200, 400, 2, "running", 0.01);

  async function loaded(theme: ThemeName, state: unknown = {}): Promise<PanelPage> {
    const p = await session.open("curves", theme, { state });
    await p.waitForPosted("ready");
    await p.post({ type: "snapshot", runs: [runA, runB] });
    await p.page.waitForFunction(() => document.querySelectorAll(".cs-chart canvas").length >= 4);
    return p;
  }

  const legend = (p: PanelPage, chart: string): Promise<{ label: string; value: string }[]> =>
    p.page.$$eval(`.cs-chart[data-chart=${chart}] .u-legend .u-series`, (rows) =>
      rows.map((r) => ({ label: r.querySelector("th")?.textContent ?? "", value: r.querySelector("td.u-value")?.textContent ?? "" })),
    );

  for (const theme of ["dark", "light", "high-contrast"] as const) {
    it(`the legend shows every run's latest values without hovering (${theme})`, async () => {
      const p = await loaded(theme);
      try {
        const rows = await legend(p, "loss");
        assert.equal(rows[0]?.value, "latest", JSON.stringify(rows));
        for (const r of rows.slice(1)) assert.match(r.value, /\d/, `a value for ${r.label}: ${JSON.stringify(rows)}`);
        const acc = await legend(p, "accuracy");
        const lastVal = runA.epochs.valAccuracy[runA.epochs.valAccuracy.length - 1]!;
        assert.equal(acc.find((r) => r.label.includes("#1 validation"))?.value, `${(lastVal * 100).toFixed(2)}%`);
        await p.screenshot(`curves-axes-${theme}`);
        await assertCleanPage(p);
      } finally {
        await p.close();
      }
    });
  }

  it("the accuracy axis fits the data by default, and shows 0–100% when the toggle is off", async () => {
    const p = await loaded("dark");
    try {
      const range = async (): Promise<number[]> => ((await p.page.getAttribute(".cs-chart[data-chart=accuracy]", "data-y-range")) ?? "").split(",").map(Number);
      const [lo, hi] = await range();
      assert.ok(lo! > 0.05 && hi! <= 1, `fitted: ${lo}–${hi}`);
      await p.page.click("vscode-checkbox[aria-label='Fit accuracy axis to the data']");
      await p.page.waitForFunction(() => document.querySelector(".cs-chart[data-chart=accuracy]")?.getAttribute("data-y-range") === "0,1");
      assert.equal(((await p.state()) as { fitAccuracy: boolean }).fitAccuracy, false);
    } finally {
      await p.close();
    }
  });

  for (const [mode, name, readout] of [
    ["relative", "time", /Loss at time \d+:\d\d: /],
    ["wall", "wall time", /Loss at wall time \d\d:\d\d:\d\d: /],
  ] as const) {
    it(`x axis: ${mode} time reads the steps' recorded times`, async () => {
      const p = await loaded("dark", { xAxis: mode });
      try {
        const rows = await legend(p, "loss");
        assert.equal(rows[0]?.label, name);
        await p.page.focus(".cs-chart[data-chart=loss]");
        await p.page.keyboard.press("ArrowRight");
        assert.match((await p.page.textContent("[role=status][aria-live=polite]")) ?? "", readout);
        await p.screenshot(`curves-x-${mode}-dark`);
      } finally {
        await p.close();
      }
    });
  }
  // issue 19 (layout): the "epoch N" labels sit in a band above the plotted area, where no data is
  // drawn, and never overlap each other (labels without room are left out)
  for (const [width, perEpoch] of [
    [1200, 400],
    [420, 50],
  ] as const) {
    it(`epoch labels stay above the plotted area and apart (${width} px wide, ${2000 / perEpoch} epochs)`, async () => {
      const p = await session.open("curves", "dark", { width });
      try {
        await p.waitForPosted("ready");
        await p.post({ type: "snapshot", runs: [syntheticRun("2026-11-23-101500-ourCnn", 2000, perEpoch, 1, "completed")] });
        await p.page.waitForFunction(() => document.querySelectorAll(".cs-chart .uplot[data-epoch-labels]").length >= 4);
        const drawn = await p.page.$$eval(".cs-chart .uplot[data-epoch-labels]", (els) => els.map((e) => e.getAttribute("data-epoch-labels") ?? ""));
        for (const json of drawn) {
          const { plot, labels } = JSON.parse(json) as { plot: number[]; labels: number[][] };
          const [left, top, plotWidth] = plot as [number, number, number];
          assert.ok(labels.length >= 1, `some epoch is labelled: ${json}`);
          if (perEpoch === 50) assert.ok(labels.length < 40, `labels without room are left out: ${labels.length}`);
          let lastRight = -Infinity;
          for (const [x, y, w, h] of labels as [number, number, number, number][]) {
            assert.ok(y >= 0 && y + h <= top + 0.5, `the label (${x}, ${y}, ${w}×${h}) is above the plotted area (top ${top})`);
            assert.ok(x >= left - 0.5 && x + w <= left + plotWidth + 0.5, `the label (${x}, ${w}) is within the plot's width`);
            assert.ok(x > lastRight, `labels do not overlap (${x} after ${lastRight})`);
            lastRight = x + w;
          }
        }
        const overflow = await p.page.evaluate(() => {
          const el = document.documentElement as unknown as { scrollWidth: number; clientWidth: number };
          return el.scrollWidth - el.clientWidth;
        });
        assert.ok(overflow <= 0, `no horizontal scrolling at ${width} px (${overflow} px)`);
        await p.screenshot(`curves-epoch-labels-${width}`);
        await assertCleanPage(p);
      } finally {
        await p.close();
      }
    });
  }
});

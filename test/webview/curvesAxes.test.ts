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
});

import "../common/base.css";
import "./style.css";
import type { EvaluationReport, EvaluationSplit } from "../../src/shared/evaluation";
import type { Tensor } from "../../src/shared/webview/common";
import {
  validateEvaluationToHost,
  validateEvaluationToWebview,
  type EvaluationResult,
  type EvaluationRun,
  type EvaluationToHost,
  type EvaluationToWebview,
} from "../../src/shared/webview/evaluation";
import { appRoot, clear, h, liveRegion, notice } from "../common/dom";
import { field } from "../common/elements";
import { splitSelect } from "../common/inputs";
import { inputImage, putImage } from "../common/tensorPaint";
import { connect, sendReady } from "../common/vscode";

/**
 * Issue 18: the Evaluation panel. Per run (two side by side): accuracy, top-5 and loss; the confusion
 * matrix as a heat map with counts (click a cell: the samples behind it as thumbnails); per-class
 * precision, recall and F1 as bars; a gallery of the most confident mistakes.
 */

interface State {
  split: EvaluationSplit;
}

const channel = connect<EvaluationToWebview, EvaluationToHost, State>({
  validateIn: validateEvaluationToWebview,
  validateOut: validateEvaluationToHost,
  onMessage,
  restoreState: (saved) => ({ split: (saved as Partial<State> | undefined)?.split === "train" ? "train" : "val" }),
});

/** Thumbnails asked for: request id → where they go and what each caption says. */
const pending = new Map<number, { box: HTMLElement; captions: string[] }>();
let requestId = 0;
const columns = new Map<string, HTMLElement>();

const root = appRoot();
const live = liveRegion();
const splitSel = splitSelect<EvaluationSplit>({ validation: "val", train: "train", test: "test" }, channel.state.split, (split) => {
  channel.save({ split });
  channel.post({ type: "setSplit", split });
});
const notices = h("div");
const runsBox = h("div", { class: "cs-eval-runs" });
root.append(
  h("div", { class: "cs-header" }, h("h1", { text: "Evaluation" })),
  h("div", { class: "cs-toolbar", attrs: { role: "toolbar", "aria-label": "Evaluation options" } }, field("Split", splitSel)),
  notices,
  runsBox,
  live,
);

function onMessage(m: EvaluationToWebview): void {
  switch (m.type) {
    case "snapshot":
      channel.save({ restore: { model: null, runs: m.runs.map((r) => r.runDir) } } as Partial<State>);
      clear(notices);
      if (m.unavailable) notices.append(notice("info", "Evaluation is not available.", m.unavailable));
      if (m.runs.length === 0) notices.append(notice("info", "No run to evaluate.", "Open this panel from a run in the Runs view (Evaluate Run)."));
      clear(runsBox);
      columns.clear();
      runsBox.classList.toggle("cs-two", m.runs.length > 1);
      for (const r of m.runs) runsBox.append(column(r));
      break;
    case "evaluation":
      showEvaluation(m);
      break;
    case "evaluationFailed": {
      const col = columns.get(m.runDir);
      if (!col) return;
      const body = col.querySelector(".cs-eval-body")!;
      clear(body);
      body.append(notice("error", "Could not evaluate this run.", m.message));
      break;
    }
    case "samples": {
      const p = pending.get(m.requestId);
      if (!p) return;
      pending.delete(m.requestId);
      clear(p.box);
      m.images.forEach((img, i) => p.box.append(thumbnail(img, p.captions[i] ?? "")));
      document.body.dataset["thumbnails"] = String(m.requestId);
      break;
    }
  }
}

function column(r: EvaluationRun): HTMLElement {
  const col = h(
    "section",
    { class: "cs-eval-run", attrs: { "aria-label": `Run ${r.name}` } },
    h("h2", { text: r.name }),
    h("div", { class: "cs-eval-body" }, h("p", { class: "cs-muted", text: "Evaluating…" })),
  );
  columns.set(r.runDir, col);
  return col;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function showEvaluation(m: EvaluationResult): void {
  const col = columns.get(m.runDir);
  if (!col) return;
  const r = m.report;
  const body = col.querySelector(".cs-eval-body")!;
  clear(body);
  const cellBox = h("div", { class: "cs-eval-thumbs", attrs: { "aria-live": "polite" } });
  const cellTitle = h("h3", { text: "Click a cell of the matrix to see its samples" });
  const mistakesBox = h("div", { class: "cs-eval-thumbs" });
  body.append(
    h(
      "p",
      { class: "cs-eval-summary" },
      h("strong", { text: `accuracy ${pct(r.accuracy)}` }),
      `${r.top5 !== null ? ` · top-5 ${pct(r.top5)}` : ""} · loss ${r.loss.toFixed(4)} · ${r.samples} ${r.split} samples · ${r.checkpoint}`,
    ),
    h("h3", { text: "Confusion matrix (rows: true class, columns: predicted)" }),
    confusionTable(r, (t, p) => {
      const idx: number[] = [];
      for (let i = 0; i < m.labels.length && idx.length < 48; i++) if (m.labels[i] === t && m.predicted[i] === p) idx.push(i);
      cellTitle.textContent = `true ${r.classes[t]}, predicted ${r.classes[p]}: ${r.confusion[t]![p]} sample${r.confusion[t]![p] === 1 ? "" : "s"}${idx.length < r.confusion[t]![p]! ? ` (first ${idx.length})` : ""}`;
      askSamples(
        m.runDir,
        idx,
        cellBox,
        idx.map((i) => `#${i} · ${pct(m.confidence[i]!)}`),
      );
    }),
    cellTitle,
    cellBox,
    h("h3", { text: "Per class" }),
    perClass(r),
    h("h3", { text: `Most confident mistakes (${r.mistakes.length})` }),
    mistakesBox,
  );
  askSamples(
    m.runDir,
    r.mistakes.map((x) => x.index),
    mistakesBox,
    r.mistakes.map((x) => `#${x.index}: ${x.label} → ${x.predicted} · ${pct(x.confidence)}`),
  );
  live.textContent = `${col.querySelector("h2")?.textContent ?? "run"}: accuracy ${pct(r.accuracy)}.`;
  document.body.dataset["evaluated"] = String((Number(document.body.dataset["evaluated"] ?? "0") || 0) + 1);
}

function askSamples(runDir: string, indices: number[], box: HTMLElement, captions: string[]): void {
  clear(box);
  if (indices.length === 0) return;
  requestId++;
  pending.set(requestId, { box, captions });
  box.append(h("p", { class: "cs-muted", text: "Loading…" }));
  channel.post({ type: "samples", requestId, runDir, indices });
}

function thumbnail(t: Tensor, caption: string): HTMLElement {
  const canvas = h("canvas", { class: "cs-pixelated cs-eval-thumb", attrs: { role: "img", "aria-label": caption } });
  putImage(canvas, inputImage(t));
  return h("figure", { class: "cs-eval-figure" }, canvas, h("figcaption", { class: "cs-mono", text: caption }));
}

function confusionTable(r: EvaluationReport, onPick: (t: number, p: number) => void): HTMLElement {
  const rowMax = r.confusion.map((row) =>
    Math.max(
      1,
      row.reduce((a, b) => a + b, 0),
    ),
  );
  const head = h(
    "tr",
    {},
    h("th", { text: "true \\ predicted", attrs: { scope: "col" } }),
    ...r.classes.map((c) => h("th", { text: c, attrs: { scope: "col" } })),
  );
  const rows = r.confusion.map((row, t) =>
    h(
      "tr",
      {},
      h("th", { text: r.classes[t] ?? String(t), attrs: { scope: "row" } }),
      ...row.map((n, p) => {
        const share = n / rowMax[t]!;
        const cell = h("td", {
          class: `cs-eval-cell${t === p ? " cs-diagonal" : ""}`,
          text: String(n),
          attrs: { tabindex: "0", role: "button", "aria-label": `true ${r.classes[t]}, predicted ${r.classes[p]}: ${n}` },
        });
        // blue on the diagonal (right), red off it (wrong); translucent, so the theme's text stays readable
        const [cr, cg, cb] = t === p ? [55, 148, 255] : [241, 76, 76];
        cell.style.backgroundColor = n === 0 ? "transparent" : `rgba(${cr}, ${cg}, ${cb}, ${(0.12 + 0.5 * share).toFixed(2)})`;
        if (share > 0.5) cell.classList.add("cs-strong");
        cell.addEventListener("click", () => onPick(t, p));
        cell.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            onPick(t, p);
          }
        });
        return cell;
      }),
    ),
  );
  return h(
    "div",
    { class: "cs-eval-scroll" },
    h("table", { class: "cs-eval-confusion", attrs: { "aria-label": "Confusion matrix" } }, h("thead", {}, head), h("tbody", {}, ...rows)),
  );
}

function bar(v: number, kind: string): HTMLElement {
  const fill = h("span", { class: `cs-eval-fill cs-${kind}` });
  fill.style.width = `${(100 * v).toFixed(1)}%`;
  return h("span", { class: "cs-eval-bar", attrs: { title: `${kind} ${pct(v)}` } }, fill);
}

function perClass(r: EvaluationReport): HTMLElement {
  const rows = r.perClass.map((c) =>
    h(
      "tr",
      {},
      h("th", { text: c.label, attrs: { scope: "row" } }),
      ...(["precision", "recall", "f1"] as const).map((k) => h("td", {}, bar(c[k], k), h("span", { class: "cs-mono", text: c[k].toFixed(3) }))),
      h("td", { class: "cs-mono", text: String(c.support) }),
    ),
  );
  return h(
    "table",
    { class: "cs-eval-classes", attrs: { "aria-label": "Per-class precision, recall and F1" } },
    h("thead", {}, h("tr", {}, ...["class", "precision", "recall", "F1", "support"].map((t) => h("th", { text: t, attrs: { scope: "col" } })))),
    h("tbody", {}, ...rows),
  );
}

sendReady();

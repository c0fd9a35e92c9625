import "@vscode-elements/elements/dist/vscode-textarea/index.js";
import type { FormErrors, TrainFormState } from "../../src/shared/webview/train";
import { freezeCompletions, weightsReportView, type TransferInfo } from "../../src/shared/webview/trainTransfer";
import { h } from "../common/dom";
import type { ButtonElement, TextfieldElement } from "../common/elements";

/**
 * The Train view's transfer-learning controls (issue 15): "Start from weights…" and the matching
 * report the host computes for the selected model (shown before Start, with Clear), the freeze
 * field (globs over parameter names, completed from the model's module paths and parameter names),
 * and the per-group learning rates (`GLOB=LR` lines); the form shows them in a collapsed
 * "Transfer learning" section (issue 19.2).
 */

type TransferValues = Pick<TrainFormState, "weights" | "freeze" | "lrFor">;

/** Completions offered at once (a ResNet has a few hundred names; the list filters as one types). */
const MAX_COMPLETIONS = 400;

export interface TransferControls {
  /** The weights button and report, the freeze field (after the epochs). */
  main: HTMLElement;
  /** The learning-rate groups (the form puts both in its collapsed "Transfer learning" section). */
  advanced: HTMLElement;
  /** Whether the form uses any of it (the section opens then). */
  inUse(): boolean;
  values(): TransferValues;
  apply(state: TransferValues): void;
  setWeights(path: string): void;
  showErrors(errors: FormErrors): void;
  show(info: TransferInfo): void;
}

function helper(id: string, cls: string): HTMLElement {
  return h("vscode-form-helper", { class: cls, attrs: { id, hidden: true } });
}

function setHelper(el: HTMLElement, text: string): void {
  el.textContent = text;
  el.hidden = text === "";
}

export function transferControls(changed: () => void, choose: () => void): TransferControls {
  let weightsPath = "";
  let names: string[] = [];

  const chooseButton = h("vscode-button", { text: "Start from weights…", attrs: { id: "chooseWeights", secondary: true } }) as ButtonElement;
  const clearButton = h("vscode-button", { text: "Clear", attrs: { id: "clearWeights", secondary: true, hidden: true } }) as ButtonElement;
  const weightsFile = h("div", { attrs: { id: "weights-file", hidden: true } });
  const headline = h("div", { attrs: { id: "weights-headline" } });
  const counts = h("div", { attrs: { id: "weights-counts" } });
  const lines = h("ul", { attrs: { id: "weights-lines" } });
  const report = h("div", { attrs: { id: "weights-report", hidden: true, role: "status" } }, weightsFile, headline, counts, lines);
  const weightsError = helper("error-weights", "error");

  const datalist = h("datalist", { attrs: { id: "freeze-names" } });
  const freeze = h("input", {
    class: "native-input",
    attrs: { id: "freeze", type: "text", list: "freeze-names", placeholder: "e.g. conv1,bn1,layer1.*", spellcheck: "false", "aria-label": "Freeze" },
  }) as HTMLInputElement;
  const freezeError = helper("error-freeze", "error");
  const trainable = helper("freeze-trainable", "note");
  const freezeGroup = h(
    "vscode-form-group",
    { attrs: { variant: "vertical", id: "group-freeze" } },
    h("vscode-label", { text: "Freeze (parameter globs, comma-separated)", attrs: { for: "freeze" } }),
    freeze,
    datalist,
    trainable,
    freezeError,
  );

  const lrFor = h("vscode-textarea", {
    attrs: { id: "lrFor", rows: 3, placeholder: "layer4.*=0.0001\nfc=0.01", "aria-label": "Learning rate per group" },
  }) as TextfieldElement;
  const lrError = helper("error-lrFor", "error");
  const advanced = h(
    "vscode-form-group",
    { attrs: { variant: "vertical", id: "group-lrFor" } },
    h("vscode-label", { text: "Learning rate per group (GLOB=LR, one a line; the first match wins)", attrs: { for: "lrFor" } }),
    lrFor,
    lrError,
  );

  const main = h(
    "div",
    { attrs: { id: "transfer" } },
    h("div", { class: "actions weights-actions" }, chooseButton, clearButton),
    report,
    weightsError,
    freezeGroup,
  );

  const complete = (): void => {
    const options = freezeCompletions(names, freeze.value).slice(0, MAX_COMPLETIONS);
    datalist.replaceChildren(...options.map((value) => h("option", { attrs: { value } })));
  };
  freeze.addEventListener("input", () => {
    complete();
    changed();
  });
  freeze.addEventListener("change", changed);
  lrFor.addEventListener("input", changed);
  lrFor.addEventListener("change", changed);
  chooseButton.addEventListener("click", () => {
    if (!chooseButton.disabled) choose();
  });
  clearButton.addEventListener("click", () => {
    weightsPath = "";
    report.hidden = true;
    clearButton.hidden = true;
    setHelper(weightsError, "");
    changed();
  });

  return {
    main,
    advanced,
    values: () => ({ weights: weightsPath, freeze: freeze.value, lrFor: lrFor.value }),
    inUse: () => weightsPath !== "" || freeze.value.trim() !== "" || lrFor.value.trim() !== "",
    apply(state) {
      weightsPath = state.weights;
      freeze.value = state.freeze;
      lrFor.value = state.lrFor;
      clearButton.hidden = weightsPath === "";
    },
    setWeights(path) {
      weightsPath = path;
      clearButton.hidden = path === "";
    },
    showErrors(errors) {
      setHelper(freezeError, errors.freeze ?? "");
      freeze.classList.toggle("invalid", Boolean(errors.freeze));
      setHelper(lrError, errors.lrFor ?? "");
      (lrFor as TextfieldElement & { invalid: boolean }).invalid = Boolean(errors.lrFor);
      // a refused or damaged file is said in the report's place (below)
      setHelper(weightsError, errors.weights && report.hidden ? errors.weights : "");
    },
    show(info) {
      names = info.freezeNames;
      complete();
      setHelper(trainable, info.trainable);
      const w = info.weights;
      clearButton.hidden = w === null;
      report.hidden = w === null;
      if (w === null) return;
      weightsFile.hidden = false;
      // issue 19: the file's base name on one line (an ellipsis when it is too long), the full path in the tooltip
      const full = w.source === w.path ? w.path : `${w.path} → ${w.source}`;
      weightsFile.textContent = w.source === w.path ? baseName(w.path) : `${baseName(w.path)} → ${baseName(w.source)}`;
      weightsFile.title = full;
      report.dataset["kind"] = w.error !== null ? "error" : w.report && w.report.mismatched.length + w.report.missing.length > 0 ? "warning" : "info";
      if (w.error !== null) {
        headline.textContent = "This file cannot be used";
        counts.textContent = w.error;
        lines.replaceChildren();
        return;
      }
      if (w.report === null) {
        headline.textContent = "Choose a model to see how these weights match it";
        counts.textContent = "";
        lines.replaceChildren();
        return;
      }
      const view = weightsReportView(w.report);
      headline.textContent = view.headline;
      counts.textContent = view.counts;
      lines.replaceChildren(...view.lines.map((text) => h("li", { text })));
    },
  };
}

/** The last part of a path, with `/` or `\\` separators (the whole text when it has none). */
function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, "");
  const cut = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  return cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
}

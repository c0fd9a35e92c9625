import "@vscode-elements/elements/dist/vscode-collapsible/index.js";
import "@vscode-elements/elements/dist/vscode-form-group/index.js";
import "@vscode-elements/elements/dist/vscode-form-helper/index.js";
import "@vscode-elements/elements/dist/vscode-label/index.js";
import "../common/base.css";
import "./style.css";
import { fieldApplies, OPTIMIZERS, SCHEDULES, TRAIN_FIELDS, type NumberField } from "../../src/shared/trainConfig";
import { checked } from "../../src/shared/validate";
import {
  BACKEND_LABELS,
  CHECK_FIELDS,
  DATASET_KINDS,
  datasetHasDir,
  FORM_BACKENDS,
  formLabel,
  OPTIMIZER_LABELS,
  SCHEDULE_LABELS,
  SELECT_FIELDS,
  TEXT_FIELDS,
  trainFormState,
  validateTrainToHost,
  validateTrainToWebview,
  type FormErrors,
  type FormField,
  type ModelChoice,
  type TrainFormState,
  type TrainStatus,
  type TrainToHost,
  type TrainToWebview,
} from "../../src/shared/webview/train";
import { appRoot, h, type Child } from "../common/dom";
import { setChoices, type ButtonElement, type CheckboxElement, type Choice, type SelectElement, type TextfieldElement } from "../common/elements";
import { connect } from "../common/vscode";
import { transferControls } from "./transfer";

/**
 * The Train view's form, built from the settings table (src/shared/trainConfig.ts): each
 * setting's label, limits and when it applies. The host checks the form on every change and
 * answers with each field's problem and what Start would run.
 */

type TextField = (typeof TEXT_FIELDS)[number];
type SelectField = (typeof SELECT_FIELDS)[number];
type CheckField = (typeof CHECK_FIELDS)[number];
type NumberFormField = Exclude<TextField, "datasetDir">;
/** vscode-textfield and vscode-single-select draw an error border while `invalid`. */
type Invalidable<T> = T & { invalid: boolean };

interface State {
  form: TrainFormState | null;
}

const channel = connect<TrainToWebview, TrainToHost, State>({
  validateIn: validateTrainToWebview,
  validateOut: validateTrainToHost,
  onMessage,
  restoreState: (saved) => {
    const r = checked(() => trainFormState((saved as { form?: unknown } | undefined)?.form, "state.form"));
    return { form: r.ok ? r.value : null };
  },
});

// ---- the controls ------------------------------------------------------------------------------

const texts = {} as Record<TextField, TextfieldElement>;
const selects = {} as Record<SelectField, SelectElement>;
const checks = {} as Record<CheckField, CheckboxElement>;
const errorHelpers = {} as Partial<Record<FormField, HTMLElement>>;

function group(id: FormField, label: string, control: HTMLElement): HTMLElement {
  control.id = id;
  control.setAttribute("aria-label", label);
  const error = h("vscode-form-helper", { class: "error", attrs: { id: `error-${id}`, hidden: true } });
  errorHelpers[id] = error;
  return h("vscode-form-group", { attrs: { variant: "vertical", id: `group-${id}` } }, h("vscode-label", { text: label, attrs: { for: id } }), control, error);
}

function textField(id: TextField, label: string, attrs: Record<string, string | number> = {}): HTMLElement {
  const el = h("vscode-textfield", { attrs }) as TextfieldElement;
  texts[id] = el;
  return group(id, label, el);
}

/** A number setting: its label from the table; whole numbers get a number field with the table's limits. */
function numberField(id: NumberFormField): HTMLElement {
  const f: NumberField = TRAIN_FIELDS[id];
  const limits = f.int ? { type: "number", ...(f.min !== undefined ? { min: f.min } : {}), ...(f.max !== undefined ? { max: f.max } : {}) } : {};
  return textField(id, formLabel(id), limits);
}

function selectField(id: SelectField, label: string, choices: readonly Choice[], value: string): HTMLElement {
  const el = h("vscode-single-select") as SelectElement;
  selects[id] = el;
  setChoices(el, choices, value);
  return group(id, label, el);
}

function checkField(id: CheckField): HTMLElement {
  const label = formLabel(id);
  const el = h("vscode-checkbox", { attrs: { id, label, "aria-label": label } }) as CheckboxElement;
  checks[id] = el;
  return el;
}

function button(id: string, text: string, secondary: boolean, hidden = false): ButtonElement {
  return h("vscode-button", { text, attrs: { id, ...(secondary ? { secondary: true } : {}), ...(hidden ? { hidden: true } : {}) } }) as ButtonElement;
}

const row = (...children: Child[]): HTMLElement => h("div", { class: "row" }, ...children);
const pad = (...children: Child[]): HTMLElement => h("div", { class: "pad" }, ...children);

const NO_MODELS: Choice[] = [{ value: "", label: "(looking for models…)" }];

// "Browse…", or "…" where the sidebar is too narrow for the folder and the word (style.css).
const browse = h(
  "vscode-button",
  { attrs: { id: "browse", secondary: true, "aria-label": "Browse…", title: "Browse…" } },
  h("span", { class: "wide", text: "Browse…" }),
  h("span", { class: "narrow", text: "…" }),
) as ButtonElement;
const start = button("start", "Start training", false);
const stop = button("stop", "Stop", true, true);
const curves = button("curves", "Open curves", true, true);
const preview = h("div", { attrs: { id: "preview" } });
const status = h("div", { attrs: { id: "status", hidden: true, role: "status" } });
const detail = h("div", { attrs: { id: "detail", hidden: true } });
/** "Fix 2 settings: Epochs, Learning rate": a link to the first, in the footer beside Start. */
const problems = h("a", { attrs: { id: "problems", href: "#", hidden: true, role: "alert" } });

const transfer = transferControls(
  () => changed(),
  () => channel.post({ type: "chooseWeights", state: collect() }),
);

// The Browse button sits beside the input (their own row); the field's error goes below both, full width.
const datasetGroup = textField("datasetDir", "Dataset folder", { placeholder: "/path/to/dataset" });
const datasetError = errorHelpers.datasetDir!;
const datasetRow = h("div", { attrs: { id: "group-datasetDir" } }, h("div", { class: "row dataset-row" }, datasetGroup, browse), datasetError);
// the outer element is the group that shows and hides; the text field's own group is not
datasetGroup.removeAttribute("id");

/** A section of settings, collapsed by default (issue 19.2: the form fits a 900 px window with Start in sight). */
const section = (id: string, title: string, ...children: Child[]): HTMLElement => h("vscode-collapsible", { attrs: { id, title } }, pad(...children));

const transferSection = section("section-transfer", "Transfer learning", transfer.main, transfer.advanced);

const form = h(
  "div",
  { attrs: { id: "train-form" } },
  selectField("model", "Model", NO_MODELS, ""),
  selectField(
    "dataset",
    "Dataset",
    DATASET_KINDS.map((k) => ({ value: k.kind, label: k.label })),
    "mnist-sample",
  ),
  datasetRow,
  row(numberField("epochs"), numberField("batchSize")),
  section(
    "section-optimizer",
    "Optimizer and schedule",
    row(
      selectField(
        "optimizer",
        formLabel("optimizer"),
        OPTIMIZERS.map((o) => ({ value: o, label: OPTIMIZER_LABELS[o] })),
        TRAIN_FIELDS.optimizer.default,
      ),
      numberField("lr"),
    ),
    row(numberField("momentum"), numberField("weightDecay")),
    checkField("excludeFromDecay"),
    selectField(
      "schedule",
      formLabel("schedule"),
      SCHEDULES.map((s) => ({ value: s, label: SCHEDULE_LABELS[s] })),
      TRAIN_FIELDS.schedule.default,
    ),
    row(numberField("stepSize"), numberField("gamma")),
    numberField("warmupEpochs"),
    row(numberField("clipGradNorm"), numberField("labelSmoothing")),
  ),
  section(
    "section-data",
    "Augmentation and data",
    numberField("cropPadding"),
    checkField("flip"),
    checkField("normalize"),
    numberField("validationFraction"),
    numberField("seed"),
  ),
  transferSection,
  selectField(
    "backend",
    formLabel("backend"),
    FORM_BACKENDS.map((b) => ({ value: b, label: BACKEND_LABELS[b] })),
    TRAIN_FIELDS.backend.default,
  ),
  preview,
);
/** Always in sight at the bottom of the view: Start/Stop, what is wrong with the form, the run's status. */
const footer = h("div", { attrs: { id: "footer" } }, h("div", { class: "actions" }, start, stop, curves), problems, status, detail);
appRoot().append(form, footer);

// ---- the form's values -------------------------------------------------------------------------

/** The form as the controls hold it (checked by the message validator before it is sent). */
function collect(): TrainFormState {
  const values: Record<string, string | boolean> = {};
  for (const f of TEXT_FIELDS) values[f] = texts[f].value;
  for (const f of SELECT_FIELDS) values[f] = selects[f].value;
  for (const f of CHECK_FIELDS) values[f] = checks[f].checked;
  return { ...(values as unknown as TrainFormState), ...transfer.values() };
}

function apply(state: TrainFormState): void {
  for (const f of TEXT_FIELDS) texts[f].value = state[f];
  for (const f of SELECT_FIELDS)
    if (f !== "model" || [...selects.model.querySelectorAll("vscode-option")].some((o) => o.getAttribute("value") === state.model)) selects[f].value = state[f];
  for (const f of CHECK_FIELDS) checks[f].checked = state[f];
  transfer.apply(state);
  if (transfer.inUse()) openSection(transferSection);
  toggles();
}

function openSection(el: Element | null): void {
  for (let c = el?.closest("vscode-collapsible"); c; c = c.parentElement?.closest("vscode-collapsible")) (c as HTMLElement & { open: boolean }).open = true;
}

// ---- problems: next to their field, named beside Start, revealed when Start is pressed ------------

/** The error helpers showing a problem, in the form's order. */
function shownProblems(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>("#train-form .error:not([hidden])")].filter((e) => (e.textContent ?? "") !== "");
}

function problemLabel(helper: HTMLElement): string {
  const field = helper.id.replace(/^error-/, "");
  const label = document.querySelector(`vscode-label[for="${field}"]`)?.textContent ?? (field === "weights" ? "Weights" : field);
  return label.replace(/\s*\(.*$/, "");
}

/** Opens the section of the first problem, scrolls it into view (above the footer) and focuses its control. */
function revealFirstProblem(): boolean {
  const first = shownProblems()[0];
  if (!first) return false;
  openSection(first);
  const group = first.closest("vscode-form-group") ?? first.parentElement ?? first;
  const field = first.id.replace(/^error-/, "");
  // an opened section lays its content out in the next frame: scroll after it
  window.requestAnimationFrame(() => {
    group.scrollIntoView({ block: "center" });
    (document.getElementById(field) as HTMLElement | null)?.focus({ preventScroll: true });
  });
  return true;
}

function summarizeProblems(): void {
  const shown = shownProblems();
  problems.hidden = shown.length === 0;
  const names = [...new Set(shown.map(problemLabel))];
  problems.textContent = shown.length === 0 ? "" : `Fix ${names.length === 1 ? "1 setting" : `${names.length} settings`} to start: ${names.join(", ")}`;
  start.title = problems.textContent;
  start.classList.toggle("blocked", shown.length > 0);
}

/** When Start was pressed last: a validation with problems that answers it (soon after) reveals the first. */
let startPressedAt = 0;

/** Shows the settings that mean something for the chosen dataset, optimizer and schedule (the table's `when`). */
function toggles(): void {
  const s = collect();
  const show = (id: string, on: boolean): void => {
    const el = document.getElementById(id);
    if (el) el.hidden = !on;
  };
  show("group-datasetDir", datasetHasDir(s.dataset));
  for (const f of TEXT_FIELDS) if (f !== "datasetDir") show(`group-${f}`, fieldApplies(TRAIN_FIELDS[f], s));
}

function showErrors(errors: FormErrors): void {
  transfer.showErrors(errors);
  if (errors.weights || errors.freeze || errors.lrFor) openSection(transferSection);
  for (const f of [...TEXT_FIELDS, ...SELECT_FIELDS]) {
    const msg = errors[f];
    const control: { invalid: boolean } | undefined =
      (texts as Partial<Record<FormField, Invalidable<TextfieldElement>>>)[f] ?? (selects as Partial<Record<FormField, Invalidable<SelectElement>>>)[f];
    if (control) control.invalid = Boolean(msg);
    const help = errorHelpers[f];
    if (help) {
      help.textContent = msg ?? "";
      help.hidden = !msg;
    }
  }
  summarizeProblems();
  if (Date.now() - startPressedAt < 3000 && revealFirstProblem()) startPressedAt = 0;
}

let timer = 0;
function changed(): void {
  toggles();
  const state = collect();
  channel.save({ form: state });
  window.clearTimeout(timer);
  timer = window.setTimeout(() => channel.post({ type: "change", state }), 150);
}

for (const el of [...Object.values(texts), ...Object.values(selects), ...Object.values(checks)]) {
  el.addEventListener("change", changed);
  el.addEventListener("input", changed);
}
const onClick = (el: ButtonElement, f: () => void): void =>
  el.addEventListener("click", () => {
    if (!el.disabled) f();
  });
onClick(browse, () => channel.post({ type: "browse", state: collect() }));
onClick(start, () => {
  // The host checks the form as it is now; problems already shown are revealed at once.
  startPressedAt = revealFirstProblem() ? 0 : Date.now();
  channel.post({ type: "start", state: collect() });
});
problems.addEventListener("click", (e) => {
  e.preventDefault();
  revealFirstProblem();
});
onClick(stop, () => channel.post({ type: "stop" }));
onClick(curves, () => channel.post({ type: "curves" }));

// ---- the host's messages -----------------------------------------------------------------------

function showModels(models: readonly ModelChoice[], selected: string): void {
  const select = selects.model;
  const current = selected || select.value;
  const choices = models.length
    ? models.map((m) => ({ value: m.id, label: m.label, description: m.detail }))
    : [{ value: "", label: "(no models in this workspace)" }];
  const chosen = models.some((m) => m.id === current) ? current : (models[0]?.id ?? "");
  setChoices(select, choices, chosen);
  // the options upgrade after this task: select again then
  window.setTimeout(() => {
    select.value = chosen;
    changed();
  }, 0);
}

function showStatus(s: TrainStatus): void {
  status.textContent = s.text;
  status.hidden = s.text === "";
  status.dataset["kind"] = s.kind;
  detail.textContent = s.detail;
  detail.hidden = s.detail === "";
  start.disabled = s.training || !s.canStart;
  stop.hidden = !s.training;
  curves.hidden = !(s.training || s.hasRun);
}

function onMessage(m: TrainToWebview): void {
  switch (m.type) {
    case "models":
      showModels(m.models, m.selected);
      break;
    case "state":
      apply(m.state);
      channel.save({ form: collect() });
      break;
    case "set":
      if (m.field === "weights") {
        transfer.setWeights(m.value);
        openSection(transferSection);
      } else texts[m.field].value = m.value;
      changed();
      break;
    case "transfer":
      transfer.show(m.info);
      break;
    case "validation":
      showErrors(m.errors);
      preview.textContent = m.preview;
      break;
    case "status":
      showStatus(m);
      break;
    case "focus":
      // the Train code lens: this model, Start in sight and focused
      start.scrollIntoView({ block: "nearest" });
      start.focus();
      break;
  }
}

if (channel.state.form) apply(channel.state.form);
toggles();
channel.post({ type: "ready", state: channel.state.form });

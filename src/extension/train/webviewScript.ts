/**
 * The Train view's script, run inside the webview. It is written here, type-checked against the
 * few DOM members it uses (the extension is compiled without the DOM library), and shipped as
 * source text: `trainViewScript.toString()` goes into the view's HTML. It must not refer to
 * anything outside its own body.
 */

/** The DOM members the script uses. */
export interface El {
  id: string;
  value: string;
  checked: boolean;
  hidden: boolean;
  invalid: boolean;
  disabled: boolean;
  textContent: string | null;
  innerHTML: string;
  dataset: Record<string, string | undefined>;
  addEventListener(type: string, fn: (e: { target: unknown }) => void): void;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  querySelectorAll(selector: string): ArrayLike<El>;
  closest(selector: string): El | null;
}
export interface Doc {
  getElementById(id: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  createElement(tag: string): El;
}
export interface WebviewApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
export interface Win {
  addEventListener(type: "message", fn: (e: { data: unknown }) => void): void;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(handle: number): void;
}

/** Fields of the form: element id = field name of `TrainFormState`. */
export const TEXT_FIELDS = ["datasetDir", "epochs", "batchSize", "lr", "momentum", "weightDecay", "stepSize", "gamma", "cropPadding", "validationFraction", "seed"] as const;
export const SELECT_FIELDS = ["model", "dataset", "optimizer", "schedule", "backend"] as const;
export const CHECK_FIELDS = ["flip", "normalize"] as const;

export function trainViewScript(doc: Doc, api: WebviewApi, win: Win, fields: { text: readonly string[]; select: readonly string[]; check: readonly string[] }): void {
  const byId = (id: string): El | null => doc.getElementById(id);
  const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

  function collect(): Record<string, string | boolean> {
    const state: Record<string, string | boolean> = {};
    for (const f of fields.text) state[f] = byId(f)?.value ?? "";
    for (const f of fields.select) state[f] = byId(f)?.value ?? "";
    for (const f of fields.check) state[f] = byId(f)?.checked ?? false;
    return state;
  }

  function apply(state: Record<string, unknown>): void {
    for (const f of [...fields.text, ...fields.select]) {
      const el = byId(f);
      const v = state[f];
      if (el && typeof v === "string") el.value = v;
    }
    for (const f of fields.check) {
      const el = byId(f);
      const v = state[f];
      if (el && typeof v === "boolean") el.checked = v;
    }
    toggles();
  }

  /** Shows the fields that apply to the current choices. */
  function toggles(): void {
    const s = collect();
    const show = (id: string, on: boolean): void => {
      const el = byId(id);
      if (el) el.hidden = !on;
    };
    show("group-datasetDir", s["dataset"] !== "mnist-sample");
    show("group-validationFraction", s["dataset"] === "folder");
    show("group-momentum", s["optimizer"] === "sgd");
    show("group-stepSize", s["schedule"] === "step");
    show("group-gamma", s["schedule"] === "step");
  }

  function showErrors(errors: Record<string, string | undefined>): void {
    for (const f of [...fields.text, ...fields.select]) {
      const el = byId(f);
      const help = byId(`error-${f}`);
      const msg = errors[f];
      if (el) el.invalid = Boolean(msg);
      if (help) {
        help.textContent = msg ?? "";
        help.hidden = !msg;
      }
    }
  }

  let timer = 0;
  function changed(): void {
    toggles();
    const state = collect();
    api.setState(state);
    win.clearTimeout(timer);
    timer = win.setTimeout(() => api.postMessage({ type: "change", state }), 150);
  }

  for (const f of [...fields.text, ...fields.select, ...fields.check]) {
    const el = byId(f);
    el?.addEventListener("change", changed);
    el?.addEventListener("input", changed);
  }
  byId("browse")?.addEventListener("click", () => api.postMessage({ type: "browse", state: collect() }));
  byId("start")?.addEventListener("click", () => api.postMessage({ type: "start", state: collect() }));
  byId("stop")?.addEventListener("click", () => api.postMessage({ type: "stop" }));
  byId("curves")?.addEventListener("click", () => api.postMessage({ type: "curves" }));

  win.addEventListener("message", (e) => {
    const m = e.data as Record<string, unknown> | null;
    if (!m || typeof m !== "object") return;
    switch (m["type"]) {
      case "models": {
        const select = byId("model");
        const models = (m["models"] as { id: string; label: string; detail: string }[] | undefined) ?? [];
        if (select) {
          const current = typeof m["selected"] === "string" && m["selected"] ? m["selected"] : select.value;
          select.innerHTML = models.length
            ? models.map((x) => `<vscode-option value="${escapeHtml(x.id)}" description="${escapeHtml(x.detail)}">${escapeHtml(x.label)}</vscode-option>`).join("")
            : `<vscode-option value="">(no models in this workspace)</vscode-option>`;
          const chosen = models.some((x) => x.id === current) ? current : (models[0]?.id ?? "");
          win.setTimeout(() => {
            select.value = chosen;
            changed();
          }, 0);
        }
        break;
      }
      case "state":
        apply((m["state"] as Record<string, unknown> | undefined) ?? {});
        api.setState(collect());
        break;
      case "set": {
        const el = byId(String(m["field"]));
        if (el) el.value = String(m["value"] ?? "");
        changed();
        break;
      }
      case "validation": {
        showErrors((m["errors"] as Record<string, string | undefined> | undefined) ?? {});
        const preview = byId("preview");
        if (preview) preview.textContent = typeof m["preview"] === "string" ? m["preview"] : "";
        break;
      }
      case "status": {
        const status = byId("status");
        const text = typeof m["text"] === "string" ? m["text"] : "";
        if (status) {
          status.textContent = text;
          status.hidden = text === "";
          status.dataset["kind"] = typeof m["kind"] === "string" ? m["kind"] : "info";
        }
        const detail = byId("detail");
        if (detail) {
          const d = typeof m["detail"] === "string" ? m["detail"] : "";
          detail.textContent = d;
          detail.hidden = d === "";
        }
        const start = byId("start");
        const stop = byId("stop");
        const curves = byId("curves");
        const training = m["training"] === true;
        if (start) start.disabled = training || m["canStart"] === false;
        if (stop) stop.hidden = !training;
        if (curves) curves.hidden = !(training || m["hasRun"] === true);
        break;
      }
    }
  });

  const saved = api.getState();
  if (saved && typeof saved === "object") apply(saved as Record<string, unknown>);
  toggles();
  api.postMessage({ type: "ready", state: collect() });
}

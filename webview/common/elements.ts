/** The @vscode-elements controls the panels use (each registers its custom element on import). */
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-checkbox/index.js";
import "@vscode-elements/elements/dist/vscode-option/index.js";
import "@vscode-elements/elements/dist/vscode-progress-ring/index.js";
import "@vscode-elements/elements/dist/vscode-single-select/index.js";
import "@vscode-elements/elements/dist/vscode-textfield/index.js";
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import { h, type Props } from "./dom";

/** The properties of the vscode-elements the panels read or set. */
export interface SelectElement extends HTMLElement {
  value: string;
  selectedIndex: number;
  label: string;
  disabled: boolean;
}

export interface CheckboxElement extends HTMLElement {
  checked: boolean;
  label: string;
  disabled: boolean;
}

export interface TextfieldElement extends HTMLElement {
  value: string;
  label: string;
  disabled: boolean;
}

export interface ButtonElement extends HTMLElement {
  disabled: boolean;
}

export interface Choice {
  value: string;
  label: string;
  description?: string;
}

/** A `<vscode-single-select>` with an accessible label. */
export function select(label: string, choices: readonly Choice[], value: string, onChange: (value: string) => void, props: Props = {}): SelectElement {
  const el = h("vscode-single-select", { ...props, attrs: { ...props.attrs, "aria-label": label } }) as SelectElement;
  setChoices(el, choices, value);
  el.label = label;
  el.addEventListener("change", () => onChange(el.value));
  return el;
}

export function setChoices(el: SelectElement, choices: readonly Choice[], value: string): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  for (const c of choices) {
    const o = h("vscode-option", {
      text: c.label,
      attrs: { value: c.value, ...(c.description ? { description: c.description } : {}), ...(c.value === value ? { selected: true } : {}) },
    });
    el.append(o);
  }
  el.value = value;
}

export function button(text: string, onClick: () => void, props: Props & { secondary?: boolean; label?: string } = {}): ButtonElement {
  const el = h("vscode-button", {
    ...props,
    text,
    attrs: { ...props.attrs, ...(props.secondary ? { secondary: true } : {}), ...(props.label ? { "aria-label": props.label } : {}) },
  }) as ButtonElement;
  el.addEventListener("click", () => {
    if (!el.disabled) onClick();
  });
  return el;
}

export function checkbox(text: string, checked: boolean, onChange: (checked: boolean) => void, props: Props = {}): CheckboxElement {
  const el = h("vscode-checkbox", {
    ...props,
    attrs: { ...props.attrs, label: text, "aria-label": text, ...(checked ? { checked: true } : {}) },
  }) as CheckboxElement;
  el.addEventListener("change", () => onChange(el.checked));
  return el;
}

export function textfield(label: string, value: string, onChange: (value: string) => void, props: Props = {}): TextfieldElement {
  const el = h("vscode-textfield", { ...props, attrs: { ...props.attrs, "aria-label": label, value } }) as TextfieldElement;
  el.label = label;
  el.addEventListener("change", () => onChange(el.value));
  return el;
}

/** A labelled control: the visible caption above the control. */
export function field(caption: string, control: HTMLElement, props: Props = {}): HTMLElement {
  return h(
    "div",
    { ...props, class: `cs-field ${props.class ?? ""}` },
    h("span", { class: "cs-field-caption", text: caption, attrs: { "aria-hidden": "true" } }),
    control,
  );
}

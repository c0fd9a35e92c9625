import * as fs from "node:fs";
import type { ModelGraph } from "../../shared/lsp";
import { parseFreeze } from "../../shared/trainConfigTransfer";
import type { TrainFormState } from "../../shared/webview/train";
import { freezeNames, trainableText, type TransferInfo, type WeightsChoice } from "../../shared/webview/trainTransfer";
import { planTransfer } from "../../trainer/train/freeze";
import { matchWeights, reportOf } from "../../trainer/weightFiles/match";
import { modelTensorLayout, type ModelTensorLayout } from "../../trainer/weightFiles/modelTensorsStatic";
import { readWeightsFile } from "../../trainer/weightFiles/readWeights";
import type { Read, StateDict } from "../../trainer/weightFiles/stateDict";
import { resolveWeightsSource } from "../../trainer/weightFiles/weightsSource";
import type { FormTransfer } from "./form";

/**
 * The Train view's transfer learning in the extension host (issue 15): the chosen weights file read
 * (nothing in it executed) and matched against the selected model's tensors, which come from the
 * model's analysis (no process, no TensorFlow.js); the freeze field's completions; and, while the
 * form freezes part of the selected model, its trainable-of-total count, which the Models view and
 * the code lens show. No `vscode` import (tested directly).
 */

/** What it needs of the model store: the analysed files. */
export interface TransferStore {
  entries(): readonly { uri: { toString(): string }; result: { models: ModelGraph[]; file: string } | undefined }[];
}

interface Disposable {
  dispose(): void;
}

/** A weights file's names and shapes (the values are dropped once read: the view needs only the report). */
function namesOnly(sd: StateDict): StateDict {
  const tensors = new Map([...sd.tensors].map(([k, t]) => [k, { ...t, values: new Float32Array(0) }]));
  return { ...sd, tensors };
}

export class TrainTransfer implements Disposable {
  private readonly layouts = new WeakMap<ModelGraph, ModelTensorLayout>();
  private read: { key: string; value: Read<StateDict> } | undefined;
  private readonly listeners = new Set<() => void>();
  /** The selected model's id and its trainable text while the form freezes part of it. */
  private frozen: { id: string; text: string } | undefined;

  constructor(private readonly store: TransferStore) {}

  /** Called when the trainable count of a model may have changed (the form's freeze or model did). */
  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private model(id: string): ModelGraph | undefined {
    const at = id.lastIndexOf("#");
    if (at < 0) return undefined;
    const uri = id.slice(0, at);
    const name = id.slice(at + 1);
    const entry = this.store.entries().find((e) => e.uri.toString() === uri);
    const r = entry?.result;
    return r?.models.find((m) => m.name === name && m.location.file === r.file);
  }

  private layout(m: ModelGraph): ModelTensorLayout {
    let l = this.layouts.get(m);
    if (!l) {
      l = modelTensorLayout(m);
      this.layouts.set(m, l);
    }
    return l;
  }

  /** The weights as the form names them: the file to read (a run folder's newest checkpoint), read once per version of the file. */
  private weights(path: string): { source: string; sd: Read<StateDict> } {
    const source = resolveWeightsSource(path);
    if (!source.ok) return { source: path, sd: source };
    let key = source.value;
    try {
      const st = fs.statSync(source.value);
      key = `${source.value}\0${st.mtimeMs}\0${st.size}`;
    } catch {
      // readWeightsFile says why
    }
    if (this.read?.key !== key) {
      const sd = readWeightsFile(source.value);
      this.read = { key, value: sd.ok ? { ok: true, value: namesOnly(sd.value) } : sd };
    }
    return { source: source.value, sd: this.read.value };
  }

  /** The trainable count while `state` freezes part of its model, else undefined. */
  private trainable(state: TrainFormState): string | undefined {
    const m = this.model(state.model);
    if (!m || state.freeze.trim() === "") return undefined;
    const freeze = parseFreeze(state.freeze.trim());
    if (!Array.isArray(freeze)) return undefined;
    const layout = this.layout(m);
    const plan = planTransfer({ weights: null, freeze, lrFor: [] }, layout.names);
    if (typeof plan === "string" || plan.frozen.size === 0) return undefined;
    const trainable = layout.parameters.filter((p) => p.trainable && !plan.frozen.has(p.name)).reduce((s, p) => s + p.size, 0);
    return trainableText(trainable, Number(m.params));
  }

  /** Takes the form as it is now; tells the listeners when the selected model's trainable count changed. */
  update(state: TrainFormState): void {
    const text = this.trainable(state);
    const next = text === undefined ? undefined : { id: state.model, text };
    if (next?.id === this.frozen?.id && next?.text === this.frozen?.text) return;
    this.frozen = next;
    for (const l of [...this.listeners]) l();
  }

  /** `5,130 trainable of 11.69M parameters` for the model the Train view freezes part of; undefined for every other. */
  trainableFor(uri: string, model: string): string | undefined {
    return this.frozen?.id === `${uri}#${model}` ? this.frozen.text : undefined;
  }

  /** The model the Train view freezes part of, where it is declared, and its trainable text (for the code lens); undefined while none. */
  frozenModel(): { uri: string; model: ModelGraph; text: string } | undefined {
    if (!this.frozen) return undefined;
    const m = this.model(this.frozen.id);
    return m ? { uri: this.frozen.id.slice(0, this.frozen.id.lastIndexOf("#")), model: m, text: this.frozen.text } : undefined;
  }

  /** What validateForm needs to check the transfer fields against the selected model. */
  formTransfer(state: TrainFormState): FormTransfer {
    const m = this.model(state.model);
    const out: FormTransfer = m ? { names: this.layout(m).names } : {};
    if (state.weights.trim() !== "") {
      const w = this.weights(state.weights.trim());
      out.weights = { source: w.source, error: w.sd.ok ? null : w.sd.error };
    }
    return out;
  }

  /** The view's transfer part: the weights and their report against the selected model, the freeze completions, the count. */
  info(state: TrainFormState): TransferInfo {
    const m = this.model(state.model);
    const layout = m ? this.layout(m) : undefined;
    let weights: WeightsChoice | null = null;
    const path = state.weights.trim();
    if (path !== "") {
      const w = this.weights(path);
      weights = { path, source: w.source, report: null, error: w.sd.ok ? null : w.sd.error };
      if (w.sd.ok && layout) weights.report = reportOf(matchWeights(layout.tensors, w.sd.value));
    }
    return { weights, freezeNames: layout ? freezeNames(layout.names.parameters) : [], trainable: this.trainable(state) ?? "" };
  }

  dispose(): void {
    this.listeners.clear();
  }
}

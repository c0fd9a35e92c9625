import * as path from "node:path";
import ts = require("typescript");
import { diskHost, type AnalyzerHost } from "../analyzer/analyze";
import { Reporter } from "../analyzer/location";
import { hasModifier, inputTags } from "../analyzer/syntax";
import type { Diagnostic } from "../shared/analysis";
import { createExportProgram, type ExportProgram } from "./program";
import { CHECKPOINT_IMPORTS, CHECKPOINT_PY } from "./checkpointPy";
import { SDPA_HELPER } from "./translate/torchApi";
import { docstringText, firstLineComment, pyString, snake } from "./py";
import {
  classDef,
  createTranslator,
  docstring,
  emitReturn,
  enterScope,
  expr,
  functionDef,
  indexCalls,
  leadingComments,
  nameModuleSymbol,
  reserveModuleName,
  Scope,
  stmt,
  topContext,
  topVariable,
  Translator,
  valueSymbol,
  type Lines,
  type ModelConst,
} from "./translate/index";

/**
 * Export of a model file to PyTorch: one self-contained Python file with an `nn.Module` class per
 * custom module (same names, same attribute names and registration order, so `state_dict` keys
 * are CNN Studio's checkpoint names), the helper functions and constants the models need (also
 * from imported model files), a `build_<model>()` function per exported model, and `MODELS` /
 * `INPUTS` tables. Problems are diagnostics; nothing here throws on user code.
 */

export interface PyTorchExportOptions {
  /** Only these models (names as the analyzer reports them); default all of the file's models. */
  models?: readonly string[];
  /** The model file as the header should name it (default: its base name). */
  displayPath?: string;
  host?: AnalyzerHost;
}

export interface ExportedModel {
  /** The model's name (`--model`, the key of `MODELS`). */
  name: string;
  /** The Python function that builds it. */
  builder: string;
  /** The `@input` shapes as written, e.g. `[N, 3, 224, 224]`. */
  inputs: string[];
}

export interface PyTorchExport {
  /** No error diagnostics: `code` is complete. */
  ok: boolean;
  code: string;
  models: ExportedModel[];
  diagnostics: Diagnostic[];
}

type ItemKind = "function" | "class" | "var" | "model" | "other";

interface TopItem {
  kind: ItemKind;
  /** The statement, or the variable declaration for `var` and `model`. */
  node: ts.Node;
  file: ts.SourceFile;
  /** The declared symbol, if any. */
  symbol: ts.Symbol | undefined;
  model?: ModelConst;
  deps: Set<TopItem>;
}

/** The `@input` shapes of a model's declaration, as written. */
function inputShapes(node: ts.Node): string[] {
  return inputTags(node).map((t) => t.text.trim());
}

/** `[N, 3, 224, 224]` → `("N", 3, 224, 224)`. */
export function pyShape(tag: string): string {
  const inner = tag.replace(/^\s*\[/, "").replace(/\].*$/s, "");
  const dims = inner
    .split(",")
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
  const py = dims.map((d) => (/^\d+$/.test(d) ? d : pyString(d)));
  return `(${py.join(", ")}${py.length === 1 ? "," : ""})`;
}

export function exportPyTorch(file: string, options: PyTorchExportOptions = {}): PyTorchExport {
  try {
    return exportUnchecked(file, options);
  } catch (e) {
    // a bug of the exporter, not of the model: still a value, never a crash
    return failure(
      file,
      `The exporter failed on ${options.displayPath ?? path.basename(file)} (please report this): ${e instanceof Error ? (e.stack ?? e.message).split("\n").slice(0, 4).join(" | ") : String(e)}`,
    );
  }
}

/** An export that produced nothing: one `export-failed` error at the file's start. */
function failure(file: string, message: string): PyTorchExport {
  return {
    ok: false,
    code: "",
    models: [],
    diagnostics: [
      {
        severity: "error",
        message,
        code: "export-failed",
        location: { file: path.resolve(file), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
        related: [],
      },
    ],
  };
}

/**
 * The export in named phases: the model files in dependency order, their top-level items, the
 * dependencies between items, the items the selected models need, Python names (the main file's
 * first), the translation of each item, the models' builder functions, and the file's assembly.
 */
function exportUnchecked(file: string, options: PyTorchExportOptions): PyTorchExport {
  const abs = path.resolve(file);
  const reporter = new Reporter();
  const host = options.host ?? diskHost;
  if (host.readFile(abs) === undefined) return failure(abs, `Cannot read ${file}`);
  const prog = createExportProgram(abs, host);
  const main = prog.program.getSourceFile(abs);
  if (!main) return failure(abs, `Cannot read ${file}`);
  const t = createTranslator(prog, reporter);

  const files = filesInImportOrder(prog, main, reporter);
  const { items, byDecl } = topLevelItems(t, files, main, reporter);
  linkDependencies(t, items, byDecl);
  const selection = selectItems(items, main, options);
  if (!selection.ok) return failure(abs, `${options.displayPath ?? path.basename(abs)} has ${selection.error}`);
  const { selected, needed } = selection;
  nameItems(t, items, needed, main);
  indexCalls(t, files);
  const chunks = [...translateItems(t, files, items, needed), ...translateBuilders(t, items, needed, main)];

  const models: ExportedModel[] = selected.map((i) => ({ name: i.model!.name, builder: i.model!.builder, inputs: i.model!.inputs }));
  const diagnostics = reporter.diagnostics;
  const ok = !diagnostics.some((d) => d.severity === "error");
  const code = assemble(
    t,
    chunks,
    models,
    options.displayPath ?? path.basename(abs),
    files.filter((f) => f !== main && [...needed].some((i) => i.file === f)).map((f) => path.relative(path.dirname(abs), f.fileName)),
  );
  return { ok, code, models, diagnostics };
}

type Chunk = { lines: Lines; def: boolean };

/** The model files in dependency order (imports first); an import that cannot be found is an error. */
function filesInImportOrder(prog: ExportProgram, main: ts.SourceFile, reporter: Reporter): ts.SourceFile[] {
  const files: ts.SourceFile[] = [];
  const seenFiles = new Set<string>();
  const visitFile = (sf: ts.SourceFile): void => {
    if (seenFiles.has(sf.fileName)) return;
    seenFiles.add(sf.fileName);
    for (const s of sf.statements) {
      const spec =
        (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)
          ? s.moduleSpecifier.text
          : undefined;
      if (!spec || !spec.startsWith(".")) continue;
      const target = prog.resolveImport(spec, sf.fileName);
      const dep = target ? prog.program.getSourceFile(target) : undefined;
      if (!dep) {
        reporter.report("error", s, `Cannot find the model file '${spec}'`, "export-import");
        continue;
      }
      visitFile(dep);
    }
    files.push(sf);
  };
  visitFile(main);
  return files;
}

/** The top-level items of the files (functions, classes, variables, models with `@input`, other statements). */
function topLevelItems(
  t: Translator,
  files: readonly ts.SourceFile[],
  main: ts.SourceFile,
  reporter: Reporter,
): { items: TopItem[]; byDecl: Map<ts.Node, TopItem> } {
  const checker = t.checker;
  const items: TopItem[] = [];
  const byDecl = new Map<ts.Node, TopItem>();
  const add = (item: TopItem, decl: ts.Node) => {
    items.push(item);
    byDecl.set(decl, item);
  };
  for (const sf of files) {
    for (const s of sf.statements) {
      if (
        ts.isImportDeclaration(s) ||
        ts.isExportDeclaration(s) ||
        ts.isInterfaceDeclaration(s) ||
        ts.isTypeAliasDeclaration(s) ||
        ts.isEmptyStatement(s) ||
        hasModifier(s, ts.SyntaxKind.DeclareKeyword)
      )
        continue;
      if (ts.isFunctionDeclaration(s)) {
        if (!s.body) continue;
        add({ kind: "function", node: s, file: sf, symbol: s.name && checker.getSymbolAtLocation(s.name), deps: new Set() }, s);
      } else if (ts.isClassDeclaration(s)) {
        add({ kind: "class", node: s, file: sf, symbol: s.name && checker.getSymbolAtLocation(s.name), deps: new Set() }, s);
      } else if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) {
          const tags = ts.isIdentifier(d.name) && hasModifier(s, ts.SyntaxKind.ExportKeyword) ? inputShapes(d) : [];
          const symbol = ts.isIdentifier(d.name) ? checker.getSymbolAtLocation(d.name) : undefined;
          if (tags.length && d.initializer && ts.isIdentifier(d.name)) {
            const model: ModelConst = { name: d.name.text, builder: "", init: d.initializer, docNode: d, inputs: tags };
            add({ kind: "model", node: d, file: sf, symbol, model, deps: new Set() }, d);
          } else add({ kind: "var", node: d, file: sf, symbol, deps: new Set() }, d);
        }
      } else if (ts.isExportAssignment(s)) {
        const tags = inputShapes(s);
        if (tags.length && !s.isExportEquals) {
          const model: ModelConst = { name: "default", builder: "", init: s.expression, docNode: s, inputs: tags };
          add({ kind: "model", node: s, file: sf, symbol: undefined, model, deps: new Set() }, s);
        } else if (sf === main)
          reporter.report("warning", s, "`export default` of a value that is not a model (no @input) is left out of the export", "export-warning");
      } else add({ kind: "other", node: s, file: sf, symbol: undefined, deps: new Set() }, s);
    }
  }
  // `export { local as name }` of a model constant
  for (const s of main.statements) {
    if (!ts.isExportDeclaration(s) || s.moduleSpecifier || !s.exportClause || !ts.isNamedExports(s.exportClause)) continue;
    for (const el of s.exportClause.elements) {
      const local = checker.getSymbolAtLocation(el.propertyName ?? el.name);
      const target = local && local.flags & ts.SymbolFlags.Alias ? checker.getExportSpecifierLocalTargetSymbol(el) : local;
      const decl = target?.valueDeclaration;
      const item = decl && byDecl.get(decl);
      if (item && item.kind === "var" && ts.isVariableDeclaration(decl) && decl.initializer && inputShapes(decl).length) {
        item.kind = "model";
        item.model = { name: el.name.text, builder: "", init: decl.initializer, docNode: decl, inputs: inputShapes(decl) };
      }
    }
  }
  return { items, byDecl };
}

/** What each item uses of the others. */
function linkDependencies(t: Translator, items: readonly TopItem[], byDecl: ReadonlyMap<ts.Node, TopItem>): void {
  const checker = t.checker;
  const itemOfSymbol = (sym: ts.Symbol | undefined): TopItem | undefined => {
    if (!sym) return undefined;
    let target = sym;
    if (target.flags & ts.SymbolFlags.Alias) {
      try {
        target = checker.getAliasedSymbol(target);
      } catch {
        return undefined;
      }
    }
    let d: ts.Node | undefined = target.valueDeclaration ?? target.declarations?.[0];
    // a name bound by a top-level destructuring (`const [a, b] = f()`) belongs to its declaration
    while (d && (ts.isBindingElement(d) || ts.isObjectBindingPattern(d) || ts.isArrayBindingPattern(d))) d = d.parent;
    if (!d) return undefined;
    return byDecl.get(d);
  };
  for (const item of items) {
    const visit = (n: ts.Node): void => {
      if ((ts.isTypeNode(n) && !ts.isExpressionWithTypeArguments(n)) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return;
      if (ts.isIdentifier(n)) {
        const dep = itemOfSymbol(valueSymbol(t, n));
        if (dep && dep !== item) item.deps.add(dep);
      }
      if (ts.isPropertyAccessExpression(n)) {
        const dep = itemOfSymbol(checker.getSymbolAtLocation(n.name));
        if (dep && dep !== item) item.deps.add(dep);
      }
      ts.forEachChild(n, visit);
    };
    visit(item.node);
  }
}

/** The selected models (options.models, default all of the main file's) and every item they need. */
function selectItems(
  items: readonly TopItem[],
  main: ts.SourceFile,
  options: PyTorchExportOptions,
): { ok: true; selected: TopItem[]; needed: Set<TopItem> } | { ok: false; error: string } {
  const mainModels = items.filter((i) => i.file === main && i.kind === "model");
  let selected = mainModels;
  if (options.models) {
    selected = [];
    for (const n of options.models) {
      const m = mainModels.find((i) => i.model!.name === n);
      if (!m) {
        const names = mainModels.map((i) => i.model!.name);
        return { ok: false, error: `no model '${n}'${names.length ? ` (models: ${names.join(", ")})` : " (it exports no model with an @input tag)"}` };
      }
      selected.push(m);
    }
  }
  const needed = new Set<TopItem>();
  const need = (i: TopItem): void => {
    if (needed.has(i)) return;
    needed.add(i);
    i.deps.forEach(need);
  };
  selected.forEach(need);
  if (!options.models) items.filter((i) => i.file === main && i.kind !== "model").forEach(need);
  for (const i of items) if (i.kind === "other" && [...needed].some((n) => n.file === i.file)) need(i);
  return { ok: true, selected, needed };
}

/** Python names of the needed items, the main file's first (builders are `build_<model>`). */
function nameItems(t: Translator, items: readonly TopItem[], needed: ReadonlySet<TopItem>, main: ts.SourceFile): void {
  const order = [...items].sort((a, b) => (a.file === main ? 0 : 1) - (b.file === main ? 0 : 1));
  for (const i of order) {
    if (!needed.has(i)) continue;
    if (i.kind === "model") {
      const m = i.model!;
      m.builder = reserveModuleName(t, `build_${snake(m.name).replace(/[^A-Za-z0-9_]/g, "_")}`);
      t.models.set(i.node, m);
      if (i.symbol) t.moduleScope.names.add(m.builder);
    } else if (i.symbol) {
      const declared = (i.node as { name?: ts.Node }).name;
      nameModuleSymbol(t, i.symbol, declared && ts.isIdentifier(declared) ? declared.text : i.symbol.name, i.kind === "class");
    } else if (ts.isVariableDeclaration(i.node)) for (const id of boundNames(i.node.name)) nameBoundSymbol(t, id);
  }
  for (const i of needed) t.included.add(i.node);
}

/** The identifiers a binding name binds (`a`, or those of `[a, [b]]` and `{ c, d: e }`). */
function boundNames(n: ts.BindingName): ts.Identifier[] {
  if (ts.isIdentifier(n)) return [n];
  return n.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : boundNames(el.name)));
}

function nameBoundSymbol(t: Translator, id: ts.Identifier): void {
  const sym = t.checker.getSymbolAtLocation(id);
  if (sym) nameModuleSymbol(t, sym, id.text);
}

/** Each file's needed items in Python, functions first (models become builders, below). */
function translateItems(t: Translator, files: readonly ts.SourceFile[], items: readonly TopItem[], needed: ReadonlySet<TopItem>): Chunk[] {
  const chunks: Chunk[] = [];
  const top = topContext(t);
  const comments = (node: ts.Node): Lines => leadingComments(t, ts.isVariableDeclaration(node) ? node.parent.parent : node, true);
  for (const sf of files) {
    const fileItems = items.filter((i) => i.file === sf && needed.has(i) && i.kind !== "model");
    const ordered = [...fileItems.filter((i) => i.kind === "function"), ...fileItems.filter((i) => i.kind !== "function")];
    for (const i of ordered) {
      const pre: Lines = [];
      const ctx = { ...top, pre };
      let lines: Lines;
      switch (i.kind) {
        case "function": {
          const f = i.node as ts.FunctionDeclaration;
          lines = functionDef(t, f, (i.symbol && t.symbolNames.get(i.symbol)) ?? "_fn", ctx);
          break;
        }
        case "class":
          lines = classDef(t, i.node as ts.ClassDeclaration, ctx);
          break;
        case "var": {
          const d = i.node as ts.VariableDeclaration;
          lines = topVariable(t, d, ctx);
          break;
        }
        default:
          lines = stmt(t, i.node as ts.Statement, ctx);
      }
      const def = i.kind === "function" || i.kind === "class" || lines.some((l) => /^(def|class) /.test(l));
      chunks.push({ lines: [...comments(i.node), ...pre, ...lines], def });
      t.emitted.add(i.node);
    }
  }
  return chunks;
}

/** A `build_<model>()` function per needed model, the imported files' first. */
function translateBuilders(t: Translator, items: readonly TopItem[], needed: ReadonlySet<TopItem>, main: ts.SourceFile): Chunk[] {
  const chunks: Chunk[] = [];
  const top = topContext(t);
  const builders = items.filter((i) => i.kind === "model" && needed.has(i));
  const builderOrder = [...builders.filter((i) => i.file !== main), ...builders.filter((i) => i.file === main)];
  for (const i of builderOrder) {
    const m = i.model!;
    const scope = new Scope(m.init, t.moduleScope);
    enterScope(t, m.init, t.moduleScope, [], scope);
    const pre: Lines = [];
    const ctx = { ...top, scope, indent: 4, pre };
    const value = expr(t, m.init, ctx);
    const body = emitReturn(t, value, ctx);
    const doc = docstring(t, m.docNode, 4);
    chunks.push({ lines: [`def ${m.builder}() -> nn.Module:`, ...doc, ...pre, ...body], def: true });
  }
  return chunks;
}

function assemble(t: Translator, chunks: Chunk[], models: ExportedModel[], display: string, inlined: string[]): string {
  const u = t.usage;
  const out: string[] = [];
  out.push(firstLineComment(`Generated by CNN Studio from ${display}: cnn-studio export ${display} --to pytorch`));
  const name = (f: string) => docstringText(f, true);
  out.push(`"""PyTorch models translated from ${name(display)}${inlined.length ? ` (with definitions from ${inlined.map(name).join(", ")})` : ""}.`);
  out.push("");
  out.push("Class, attribute and registration order follow the TypeScript source, so `state_dict` keys are the");
  out.push("names CNN Studio's checkpoints use: `load_checkpoint(model, path)` loads weights trained in CNN Studio,");
  out.push("`save_checkpoint(model, folder)` writes them back. `MODELS` maps each model's name to the function that");
  out.push("builds it, `INPUTS` to its input shapes (from the @input tags; the first dimension is the batch).");
  if (u.inplace) out.push("`inplace` options are left out: the model language ignores them, and so the results do not depend on them.");
  out.push('"""');
  out.push("");
  out.push("from __future__ import annotations");
  out.push("");
  const std: string[] = [...CHECKPOINT_IMPORTS];
  if (u.functools) std.push("import functools");
  if (u.copy) std.push("import copy");
  if (u.math) std.push("import math");
  if (u.orderedDict) std.push("from collections import OrderedDict");
  const typing = [...u.typing].sort();
  if (typing.length) std.push(`from typing import ${typing.join(", ")}`);
  if (std.length) out.push(...std.sort((a, b) => (a.startsWith("from") ? 1 : 0) - (b.startsWith("from") ? 1 : 0) || a.localeCompare(b)), "");
  out.push("import torch");
  if (u.F) out.push("import torch.nn.functional as F");
  if (u.torchvision) out.push("import torchvision");
  out.push("from torch import Tensor, nn");
  if (u.kwargsHelper) {
    out.push("", "");
    out.push("def _kwargs(options: dict) -> dict:");
    out.push('    """Options of the model language (camelCase) as PyTorch keyword arguments; `inplace` is ignored."""');
    out.push('    return {re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\\1", k).lower(): v for k, v in options.items() if k != "inplace"}');
  }
  if (u.sdpa) out.push("", "", ...SDPA_HELPER.split("\n"));
  let prevDef = true;
  for (const c of chunks) {
    if (!c.lines.length) continue;
    out.push(...(c.def || prevDef ? ["", ""] : []), ...c.lines);
    prevDef = c.def;
  }
  out.push("", "", ...CHECKPOINT_PY.trimEnd().split("\n"));
  out.push("", "");
  out.push("# Input shapes of each model, from its @input tags.");
  out.push("INPUTS = {");
  for (const m of models) out.push(`    ${pyString(m.name)}: [${m.inputs.map(pyShape).join(", ")}],`);
  out.push("}");
  out.push("");
  out.push("MODELS = {");
  for (const m of models) out.push(`    ${pyString(m.name)}: ${m.builder},`);
  out.push("}");
  out.push("", "");
  out.push('if __name__ == "__main__":');
  out.push("    # Build each model and run zeros of its input shapes (batch 1) through it.");
  out.push("    for model_name, build in MODELS.items():");
  out.push("        model = build().eval()");
  if (chunks.some((c) => c.lines.some((l) => l.includes("nn.Embedding(")))) {
    // ---- modules: an embedding takes integer indices (an @input tag has no dtype) ----
    out.push("        dtype = torch.long if any(isinstance(m, nn.Embedding) for m in model.modules()) else torch.float32");
    out.push("        inputs = [torch.zeros(1, *shape[1:], dtype=dtype) for shape in INPUTS[model_name]]");
  } else out.push("        inputs = [torch.zeros(1, *shape[1:]) for shape in INPUTS[model_name]]");
  out.push("        with torch.no_grad():");
  out.push("            output = model(*inputs)");
  if (u.dictOutput) out.push("        shapes = {k: tuple(o.shape) for k, o in output.items()} if isinstance(output, dict) else (");
  if (u.dictOutput) out.push("            [tuple(o.shape) for o in output] if isinstance(output, (list, tuple)) else tuple(output.shape))");
  else out.push("        shapes = [tuple(o.shape) for o in output] if isinstance(output, (list, tuple)) else tuple(output.shape)");
  out.push("        params = sum(p.numel() for p in model.parameters())");
  out.push('        print(f"{model_name}: {params:,} parameters, output {shapes}")');
  return out.join("\n") + "\n";
}

/** Human-readable diagnostics: `file:line:col: severity: message`. */
export function formatExportDiagnostic(d: Diagnostic, cwd: string): string {
  const rel = path.relative(cwd, d.location.file) || d.location.file;
  const { line, character } = d.location.range.start;
  return `${rel}:${line + 1}:${character + 1}: ${d.severity}: ${d.message}`;
}

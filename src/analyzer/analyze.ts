import * as fs from "node:fs";
import * as path from "node:path";
import ts = require("typescript");
import type { Dim, FileAnalysis, GraphNode, ModelAnalysis, ModuleInfo, OutputShape, Shape } from "../shared/analysis";
import { addCounts, sumCounts, toCount } from "../shared/count";
import { CircularImportError, EvalError, PoisonError } from "./errors";
import type { Budget } from "./evaluator";
import { Interpreter } from "./interpreter";
import { reparse } from "./incrementalParse";
import { guardAgainstScannerHang } from "./parseGuard";
import { Reporter, toLocation, withLocationCache } from "./location";
import { NO_COUNTS } from "./layers/kind";
import { INPUT_FIELD } from "./receptiveField";
import { hasModifier, inputTags } from "./syntax";
import { hasUnknownTensor, resultShapes } from "./forwardResults";
import { declaredCounts, declaredTensors, layerInitialisers } from "./parameters";
import { namedModules, Torch, Trace } from "./symbolicTorch";
import { ArrayValue, Env, ModuleValue, Namespace, Poison, TensorValue, typeName, type Value } from "./values";

/**
 * The analyzer's entry point: evaluates a model file and the model files it imports, finds the
 * exported models, runs each one's forward pass on symbolic shapes, and returns models plus
 * diagnostics. It never throws on user code and never executes it.
 */

export interface AnalyzerHost {
  /** The text of a file (an open editor's buffer, or the disk), or undefined when unreadable. */
  readFile(file: string): string | undefined;
  /**
   * Called before the tree of `file` it last returned from `parse` is re-parsed incrementally for
   * `text`: whoever holds that tree must read what it needs of it now (TypeScript reuses and moves
   * its nodes).
   */
  willReparse?(file: string, previous: ts.SourceFile, text: string): void;
}

export const diskHost: AnalyzerHost = {
  readFile(file) {
    try {
      return fs.readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
  },
};

export interface AnalyzerOptions {
  /** Evaluation steps per top-level statement and per model (default 150,000; every example needs < 50,000). */
  maxSteps?: number;
  /** Nested calls (default 150). */
  maxDepth?: number;
}

export const MODULE_NAME = "cnn-studio";

interface FileRecord {
  sf: ts.SourceFile;
  env: Env;
  exports: Map<string, Value>;
  done: boolean;
  /** The import statement of this file by which each imported file is being loaded. */
  importing: Map<string, ts.Node>;
}

/** Parsed files are kept between analyses while their text is unchanged (fast re-analysis while typing). */
export class Analyzer {
  private readonly parsed = new Map<string, { text: string; sf: ts.SourceFile }>();

  constructor(
    private readonly host: AnalyzerHost = diskHost,
    private readonly options: AnalyzerOptions = {},
  ) {}

  /** The tree of `text`; after an edit of the file's previous text, re-parsed incrementally from its tree. */
  parse(file: string, text: string): ts.SourceFile {
    const hit = this.parsed.get(file);
    if (hit && hit.text === text) return hit.sf;
    const guarded = guardAgainstScannerHang(text);
    if (hit) this.host.willReparse?.(file, hit.sf, text);
    const sf = hit ? reparse(hit.sf, guarded) : ts.createSourceFile(file, guarded, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    this.parsed.set(file, { text, sf });
    return sf;
  }

  analyzeFile(file: string): FileAnalysis {
    const abs = path.resolve(file);
    const run = new Run(this, this.host, this.options);
    try {
      return withLocationCache(() => run.analyze(abs));
    } catch (e) {
      // Last line of defence: the analyzer itself failed. Report it, never crash the caller.
      return {
        file: abs,
        models: [],
        diagnostics: [
          {
            severity: "error",
            code: "internal-error",
            message: `CNN Studio's analyzer failed on this file: ${e instanceof Error ? e.message : String(e)}`,
            location: { file: abs, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
            related: [],
          },
        ],
        dependencies: [abs],
      };
    }
  }
}

/** One analysis of one file: a fresh interpreter, so nothing leaks between analyses. */
class Run {
  private readonly reporter = new Reporter();
  private readonly budget: Budget;
  private readonly interp: Interpreter;
  private readonly torch: Torch;
  private readonly files = new Map<string, FileRecord>();
  /** Files whose loading is under way, outermost first (for cycle messages). */
  private readonly loading: string[] = [];
  /** The diagnostics each top-level statement of the main file reported (indices into the reporter's). */
  private readonly statementSpans = new Map<ts.Node, { from: number; to: number }>();

  constructor(
    private readonly analyzer: Analyzer,
    private readonly host: AnalyzerHost,
    options: AnalyzerOptions,
  ) {
    this.budget = { steps: 0, maxSteps: options.maxSteps ?? 150_000, depth: 0, maxDepth: options.maxDepth ?? 150 };
    this.interp = new Interpreter(this.budget);
    this.torch = new Torch(this.interp, this.reporter);
  }

  analyze(file: string): FileAnalysis {
    const text = this.host.readFile(file);
    if (text === undefined) {
      return {
        file,
        models: [],
        diagnostics: [
          {
            severity: "error",
            code: "unreadable-file",
            message: `Cannot read ${file}`,
            location: { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
            related: [],
          },
        ],
        dependencies: [file],
      };
    }
    const record = this.load(file, text);
    this.checkMisplacedInputs(record);
    const models: ModelAnalysis[] = [];
    for (const candidate of this.exportedValues(record)) {
      const from = this.reporter.diagnostics.length;
      const model = this.analyzeModel(candidate);
      if (model) models.push(model);
      this.attribute(candidate.name, from, this.reporter.diagnostics.length);
      const statement = this.declaringStatement(candidate.docNode ?? candidate.nameNode);
      const span = statement && this.statementSpans.get(statement);
      if (span) this.attribute(candidate.name, span.from, span.to);
    }
    return { file, models, diagnostics: this.reporter.diagnostics, dependencies: [...this.files.keys()] };
  }

  // ---- files and imports --------------------------------------------------------------------

  /** Marks the diagnostics `from`..`to` (not yet marked) as `model`'s own. */
  private attribute(model: string, from: number, to: number): void {
    for (const d of this.reporter.diagnostics.slice(from, to)) d.model ??= model;
  }

  /** The main file's top-level statement that declares one exported value (a model's own statement), if it declares only that one. */
  private declaringStatement(node: ts.Node): ts.Node | undefined {
    let n = node;
    while (!ts.isSourceFile(n.parent)) n = n.parent;
    if (ts.isVariableStatement(n) && n.declarationList.declarations.length !== 1) return undefined;
    return ts.isVariableStatement(n) || ts.isExportAssignment(n) ? n : undefined;
  }

  private load(file: string, text: string): FileRecord {
    const sf = this.analyzer.parse(file, text);
    const isMain = this.loading.length === 0;
    this.reportSyntaxErrors(sf, text);
    const record: FileRecord = { sf, env: new Env(undefined), exports: new Map(), done: false, importing: new Map() };
    this.files.set(file, record);
    this.loading.push(file);
    try {
      for (const s of sf.statements) if (ts.isImportDeclaration(s)) this.guard(s, () => this.bindImport(s, record), record.env);
      this.interp.hoist(sf.statements, record.env);
      for (const s of sf.statements) {
        if (ts.isImportDeclaration(s)) continue;
        const from = this.reporter.diagnostics.length;
        this.guard(
          s,
          () => {
            // `export default <expression>` is evaluated once, by collectExports.
            if (!ts.isExportAssignment(s)) this.interp.exec(s, record.env);
            this.collectExports(s, record);
          },
          record.env,
        );
        if (isMain) this.statementSpans.set(s, { from, to: this.reporter.diagnostics.length });
      }
    } finally {
      this.loading.pop();
    }
    record.done = true;
    return record;
  }

  /** The parser recovers from syntax errors silently; the user must still hear of them (a few at most). */
  private reportSyntaxErrors(sf: ts.SourceFile, text: string): void {
    if (sf.text.length > text.length) {
      // parseGuard closed a comment the user left open (while typing, usually).
      const end = sf.getLineAndCharacterOfPosition(text.length);
      this.reporter.reportAt("error", { file: sf.fileName, range: { start: end, end } }, "'*/' expected: a comment is not closed", "syntax-error");
    }
    const parsed = (sf as unknown as { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
    for (const d of parsed.slice(0, 5)) {
      // Positions stay inside the user's text (parseGuard may have appended a comment's end).
      const start = sf.getLineAndCharacterOfPosition(Math.min(d.start, text.length));
      const end = sf.getLineAndCharacterOfPosition(Math.min(d.start + d.length, text.length));
      this.reporter.reportAt("error", { file: sf.fileName, range: { start, end } }, ts.flattenDiagnosticMessageText(d.messageText, "\n"), "syntax-error");
    }
  }

  /** Runs one top-level statement (or model); an error becomes a diagnostic and the rest goes on. */
  private guard(node: ts.Node, fn: () => void, env?: Env): void {
    this.interp.resetBudget();
    try {
      fn();
    } catch (e) {
      if (e instanceof CircularImportError && e.origin !== node) throw e; // reported where the cycle starts
      if (env) this.poisonDeclarations(node, env);
      if (e instanceof PoisonError) return;
      if (e instanceof EvalError)
        this.reporter.report(
          "error",
          e.node,
          e.message,
          e.code,
          e.related.map((r) => ({ at: r.node, message: r.message })),
        );
      else if (e instanceof RangeError)
        this.reporter.report("error", node, "Evaluation nested too deeply: is there an endless recursion here?", "budget-exceeded");
      else this.reporter.report("error", node, `CNN Studio's analyzer failed here: ${e instanceof Error ? e.message : String(e)}`, "internal-error");
    }
  }

  /** The names a failed statement would have declared read as poison from now on. */
  private poisonDeclarations(node: ts.Node, env: Env): void {
    const names: string[] = [];
    const collect = (n: ts.BindingName): void => {
      if (ts.isIdentifier(n)) names.push(n.text);
      else for (const el of n.elements) if (!ts.isOmittedExpression(el)) collect(el.name);
    };
    if (ts.isVariableStatement(node)) node.declarationList.declarations.forEach((d) => collect(d.name));
    else if (ts.isClassDeclaration(node) && node.name) names.push(node.name.text);
    else if (ts.isImportDeclaration(node) && node.importClause) {
      const { name, namedBindings } = node.importClause;
      if (name) names.push(name.text);
      if (namedBindings && ts.isNamespaceImport(namedBindings)) names.push(namedBindings.name.text);
      else if (namedBindings) for (const el of namedBindings.elements) names.push(el.name.text);
    }
    for (const n of names) if (!env.has(n)) env.declare(n, Poison.value, false);
  }

  private bindImport(s: ts.ImportDeclaration, record: FileRecord): void {
    if (!ts.isStringLiteral(s.moduleSpecifier))
      throw new EvalError(s.moduleSpecifier, 'An import needs a module name in quotes, e.g. "cnn-studio"', "import-error");
    const spec = s.moduleSpecifier.text;
    const clause = s.importClause;
    if (!clause || clause.isTypeOnly) return;
    let lookup: (name: string) => Value;
    let all: () => Map<string, Value>;
    if (spec === MODULE_NAME) {
      all = () => new Map<string, Value>(this.torch.namespaces);
      lookup = (name) => {
        if (name === "Tensor") return undefined;
        if (!this.torch.namespaces.has(name))
          throw new EvalError(s, `"cnn-studio" has no export '${name}' (it exports nn, F, torch, ops and the type Tensor)`, "import-error");
        return this.torch.namespaces.get(name);
      };
    } else if (spec.startsWith(".")) {
      const target = this.importFile(spec, path.dirname(record.sf.fileName), s.moduleSpecifier, record, s);
      all = () => target.exports;
      lookup = (name) => {
        if (!target.exports.has(name)) throw new EvalError(s, `${spec} has no export '${name}'`, "import-error");
        return target.exports.get(name);
      };
    } else {
      throw new EvalError(s.moduleSpecifier, `Only "cnn-studio" and relative imports of other model files can be analyzed, not "${spec}"`, "import-error");
    }
    if (clause.name) record.env.declare(clause.name.text, lookup("default"), false);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) record.env.declare(bindings.name.text, new Namespace(bindings.name.text, all()), false);
    else if (bindings) {
      for (const el of bindings.elements) {
        if (el.isTypeOnly) continue;
        const name = (el.propertyName ?? el.name).text;
        try {
          record.env.declare(el.name.text, lookup(name), false);
        } catch (e) {
          if (e instanceof EvalError) this.reporter.report("error", el, e.message, e.code);
          record.env.declare(el.name.text, undefined, false);
        }
      }
    }
  }

  private importFile(spec: string, dir: string, node: ts.Node, from?: FileRecord, statement?: ts.Node): FileRecord {
    const base = path.resolve(dir, spec);
    const candidates = [base.replace(/\.js$/, ".ts"), `${base}.ts`, path.join(base, "index.ts")];
    if (base.endsWith(".ts")) candidates.unshift(base);
    for (const file of candidates) {
      if (from && statement && !from.importing.has(file)) from.importing.set(file, statement);
      const existing = this.files.get(file);
      if (existing) {
        if (!existing.done) {
          // Report it at the import that started the cycle, in the file being loaded first.
          const start = this.loading.indexOf(file);
          const origin = existing.importing.get(this.loading[start + 1] ?? file);
          const chain = [...this.loading.slice(start), file].map((f) => path.basename(f)).join(" → ");
          const at = origin && ts.isImportDeclaration(origin) ? origin.moduleSpecifier : node;
          throw new CircularImportError(at, `Circular import: ${chain}; model files must not import each other in a cycle`, "import-error", [], origin ?? node);
        }
        return existing;
      }
      const text = this.host.readFile(file);
      if (text !== undefined) return this.load(file, text);
    }
    throw new EvalError(node, `Cannot find model file ${spec} (looked for ${candidates.map((c) => path.relative(dir, c) || c).join(", ")})`, "import-error");
  }

  private collectExports(s: ts.Statement, record: FileRecord): void {
    const env = record.env;
    if (ts.isVariableStatement(s) && hasModifier(s, ts.SyntaxKind.ExportKeyword)) {
      for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) record.exports.set(d.name.text, env.lookup(d.name.text)?.value);
    } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name && hasModifier(s, ts.SyntaxKind.ExportKeyword)) {
      record.exports.set(hasModifier(s, ts.SyntaxKind.DefaultKeyword) ? "default" : s.name.text, env.lookup(s.name.text)?.value);
    } else if (ts.isExportAssignment(s)) {
      record.exports.set("default", this.interp.eval(s.expression, env));
    } else if (ts.isExportDeclaration(s) && !s.isTypeOnly && s.exportClause && ts.isNamedExports(s.exportClause)) {
      const from =
        s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)
          ? this.importFile(s.moduleSpecifier.text, path.dirname(record.sf.fileName), s.moduleSpecifier)
          : undefined;
      for (const el of s.exportClause.elements) {
        const local = (el.propertyName ?? el.name).text;
        record.exports.set(el.name.text, from ? from.exports.get(local) : env.lookup(local)?.value);
      }
    }
  }

  // ---- models -------------------------------------------------------------------------------

  /** Exported values of the analysed file with the node that names them and the node carrying JSDoc. */
  private *exportedValues(record: FileRecord): Generator<{ name: string; value: Value; nameNode: ts.Node; docNode: ts.Node | undefined }> {
    const localDecl = (name: string): ts.VariableDeclaration | undefined => {
      for (const s of record.sf.statements) {
        if (!ts.isVariableStatement(s)) continue;
        for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return d;
      }
      return undefined;
    };
    for (const s of record.sf.statements) {
      if (ts.isVariableStatement(s) && hasModifier(s, ts.SyntaxKind.ExportKeyword)) {
        for (const d of s.declarationList.declarations) {
          if (ts.isIdentifier(d.name)) yield { name: d.name.text, value: record.exports.get(d.name.text), nameNode: d.name, docNode: d };
        }
      } else if (ts.isExportAssignment(s) && !s.isExportEquals) {
        yield { name: "default", value: record.exports.get("default"), nameNode: s, docNode: s };
      } else if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause && ts.isNamedExports(s.exportClause)) {
        for (const el of s.exportClause.elements) {
          yield { name: el.name.text, value: record.exports.get(el.name.text), nameNode: el, docNode: localDecl((el.propertyName ?? el.name).text) };
        }
      }
    }
  }

  /** `@input` on a class, a function or a const that is not exported would be silently ignored: say so. */
  private checkMisplacedInputs(record: FileRecord): void {
    for (const s of record.sf.statements) {
      if ((ts.isClassDeclaration(s) || ts.isFunctionDeclaration(s)) && s.name) {
        const tag = inputTags(s)[0]?.tag;
        if (!tag) continue;
        const what = ts.isClassDeclaration(s) ? `the class ${s.name.text}` : `the function ${s.name.text}`;
        const example = ts.isClassDeclaration(s) ? `new ${s.name.text}()` : `${s.name.text}()`;
        this.reporter.report(
          "error",
          tag,
          `@input belongs on an exported model, not on ${what}: write /** @input ... */ export const model = ${example};`,
          "misplaced-input",
        );
      } else if (ts.isVariableStatement(s) && !hasModifier(s, ts.SyntaxKind.ExportKeyword)) {
        for (const d of s.declarationList.declarations) {
          const tag = inputTags(d)[0]?.tag;
          if (tag && ts.isIdentifier(d.name))
            this.reporter.report(
              "warning",
              d.name,
              `'${d.name.text}' has an @input tag but is not exported, so it is not analyzed as a model: add 'export'`,
              "misplaced-input",
            );
        }
      }
    }
  }

  /** `[N, 3, 224, 224]`: the batch is an identifier or a number; the rest are positive integers. */
  private parseInput(text: string, tag: ts.JSDocTag): Shape | undefined {
    const m = /^\s*\[([^\]]*)\]/.exec(text);
    const bad = (why: string): undefined => {
      this.reporter.report("error", tag, `@input ${why}; write it like @input [N, 3, 224, 224]`, "invalid-input-tag");
      return undefined;
    };
    if (!m) return bad(text.trim() ? `must be a shape in brackets, got "${text.trim()}"` : "needs a shape");
    const parts = m[1]!.split(",").map((p) => p.trim());
    if (parts.length < 1 || parts[0] === "") return bad("needs at least the batch dimension");
    const shape: Dim[] = [];
    for (const [i, p] of parts.entries()) {
      if (/^\d+$/.test(p) && Number(p) >= 1) shape.push(Number(p));
      else if (i === 0 && /^[A-Za-z_]\w*$/.test(p)) shape.push(p);
      else return bad(i === 0 ? `batch "${p}" must be a name or a positive integer` : `dimension ${i} ("${p}") must be a positive integer`);
    }
    return shape;
  }

  private analyzeModel(c: { name: string; value: Value; nameNode: ts.Node; docNode: ts.Node | undefined }): ModelAnalysis | undefined {
    const tags = inputTags(c.docNode);
    if (!(c.value instanceof ModuleValue)) {
      if (tags.length && c.value !== undefined && !(c.value instanceof Poison)) {
        this.reporter.report("error", c.nameNode, `'${c.name}' has an @input tag but is not a module (it is ${typeName(c.value)})`, "not-a-module");
      }
      return undefined;
    }
    const model = c.value;
    if (tags.length === 0) {
      this.reporter.report(
        "warning",
        c.nameNode,
        `Model '${c.name}' has no @input tag, so its shapes cannot be computed: add /** @input [N, C, H, W] */ above it`,
        "missing-input",
      );
      return undefined;
    }
    const inputs = tags.map((t) => this.parseInput(t.text, t.tag));
    if (inputs.some((s) => s === undefined)) return undefined;
    const shapes = inputs as Shape[];
    const paths = namedModules(model);
    const trace = new Trace(paths, c.nameNode);
    const args = shapes.map((s, i) => {
      const field = s.length === 4 ? INPUT_FIELD : null;
      const id = trace.addNode({
        kind: "input",
        label: shapes.length > 1 ? `input ${i + 1}` : "input",
        type: "input",
        inputs: [],
        output: s,
        attrs: {},
        receptiveField: field,
        location: toLocation(tags[i]!.tag),
      });
      return new TensorValue(s, field, id);
    });
    let output: Value = undefined;
    let complete = false;
    this.torch.trace = trace;
    this.guard(c.nameNode, () => {
      output = this.torch.callModule(model, args, null);
      // an error inside forward (a shape mismatch) is reported and leaves an unknown tensor instead of
      // throwing: the pass stopped there all the same, and the layers after it have no figures
      complete = !stoppedAtError(output);
    });
    this.torch.trace = null;
    return this.summarise(c.name, c.nameNode, model, shapes, output, trace, complete);
  }

  private summarise(name: string, nameNode: ts.Node, model: ModuleValue, inputs: Shape[], output: Value, trace: Trace, complete: boolean): ModelAnalysis {
    const result = resultShapes(output);
    const out: OutputShape | null = result?.shape ?? null;
    const outputs: TensorValue[] =
      result?.tensors ?? (output instanceof ArrayValue ? output.items.filter((v): v is TensorValue => v instanceof TensorValue) : []);
    for (const [i, t] of outputs.entries()) {
      if (t.shape)
        trace.addNode({
          kind: "output",
          // an object's outputs are named (`out`, `aux`): the trainer trains `out`
          label: result?.names?.[i] ?? "output",
          type: "output",
          inputs: [t.node],
          output: t.shape,
          attrs: {},
          receptiveField: t.field,
          location: null,
        });
    }
    // Exact sums (bigint): counts may exceed 2^53.
    type Sums = { params: bigint; trainable: bigint; buffers: bigint };
    const own = new Map<ModuleValue, Sums>();
    for (const m of trace.paths.keys()) {
      const counts = m.layer ? m.layer.kind.counts(m.layer.config) : NO_COUNTS;
      const declared = declaredCounts(m);
      own.set(m, {
        params: counts.params + declared.params,
        trainable: (m.frozen ? 0n : counts.params) + declared.trainable,
        buffers: counts.buffers + declared.buffers,
      });
    }
    const totals = [...own.values()].reduce((a, b) => ({ params: a.params + b.params, trainable: a.trainable + b.trainable, buffers: a.buffers + b.buffers }), {
      params: 0n,
      trainable: 0n,
      buffers: 0n,
    });
    const subtree = new Map<ModuleValue, Sums>();
    const sum = (m: ModuleValue): Sums => {
      const hit = subtree.get(m);
      if (hit) return hit;
      const o = own.get(m) ?? { params: 0n, trainable: 0n, buffers: 0n };
      const t = { params: o.params, trainable: o.trainable, buffers: o.buffers };
      for (const child of m.children.values()) {
        const s = sum(child);
        t.params += s.params;
        t.trainable += s.trainable;
        t.buffers += s.buffers;
      }
      subtree.set(m, t);
      return t;
    };
    const modules: ModuleInfo[] = [...trace.paths].flatMap(([m, p]) => {
      const s = sum(m);
      const info: ModuleInfo = {
        path: p,
        type: m.typeName,
        params: toCount(s.params),
        trainableParams: toCount(s.trainable),
        buffers: toCount(s.buffers),
        definedAt: m.definedAt ? toLocation(m.definedAt) : null,
        ...(m.params.size || m.buffers.size ? { declaredTensors: declaredTensors(m, this.torch.constants) } : {}),
        ...optional("initialisers", layerInitialisers(m)),
      };
      return [info, ...layerParts(m, p, info.definedAt)];
    });
    const graph: GraphNode[] = trace.graph;
    return {
      name,
      location: toLocation(nameNode),
      inputs,
      output: out,
      params: toCount(totals.params),
      trainableParams: toCount(totals.trainable),
      buffers: toCount(totals.buffers),
      macs: addCounts(
        sumCounts(trace.layers, (l) => l.macs),
        toCount(trace.opMacs),
      ),
      paramBytes: toCount(4n * totals.params),
      bufferBytes: toCount(4n * totals.buffers),
      activationBytes: sumCounts(trace.layers, (l) => l.activationBytes),
      layers: trace.layers,
      complete,
      graph,
      modules,
      tensors: trace.tensors,
    };
  }
}

/** The submodules PyTorch lists inside a leaf kind (nn.MultiheadAttention's `out_proj`), after it in `named_modules()` order. */
function layerParts(m: ModuleValue, path: string, definedAt: ModuleInfo["definedAt"]): ModuleInfo[] {
  const parts = m.layer?.kind.parts?.(m.layer.config) ?? [];
  return parts.map((part) => ({
    path: path ? `${path}.${part.name}` : part.name,
    type: part.type,
    params: toCount(part.params),
    trainableParams: m.frozen ? 0 : toCount(part.params),
    buffers: 0,
    definedAt,
  }));
}

function optional<K extends string, V>(key: K, v: V | undefined): { [k in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [k in K]?: V };
}

/** Whether a forward pass's result carries an error: a poisoned or unknown tensor, alone or among several outputs. */
function stoppedAtError(v: Value): boolean {
  return v instanceof Poison || hasUnknownTensor(v) || (v instanceof ArrayValue && v.items.some((x) => x instanceof Poison));
}

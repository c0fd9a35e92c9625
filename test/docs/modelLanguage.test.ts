import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import ts = require("typescript");
import { Analyzer } from "../../src/analyzer";
import { ROOT } from "../helpers/paths";
import { USER_COMPILER_OPTIONS } from "../helpers/userCompilerOptions";
import { codeSpans, fences, sections, tableRows, unquote } from "./markdown";
import { readSurface, RECEIVERS, type CallableSpec } from "./typingsSurface";

/**
 * docs/model-language.md, the user's reference, is kept in step with types/cnn-studio.d.ts: every
 * function, module, option (with its default), attribute and tensor method of the typings is
 * documented, and everything the doc documents (before "Not yet implemented") exists, type-checks
 * and analyses without errors.
 */

const DOC = path.join(ROOT, "docs", "model-language.md");
const NOT_YET = "## Not yet implemented";
const full = fs.readFileSync(DOC, "utf8");
const cut = full.indexOf(`\n${NOT_YET}\n`);
/** The part of the doc that describes what works today. */
const implemented = cut < 0 ? full : full.slice(0, cut);
const surface = readSurface();
const spans = new Set(codeSpans(implemented));
const docSections = sections(implemented);

function sectionOf(signature: string): string | undefined {
  return docSections.find((s) => unquote(s.title) === signature)?.body;
}

/** The option rows of a section's table: first cell a code span, header `option`. */
function optionRows(body: string): Map<string, string> {
  const rows = tableRows(body);
  if (rows[0]?.[0] !== "option") return new Map();
  return new Map(rows.slice(2).map((r) => [unquote(r[0] ?? ""), unquote(r[1] ?? "")]));
}

function attributesLine(body: string): string[] {
  const m = /^Attributes: (.*)\.$/m.exec(body);
  return m ? [...m[1]!.matchAll(/`([^`]+)`/g)].map((x) => x[1]!) : [];
}

test("the language reference exists and marks what is not implemented yet", () => {
  assert.ok(cut > 0, `${path.relative(ROOT, DOC)} has a '${NOT_YET}' section`);
  assert.match(full.slice(cut), /not yet/i);
});

test("every function, factory and tensor member of the typings is documented with its signature", () => {
  const missing = surface.callables.map((c) => c.signature).filter((sig) => !spans.has(sig));
  assert.deepEqual(missing, [], "signatures from types/cnn-studio.d.ts absent from docs/model-language.md");
  for (const ns of ["Module", "Sequential", "ModuleList", "ModuleDict"]) {
    assert.ok(
      docSections.some((s) => s.title === `\`nn.${ns}\``),
      `a '### \`nn.${ns}\`' section`,
    );
  }
  for (const t of surface.types) assert.ok(spans.has(t), `the type ${t} is documented`);
});

test("every nn factory has its section, with each option, its default and the module's attributes", () => {
  const factories = surface.callables.filter((c): c is CallableSpec => c.owner === "nn" || c.owner === "ops");
  assert.ok(factories.length >= 26, "the nn factories are read from the typings");
  for (const f of factories) {
    const body = sectionOf(f.signature);
    assert.ok(body !== undefined, `a heading \`${f.signature}\``);
    const rows = optionRows(body);
    const expected = new Map(f.options.map((o) => [o.name, o.defaultValue ?? "—"]));
    assert.deepEqual([...rows].sort(), [...expected].sort(), `options and defaults of ${f.signature}`);
    assert.deepEqual(attributesLine(body).sort(), [...f.attributes].sort(), `attributes of ${f.signature}`);
  }
});

test("every documented name and member signature exists in the typings", () => {
  const unknown: string[] = [];
  const texts = [...spans, ...fences(implemented).map((f) => f.code)];
  for (const text of texts) {
    for (const m of text.matchAll(/(?<![\w.$])(nn|F|torch|ops)\.([A-Za-z_]\w*)/g)) {
      if (!surface.names.get(m[1]!)?.has(m[2]!)) unknown.push(`${m[1]}.${m[2]}`);
    }
  }
  assert.deepEqual([...new Set(unknown)], [], "names in the doc that the typings do not declare");
  // The first column of every reference table row is a signature the typings declare.
  const signatures = new Set(surface.callables.map((c) => c.signature));
  const prefixes = new RegExp(`^(${["nn", "F", "torch", "ops", ...Object.values(RECEIVERS)].join("|")})\\.`);
  const extra = docSections
    .flatMap((s) => tableRows(s.body).slice(2))
    .map((r) => unquote(r[0] ?? ""))
    .filter((cell) => prefixes.test(cell) && !signatures.has(cell));
  assert.deepEqual(extra, [], "table rows documenting members the typings do not declare");
});

test("every TypeScript example of the reference type-checks with the typings and analyses without errors", () => {
  const blocks = fences(implemented).filter((f) => f.lang === "ts");
  assert.ok(blocks.length >= 3, "the reference has examples");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-doc-"));
  try {
    const files = blocks.map((b) => {
      const file = path.join(dir, `line${b.line}.ts`);
      fs.writeFileSync(file, b.code);
      return file;
    });
    const program = ts.createProgram(files, USER_COMPILER_OPTIONS);
    const typeErrors = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${path.basename(d.file?.fileName ?? "")}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
    assert.deepEqual(typeErrors, [], "type errors in the doc's examples (file names give the fence's line)");
    const analyzer = new Analyzer();
    for (const file of files) {
      const result = analyzer.analyzeFile(file);
      const errors = result.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
      assert.deepEqual(errors, [], `analysis errors in the example at ${path.basename(file)}`);
      assert.ok(result.models.length > 0, `the example at ${path.basename(file)} exports a model`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

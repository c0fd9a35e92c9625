import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test, type TestContext } from "node:test";
import { exportPyTorch } from "../../src/export/pytorch";
import { commentLines, docstringText, firstLineComment, pyString } from "../../src/export/py";
import { PYTHON, ROOT } from "./helpers";

/**
 * Text from the model file never becomes code in the exported Python (issue 12 item 1): every line
 * terminator that Python, TypeScript or an editor knows, in comments, docstrings, string literals,
 * names and the file name of the header. A fixed case, then a seeded fuzz: model files with such
 * characters and a payload that creates a file, exported, compiled and imported (stub `torch`) in
 * a sandbox folder, where no file may appear.
 */

/** What the payloads do when they run: create this file in the sandbox's current folder. */
const MARKER_CODE = 'open("PWNED", "w")';

/** Every line terminator and control character that matters, and what closes comments and strings. */
const TERMINATORS = ["\r", "\n", "\r\n", "\f", "\v", "\u2028", "\u2029", "\u0085", "\x1c", "\x1d", "\x1e"];
const PIECES = [
  ...TERMINATORS,
  "\0",
  "\x1b",
  "\x7f",
  '"""',
  "'''",
  '"',
  "'",
  "\\",
  "\\N",
  "#",
  "{",
  "}",
  "*/",
  " ",
  "x",
  "-*- coding: utf-7 -*-",
  "coding=utf_7 ",
  "+ACIAIgAi-",
  "+AAo-",
  "\ud800",
  "é",
];

const PY_HINT = "install python3 to run the exported-Python sandbox checks";

/** The Python that runs the sandbox (Debian's, else the PATH's), or undefined. */
function findPython(): string | undefined {
  for (const p of [PYTHON, "python3"]) {
    const r = spawnSync(p, ["-I", "-c", "import sys; print(sys.version_info[0])"], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim() === "3") return p;
  }
  return undefined;
}

interface SandboxResult {
  file: string;
  syntax?: string;
  error?: string;
  created?: string[];
}

/** Compiles and imports the files in a fresh sandbox folder (one Python process). */
function importInSandbox(python: string, files: string[]): SandboxResult[] {
  const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-sandbox-"));
  try {
    const r = spawnSync(python, ["-I", path.join(ROOT, "test/export/import_sandbox.py"), sandbox], {
      input: JSON.stringify(files),
      encoding: "utf8",
      cwd: sandbox,
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(r.status, 0, `the sandbox ran: ${r.error?.message ?? r.stderr.slice(-2000)}`);
    return JSON.parse(r.stdout) as SandboxResult[];
  } finally {
    fs.rmSync(sandbox, { recursive: true, force: true });
  }
}

/** Exports in-memory model files (`model.ts` is the main one) with the header naming `display`. */
function exportText(text: string, display = "model.ts"): string {
  const file = "/virtual/fuzz/model.ts";
  const r = exportPyTorch(file, { host: { readFile: (f) => (f === file ? text : undefined) }, displayPath: display });
  assert.notEqual(r.code, "", `the exporter produced code: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.code;
}

function checkSandbox(t: TestContext, codes: { code: string; source: string }[]): void {
  const python = findPython();
  if (!python) {
    t.skip(`no python3 found: ${PY_HINT}`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-fuzz-"));
  try {
    const files = codes.map((c, i) => {
      const f = path.join(dir, `export_${i}.py`);
      fs.writeFileSync(f, c.code);
      return f;
    });
    const results = importInSandbox(python, files);
    assert.equal(results.length, files.length);
    results.forEach((r, i) => {
      const source = JSON.stringify(codes[i]!.source);
      assert.equal(r.syntax, undefined, `export ${i} compiles (model file ${source})`);
      assert.equal(r.created, undefined, `importing export ${i} ran code from the model file ${source}`);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const BASE = (parts: Record<string, string>): string => `import { nn, type Tensor } from "cnn-studio";

${parts["top"] ?? ""}
const label = ${parts["string"] ?? '"x"'};
const table = { ${parts["key"] ?? "a"}: 1, tag: \`${parts["template"] ?? ""}\${label}\` };

${parts["classDoc"] ?? ""}
class Net extends nn.Module {
  readonly body: nn.Sequential;
  constructor() {
    super();
    ${parts["ctor"] ?? ""}
    this.body = nn.Sequential({ ${parts["childKey"] ?? "conv"}: nn.Conv2d(3, 8, 3, { padding: 1${parts["option"] ?? ""} }), relu: nn.ReLU() });
  }
  forward(x: Tensor): Tensor {
    ${parts["forward"] ?? ""}
    return this.body(x); ${parts["trailing"] ?? ""}
  }
}

/** ${parts["modelDoc"] ?? "A model."}
 * @input [N, 3, 8, 8] */
export const net = new Net();

/** @input [N, 3, 8, 8] */
const other = new Net();
export { other as ${parts["exportName"] ?? "other"} };
`;

test("a lone carriage return in a /* */ comment stays a comment in the exported Python", (t) => {
  const payload = `/* note\r${MARKER_CODE} */`;
  const code = exportText(BASE({ top: payload, forward: payload }));
  assert.ok(code.includes(`# note\n# ${MARKER_CODE}`), "the comment's second line is a comment line");
  assert.ok(!code.includes("\r"), "no carriage return in the output");
  assert.ok(!code.split("\n").some((l) => l.trimStart().startsWith(MARKER_CODE)), "the payload is not a line of code");
  checkSandbox(t, [{ code, source: payload }]);
});

test("the file name in the header is escaped: quotes, newlines, backslashes, an encoding declaration", (t) => {
  const names = [
    'a"""\nopen("PWNED", "w")\n""".ts',
    "models\\New\\user.ts",
    "x -*- coding: utf-7 -*- +ACIAIgAi-+AAo-open(+ACI-PWNED+ACI-, +ACI-w+ACI-)+AAo-+ACIAIgAi-.ts",
    'end".ts',
  ];
  const codes = names.map((n) => ({ code: exportText(BASE({}), n), source: n }));
  assert.ok(codes[2]!.code.startsWith("# Generated by CNN Studio from x -*- coding\\x3a utf-7"), "no encoding declaration on line 1");
  checkSandbox(t, codes);
});

test("a template whose expression renders with braces compiles (no {{ escape)", (t) => {
  const code = exportText(BASE({ top: 'const keyed = `n=${{ a: 1 }["a"]}`;' }));
  assert.ok(
    !code.includes("{{"),
    code.split("\n").find((l) => l.includes("keyed")),
  );
  checkSandbox(t, [{ code, source: "template" }]);
});

test("escaping helpers: every line terminator ends a comment line, strings and docstrings escape them", () => {
  for (const lt of TERMINATORS) {
    assert.deepEqual(commentLines(`a${lt}b`), ["# a", "# b"], `comment split at ${JSON.stringify(lt)}`);
    const s = pyString(`a${lt}b`);
    assert.ok(!/[\r\n\f\v\x1c-\x1e\x85\u2028\u2029]/.test(s), `string escapes ${JSON.stringify(lt)}: ${s}`);
    assert.ok(!/[\r\f\v\x1c-\x1e\x85\u2028\u2029]/.test(docstringText(`a${lt}b`)), `docstring ${JSON.stringify(lt)}`);
    assert.ok(!/[\r\n\f\v\x1c-\x1e\x85\u2028\u2029]/.test(docstringText(`a${lt}b`, true)), `one-line docstring ${JSON.stringify(lt)}`);
  }
  assert.equal(pyString("a\0\x1b\u2028\ud800"), '"a\\x00\\x1b\\u2028\\ud800"');
  assert.equal(docstringText('x"""\\N'), 'x\\"\\"\\"\\\\N');
  assert.equal(firstLineComment("# -*- coding: latin-1 -*-"), "# # -*- coding\\x3a latin-1 -*-");
});

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random payload: pieces around the marker code, with at least one line terminator before it. */
function payload(next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const some = (): string => Array.from({ length: Math.floor(next() * 4) }, () => pick(PIECES)).join("");
  return `${some()}${pick(TERMINATORS)}${pick(["", " ", "\t", '"""', "'"])}${MARKER_CODE}${pick(["", "#", '"""', "\r", "\n"])}${some()}`;
}

/** The payload written in each context of BASE so that TypeScript still parses the file. */
function modelFile(next: () => number): string {
  const p = () => payload(next);
  const lineComment = (s: string) => `// ${s.replace(/[\n\r\u2028\u2029]/g, " ")}`;
  const blockComment = (s: string) => `/* ${s.replace(/\*\//g, "* /")} */`;
  const tsString = (s: string) => JSON.stringify(s);
  const template = (s: string) =>
    s.replace(/[\\`$]/g, (c) => `\\${c}`).replace(/[\0-\x1f\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const comment = () => (next() < 0.5 ? lineComment(p()) : blockComment(p()));
  return BASE({
    top: `${comment()}\n${comment()}`,
    string: tsString(p()),
    key: tsString(p()),
    template: template(p()),
    classDoc: `/** ${p().replace(/\*\//g, "* /")} */`,
    ctor: `${comment()}\n    this[${tsString(p())}] = nn.ReLU();`,
    childKey: tsString(p()),
    option: next() < 0.5 ? `, ${tsString(p())}: 1` : "",
    forward: comment(),
    trailing: comment(),
    modelDoc: p().replace(/\*\//g, "* /"),
    exportName: tsString(p()),
  });
}

test("fuzz: model files with line terminators in comments, strings, names and file names never run code on import", (t) => {
  const next = random(12);
  const COUNT = 24;
  const codes: { code: string; source: string }[] = [];
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const source = modelFile(next);
    codes.push({ code: exportText(source, `${payload(next)}.ts`), source });
  }
  t.diagnostic(`exported ${COUNT} fuzzed model files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  checkSandbox(t, codes);
});

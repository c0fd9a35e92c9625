/**
 * Reusing the previous analysis after an edit of comments or whitespace (src/server/analysisReuse.ts,
 * AnalysisSession.reuse): the answer must equal a from-scratch analysis of the edited text, with
 * every position moved, and the session must really reuse (its counters say so).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { Analyzer, diskHost } from "../../src/analyzer/index";
import type { FileAnalysis } from "../../src/shared/analysis";
import { DEFAULT_SETTINGS } from "../../src/shared/lsp";
import { codeLenses } from "../../src/server/codeLens";
import { OpenDocuments } from "../../src/server/documents";
import { hover } from "../../src/server/hover";
import { inlayHints } from "../../src/server/inlayHints";
import { AnalysisSession } from "../../src/server/session";
import { pathToUri } from "../../src/server/uris";
import { mulberry32 } from "../helpers/mutate";

const EXAMPLES = path.resolve(__dirname, "..", "..", "..", "examples");

function newSession(): { docs: OpenDocuments; session: AnalysisSession } {
  const docs = new OpenDocuments();
  const session = new AnalysisSession(
    docs,
    { publish: () => undefined, analysed: () => undefined, viewsChanged: () => undefined, log: (m) => assert.fail(m) },
    { settings: () => DEFAULT_SETTINGS },
  );
  return { docs, session };
}

/** The analysis of `text` as `file` by a new analyzer (everything else from disk). */
function fromScratch(file: string, text: string): FileAnalysis {
  return new Analyzer({ readFile: (f) => (f === file ? text : diskHost.readFile(f)) }).analyzeFile(file);
}

/** Open `file` with `text`, then apply each text in turn, checking each analysis against a fresh one. */
function checkEdits(file: string, texts: readonly string[]): AnalysisSession["stats"] {
  const { docs, session } = newSession();
  const uri = pathToUri(file);
  try {
    let version = 1;
    const first = texts[0]!;
    session.opened(docs.open(uri, "typescript", version, first));
    assert.deepEqual(session.snapshot(file)?.analysis, fromScratch(file, first));
    for (const [i, text] of texts.slice(1).entries()) {
      const doc = docs.change(uri, ++version, [{ text }]);
      assert.ok(doc);
      session.changed(doc);
      const got = session.snapshot(file);
      assert.equal(got?.version, version);
      assert.deepEqual(got.analysis, fromScratch(file, text), `edit ${i + 1} of ${path.basename(file)}`);
    }
    return { ...session.stats };
  } finally {
    session.dispose();
  }
}

/** A seeded edit of the kind typing makes: a comment, spacing, a line break, or a changed digit. */
function edit(text: string, rand: () => number): string {
  const at = Math.floor(rand() * (text.length + 1));
  const kind = Math.floor(rand() * 6);
  switch (kind) {
    case 0:
      return `${text.slice(0, at)}/* note */${text.slice(at)}`;
    case 1:
      return `${text.slice(0, at)}\n// a remark\n${text.slice(at)}`;
    case 2:
      return `${text.slice(0, at)}  ${text.slice(at)}`;
    case 3: {
      // Delete a run of spaces or a line break somewhere after `at`.
      const m = /[ \n]+/g;
      m.lastIndex = at;
      const r = m.exec(text);
      return r ? text.slice(0, r.index) + text.slice(r.index + 1) : text;
    }
    case 4: {
      const m = /\d/g;
      m.lastIndex = at;
      const r = m.exec(text) ?? /\d/.exec(text);
      return r ? `${text.slice(0, r.index)}${(Number(r[0]) + 1) % 10}${text.slice(r.index + 1)}` : text;
    }
    default: {
      // A blank line at the start of a line.
      const nl = text.indexOf("\n", at);
      return nl < 0 ? `${text}\n` : `${text.slice(0, nl + 1)}\n${text.slice(nl + 1)}`;
    }
  }
}

describe("analysis reuse after an edit of comments or whitespace", () => {
  test("seeded edits of examples equal a from-scratch analysis, and most are reused", () => {
    let reused = 0;
    for (const name of ["resnet.ts", "lenet5.ts", "vit-mnist.ts", "mnist-resnet.ts", "segmentation.ts"]) {
      const file = path.join(EXAMPLES, name);
      const original = fs.readFileSync(file, "utf8");
      const rand = mulberry32(name.length * 7919);
      const texts = [original];
      for (let i = 0; i < 12; i++) texts.push(edit(i % 4 === 0 ? original : texts[texts.length - 1]!, rand));
      const stats = checkEdits(file, texts);
      assert.equal(stats.analysed + stats.reused, texts.length);
      reused += stats.reused;
    }
    assert.ok(reused >= 10, `only ${reused} analyses were reused`);
  });

  test("a comment added above everything: reused, every position one line down", () => {
    const file = path.join(EXAMPLES, "lenet5.ts");
    const original = fs.readFileSync(file, "utf8");
    const stats = checkEdits(file, [original, `// LeNet\n${original}`, `// LeNet\n${original.replace(/\n/, "\n\n   ")}`]);
    assert.deepEqual(stats, { analysed: 1, reused: 2 });
  });

  test("hovers, inlay hints and lenses after a reused analysis equal those of a fresh session", () => {
    const file = path.join(EXAMPLES, "resnet.ts");
    const original = fs.readFileSync(file, "utf8");
    const at = original.indexOf("class Bottleneck");
    const edited = `${original.slice(0, at)}// a remark\n\n${original.slice(at).replace("out = this.conv2(out)", "out = this.conv2( out )")}`;
    const uri = pathToUri(file);
    const reused = newSession();
    const fresh = newSession();
    try {
      reused.session.opened(reused.docs.open(uri, "typescript", 1, original));
      // Hover once first, so that the lookups built on the first analysis are taken over.
      assert.ok(hover(reused.session, file, { line: 0, character: 0 }) !== undefined);
      const doc = reused.docs.change(uri, 2, [{ text: edited }]);
      assert.ok(doc);
      reused.session.changed(doc);
      fresh.session.opened(fresh.docs.open(uri, "typescript", 2, edited));
      const lines = edited.split("\n");
      for (let line = 0; line < lines.length; line += 4) {
        for (let character = 0; character < lines[line]!.length; character += 9) {
          assert.deepEqual(hover(reused.session, file, { line, character }), hover(fresh.session, file, { line, character }), `hover at ${line}:${character}`);
        }
      }
      const whole = { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } };
      assert.deepEqual(
        inlayHints(reused.session, file, whole, DEFAULT_SETTINGS.inlayHints),
        inlayHints(fresh.session, file, whole, DEFAULT_SETTINGS.inlayHints),
      );
      assert.deepEqual(codeLenses(reused.session.snapshot(file)!), codeLenses(fresh.session.snapshot(file)!));
      assert.deepEqual(reused.session.stats, { analysed: 1, reused: 1 });
    } finally {
      reused.session.dispose();
      fresh.session.dispose();
    }
  });

  test("a space typed where one token ends and the next starts: ranges ending there stay, those starting there move", () => {
    // `)|;` and `(|x`: a range ending at the edit (the call) keeps its end, the next token's range moves.
    for (const name of ["lenet5.ts", "resnet.ts"]) {
      const file = path.join(EXAMPLES, name);
      const original = fs.readFileSync(file, "utf8");
      const texts = [original];
      const inCode = (at: number): boolean => !/^\s*(\*|\/\*\*|\/\/)/.test(original.slice(original.lastIndexOf("\n", at) + 1, at));
      for (const m of [...original.matchAll(/\)(?=;)|\((?=\w)/g)].filter((m) => inCode(m.index)).slice(0, 12)) {
        const at = m.index + 1;
        texts.push(`${original.slice(0, at)} ${original.slice(at)}`, original);
      }
      const stats = checkEdits(file, texts);
      assert.equal(stats.reused, texts.length - 1, name);
    }
  });

  test("a multi-hunk edit of comments in two places (one replacement spanning code) is reused with every position right", () => {
    const file = path.join(EXAMPLES, "resnet.ts");
    const original = fs.readFileSync(file, "utf8");
    const at = original.indexOf("class Bottleneck");
    const edited = `${original.slice(0, at)}// a remark\n\n${original.slice(at).replace("out = this.conv2(out);", "out = this.conv2(out) ; // and one\n")}`;
    assert.deepEqual(checkEdits(file, [original, edited, original]), { analysed: 1, reused: 2 });
  });

  test("an edit of JSDoc (an @input tag) or of code is analysed again", () => {
    const file = path.join(EXAMPLES, "lenet5.ts");
    const original = fs.readFileSync(file, "utf8");
    assert.match(original, /@input \[N, 1, 28, 28\]/);
    const stats = checkEdits(file, [
      original,
      original.replace("@input [N, 1, 28, 28]", "@input [N, 1, 32, 32]"),
      original.replace("@input [N, 1, 28, 28]", "@input  [N, 1, 28, 28]"),
    ]);
    assert.deepEqual(stats, { analysed: 3, reused: 0 });
  });

  test("a diagnostic that quotes the source around the edit is computed again", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-reuse-"));
    const file = path.join(dir, "model.ts");
    const text = `import { nn } from "cnn-studio";\nconst notAFunction = 3;\n/** @input [N, 4] */\nexport const m = nn.Sequential(nn.Linear(4, 2));\nconst y = notAFunction(1);\n`;
    const commented = text.replace("notAFunction(1)", "notAFunction /* why */(1)");
    const spaced = text.replace("notAFunction(1)", "notAFunction (1)");
    const below = `${text}// the end\n`;
    try {
      const first = fromScratch(file, text);
      assert.ok(first.diagnostics.some((d) => d.message.includes("'notAFunction'")));
      const stats = checkEdits(file, [text, commented, spaced, below]);
      // The comment inside the call is not quoted (only the callee is), but the edit touches the diagnostic's span.
      assert.deepEqual(stats, { analysed: 3, reused: 1 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a changed import is analysed again even if the edited file only changed a comment", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-reuse-"));
    const file = path.join(dir, "model.ts");
    const helper = path.join(dir, "blocks.ts");
    fs.writeFileSync(helper, `import { nn } from "cnn-studio";\nexport const width = 8;\n`);
    const text = `import { nn } from "cnn-studio";\nimport { width } from "./blocks";\n/** @input [N, 4] */\nexport const m = nn.Linear(4, width);\n`;
    const { docs, session } = newSession();
    try {
      const uri = pathToUri(file);
      session.opened(docs.open(uri, "typescript", 1, text));
      assert.equal(session.snapshot(file)?.analysis.models[0]?.output?.toString(), "N,8");
      fs.writeFileSync(helper, `import { nn } from "cnn-studio";\nexport const width = 16;\n`);
      const doc = docs.change(uri, 2, [{ text: `// comment\n${text}` }]);
      assert.ok(doc);
      session.changed(doc);
      assert.equal(session.snapshot(file)?.analysis.models[0]?.output?.toString(), "N,16");
      assert.deepEqual(session.stats, { analysed: 2, reused: 0 });
    } finally {
      session.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

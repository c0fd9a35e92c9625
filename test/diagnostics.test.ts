/**
 * The broken-file corpus: every file in test/fixtures/diagnostics is a small model file with one
 * problem (a few have two independent ones). Its leading comment lines state the diagnostics the
 * analyzer must report, exactly:
 *
 *   // expect: error 9:3 Conv2d expects 16 input channels but receives 32 (input [N, 32, 8, 8])
 *   // expect: error other-file.ts:4:22 message      (a diagnostic located in another fixture file)
 *   // todo: analyzer bug: why the analyzer does not do this yet
 *
 * Severity, 1-based line:column of the range start, the full message. The file's diagnostics must
 * be exactly that list (order aside). A `// todo:` line marks the expectation as what the analyzer
 * should report but does not yet (the comparison runs as a node:test todo); the invariants (no
 * crash, no internal error, ranges inside the file) are checked for every fixture regardless.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { Analyzer, diskHost, type AnalyzerHost, type Diagnostic, type FileAnalysis, type Location } from "../src/analyzer/index";

const FIXTURES = path.resolve(__dirname, "../../test/fixtures/diagnostics");
/** Every fixture, runaway loops and recursions included, must be analysed within this time. */
const TIME_LIMIT_MS = 1000;

interface Header {
  expected: string[];
  todo: string | undefined;
}

const EXPECT = /^\/\/ expect: (error|warning|info) (?:([^\s:]+):)?(\d+):(\d+) (.+)$/;

/** Reads the leading `//` comment lines of a fixture. */
function parseHeader(file: string, text: string): Header {
  const expected: string[] = [];
  let todo: string | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith("//")) break;
    if (line.startsWith("// expect:")) {
      const m = EXPECT.exec(line);
      if (!m) throw new Error(`${path.basename(file)}: malformed expectation line: ${line}`);
      const [, severity, other, l, c, message] = m;
      expected.push(canonical(severity!, other ? path.resolve(FIXTURES, other) : file, Number(l), Number(c), message!, file));
    } else if (line.startsWith("// todo:")) {
      todo = line.slice("// todo:".length).trim();
    }
  }
  return { expected, todo };
}

/** `error 9:3 message`, or `error other.ts:9:3 message` for a location in another file than `self`. */
function canonical(severity: string, file: string, line: number, col: number, message: string, self: string): string {
  const where = file === self ? `${line}:${col}` : `${path.relative(FIXTURES, file)}:${line}:${col}`;
  return `${severity} ${where} ${message}`;
}

function describeDiagnostic(d: Diagnostic, self: string): string {
  const s = d.location.range.start;
  return canonical(d.severity, d.location.file, s.line + 1, s.character + 1, d.message, self);
}

/** `file.ts:9:13` (1-based), relative to the fixtures folder. */
function at(l: Location): string {
  return `${path.relative(FIXTURES, l.file)}:${l.range.start.line + 1}:${l.range.start.character + 1}`;
}

const fixtures = fs
  .readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".ts"))
  .sort();

/** Each fixture is analysed once (some take a while), with the time it took. */
const results = new Map<string, { analysis: FileAnalysis; ms: number }>();
function analyse(name: string): { analysis: FileAnalysis; ms: number } {
  let r = results.get(name);
  if (!r) {
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    const analysis = new Analyzer().analyzeFile(path.join(FIXTURES, name));
    const cpu = process.cpuUsage(cpu0);
    // The smaller of wall-clock and CPU time: a machine busy with other work does not count.
    r = { analysis, ms: Math.min(performance.now() - wall0, (cpu.user + cpu.system) / 1000) };
    results.set(name, r);
  }
  return r;
}

/** Lines of every file the analysis may point into. */
function lineCount(file: string): number | undefined {
  const text = diskHost.readFile(file);
  return text === undefined ? undefined : text.split("\n").length;
}

describe("broken-file corpus", () => {
  test("has the fixtures, each with at least one expectation", () => {
    assert.ok(fixtures.length >= 30, `only ${fixtures.length} fixtures in ${FIXTURES}`);
    for (const name of fixtures) {
      const file = path.join(FIXTURES, name);
      const header = parseHeader(file, fs.readFileSync(file, "utf8"));
      assert.ok(header.expected.length > 0, `${name} states no expected diagnostic`);
    }
  });

  for (const name of fixtures) {
    const file = path.join(FIXTURES, name);
    const header = parseHeader(file, fs.readFileSync(file, "utf8"));

    test(`${name}: no crash, no internal error, ranges inside the file`, () => {
      const { analysis } = analyse(name);
      assert.equal(analysis.file, file);
      assert.ok(Array.isArray(analysis.models) && Array.isArray(analysis.diagnostics));
      for (const d of analysis.diagnostics) {
        assert.notEqual(d.code, "internal-error", `internal error: ${d.message}`);
        const lines = lineCount(d.location.file);
        assert.ok(lines !== undefined, `diagnostic in an unreadable file: ${d.location.file}`);
        const { start, end } = d.location.range;
        assert.ok(start.line >= 0 && start.line < lines && start.character >= 0, `range start outside the file: ${describeDiagnostic(d, file)}`);
        assert.ok(
          end.line < lines && (end.line > start.line || (end.line === start.line && end.character >= start.character)),
          `bad range end: ${describeDiagnostic(d, file)}`,
        );
      }
    });

    test(`${name}: diagnostics match the header`, header.todo ? { todo: header.todo } : {}, () => {
      const { analysis, ms } = analyse(name);
      const actual = analysis.diagnostics.map((d) => describeDiagnostic(d, file)).sort();
      assert.deepEqual(actual, [...header.expected].sort());
      assert.ok(ms < TIME_LIMIT_MS, `analysis took ${ms.toFixed(0)} ms (limit ${TIME_LIMIT_MS} ms)`);
    });
  }
});

/**
 * Fixes and related information of selected diagnostics: `diag` is the diagnostic's position;
 * `fix` the fix's position and text (null: there must be none, because no single value certainly
 * fixes it); `related` the positions of every related location.
 */
const details: Record<string, { diag: string; fix?: { at: string; newText: string } | null; related?: string[] }> = {
  "seq-channel-mismatch.ts": { diag: "9:3", fix: { at: "seq-channel-mismatch.ts:9:13", newText: "32" }, related: ["seq-channel-mismatch.ts:8:3"] },
  "forward-channel-mismatch.ts": {
    diag: "11:9",
    fix: { at: "forward-channel-mismatch.ts:7:21", newText: "32" },
    related: ["forward-channel-mismatch.ts:10:9", "forward-channel-mismatch.ts:7:11"],
  },
  "linear-after-flatten.ts": { diag: "10:3", fix: { at: "linear-after-flatten.ts:10:13", newText: "16 * 4 * 4" }, related: ["linear-after-flatten.ts:9:3"] },
  "batchnorm-mismatch.ts": { diag: "7:3", fix: { at: "batchnorm-mismatch.ts:7:18", newText: "64" }, related: ["batchnorm-mismatch.ts:6:3"] },
  "two-models.ts": { diag: "6:70", fix: { at: "two-models.ts:6:85", newText: "8" }, related: ["two-models.ts:6:59"] },
  "missing-flatten.ts": { diag: "10:12", fix: null, related: ["missing-flatten.ts:5:75", "missing-flatten.ts:6:8"] },
  "conv-output-zero.ts": { diag: "10:3", fix: null, related: ["conv-output-zero.ts:9:41"] },
  "residual-no-downsample.ts": { diag: "14:11", fix: null, related: ["residual-no-downsample.ts:13:11", "residual-no-downsample.ts:19:5"] },
  "cat-mismatch.ts": { diag: "9:12", fix: null, related: ["cat-mismatch.ts:9:23", "cat-mismatch.ts:9:34"] },
  "view-bad.ts": { diag: "9:12", fix: null, related: ["view-bad.ts:8:9"] },
};

/** Offset of a 0-based line/character in `text`. */
function offsetOf(text: string, line: number, character: number): number {
  let offset = 0;
  for (let i = 0; i < line; i++) offset = text.indexOf("\n", offset) + 1;
  return offset + character;
}

describe("fixes and related locations", () => {
  for (const [name, want] of Object.entries(details)) {
    const file = path.join(FIXTURES, name);
    test(name, () => {
      const { analysis } = analyse(name);
      const d = analysis.diagnostics.find((x) => at(x.location) === `${name}:${want.diag}`);
      assert.ok(d, `no diagnostic at ${want.diag}; got ${analysis.diagnostics.map((x) => describeDiagnostic(x, file)).join(" | ")}`);
      if (want.related) {
        assert.deepEqual(d.related.map((r) => at(r.location)).sort(), [...want.related].sort());
        for (const r of d.related) assert.ok(r.message.length > 0);
      }
      if (want.fix === null) assert.equal(d.fix, undefined, `unexpected fix ${JSON.stringify(d.fix)}`);
      if (want.fix) {
        assert.ok(d.fix, "the diagnostic has no fix");
        assert.equal(at(d.fix.location), want.fix.at);
        assert.equal(d.fix.newText, want.fix.newText);
        assert.ok(d.fix.title.includes(want.fix.newText), `fix title "${d.fix.title}" does not name the new value`);

        // Applying the fix removes exactly that diagnostic and introduces no other.
        const text = fs.readFileSync(file, "utf8");
        const { start, end } = d.fix.location.range;
        const fixed = text.slice(0, offsetOf(text, start.line, start.character)) + d.fix.newText + text.slice(offsetOf(text, end.line, end.character));
        const host: AnalyzerHost = { readFile: (f) => (f === file ? fixed : diskHost.readFile(f)) };
        const after = new Analyzer(host)
          .analyzeFile(file)
          .diagnostics.map((x) => describeDiagnostic(x, file))
          .sort();
        const before = analysis.diagnostics
          .filter((x) => x !== d)
          .map((x) => describeDiagnostic(x, file))
          .sort();
        assert.deepEqual(after, before, `after the fix:\n${fixed}`);
      }
    });
  }
});

/**
 * Robustness of the analyzer against text being typed: every example model file is mutated many
 * times with a seeded PRNG (spans deleted or duplicated, stray tokens inserted, the text cut off,
 * lines swapped, numbers replaced by 0 or huge values), and each mutant is analysed with an
 * in-memory host (the mutant for that file, the other examples from disk for its imports).
 *
 * Every analysis must return a FileAnalysis without throwing, without an `internal-error`
 * diagnostic, with every range inside its file, within TIME_LIMIT_MS. A failure prints the file,
 * the seed and the mutation steps; `mutate(text, seed)` regenerates the mutant exactly.
 *
 * Environment: CNN_STUDIO_MUTATIONS (mutations per file, default 150) and CNN_STUDIO_SEED (runs only
 * that seed, for reproducing a failure).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { Analyzer, diskHost, type AnalyzerHost, type FileAnalysis, type Location } from "../src/analyzer/index";
import { mutate } from "./mutate";

const ROOT = path.resolve(__dirname, "../..");
const EXAMPLES = path.join(ROOT, "examples");
const MUTATIONS = Number(process.env.CNN_STUDIO_MUTATIONS ?? 150);
const ONLY_SEED = process.env.CNN_STUDIO_SEED === undefined ? undefined : Number(process.env.CNN_STUDIO_SEED);
const TIME_LIMIT_MS = 1000;

/** Whether a location lies inside the file's text (0-based lines, characters within the line). */
function checkLocation(loc: Location, textOf: (file: string) => string | undefined, what: string): string | undefined {
  const text = textOf(loc.file);
  if (text === undefined) return `${what} points into an unreadable file ${loc.file}`;
  const lines = text.split("\n");
  const { start, end } = loc.range;
  const inside = (p: { line: number; character: number }): boolean =>
    Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line]!.length;
  if (!inside(start) || !inside(end)) return `${what} range ${JSON.stringify(loc.range)} is outside ${path.basename(loc.file)} (${lines.length} lines)`;
  if (end.line < start.line || (end.line === start.line && end.character < start.character)) return `${what} range ${JSON.stringify(loc.range)} ends before it starts`;
  return undefined;
}

/** Problems with one analysis, empty when it is sound. */
function problems(result: FileAnalysis, file: string, textOf: (file: string) => string | undefined): string[] {
  const out: string[] = [];
  if (result.file !== file) out.push(`file is ${result.file}`);
  if (!Array.isArray(result.models) || !Array.isArray(result.diagnostics) || !Array.isArray(result.dependencies)) out.push("not a FileAnalysis");
  for (const d of result.diagnostics ?? []) {
    if (d.code === "internal-error") out.push(`internal error: ${d.message}`);
    if (!["error", "warning", "info"].includes(d.severity)) out.push(`bad severity ${d.severity}`);
    if (typeof d.message !== "string" || d.message.length === 0) out.push(`empty message (${d.code})`);
    const p = [checkLocation(d.location, textOf, `diagnostic "${d.message}"`)];
    for (const r of d.related) p.push(checkLocation(r.location, textOf, `related "${r.message}" of "${d.message}"`));
    if (d.fix) p.push(checkLocation(d.fix.location, textOf, `fix of "${d.message}"`));
    out.push(...p.filter((x): x is string => x !== undefined));
  }
  return out;
}

/** A number from a file name, so every file gets its own seeds. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) % 1_000_000;
}

const examples = fs
  .readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".ts"))
  .sort();

describe("analyzer robustness on mutated examples", () => {
  test("the mutator is deterministic", () => {
    const text = fs.readFileSync(path.join(EXAMPLES, examples[0]!), "utf8");
    assert.deepEqual(mutate(text, 42), mutate(text, 42));
    assert.ok(examples.length > 0);
  });

  for (const name of examples) {
    test(name, (t) => {
      const file = path.join(EXAMPLES, name);
      const original = fs.readFileSync(file, "utf8");
      const base = hash(name) * 1000;
      const seeds = ONLY_SEED !== undefined ? [ONLY_SEED] : Array.from({ length: MUTATIONS }, (_, i) => base + i);
      const failures: { seed: number; text: string; report: string }[] = [];
      let slowest = { ms: 0, seed: 0 };
      const started = performance.now();
      let current = original;
      const host: AnalyzerHost = { readFile: (f) => (f === file ? current : diskHost.readFile(f)) };
      // One analyzer for all mutants, as in an editor session (its parse cache sees every version).
      const analyzer = new Analyzer(host);
      for (const seed of seeds) {
        const m = mutate(original, seed);
        current = m.text;
        const t0 = performance.now();
        let found: string[];
        try {
          const result = analyzer.analyzeFile(file);
          const ms = performance.now() - t0;
          if (ms > slowest.ms) slowest = { ms, seed };
          found = problems(result, file, host.readFile);
          if (ms > TIME_LIMIT_MS) found.push(`took ${ms.toFixed(0)} ms (limit ${TIME_LIMIT_MS} ms)`);
        } catch (e) {
          found = [`analyzeFile threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`];
        }
        if (found.length) {
          const report = `${name} seed ${seed}: ${m.steps.join("; ")}\n  ${found.join("\n  ")}\n  reproduce: CNN_STUDIO_SEED=${seed} node --test --test-name-pattern='${name}' out/test/robustness.test.js`;
          failures.push({ seed, text: m.text, report });
        }
      }
      const total = performance.now() - started;
      t.diagnostic(`${seeds.length} mutants in ${total.toFixed(0)} ms, slowest ${slowest.ms.toFixed(0)} ms (seed ${slowest.seed})`);
      const [first] = failures;
      if (first) {
        const listed = failures.slice(0, 10).map((f) => f.report).join("\n");
        const more = failures.length > 10 ? `\n... and ${failures.length - 10} more` : "";
        assert.fail(`${failures.length} of ${seeds.length} mutants of ${name} failed:\n${listed}${more}\n--- mutant of seed ${first.seed} ---\n${first.text}`);
      }
    });
  }
});

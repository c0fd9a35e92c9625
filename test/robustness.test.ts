/**
 * Robustness of the analyzer against text being typed: every example model file is mutated many
 * times with a seeded PRNG (test/helpers/mutate.ts: spans deleted or duplicated, stray tokens
 * inserted, the text cut off, lines swapped, numbers replaced by 0 or huge values), and each mutant
 * is analysed with an in-memory host (the mutant for that file, the other examples from disk for
 * its imports), by one Analyzer per file as in an editor session; two files at a time.
 *
 * Every analysis must return a FileAnalysis without throwing, without an `internal-error`
 * diagnostic, with every range (related and fix locations too) inside its file, within
 * TIME_LIMIT_MS (the smaller of wall-clock and CPU time, so a busy machine does not fail it). The
 * analyses run in child processes, so a mutant that hangs the analyzer is reported (after HANG_MS)
 * instead of hanging the suite. A failure prints the file, the seed, the
 * mutation steps and the mutant; `mutate(text, seed)` regenerates it exactly.
 *
 * Environment: CNN_STUDIO_MUTATIONS (mutants per file, default 120), CNN_STUDIO_SEED (only that
 * seed, to reproduce a failure; combine with --test-name-pattern=<file>).
 */
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { Worker } from "node:worker_threads";
import { Analyzer, diskHost, type AnalyzerHost, type FileAnalysis, type Location } from "../src/analyzer/index";
import { mutate } from "./helpers/mutate";

const EXAMPLES = path.resolve(__dirname, "../../examples");
const MUTATIONS = Number(process.env.CNN_STUDIO_MUTATIONS ?? 120);
const ONLY_SEED = process.env.CNN_STUDIO_SEED === undefined ? undefined : Number(process.env.CNN_STUDIO_SEED);
const TIME_LIMIT_MS = 1000;
/** An analysis still running after this long is a hang: its process is killed and a new one goes on. */
const HANG_MS = 10_000;

/** What the child process reports for one mutant. */
interface Outcome {
  seed: number;
  steps: string[];
  ms: number;
  /** What is wrong with the analysis; empty when it is sound. */
  problems: string[];
  /** Messages of the diagnostics reported. */
  messages: string[];
  hang?: boolean;
}

/** Whether a location lies inside the file's text (0-based lines, characters within the line). */
function checkLocation(loc: Location, textOf: (file: string) => string | undefined, what: string): string | undefined {
  const text = textOf(loc.file);
  if (text === undefined) return `${what} points into an unreadable file ${loc.file}`;
  const lines = text.split("\n");
  const { start, end } = loc.range;
  const inside = (p: { line: number; character: number }): boolean =>
    Number.isInteger(p.line) &&
    Number.isInteger(p.character) &&
    p.line >= 0 &&
    p.line < lines.length &&
    p.character >= 0 &&
    p.character <= lines[p.line]!.length;
  if (!inside(start) || !inside(end)) return `${what} range ${JSON.stringify(loc.range)} is outside ${path.basename(loc.file)} (${lines.length} lines)`;
  if (end.line < start.line || (end.line === start.line && end.character < start.character))
    return `${what} range ${JSON.stringify(loc.range)} ends before it starts`;
  return undefined;
}

/** Problems with one analysis, empty when it is sound. */
function problems(result: FileAnalysis, file: string, textOf: (file: string) => string | undefined): string[] {
  const out: string[] = [];
  if (result.file !== file) out.push(`file is ${result.file}`);
  if (!Array.isArray(result.models) || !Array.isArray(result.diagnostics) || !Array.isArray(result.dependencies)) return ["not a FileAnalysis"];
  for (const d of result.diagnostics) {
    if (d.code === "internal-error") out.push(`internal error: ${d.message}`);
    if (!["error", "warning", "info"].includes(d.severity)) out.push(`bad severity ${d.severity}`);
    if (typeof d.message !== "string" || d.message.length === 0) out.push(`empty message (${d.code})`);
    const p = [checkLocation(d.location, textOf, `diagnostic "${d.message}"`)];
    for (const r of d.related) p.push(checkLocation(r.location, textOf, `related "${r.message}" of "${d.message}"`));
    if (d.fix) p.push(checkLocation(d.fix.location, textOf, `fix of "${d.message}"`));
    for (const e of d.producerFix?.edits ?? []) p.push(checkLocation(e.location, textOf, `producer fix of "${d.message}"`));
    out.push(...p.filter((x): x is string => x !== undefined));
  }
  return out;
}

// ---- child process: analyses the mutants of one file -----------------------------------------

/** Set in the child processes that analyse mutants; holds the Job as JSON. */
const JOB_ENV = "CNN_STUDIO_ROBUSTNESS_JOB";

interface Job {
  file: string;
  seeds: number[];
}

type Message = { type: "start"; seed: number } | ({ type: "done" } & Outcome);

/**
 * The time an analysis took: the smaller of wall-clock and process CPU time, so that neither a
 * machine busy with other work (wall) nor V8's parallel GC threads (CPU) count against it.
 */
function elapsed(wall0: number, cpu0: NodeJS.CpuUsage): number {
  const cpu = process.cpuUsage(cpu0);
  return Math.min(performance.now() - wall0, (cpu.user + cpu.system) / 1000);
}

async function runJob(job: Job, post: (m: Message) => Promise<void>): Promise<void> {
  const original = fs.readFileSync(job.file, "utf8");
  let current = original;
  const host: AnalyzerHost = { readFile: (f) => (f === job.file ? current : diskHost.readFile(f)) };
  const analyzer = new Analyzer(host);
  for (const seed of job.seeds) {
    const m = mutate(original, seed);
    current = m.text;
    await post({ type: "start", seed });
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    let found: string[];
    let messages: string[] = [];
    let ms: number;
    try {
      const result = analyzer.analyzeFile(job.file);
      ms = elapsed(wall0, cpu0);
      found = problems(result, job.file, host.readFile);
      messages = (result.diagnostics ?? []).map((d) => d.message);
    } catch (e) {
      ms = elapsed(wall0, cpu0);
      found = [`analyzeFile threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`];
    }
    if (ms > TIME_LIMIT_MS) found.push(`took ${ms.toFixed(0)} ms (limit ${TIME_LIMIT_MS} ms)`);
    await post({ type: "done", seed, steps: m.steps, ms, problems: found, messages });
  }
}

const jobText = process.env[JOB_ENV];
if (jobText !== undefined && process.send) {
  // A watchdog thread kills this process if the test process goes away while an analysis hangs
  // (then this process is re-parented; the old parent may linger as a zombie, so ppid is checked).
  const watchdog = `const { workerData } = require("node:worker_threads");
    setInterval(() => { if (process.ppid !== workerData.parent) process.kill(process.pid, "SIGKILL"); }, 500);`;
  new Worker(watchdog, { eval: true, workerData: { parent: process.ppid } }).unref();
  const send = (m: Message): Promise<void> => new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));
  void runJob(JSON.parse(jobText) as Job, send).then(() => process.disconnect());
}

// ---- the tests --------------------------------------------------------------------------------

/**
 * Runs the seeds in a child process (one per file, so its CPU time is its own); a hang kills it,
 * is recorded, and the remaining seeds go on in a new one.
 */
async function runMutants(file: string, seeds: readonly number[]): Promise<Outcome[]> {
  const original = fs.readFileSync(file, "utf8");
  const outcomes: Outcome[] = [];
  let remaining = [...seeds];
  while (remaining.length) {
    const ran = await new Promise<{ done: Outcome[]; stuck?: number; crash?: string }>((resolve) => {
      const done: Outcome[] = [];
      let timer: NodeJS.Timeout | undefined;
      let stuck: number | undefined;
      let stderr = "";
      const env: NodeJS.ProcessEnv = { ...process.env, [JOB_ENV]: JSON.stringify({ file, seeds: remaining } satisfies Job) };
      delete env.NODE_TEST_CONTEXT; // the child is not a test file: no TAP on its stdout
      const child = fork(__filename, [], { env, stdio: ["ignore", "ignore", "pipe", "ipc"] });
      child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      child.on("message", (m: Message) => {
        if (timer) clearTimeout(timer);
        if (m.type === "start") {
          timer = setTimeout(() => {
            stuck = m.seed;
            child.kill("SIGKILL");
          }, HANG_MS);
        } else {
          const { type: _type, ...outcome } = m;
          done.push(outcome);
        }
      });
      let settled = false;
      const settle = (why: string): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        const unfinished = stuck === undefined && done.length < remaining.length;
        resolve({ done, stuck, crash: unfinished ? `the analysing process died (${why}): ${stderr.trim()}` : undefined });
      };
      child.on("error", (e) => settle(e.message));
      child.on("exit", (code, signal) => settle(signal ?? `exit code ${code}`));
    });
    outcomes.push(...ran.done);
    const last = ran.done.length ? remaining.indexOf(ran.done[ran.done.length - 1]!.seed) : -1;
    const failed = remaining[last + 1];
    if (failed === undefined || (ran.stuck === undefined && ran.crash === undefined)) break;
    const steps = mutate(original, failed).steps;
    const problem = ran.stuck !== undefined ? `did not finish within ${HANG_MS} ms` : ran.crash!;
    outcomes.push({ seed: failed, steps, ms: HANG_MS, problems: [problem], messages: [], hang: ran.stuck !== undefined });
    remaining = remaining.slice(last + 2);
  }
  return outcomes;
}

/** A number from a file name, so every file gets its own seeds. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) % 1_000_000;
}

/** One line per failing mutant: file, seed, mutation steps, what went wrong. */
function summary(name: string, o: Outcome): string {
  return `${name} seed ${o.seed}: ${o.steps.join("; ")} => ${o.problems.join("; ")}`;
}

/** The summary, how to reproduce it, and the mutant itself. */
function report(name: string, original: string, o: Outcome): string {
  const reproduce = `CNN_STUDIO_SEED=${o.seed} node --test --test-name-pattern='${name}' out/test/robustness.test.js`;
  return `${summary(name, o)}\n  reproduce: ${reproduce}\n--- mutant ---\n${mutate(original, o.seed).text}\n--- end of mutant ---`;
}

if (jobText === undefined) {
  const examples = fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith(".ts"))
    .sort();
  const seedsOf = (name: string): number[] => (ONLY_SEED !== undefined ? [ONLY_SEED] : Array.from({ length: MUTATIONS }, (_, i) => hash(name) * 1000 + i));
  const runs = new Map<string, Promise<Outcome[]>>();
  const start = (name: string): Promise<Outcome[]> => {
    let run = runs.get(name);
    if (!run) {
      run = runMutants(path.join(EXAMPLES, name), seedsOf(name));
      runs.set(name, run);
    }
    return run;
  };

  describe("analyzer robustness on mutated examples", () => {
    test("the mutator is deterministic and changes the text", () => {
      assert.ok(examples.length > 0, `no examples in ${EXAMPLES}`);
      const text = fs.readFileSync(path.join(EXAMPLES, examples[0]!), "utf8");
      assert.deepEqual(mutate(text, 42), mutate(text, 42));
      const changed = Array.from({ length: 50 }, (_, i) => mutate(text, i).text !== text).filter(Boolean).length;
      assert.ok(changed >= 45, `only ${changed} of 50 mutants differ from the original`);
    });

    for (const name of examples) {
      test(name, async (t) => {
        const original = fs.readFileSync(path.join(EXAMPLES, name), "utf8");
        const seeds = seedsOf(name);
        const started = performance.now();
        // Two files at a time (the analyses of one file run in one process, one after the other).
        const next = examples[examples.indexOf(name) + 1];
        if (next && ONLY_SEED === undefined) start(next);
        const outcomes = await start(name);
        const slowest = outcomes.reduce((a, b) => (b.ms > a.ms ? b : a), { ms: 0, seed: 0 } as Pick<Outcome, "ms" | "seed">);
        t.diagnostic(
          `${outcomes.length} mutants in ${(performance.now() - started).toFixed(0)} ms, slowest ${slowest.ms.toFixed(0)} ms (seed ${slowest.seed})`,
        );
        assert.equal(outcomes.length, seeds.length, "not every mutant was analysed");
        const failures = outcomes.filter((x) => x.problems.length > 0).map((o) => report(name, original, o));
        if (failures.length) {
          const shown = failures.slice(0, 5).join("\n");
          assert.fail(
            `${failures.length} of ${seeds.length} mutants of ${name} failed:\n${shown}${failures.length > 5 ? `\n... and ${failures.length - 5} more` : ""}`,
          );
        }
      });
    }
  });
}

/** Run in a fresh process by analyzer.bench: time to load the analyzer and to analyse one file. */
const t0 = performance.now();

const { Analyzer } = require("../src/analyzer/index") as typeof import("../src/analyzer/index");
const t1 = performance.now();
const file = process.argv[2]!;
const r = new Analyzer().analyzeFile(file);
const t2 = performance.now();
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, analyzeMs: t2 - t1, models: r.models.length, errors: r.diagnostics.length }));

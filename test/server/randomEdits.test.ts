/**
 * Robustness of the language server against text being typed, over the real protocol: every
 * example is edited thousands of times in all (seeded random deletions, insertions of stray
 * tokens, duplicated spans, truncations, swapped lines, odd numbers; sent as incremental
 * changes), each edit followed by a request. The server must answer every request within a
 * second, never crash, never log a handler failure, and end with the same diagnostics as it
 * started once the text is restored. A failure names the file and the seed; `mutate(text, seed)`
 * regenerates the edit.
 *
 * The supervisor (see supervisor.ts) answers any request the worker has not answered within
 * 750 ms, and replaces a worker that stops responding (here after 3 s instead of 15 s); the test
 * reports both (with the seeds), since each points at an analysis that is too slow. The second
 * test covers the supervisor on purpose: an analysis that hangs is stopped, the worker replaced,
 * the text quarantined, and everything else keeps working.
 *
 * Environment: CNN_STUDIO_SERVER_EDITS (edits per example, default 150).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import type { MarkupContent, Position, Range } from "vscode-languageserver-types";
import { mulberry32, mutate } from "../helpers/mutate";
import { EXAMPLES, LspClient, offsetToPosition, positionOf } from "./lspClient";

const EDITS = Number(process.env["CNN_STUDIO_SERVER_EDITS"] ?? 150);
const LIMIT_MS = 1000;

/** The smallest single replacement turning `from` into `to`. */
function diff(from: string, to: string): { range: Range; newText: string } {
  let start = 0;
  while (start < from.length && start < to.length && from[start] === to[start]) start++;
  let endFrom = from.length;
  let endTo = to.length;
  while (endFrom > start && endTo > start && from[endFrom - 1] === to[endTo - 1]) {
    endFrom--;
    endTo--;
  }
  return { range: { start: offsetToPosition(from, start), end: offsetToPosition(from, endFrom) }, newText: to.slice(start, endTo) };
}

function hashName(name: string): number {
  let h = 2166136261;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return (h >>> 0) % 100_000;
}

test(`random edits of every example (${EDITS} each), each followed by a request`, { timeout: 600_000 }, async () => {
  const client = await LspClient.start({ env: { CNN_STUDIO_HANG_MS: "3000" } });
  const examples = fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith(".ts"))
    .sort();
  let requests = 0;
  let slowest = { ms: 0, what: "" };
  const late: string[] = [];
  try {
    for (const name of examples) {
      const file = path.join(EXAMPLES, name);
      const original = fs.readFileSync(file, "utf8");
      const uri = client.open(file, original);
      const clean = await client.waitForDiagnostics(uri, 1);
      let text = original;
      for (let i = 0; i < EDITS; i++) {
        const seed = hashName(name) * 1000 + i;
        // Mostly cumulative, like typing; back to the original now and then, so it stays model-like.
        const base = i % 10 === 0 ? original : text;
        const mutant = mutate(base, seed).text;
        const change = diff(text, mutant);
        client.edit(uri, change.range, change.newText);
        text = mutant;
        assert.equal(client.text(uri), text);
        const rand = mulberry32(seed);
        const somewhere = (): Position => offsetToPosition(text, Math.floor(rand() * (text.length + 1)));
        const kinds = ["hover", "inlayHint", "codeLens", "documentSymbol", "codeAction", "definition", "hover", "analysis"] as const;
        const kind = kinds[i % kinds.length]!;
        const t0 = performance.now();
        switch (kind) {
          case "hover":
            await client.hover(uri, somewhere());
            break;
          case "inlayHint":
            await client.inlayHints(uri);
            break;
          case "codeLens":
            await client.codeLenses(uri);
            break;
          case "documentSymbol":
            await client.symbols(uri);
            break;
          case "codeAction": {
            const a = somewhere();
            const b = somewhere();
            const [start, end] = a.line < b.line || (a.line === b.line && a.character <= b.character) ? [a, b] : [b, a];
            await client.codeActions(uri, { start, end });
            break;
          }
          case "definition":
            await client.definition(uri, somewhere());
            break;
          case "analysis":
            // Answered with an error (not a hang) when its worker had to be replaced.
            await client.analysis(uri).catch((e: Error) => late.push(`analysis after edit ${i} of ${name} (seed ${seed}): ${e.message}`));
            break;
        }
        const ms = performance.now() - t0;
        requests++;
        if (ms > 700) late.push(`${kind} after edit ${i} of ${name} (seed ${seed}): ${ms.toFixed(0)} ms`);
        if (ms > slowest.ms) slowest = { ms, what: `${kind} after edit ${i} of ${name} (seed ${seed})` };
        assert.ok(ms < LIMIT_MS, `${kind} took ${ms.toFixed(0)} ms after edit ${i} of ${name} (seed ${seed})`);
        assert.ok(client.alive, `the server died after edit ${i} of ${name} (seed ${seed}); stderr: ${client.stderr.join("")}`);
      }
      // Back to the original: the same diagnostics as at the start.
      const version = client.replace(uri, original);
      const restored = await client.waitForDiagnostics(uri, version);
      assert.deepEqual(restored.diagnostics, clean.diagnostics, `${name} after restoring`);
      client.close(uri);
    }
    assert.deepEqual(
      client.logs.filter((l) => /failed/.test(l)),
      [],
      "handler failures were logged",
    );
    assert.ok(client.alive);
    const replaced = client.stderr.join("").match(/worker stopped responding/g)?.length ?? 0;
    console.log(`${requests} requests after ${requests} edits; slowest ${slowest.ms.toFixed(0)} ms (${slowest.what})`);
    console.log(
      `answered at the supervisor's deadline: ${late.length}${late.length ? `\n  ${late.join("\n  ")}` : ""}; workers replaced after a hang: ${replaced}`,
    );
  } finally {
    await client.stop();
  }
});

test("an analysis that hangs: the request is answered, the worker replaced, the text quarantined", { timeout: 60_000 }, async () => {
  const client = await LspClient.start({ env: { CNN_STUDIO_HANG_MS: "600" } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-hang-"));
  try {
    const lenet = client.open(path.join(EXAMPLES, "lenet5.ts"));
    await client.waitForDiagnostics(lenet, 1);
    // Each top-level loop spends the analyzer's whole step budget: seconds in all.
    const loops = Array.from({ length: 300 }, (_, i) => `let i${i} = 0;\nwhile (true) { i${i} = i${i} + 1; }`).join("\n");
    const text = `import { nn } from "cnn-studio";\n${loops}\n/** @input [N, 3, 8, 8] */\nexport const net = nn.Sequential(nn.Conv2d(3, 4, 3));\n`;
    const file = path.join(dir, "slow.ts");
    fs.writeFileSync(file, text);
    const uri = client.open(file, text);
    const t0 = performance.now();
    const answer = await client.hover(uri, positionOf(text, "nn.Conv2d", 0, 4));
    assert.ok(performance.now() - t0 < LIMIT_MS, "answered within a second");
    assert.equal(answer, null);
    const quarantined = await client.waitForDiagnosticsWhere(uri, (p) => p.diagnostics.some((d) => d.code === "analysis-timeout"), 20_000);
    assert.deepEqual(
      quarantined.diagnostics.map((d) => [d.severity, d.message]),
      [[2, "CNN Studio stopped analysing this file because its analysis did not finish in time; edit the file to try again"]],
    );
    assert.ok(client.alive);
    assert.match(client.stderr.join(""), /worker stopped responding; starting a new one/);
    // The new worker knows the other open document and answers for it.
    const hover = await client.hover(lenet, positionOf(fs.readFileSync(path.join(EXAMPLES, "lenet5.ts"), "utf8"), "nn.Conv2d(1, 6, 5)", 0, 4));
    assert.match((hover?.contents as MarkupContent).value, /\[N, 1, 32, 32\] → \[N, 6, 28, 28\]/);
    // Editing the slow file lifts the quarantine.
    const version = client.replace(uri, text.replace(loops, ""));
    const fixed = await client.waitForDiagnostics(uri, version);
    assert.deepEqual(fixed.diagnostics, []);
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Differential test of incremental analysis: one session follows a sequence of seeded edits of the
 * largest examples (numbers changed, lines inserted and deleted, identifiers renamed, syntax broken
 * and repaired, spacing and comments), re-parsing incrementally and reusing what it may; after
 * every edit its answer (diagnostics, models with their shapes, parameters and graphs, inlay hints)
 * must equal that of a fresh session that sees only the edited text. A failure names the file, the
 * edit's number and kind; the edits are a function of the seed.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { DEFAULT_SETTINGS } from "../../src/shared/lsp";
import { OpenDocuments } from "../../src/server/documents";
import { inlayHints } from "../../src/server/inlayHints";
import { AnalysisSession } from "../../src/server/session";
import { pathToUri } from "../../src/server/uris";
import { mulberry32 } from "../helpers/mutate";

const EXAMPLES = path.resolve(__dirname, "..", "..", "..", "examples");
const EDITS_PER_FILE = 100;
const WHOLE = { start: { line: 0, character: 0 }, end: { line: 100_000, character: 0 } };

interface Open {
  docs: OpenDocuments;
  session: AnalysisSession;
  uri: string;
  version: number;
}

function open(file: string, text: string): Open {
  const docs = new OpenDocuments();
  const session = new AnalysisSession(
    docs,
    { publish: () => undefined, analysed: () => undefined, viewsChanged: () => undefined, log: (m) => assert.fail(m) },
    { settings: () => DEFAULT_SETTINGS },
  );
  const uri = pathToUri(file);
  session.opened(docs.open(uri, "typescript", 1, text));
  return { docs, session, uri, version: 1 };
}

function change(o: Open, text: string): void {
  const doc = o.docs.change(o.uri, ++o.version, [{ text }]);
  assert.ok(doc);
  o.session.changed(doc);
}

/** What a client sees of a file's analysis: the analysis itself and the inlay hints. */
function answer(o: Open, file: string): unknown {
  const snapshot = o.session.snapshot(file);
  assert.ok(snapshot);
  return { analysis: snapshot.analysis, hints: inlayHints(o.session, file, WHOLE, DEFAULT_SETTINGS.inlayHints) };
}

type Edit = { kind: string; text: string };

/** Where a random match of `re` is in `text` (or undefined). */
function pick(text: string, re: RegExp, rand: () => number): RegExpExecArray | undefined {
  const all = [...text.matchAll(re)];
  return all.length ? all[Math.floor(rand() * all.length)] : undefined;
}

/** One seeded edit of `text`: what typing, deleting and renaming do to a model file. */
function randomEdit(text: string, rand: () => number): Edit {
  const splice = (at: number, remove: number, insert: string): string => text.slice(0, at) + insert + text.slice(at + remove);
  const kind = Math.floor(rand() * 7);
  if (kind === 0) {
    const m = pick(text, /\b\d+\b/g, rand);
    if (m) return { kind: `number ${m[0]} at ${m.index}`, text: splice(m.index, m[0].length, String(1 + Math.floor(rand() * 70))) };
  } else if (kind === 1) {
    const m = pick(text, /\n/g, rand);
    if (m) return { kind: `line inserted at ${m.index}`, text: splice(m.index + 1, 0, rand() < 0.5 ? "\n" : "    const extra = 3;\n") };
  } else if (kind === 2) {
    const m = pick(text, /\n[^\n]*(?=\n)/g, rand);
    if (m) return { kind: `line deleted at ${m.index}`, text: splice(m.index, m[0].length, "") };
  } else if (kind === 3) {
    const m = pick(text, /\b(?!import|export|const|class|return|this|new|from|extends|super|number|readonly)[A-Za-z_]\w{2,}\b/g, rand);
    if (m) {
      const all = rand() < 0.5;
      const renamed = all ? text.replaceAll(new RegExp(`\\b${m[0]}\\b`, "g"), `${m[0]}Q`) : splice(m.index, m[0].length, `${m[0]}Q`);
      return { kind: `rename ${m[0]}${all ? " everywhere" : ` at ${m.index}`}`, text: renamed };
    }
  } else if (kind === 4) {
    const at = Math.floor(rand() * text.length);
    return { kind: `spacing or comment at ${at}`, text: splice(at, 0, rand() < 0.5 ? " " : "/* c */") };
  }
  const at = Math.floor(rand() * text.length);
  const token = [")", "(", "{", "}", ",", "[", "/*", "'", "=>"][Math.floor(rand() * 9)]!;
  return { kind: `syntax broken by ${JSON.stringify(token)} at ${at}`, text: splice(at, 0, token) };
}

/** The texts to go through: each edit applies to the previous text; a broken text is repaired next, and every 25th edit starts over. */
function editSequence(original: string, seed: number, n: number): Edit[] {
  const rand = mulberry32(seed);
  const edits: Edit[] = [];
  let text = original;
  while (edits.length < n) {
    if (edits.length % 25 === 24) text = original;
    const e = randomEdit(text, rand);
    edits.push(e);
    if (e.kind.startsWith("syntax broken")) edits.push({ kind: "repaired", text });
    else text = e.text;
  }
  return edits.slice(0, n);
}

test(`incremental analysis equals a fresh one after each of ${2 * EDITS_PER_FILE} seeded edits (resnet.ts, densenet.ts)`, { timeout: 300_000 }, () => {
  for (const [name, seed] of [
    ["resnet.ts", 17],
    ["densenet.ts", 1789],
  ] as const) {
    const file = path.join(EXAMPLES, name);
    const original = fs.readFileSync(file, "utf8");
    const incremental = open(file, original);
    try {
      answer(incremental, file);
      for (const [i, e] of editSequence(original, seed, EDITS_PER_FILE).entries()) {
        change(incremental, e.text);
        const fresh = open(file, e.text);
        try {
          assert.deepEqual(answer(incremental, file), answer(fresh, file), `${name}, edit ${i + 1} (${e.kind})`);
        } finally {
          fresh.session.dispose();
        }
      }
    } finally {
      incremental.session.dispose();
    }
  }
});

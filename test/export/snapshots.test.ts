import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { exportPyTorch } from "../../src/export/pytorch";
import { ROOT } from "./helpers";

/**
 * The export of every example and every fixture model file, byte for byte: the code and its
 * diagnostics are compared with test/fixtures/export-snapshots/, so that restructuring the exporter
 * (issue 13 item 3) provably changes nothing. A deliberate change of the output regenerates them:
 * `CNN_STUDIO_UPDATE_SNAPSHOTS=1 node --test out/test/export/snapshots.test.js`, then review the diff.
 */

const SNAPSHOTS = path.join(ROOT, "test/fixtures/export-snapshots");
const UPDATE = process.env["CNN_STUDIO_UPDATE_SNAPSHOTS"] === "1";

function modelFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return p === SNAPSHOTS ? [] : modelFiles(p);
      return e.name.endsWith(".ts") ? [p] : [];
    });
}

/** What the export of one file gives: its code, then its diagnostics (paths relative to the repository). */
function exported(abs: string): string {
  const rel = path.relative(ROOT, abs).split(path.sep).join("/");
  const r = exportPyTorch(abs, { displayPath: rel });
  const diagnostics = r.diagnostics.map((d) => {
    const file = path.relative(ROOT, d.location.file).split(path.sep).join("/");
    return `# ${file}:${d.location.range.start.line + 1}:${d.location.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}`;
  });
  return `${r.code}# ---- ok: ${r.ok}; models: ${r.models.map((m) => `${m.name} → ${m.builder}`).join(", ")}\n${diagnostics.join("\n")}\n`;
}

test("every example and fixture exports byte for byte as its snapshot", (t) => {
  const files = [...modelFiles(path.join(ROOT, "examples")), ...modelFiles(path.join(ROOT, "test/fixtures"))];
  assert.ok(files.length >= 50, "the examples and fixtures are there");
  if (UPDATE) fs.mkdirSync(SNAPSHOTS, { recursive: true });
  const names = new Map<string, string>();
  const changed: string[] = [];
  for (const abs of files) {
    const name = `${path.relative(ROOT, abs).split(path.sep).join("__").replace(/\.ts$/, "")}.py.txt`;
    names.set(name, abs);
    const actual = exported(abs);
    const file = path.join(SNAPSHOTS, name);
    if (UPDATE) fs.writeFileSync(file, actual);
    else if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== actual) changed.push(name);
  }
  if (UPDATE) {
    for (const f of fs.readdirSync(SNAPSHOTS)) if (!names.has(f)) fs.rmSync(path.join(SNAPSHOTS, f));
    t.diagnostic(`wrote ${names.size} snapshots`);
    return;
  }
  const stale = fs.readdirSync(SNAPSHOTS).filter((f) => !names.has(f));
  assert.deepEqual(stale, [], "snapshots of files that no longer exist");
  // the first difference, to read it without a diff tool
  const first = changed[0];
  if (first) {
    const want = fs.existsSync(path.join(SNAPSHOTS, first)) ? fs.readFileSync(path.join(SNAPSHOTS, first), "utf8").split("\n") : [];
    const got = exported(names.get(first)!).split("\n");
    const i = got.findIndex((l, k) => l !== want[k]);
    assert.fail(`${changed.length} exports differ from their snapshots (${changed.join(", ")}); first: ${first} line ${i + 1}:\n- ${want[i]}\n+ ${got[i]}`);
  }
});

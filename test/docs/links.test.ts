import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/paths";
import { anchors, links } from "./markdown";

/**
 * The documents a newcomer reads link only to what a clone has: every relative link of README.md,
 * ARCHITECTURE.md, CONTRIBUTING.md and docs/*.md names a file (or folder) inside the repository,
 * and every `#anchor` a heading of the Markdown file it points to.
 */

const DOCS_DIR = path.join(ROOT, "docs");
const DOCUMENTS = [
  "README.md",
  "ARCHITECTURE.md",
  "CONTRIBUTING.md",
  ...fs
    .readdirSync(DOCS_DIR)
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** Why a link target is broken, or undefined when it resolves. */
export function brokenLink(from: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto:, command: …: not files
  const hash = target.indexOf("#");
  const file = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? undefined : target.slice(hash + 1);
  const resolved = file === "" ? from : path.resolve(path.dirname(from), file);
  const rel = path.relative(ROOT, resolved);
  if (rel.startsWith("..") || path.isAbsolute(rel)) return `points outside the repository (${rel})`;
  if (!fs.existsSync(resolved)) return `${rel} does not exist`;
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith(".md")) return `#${anchor} in ${rel}, which is not Markdown`;
  return anchors(fs.readFileSync(resolved, "utf8")).has(anchor) ? undefined : `${rel} has no heading #${anchor}`;
}

test("the documents exist", () => {
  for (const doc of ["README.md", "ARCHITECTURE.md", "CONTRIBUTING.md", "docs/model-language.md"]) {
    assert.ok(fs.existsSync(path.join(ROOT, doc)), doc);
  }
});

test("every relative link of the documents resolves to a file and heading of the repository", () => {
  const broken: string[] = [];
  let checked = 0;
  for (const doc of DOCUMENTS) {
    const file = path.join(ROOT, doc);
    for (const { target, line } of links(fs.readFileSync(file, "utf8"))) {
      checked++;
      const why = brokenLink(file, target);
      if (why) broken.push(`${doc}:${line}: ${target}: ${why}`);
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(checked >= 20, `links were found (${checked})`);
});

test("the link check catches a link out of the clone, a missing file and a missing heading", () => {
  const readme = path.join(ROOT, "README.md");
  assert.match(brokenLink(readme, "../shared/spec/model-language.md") ?? "", /outside the repository/);
  assert.match(brokenLink(readme, "docs/missing.md") ?? "", /does not exist/);
  assert.match(brokenLink(readme, "docs/model-language.md#no-such-heading") ?? "", /no heading #no-such-heading/);
  assert.equal(brokenLink(readme, "docs/model-language.md#nnconv2dinchannels-outchannels-kernelsize-opts"), undefined);
  assert.equal(brokenLink(readme, "https://pytorch.org/docs/stable/nn.html"), undefined);
});

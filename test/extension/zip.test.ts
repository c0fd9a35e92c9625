import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/paths";
import { zipEntries, zipRead } from "./zip";

/** scripts/zip.cjs, the one zip reader (package-vsix.mjs and the VSIX tests), on a zip made by Python's zipfile. */

const PYTHON = process.env["CNN_STUDIO_TEST_PYTHON"] ?? "python3";

test("the zip reader lists stored and deflated entries and reads them back", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-zip-"));
  try {
    const zip = path.join(dir, "a.zip");
    const r = spawnSync(PYTHON, [path.join(ROOT, "test/extension/make_zip.py"), zip], { encoding: "utf8" });
    if (r.error) return t.skip(`${PYTHON} not found: it writes the test's zip file`);
    assert.equal(r.status, 0, r.stderr);
    const buf = fs.readFileSync(zip);
    const entries = zipEntries(buf);
    assert.deepEqual(
      entries.map((e) => [e.name, e.method, e.size]),
      [
        ["extension/stored.txt", 0, 10],
        ["extension/deflated.txt", 8, 5000],
        ["extension/dir/", 0, 0],
      ],
    );
    assert.equal(zipRead(buf, entries[0]!).toString("utf8"), "plain text");
    assert.equal(zipRead(buf, entries[1]!).toString("utf8"), "x".repeat(5000));
    assert.ok(entries[1]!.compressed < 100, "the deflated entry is compressed");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the zip reader rejects what is not a zip file with a message", () => {
  assert.throws(() => zipEntries(Buffer.from("not a zip at all, just some bytes of text")), /not a zip file/);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { Lru } from "../../src/trainer/lru";

/** src/trainer/lru.ts: the inspector's caches (issue 17: bounded by count and by bytes). */

test("evicts the least recently used beyond max; get refreshes; evicted entries are handed back", () => {
  const gone: string[] = [];
  const c = new Lru<string>(2, (v) => gone.push(v));
  c.put("a", "A");
  c.put("b", "B");
  assert.equal(c.get("a"), "A");
  c.put("c", "C");
  assert.deepEqual(gone, ["B"]);
  assert.equal(c.get("b"), undefined);
  assert.deepEqual([c.get("a"), c.get("c"), c.size], ["A", "C", 2]);
  c.deleteWhere((k) => k === "a");
  assert.deepEqual(gone, ["B", "A"]);
  c.clear();
  assert.deepEqual([gone, c.size], [["B", "A", "C"], 0]);
});

test("a byte budget: the oldest go while the total passes it, never the entry just put; replacing a key is not an eviction", () => {
  const gone: number[] = [];
  const c = new Lru<number>(
    10,
    (v) => gone.push(v),
    (v) => v,
    100,
  );
  c.put("x", 40);
  c.put("y", 50);
  assert.equal(c.weight, 90);
  c.put("z", 30);
  assert.deepEqual([gone, c.weight, c.size], [[40], 80, 2]);
  c.put("huge", 500);
  assert.deepEqual([gone, c.weight, c.get("huge")], [[40, 50, 30], 500, 500]);
  c.put("huge", 20);
  assert.deepEqual([gone, c.weight, c.size], [[40, 50, 30], 20, 1]);
});

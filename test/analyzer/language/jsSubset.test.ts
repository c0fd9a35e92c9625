import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeSource, messages, moduleModel, onlyModel } from "./helpers";

/** Issue 14.1: the evaluated TypeScript subset of version 2 (Set, Map, in, delete, Object.*, Array.*, Math.*, ...). */

/** A model whose Linear's output width is the value of `expr` (a number), so the test reads it back. */
function width(prelude: string, expr: string): number {
  const m = onlyModel(`import { nn } from "cnn-studio";
${prelude}
/** @input [N, 4] */
export const net = nn.Sequential(nn.Linear(4, ${expr}));
`);
  const out = m.output;
  assert.ok(Array.isArray(out) && typeof out[1] === "number", JSON.stringify(out));
  return out[1];
}

describe("JS subset of version 2", () => {
  test("Set: new Set(iterable), add, has, delete, size, for…of, spread, Array.from", () => {
    const prelude = `const s = new Set([1, 2, 2, 3]);
s.add(4); s.add(1); s.delete(2);
let sum = 0;
for (const x of s) sum += x;
const arr = [...s];
const again = Array.from(s);
const n = s.size * 1000 + sum * 10 + (s.has(3) ? 1 : 0) + (s.has(2) ? 100 : 0) + arr.length - again.length;`;
    assert.equal(width(prelude, "n"), 3 * 1000 + 8 * 10 + 1);
  });

  test("Map: new Map(pairs), get, set, has, delete, size, keys, values, entries, for…of [k, v]", () => {
    const prelude = `const m = new Map([["a", 1], ["b", 2]]);
m.set("c", 30); m.delete("a");
let total = 0;
for (const [k, v] of m) total += k === "c" ? v : 0;
const n = m.size * 1000 + total + m.get("b") + [...m.keys()].length + [...m.values()].length + Array.from(m.entries()).length + (m.has("a") ? 5000 : 0);`;
    assert.equal(width(prelude, "n"), 2000 + 30 + 2 + 6);
  });

  test("the in operator on objects, arrays, classes and modules", () => {
    const prelude = `const o = { a: 1 };
const arr = [1, 2];
class K { static depth = 3; }
const mod = nn.ModuleDict({ conv: nn.Conv2d(1, 1, 1) });
const n = ("a" in o ? 1 : 0) + ("b" in o ? 10 : 0) + (1 in arr ? 100 : 0) + (2 in arr ? 1000 : 0) + ("depth" in K ? 10000 : 0) + ("conv" in mod ? 2 : 0);`;
    assert.equal(width(prelude, "n"), 1 + 100 + 10000 + 2);
  });

  test("delete removes an object's property and a module's child", () => {
    const m = onlyModel(
      moduleModel(
        `  a = nn.Conv2d(3, 4, 1);
  b = nn.Conv2d(3, 5, 1);
  constructor() { super(); const o: Record<string, number> = { x: 1, y: 2 }; delete o.x; delete this.b; this.k = Object.keys(o).length; }
  k: number;
  forward(x: Tensor) { return this.a(x); }`,
      ),
    );
    assert.deepEqual(
      m.modules.map((x) => x.path),
      ["", "a"],
    );
  });

  test("Object.keys/values/entries/fromEntries, Array(n).fill, Array.from({ length }), includes, indexOf, every, some, filter", () => {
    const prelude = `const o = Object.fromEntries([["p", 1], ["q", 2]]);
const filled = Array(3).fill(7);
const made = new Array(2).fill(1);
const idx = Array.from({ length: 4 }, (_, i) => i * 2);
const n = Object.keys(o).length + Object.values(o).reduce((a, b) => a + b, 0) * 10 + Object.entries(o).length * 100
  + filled.reduce((a, b) => a + b, 0) * 1000 + made.length * 10000
  + (idx.includes(6) ? 100000 : 0) + idx.indexOf(4) * 1000000
  + (idx.every((x) => x % 2 === 0) ? 10000000 : 0) + (idx.some((x) => x > 100) ? 1 : 0) + idx.filter((x) => x > 2).length * 100000000;`;
    assert.equal(width(prelude, "n"), 2 + 30 + 200 + 21000 + 20000 + 100000 + 2000000 + 10000000 + 200000000);
  });

  test("Math.pow/abs/log/log2/exp/PI, Number.isInteger, parseInt", () => {
    const prelude = `const n = Math.pow(2, 3) + Math.abs(-4) + Math.log2(8) + Math.round(Math.log(Math.exp(2))) + Math.floor(Math.PI) + (Number.isInteger(2.5) ? 100 : 0) + parseInt("40") + Number.parseInt("ff", 16);`;
    assert.equal(width(prelude, "n"), 8 + 4 + 3 + 2 + 3 + 40 + 255);
  });

  test("module methods: children(), namedChildren(), modules(), namedModules(), ModuleDict items()/keys()/values()", () => {
    const m = onlyModel(
      moduleModel(
        `  d = nn.ModuleDict({ p: nn.Conv2d(3, 3, 1), q: nn.Conv2d(3, 3, 1) });
  e = nn.Sequential(nn.ReLU());
  counts: number[];
  constructor() {
    super();
    this.counts = [this.children().length, this.namedChildren().length, this.modules().length, this.namedModules().length,
      this.d.items().length, this.d.keys().length, this.d.values().length];
    this.last = nn.Conv2d(3, this.counts.reduce((a, b) => a * 10 + b, 0) % 1000, 1);
  }
  last: nn.Module;
  forward(x: Tensor) { for (const [, c] of this.d.items()) x = c(x); return this.last(x); }`,
      ),
    );
    // children 2 (d, e); then last is not yet registered: modules = self, d, p, q, e, relu = 6; items/keys/values 2 each
    assert.deepEqual(m.output, ["N", 222, 8, 8]);
  });
});

describe("diagnostics of version 2 constructs", () => {
  const cases: [string, string, string][] = [
    ["the in operator on a number", `const n = "a" in 3;`, `The 'in' operator needs an object on its right, got 3`],
    ["Set without new", `const s = Set([1]);`, `Set must be created with 'new Set(...)'`],
    ["an unknown Map member", `const m = new Map(); m.foo();`, `Map has no member 'foo' in the model language`],
    ["a regular expression", `const r = /a+/;`, `Regular expressions are not supported by the CNN Studio analyzer`],
    [
      "delete of a variable",
      `let v = 1; delete v;`,
      `'delete' of anything but a property (delete obj.key, delete obj[key]) is not supported by the CNN Studio analyzer`,
    ],
    ["Array.from of a number", `const a = Array.from(3);`, `Array.from expects an array, a Set, a Map or { length: n }, got 3`],
  ];
  for (const [name, code, message] of cases) {
    test(name, () => {
      const a = analyzeSource(`import { nn } from "cnn-studio";\n${code}\n`);
      assert.deepEqual(
        messages(a).map((x) => x.replace(/^\d+:\d+ /, "")),
        [message],
      );
    });
  }

  test("an nn.Module method outside the language is named, not 'create it in the constructor'", () => {
    const a = analyzeSource(moduleModel(`  constructor() { super(); this.apply((m: nn.Module) => m); }\n  forward(x: Tensor) { return x; }`));
    assert.deepEqual(
      messages(a).map((x) => x.replace(/^\d+:\d+ /, "")),
      ["nn.Module's method 'apply' is not supported by the CNN Studio analyzer"],
    );
  });
});

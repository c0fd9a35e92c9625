import ts = require("typescript");
import type { JsHost } from "./jsHost";
import { ArrayValue, Builtin, collectionKey, MapValue, SetValue, type CallSite, type Value } from "./values";

/**
 * JavaScript's `Set` and `Map` for model code (`new Set(blocks)`, `stageOf.get(name)`). Keys compare
 * as in JS (SameValueZero); iterators are arrays, which is what `for…of`, spread and `Array.from`
 * need. Nothing else of the iterator protocol is part of the language.
 */

/** The globals `Set` and `Map`: constructors only, like JS. */
export function collectionGlobals(host: JsHost): [string, Value][] {
  const mustNew = (name: string) => (site: CallSite) => host.fail(site, `${name} must be created with 'new ${name}(...)'`);
  return [
    [
      "Set",
      new Builtin(
        "Set",
        (args, site) => {
          if (!isNew(site)) return mustNew("Set")(site);
          const s = new SetValue();
          const [src] = args;
          if (src !== undefined && src !== null) for (const x of host.iterate(src, site.argNodes[0] ?? site.node)) s.items.set(collectionKey(x), x);
          return s;
        },
        true,
      ),
    ],
    [
      "Map",
      new Builtin(
        "Map",
        (args, site) => {
          if (!isNew(site)) return mustNew("Map")(site);
          const m = new MapValue();
          const [src] = args;
          if (src === undefined || src === null) return m;
          for (const e of host.iterate(src, site.argNodes[0] ?? site.node)) {
            if (!(e instanceof ArrayValue)) return host.fail(site, `new Map(...) expects [key, value] pairs, got ${host.display(e)}`);
            m.entries.set(collectionKey(e.items[0]), [e.items[0], e.items[1]]);
          }
          return m;
        },
        true,
      ),
    ],
  ];
}

function isNew(site: CallSite): boolean {
  return ts.isNewExpression(site.node);
}

/** `set.add(x)`, `set.has(x)`, ...: undefined when the name is not a member. */
export function setMember(host: JsHost, set: SetValue, name: string): Value | undefined {
  switch (name) {
    case "size":
      return set.items.size;
    case "add":
      return new Builtin("add", ([x]) => {
        set.items.set(collectionKey(x), x);
        return set;
      });
    case "has":
      return new Builtin("has", ([x]) => set.items.has(collectionKey(x)));
    case "delete":
      return new Builtin("delete", ([x]) => set.items.delete(collectionKey(x)));
    case "clear":
      return new Builtin("clear", () => {
        set.items.clear();
        return undefined;
      });
    case "values":
    case "keys":
      return new Builtin(name, () => new ArrayValue([...set.items.values()]));
    case "entries":
      return new Builtin(name, () => new ArrayValue([...set.items.values()].map((x) => new ArrayValue([x, x]))));
    case "forEach":
      return new Builtin("forEach", ([fn], site) => {
        for (const x of [...set.items.values()]) host.call(fn, [x, x, set], site);
        return undefined;
      });
    default:
      return undefined;
  }
}

/** `map.get(k)`, `map.set(k, v)`, ...: undefined when the name is not a member. */
export function mapMember(host: JsHost, map: MapValue, name: string): Value | undefined {
  switch (name) {
    case "size":
      return map.entries.size;
    case "get":
      return new Builtin("get", ([k]) => map.entries.get(collectionKey(k))?.[1]);
    case "set":
      return new Builtin("set", ([k, v]) => {
        map.entries.set(collectionKey(k), [k, v]);
        return map;
      });
    case "has":
      return new Builtin("has", ([k]) => map.entries.has(collectionKey(k)));
    case "delete":
      return new Builtin("delete", ([k]) => map.entries.delete(collectionKey(k)));
    case "clear":
      return new Builtin("clear", () => {
        map.entries.clear();
        return undefined;
      });
    case "keys":
      return new Builtin(name, () => new ArrayValue([...map.entries.values()].map(([k]) => k)));
    case "values":
      return new Builtin(name, () => new ArrayValue([...map.entries.values()].map(([, v]) => v)));
    case "entries":
      return new Builtin(name, () => new ArrayValue(mapPairs(map)));
    case "forEach":
      return new Builtin("forEach", ([fn], site) => {
        for (const [k, v] of [...map.entries.values()]) host.call(fn, [v, k, map], site);
        return undefined;
      });
    default:
      return undefined;
  }
}

/** A Map's entries as `[key, value]` arrays (what `for…of` over a Map gives). */
export function mapPairs(map: MapValue): ArrayValue[] {
  return [...map.entries.values()].map(([k, v]) => new ArrayValue([k, v]));
}

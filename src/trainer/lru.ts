/**
 * A map used as a small LRU cache (the inspector's models, checkpoints and datasets): `get`
 * refreshes, `put` evicts the least recently used entries while there are more than `max` or,
 * with a `weigh`, while their weight passes `budget` — never the entry just put, however heavy.
 * `evicted` is called with each entry it drops (to free tensors).
 */
export class Lru<V> {
  private readonly map = new Map<string, { value: V; weight: number }>();
  private total = 0;

  constructor(
    private readonly max: number,
    private readonly evicted: (v: V) => void = () => {},
    private readonly weigh: (v: V) => number = () => 0,
    private readonly budget = Infinity,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The sum of the entries' weights. */
  get weight(): number {
    return this.total;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  put(key: string, value: V): V {
    this.remove(key, false);
    const weight = this.weigh(value);
    this.map.set(key, { value, weight });
    this.total += weight;
    for (const k of [...this.map.keys()]) {
      if (k === key || (this.map.size <= this.max && this.total <= this.budget)) break;
      this.remove(k, true);
    }
    return value;
  }

  deleteWhere(pred: (key: string) => boolean): void {
    for (const k of [...this.map.keys()]) if (pred(k)) this.remove(k, true);
  }

  clear(): void {
    this.deleteWhere(() => true);
  }

  private remove(key: string, notify: boolean): void {
    const e = this.map.get(key);
    if (e === undefined) return;
    this.map.delete(key);
    this.total -= e.weight;
    if (notify) this.evicted(e.value);
  }
}

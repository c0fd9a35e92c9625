/**
 * The part of the JavaScript standard library's declarations that model code uses, for the
 * exporter's type checker (the full `lib.es2022.d.ts` is not shipped with the bundled CLI, and
 * this is much faster to check). Whatever is missing here only makes a type unknown: the
 * translator then falls back to attribute access and says so.
 */
export const MINI_LIB_NAME = "/__cnn_studio_export__/lib.d.ts";

export const MINI_LIB = `
interface Array<T> {
  length: number;
  [n: number]: T;
  push(...items: T[]): number;
  pop(): T | undefined;
  map<U>(callbackfn: (value: T, index: number, array: T[]) => U): U[];
  filter<S extends T>(predicate: (value: T, index: number, array: T[]) => value is S): S[];
  filter(predicate: (value: T, index: number, array: T[]) => unknown): T[];
  forEach(callbackfn: (value: T, index: number, array: T[]) => void): void;
  some(predicate: (value: T, index: number, array: T[]) => unknown): boolean;
  every(predicate: (value: T, index: number, array: T[]) => unknown): boolean;
  reduce(callbackfn: (previousValue: T, currentValue: T, currentIndex: number, array: T[]) => T): T;
  reduce<U>(callbackfn: (previousValue: U, currentValue: T, currentIndex: number, array: T[]) => U, initialValue: U): U;
  slice(start?: number, end?: number): T[];
  concat(...items: (T | ConcatArray<T>)[]): T[];
  includes(searchElement: T): boolean;
  indexOf(searchElement: T): number;
  join(separator?: string): string;
  reverse(): T[];
  fill(value: T): this;
  entries(): IterableIterator<[number, T]>;
  keys(): IterableIterator<number>;
  values(): IterableIterator<T>;
  at(index: number): T | undefined;
  [Symbol.iterator](): IterableIterator<T>;
}
interface ReadonlyArray<T> {
  readonly length: number;
  readonly [n: number]: T;
  map<U>(callbackfn: (value: T, index: number, array: readonly T[]) => U): U[];
  filter<S extends T>(predicate: (value: T, index: number, array: readonly T[]) => value is S): S[];
  filter(predicate: (value: T, index: number, array: readonly T[]) => unknown): T[];
  forEach(callbackfn: (value: T, index: number, array: readonly T[]) => void): void;
  some(predicate: (value: T, index: number, array: readonly T[]) => unknown): boolean;
  every(predicate: (value: T, index: number, array: readonly T[]) => unknown): boolean;
  reduce(callbackfn: (previousValue: T, currentValue: T, currentIndex: number, array: readonly T[]) => T): T;
  reduce<U>(callbackfn: (previousValue: U, currentValue: T, currentIndex: number, array: readonly T[]) => U, initialValue: U): U;
  slice(start?: number, end?: number): T[];
  concat(...items: (T | ConcatArray<T>)[]): T[];
  includes(searchElement: T): boolean;
  indexOf(searchElement: T): number;
  join(separator?: string): string;
  entries(): IterableIterator<[number, T]>;
  keys(): IterableIterator<number>;
  values(): IterableIterator<T>;
  at(index: number): T | undefined;
  [Symbol.iterator](): IterableIterator<T>;
}
interface ConcatArray<T> {
  readonly length: number;
  readonly [n: number]: T;
  join(separator?: string): string;
  slice(start?: number, end?: number): T[];
}
interface ArrayLike<T> {
  readonly length: number;
  readonly [n: number]: T;
}
interface ArrayConstructor {
  new (arrayLength?: number): any[];
  <T>(arrayLength?: number): T[];
  isArray(arg: any): arg is any[];
  from<T>(arrayLike: Iterable<T> | ArrayLike<T>): T[];
  from<T, U>(arrayLike: Iterable<T> | ArrayLike<T>, mapfn: (v: T, k: number) => U): U[];
}
declare var Array: ArrayConstructor;

interface SymbolConstructor {
  readonly iterator: unique symbol;
}
declare var Symbol: SymbolConstructor;
interface Symbol {}
interface IteratorYieldResult<T> { done?: false; value: T; }
interface IteratorReturnResult<T> { done: true; value: T; }
type IteratorResult<T, R = any> = IteratorYieldResult<T> | IteratorReturnResult<R>;
interface Iterator<T> { next(): IteratorResult<T>; }
interface Iterable<T> { [Symbol.iterator](): Iterator<T>; }
interface IterableIterator<T> extends Iterator<T> { [Symbol.iterator](): IterableIterator<T>; }

interface Boolean {}
interface BooleanConstructor { (value?: unknown): boolean; }
declare var Boolean: BooleanConstructor;
interface Number { toFixed(fractionDigits?: number): string; toString(radix?: number): string; }
interface NumberConstructor {
  (value?: any): number;
  isInteger(number: unknown): boolean;
  isFinite(number: unknown): boolean;
  readonly MAX_SAFE_INTEGER: number;
}
declare var Number: NumberConstructor;
interface String {
  readonly length: number;
  readonly [index: number]: string;
  toUpperCase(): string;
  toLowerCase(): string;
  startsWith(searchString: string): boolean;
  endsWith(searchString: string): boolean;
  includes(searchString: string): boolean;
  repeat(count: number): string;
  toString(): string;
  [Symbol.iterator](): IterableIterator<string>;
}
interface StringConstructor { (value?: any): string; }
declare var String: StringConstructor;
interface Object {}
interface ObjectConstructor {
  keys(o: object): string[];
  values<T>(o: { [s: string]: T } | ArrayLike<T>): T[];
  values(o: {}): any[];
  entries<T>(o: { [s: string]: T } | ArrayLike<T>): [string, T][];
  entries(o: {}): [string, any][];
  fromEntries<T = any>(entries: Iterable<readonly [PropertyKey, T]>): { [k: string]: T };
}
declare var Object: ObjectConstructor;
interface Function {
  readonly name: string;
  prototype: any;
}
interface CallableFunction extends Function {}
interface NewableFunction extends Function {}
interface IArguments { length: number; [index: number]: any; }
interface RegExp {}
interface TemplateStringsArray extends ReadonlyArray<string> { readonly raw: readonly string[]; }
interface Math {
  floor(x: number): number;
  ceil(x: number): number;
  round(x: number): number;
  trunc(x: number): number;
  sqrt(x: number): number;
  abs(x: number): number;
  log(x: number): number;
  log2(x: number): number;
  exp(x: number): number;
  max(...values: number[]): number;
  min(...values: number[]): number;
  pow(x: number, y: number): number;
  readonly PI: number;
  readonly E: number;
}
declare var Math: Math;
interface Error { name: string; message: string; }
interface ErrorConstructor { new (message?: string): Error; (message?: string): Error; }
declare var Error: ErrorConstructor;
declare var TypeError: ErrorConstructor;
declare var RangeError: ErrorConstructor;
declare var NaN: number;
declare var Infinity: number;
type PropertyKey = string | number | symbol;
interface Set<T> {
  add(value: T): this;
  has(value: T): boolean;
  delete(value: T): boolean;
  clear(): void;
  readonly size: number;
  keys(): IterableIterator<T>;
  values(): IterableIterator<T>;
  entries(): IterableIterator<[T, T]>;
  [Symbol.iterator](): IterableIterator<T>;
}
interface SetConstructor { new <T = any>(values?: Iterable<T> | null): Set<T>; }
declare var Set: SetConstructor;
interface Map<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): this;
  has(key: K): boolean;
  delete(key: K): boolean;
  clear(): void;
  readonly size: number;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  entries(): IterableIterator<[K, V]>;
  [Symbol.iterator](): IterableIterator<[K, V]>;
}
interface MapConstructor { new <K = any, V = any>(entries?: Iterable<readonly [K, V]> | null): Map<K, V>; }
declare var Map: MapConstructor;
declare function parseInt(string: string, radix?: number): number;
declare function parseFloat(string: string): number;
type Partial<T> = { [P in keyof T]?: T[P] };
type Required<T> = { [P in keyof T]-?: T[P] };
type Readonly<T> = { readonly [P in keyof T]: T[P] };
type Pick<T, K extends keyof T> = { [P in K]: T[P] };
type Record<K extends keyof any, T> = { [P in K]: T };
type Exclude<T, U> = T extends U ? never : T;
type Extract<T, U> = T extends U ? T : never;
type Omit<T, K extends keyof any> = Pick<T, Exclude<keyof T, K>>;
type NonNullable<T> = T & {};
type Parameters<T extends (...args: any) => any> = T extends (...args: infer P) => any ? P : never;
type ConstructorParameters<T extends abstract new (...args: any) => any> = T extends abstract new (...args: infer P) => any ? P : never;
type ReturnType<T extends (...args: any) => any> = T extends (...args: any) => infer R ? R : any;
type InstanceType<T extends abstract new (...args: any) => any> = T extends abstract new (...args: any) => infer R ? R : any;
`;

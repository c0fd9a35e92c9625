/**
 * A restricted unpickler for the `data.pkl` of a `torch.save` zip file, with the semantics of
 * PyTorch's `torch.load(..., weights_only=True)` (torch/_weights_only_unpickler.py): it builds plain
 * values (dicts, lists, tuples, numbers, strings) and tensor references, and nothing else. A
 * GLOBAL names a Python object; only the few that make a state_dict are accepted (OrderedDict, the
 * tensor and parameter rebuild functions, the storage types), and those are never looked up or
 * called: this module evaluates them itself. Any other global (`posix.system`, `builtins.eval`,
 * a model class) ends the reading with a message that names it. Every length is checked against
 * the bytes left before anything is allocated.
 */

import type { StoredDtype } from "./stateDict";

export type PyKey = string | number | bigint | boolean | null;

export type PyValue = PyKey | Uint8Array | PyList | PyTuple | PyDict | PySet | PyGlobal | PyStorage | PyTensor;

export class PyList {
  constructor(readonly items: PyValue[] = []) {}
}
export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}
export class PySet {
  constructor(readonly items: PyValue[] = []) {}
}
export class PyDict {
  readonly entries = new Map<PyKey, PyValue>();
}
/** A global the file named, accepted by the allow-list; evaluated by this module, never looked up in Python. */
export class PyGlobal {
  constructor(readonly fullName: string) {}
}
/** A storage of the archive (`archive/data/<key>`), `numel` elements of `dtype`. */
export class PyStorage {
  constructor(
    readonly key: string,
    readonly dtype: StoredDtype,
    readonly numel: number,
  ) {}
}
/** `_rebuild_tensor_v2(storage, storageOffset, size, stride, ...)`: a view of a storage, in elements. */
export class PyTensor {
  constructor(
    readonly storage: PyStorage,
    readonly offset: number,
    readonly size: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

/** The storage types `torch.save` names (`torch.FloatStorage`, ...), by the dtype of their elements. */
export const STORAGE_DTYPES: Readonly<Record<string, StoredDtype>> = {
  "torch.FloatStorage": "F32",
  "torch.DoubleStorage": "F64",
  "torch.HalfStorage": "F16",
  "torch.BFloat16Storage": "BF16",
  "torch.LongStorage": "I64",
  "torch.IntStorage": "I32",
  "torch.ShortStorage": "I16",
  "torch.CharStorage": "I8",
  "torch.ByteStorage": "U8",
  "torch.BoolStorage": "BOOL",
};

/** The globals accepted (a subset of PyTorch's weights_only allow-list: what a state_dict of real tensors uses). */
const CALLABLE_GLOBALS = new Set([
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_tensor",
  "torch._utils._rebuild_parameter",
  "torch._utils._rebuild_parameter_with_state",
  "torch.nn.parameter.Parameter",
  "torch.Size",
]);

/** PyTorch's weights_only accepts these too, but they are tensors this reader does not load. */
const UNSUPPORTED_TORCH_GLOBAL = /^torch\.(_utils\._rebuild_(sparse|meta|qtensor|wrapper)|Complex\w*Storage|Q\w*Storage|\w*Tensor$|serialization\._get_layout)/;

const TORCH_DTYPES = new Set(
  ["float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "bool", "complex32", "complex64", "complex128"].map(
    (d) => `torch.${d}`,
  ),
);

export class PickleError extends Error {}

export function refusedGlobalMessage(fullName: string): string {
  return (
    `refused global ${fullName}: weights files may only hold tensors and plain containers; nothing was executed` +
    (/^(collections|builtins|os|posix|nt|subprocess|sys|shutil|socket|importlib|runpy|pickle|codecs|io|types|functools|operator)\b/.test(fullName)
      ? ""
      : ` (for a model saved whole with torch.save(model, f), save model.state_dict() instead)`)
  );
}

function globalFor(fullName: string): PyGlobal {
  if (CALLABLE_GLOBALS.has(fullName) || Object.prototype.hasOwnProperty.call(STORAGE_DTYPES, fullName) || TORCH_DTYPES.has(fullName))
    return new PyGlobal(fullName);
  if (UNSUPPORTED_TORCH_GLOBAL.test(fullName))
    throw new PickleError(`${fullName} is a kind of tensor this reader does not load (sparse, quantized, complex or legacy tensors); nothing was executed`);
  throw new PickleError(refusedGlobalMessage(fullName));
}

function safeInt(v: PyValue, what: string): number {
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n)) throw new PickleError(`${what} must be an integer, got ${describe(v)}`);
  return n;
}

function intList(v: PyValue, what: string): number[] {
  if (!(v instanceof PyTuple || v instanceof PyList)) throw new PickleError(`${what} must be a tuple of integers, got ${describe(v)}`);
  return v.items.map((x, i) => safeInt(x, `${what}[${i}]`));
}

export function describe(v: PyValue): string {
  if (v === null) return "None";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v !== "object") return String(v);
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (v instanceof PyGlobal) return v.fullName;
  return v.constructor.name.replace(/^Py/, "").toLowerCase();
}

function tensorArg(v: PyValue, what: string): PyTensor {
  if (!(v instanceof PyTensor)) throw new PickleError(`${what} must be a tensor, got ${describe(v)}`);
  return v;
}

function rebuildTensor(args: readonly PyValue[]): PyTensor {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof PyStorage)) throw new PickleError(`_rebuild_tensor_v2 needs a storage, got ${describe(storage ?? null)}`);
  return new PyTensor(
    storage,
    safeInt(offset ?? null, "a tensor's storage offset"),
    intList(size ?? null, "a tensor's size"),
    intList(stride ?? null, "a tensor's stride"),
  );
}

/** What REDUCE of an accepted global gives: the value it would construct, evaluated here. */
function reduce(fn: PyValue, args: PyValue): PyValue {
  if (!(fn instanceof PyGlobal)) throw new PickleError(`REDUCE of ${describe(fn)}, which is not a callable global`);
  if (!(args instanceof PyTuple)) throw new PickleError(`REDUCE of ${fn.fullName} with ${describe(args)} instead of an argument tuple`);
  const a = args.items;
  switch (fn.fullName) {
    case "collections.OrderedDict": {
      const d = new PyDict();
      const items = a[0];
      if (items instanceof PyList || items instanceof PyTuple)
        for (const pair of items.items) {
          if (!(pair instanceof PyTuple) || pair.items.length !== 2) throw new PickleError(`OrderedDict's items must be pairs, got ${describe(pair)}`);
          d.entries.set(key(pair.items[0]!), pair.items[1]!);
        }
      else if (a.length > 0) throw new PickleError(`OrderedDict of ${describe(items ?? null)}`);
      return d;
    }
    case "torch._utils._rebuild_tensor_v2":
    case "torch._utils._rebuild_tensor":
      return rebuildTensor(a);
    case "torch._utils._rebuild_parameter":
    case "torch._utils._rebuild_parameter_with_state":
      return tensorArg(a[0] ?? null, "a parameter's data");
    case "torch.Size":
      return new PyTuple(intList(a[0] ?? null, "torch.Size"));
    default:
      throw new PickleError(`${fn.fullName} cannot be called in a weights file; nothing was executed`);
  }
}

function key(v: PyValue): PyKey {
  if (v === null || typeof v !== "object") return v;
  throw new PickleError(`a dict key must be a string or a number, got ${describe(v)}`);
}

export interface UnpickleOptions {
  /** The value of a persistent id (`('storage', storage_type, key, location, numel)`), or a PickleError. */
  persistentLoad(pid: PyTuple): PyValue;
}

const MARK_OBJECT = Symbol("mark");
type StackItem = PyValue | typeof MARK_OBJECT;

/** A reader of the pickle's bytes: every read is bounds-checked first. */
class Bytes {
  at = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number, what: string): void {
    if (n < 0 || this.at + n > this.buf.length)
      throw new PickleError(`the pickle ends inside ${what} (needs ${n} bytes at ${this.at} of ${this.buf.length}): the file is truncated or damaged`);
  }
  u8(): number {
    this.need(1, "an opcode's argument");
    return this.buf[this.at++]!;
  }
  take(n: number, what: string): Buffer {
    this.need(n, what);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u16(): number {
    return this.take(2, "a 2-byte argument").readUInt16LE(0);
  }
  u32(): number {
    return this.take(4, "a 4-byte argument").readUInt32LE(0);
  }
  i32(): number {
    return this.take(4, "a 4-byte argument").readInt32LE(0);
  }
  u64(): number {
    const v = this.take(8, "an 8-byte argument").readBigUInt64LE(0);
    if (v > BigInt(this.buf.length)) throw new PickleError(`a length of ${v} bytes in a pickle of ${this.buf.length}: the file is damaged`);
    return Number(v);
  }
  line(): string {
    const end = this.buf.indexOf(0x0a, this.at);
    if (end < 0) throw new PickleError("the pickle ends inside a GLOBAL's name: the file is truncated or damaged");
    const s = this.buf.toString("utf8", this.at, end);
    this.at = end + 1;
    return s;
  }
}

/** A little-endian two's-complement integer (LONG1, LONG4), as a number when it is safe, else a bigint. */
function decodeLong(bytes: Buffer): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export function unpickle(buf: Buffer, options: UnpickleOptions): PyValue {
  return new Machine(new Bytes(buf), options).run();
}

class Machine {
  private stack: StackItem[] = [];
  private readonly memo = new Map<number, PyValue>();

  constructor(
    private readonly bytes: Bytes,
    private readonly options: UnpickleOptions,
  ) {}

  private pop(): PyValue {
    const v = this.stack.pop();
    if (v === undefined || v === MARK_OBJECT) throw new PickleError(`the pickle pops an empty stack at byte ${this.bytes.at}: the file is damaged`);
    return v;
  }
  private top(): PyValue {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined || v === MARK_OBJECT) throw new PickleError(`the pickle reads an empty stack at byte ${this.bytes.at}: the file is damaged`);
    return v;
  }
  private popMark(): PyValue[] {
    const at = this.stack.lastIndexOf(MARK_OBJECT);
    if (at < 0) throw new PickleError(`the pickle has no MARK before byte ${this.bytes.at}: the file is damaged`);
    const items = this.stack.splice(at) as PyValue[];
    items.shift();
    return items;
  }
  private push(v: PyValue): void {
    this.stack.push(v);
  }
  private memoGet(i: number): void {
    const v = this.memo.get(i);
    if (v === undefined) throw new PickleError(`the pickle reads memo ${i}, which was never stored: the file is damaged`);
    this.push(v);
  }
  private setItems(target: PyValue, items: readonly PyValue[]): void {
    if (!(target instanceof PyDict)) throw new PickleError(`the pickle sets items of ${describe(target)}, which is not a dict`);
    if (items.length % 2 !== 0) throw new PickleError(`the pickle sets ${items.length} items, not key-value pairs: the file is damaged`);
    for (let i = 0; i + 1 < items.length; i += 2) target.entries.set(key(items[i]!), items[i + 1]!);
  }
  private appendItems(target: PyValue, items: readonly PyValue[]): void {
    if (!(target instanceof PyList)) throw new PickleError(`the pickle appends to ${describe(target)}, which is not a list`);
    target.items.push(...items);
  }

  run(): PyValue {
    const b = this.bytes;
    for (;;) {
      if (b.at >= b.buf.length) throw new PickleError("the pickle ends without STOP: the file is truncated or damaged");
      const at = b.at;
      const op = b.u8();
      if (op === 0x2e) return this.pop(); // STOP
      if (!this.step(op))
        throw new PickleError(`the pickle has opcode 0x${op.toString(16)} at byte ${at}, which a weights file does not use; nothing was executed`);
    }
  }

  /** One opcode; false when it is not one of the accepted ones. */
  private step(op: number): boolean {
    const b = this.bytes;
    switch (op) {
      case 0x80:
        b.u8();
        return true; // PROTO
      case 0x95:
        b.take(8, "FRAME");
        return true; // FRAME: the frame's bytes are read as they come
      case 0x28:
        this.stack.push(MARK_OBJECT);
        return true; // MARK
      case 0x30:
        this.pop();
        return true; // POP
      case 0x31:
        this.popMark();
        return true; // POP_MARK
      case 0x32:
        this.push(this.top());
        return true; // DUP
      case 0x4e:
        this.push(null);
        return true; // NONE
      case 0x88:
        this.push(true);
        return true; // NEWTRUE
      case 0x89:
        this.push(false);
        return true; // NEWFALSE
      case 0x4a:
        this.push(b.i32());
        return true; // BININT
      case 0x4b:
        this.push(b.u8());
        return true; // BININT1
      case 0x4d:
        this.push(b.u16());
        return true; // BININT2
      case 0x8a:
        this.push(decodeLong(b.take(b.u8(), "LONG1")));
        return true; // LONG1
      case 0x8b:
        this.push(decodeLong(b.take(b.i32(), "LONG4")));
        return true; // LONG4
      case 0x47:
        this.push(b.take(8, "BINFLOAT").readDoubleBE(0));
        return true; // BINFLOAT
      case 0x58:
        this.push(b.take(b.u32(), "BINUNICODE").toString("utf8"));
        return true; // BINUNICODE
      case 0x8c:
        this.push(b.take(b.u8(), "SHORT_BINUNICODE").toString("utf8"));
        return true; // SHORT_BINUNICODE
      case 0x8d:
        this.push(b.take(b.u64(), "BINUNICODE8").toString("utf8"));
        return true; // BINUNICODE8
      case 0x55:
        this.push(b.take(b.u8(), "SHORT_BINSTRING").toString("latin1"));
        return true; // SHORT_BINSTRING
      case 0x54:
        this.push(b.take(b.i32(), "BINSTRING").toString("latin1"));
        return true; // BINSTRING
      case 0x43:
        this.push(Uint8Array.from(b.take(b.u8(), "SHORT_BINBYTES")));
        return true; // SHORT_BINBYTES
      case 0x42:
        this.push(Uint8Array.from(b.take(b.u32(), "BINBYTES")));
        return true; // BINBYTES
      case 0x8e:
        this.push(Uint8Array.from(b.take(b.u64(), "BINBYTES8")));
        return true; // BINBYTES8
      case 0x29:
        this.push(new PyTuple([]));
        return true; // EMPTY_TUPLE
      case 0x85:
        this.push(new PyTuple([this.pop()]));
        return true; // TUPLE1
      case 0x86: {
        const y = this.pop();
        this.push(new PyTuple([this.pop(), y]));
        return true;
      } // TUPLE2
      case 0x87: {
        const z = this.pop();
        const y = this.pop();
        this.push(new PyTuple([this.pop(), y, z]));
        return true;
      } // TUPLE3
      case 0x74:
        this.push(new PyTuple(this.popMark()));
        return true; // TUPLE
      case 0x5d:
        this.push(new PyList());
        return true; // EMPTY_LIST
      case 0x6c:
        this.push(new PyList(this.popMark()));
        return true; // LIST
      case 0x61: {
        const v = this.pop();
        this.appendItems(this.top(), [v]);
        return true;
      } // APPEND
      case 0x65: {
        const items = this.popMark();
        this.appendItems(this.top(), items);
        return true;
      } // APPENDS
      case 0x7d:
        this.push(new PyDict());
        return true; // EMPTY_DICT
      case 0x64: {
        const d = new PyDict();
        this.setItems(d, this.popMark());
        this.push(d);
        return true;
      } // DICT
      case 0x73: {
        const v = this.pop();
        const k = this.pop();
        this.setItems(this.top(), [k, v]);
        return true;
      } // SETITEM
      case 0x75: {
        const items = this.popMark();
        this.setItems(this.top(), items);
        return true;
      } // SETITEMS
      case 0x8f:
        this.push(new PySet());
        return true; // EMPTY_SET
      case 0x90: {
        const items = this.popMark();
        const s = this.top();
        if (!(s instanceof PySet)) throw new PickleError(`ADDITEMS to ${describe(s)}`);
        s.items.push(...items);
        return true;
      } // ADDITEMS
      case 0x91:
        this.push(new PySet(this.popMark()));
        return true; // FROZENSET
      case 0x68:
        this.memoGet(b.u8());
        return true; // BINGET
      case 0x6a:
        this.memoGet(b.u32());
        return true; // LONG_BINGET
      case 0x71:
        this.memo.set(b.u8(), this.top());
        return true; // BINPUT
      case 0x72:
        this.memo.set(b.u32(), this.top());
        return true; // LONG_BINPUT
      case 0x94:
        this.memo.set(this.memo.size, this.top());
        return true; // MEMOIZE
      case 0x63: {
        const module = b.line();
        const name = b.line();
        this.push(globalFor(`${module}.${name}`));
        return true;
      } // GLOBAL
      case 0x93:
        this.stackGlobal();
        return true; // STACK_GLOBAL
      case 0x52: {
        const args = this.pop();
        const fn = this.pop();
        this.push(reduce(fn, args));
        return true;
      } // REDUCE
      case 0x81:
        this.newObj();
        return true; // NEWOBJ
      case 0x62:
        this.build();
        return true; // BUILD
      case 0x51:
        this.persistent();
        return true; // BINPERSID
      default:
        return false;
    }
  }

  private stackGlobal(): void {
    const name = this.pop();
    const module = this.pop();
    if (typeof module !== "string" || typeof name !== "string") throw new PickleError(`STACK_GLOBAL of ${describe(module)} and ${describe(name)}`);
    this.push(globalFor(`${module}.${name}`));
  }

  /** NEWOBJ: only `torch.nn.Parameter(tensor, ...)`, as in PyTorch's weights_only unpickler. */
  private newObj(): void {
    const args = this.pop();
    const cls = this.pop();
    if (!(cls instanceof PyGlobal) || cls.fullName !== "torch.nn.parameter.Parameter")
      throw new PickleError(`the pickle instantiates ${describe(cls)}, which a weights file may not; nothing was executed`);
    if (!(args instanceof PyTuple)) throw new PickleError(`torch.nn.Parameter with ${describe(args)} instead of an argument tuple`);
    this.push(tensorArg(args.items[0] ?? null, "torch.nn.Parameter's data"));
  }

  /** BUILD: state set on a dict (a state_dict's `_metadata`) or a tensor is kept out of the values read. */
  private build(): void {
    this.pop();
    const inst = this.top();
    if (!(inst instanceof PyDict || inst instanceof PyTensor))
      throw new PickleError(`the pickle sets the state of ${describe(inst)}; only tensors and dicts may have one`);
  }

  private persistent(): void {
    const pid = this.pop();
    if (!(pid instanceof PyTuple) || pid.items[0] !== "storage") throw new PickleError(`a persistent id ${describe(pid)} that is not a storage`);
    this.push(this.options.persistentLoad(pid));
  }
}

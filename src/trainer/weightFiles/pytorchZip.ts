import { toFloat32 } from "./safetensors";
import { DTYPE_BYTES, type Read, type StateDict, type StoredDtype, type WeightTensor } from "./stateDict";
import { describe, PickleError, PyDict, PyStorage, PyTensor, PyTuple, STORAGE_DTYPES, unpickle, type PyValue } from "./unpickler";
import { openZip, type ZipArchive, type ZipEntry } from "./zip";

/**
 * The PyTorch zip format (`torch.save` since 1.6): `<archive>/data.pkl`, a pickle of the saved
 * object whose tensors refer to storages by key, and `<archive>/data/<key>`, each storage's raw
 * little-endian bytes. The archive folder's name is whatever the writer chose. The pickle is read
 * by the restricted unpickler (./unpickler.ts: PyTorch's weights_only semantics, nothing is ever
 * executed); each tensor is then gathered from its storage with its offset and strides, so views,
 * non-contiguous tensors and storages shared by several tensors read exactly as PyTorch sees them.
 */

/** The keys under which a checkpoint dict may hold its state_dict, in the order they are tried. */
export const STATE_DICT_KEYS = ["state_dict", "model"] as const;

interface Archive {
  zip: ZipArchive;
  /** `archive/` (with its slash), the folder holding data.pkl. */
  prefix: string;
}

function findArchive(zip: ZipArchive): Read<Archive> {
  const pickles = [...zip.entries.keys()].filter((n) => /^[^/]*\/data\.pkl$/.test(n) || n === "data.pkl");
  if (pickles.length !== 1)
    return {
      ok: false,
      error: `${zip.file}: a zip archive but not a PyTorch file: ${pickles.length === 0 ? "it has no <archive>/data.pkl" : `it has ${pickles.length} data.pkl entries`} (entries: ${[...zip.entries.keys()].slice(0, 5).join(", ")}${zip.entries.size > 5 ? ", …" : ""})`,
    };
  const prefix = pickles[0]!.slice(0, -"data.pkl".length);
  const byteorder = zip.entries.get(`${prefix}byteorder`);
  if (byteorder !== undefined) {
    const r = zip.read(byteorder);
    if (!r.ok) return r;
    const order = r.value.toString("utf8").trim();
    if (order !== "little") return { ok: false, error: `${zip.file}: its tensors are stored ${order}-endian; only little-endian files are read` };
  }
  return { ok: true, value: { zip, prefix } };
}

/** `('storage', storage_type, key, location, numel)` → the storage it names (its bytes are read later, once). */
function storageOf(pid: PyTuple): PyStorage {
  const [, type, key, , numel] = pid.items;
  const typeName = type !== null && typeof type === "object" && "fullName" in type ? type.fullName : describe(type ?? null);
  const dtype = Object.prototype.hasOwnProperty.call(STORAGE_DTYPES, typeName) ? STORAGE_DTYPES[typeName] : undefined;
  if (dtype === undefined) throw new PickleError(`a storage of type ${typeName}, which this reader does not load`);
  if (typeof key !== "string" || !/^[\w.-]+$/.test(key)) throw new PickleError(`a storage key ${describe(key ?? null)} that is not a plain name`);
  const n = typeof numel === "bigint" ? Number(numel) : numel;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw new PickleError(`storage ${key} has ${describe(numel ?? null)} elements`);
  return new PyStorage(key, dtype, n);
}

/** Reads each storage once, as float32 values (several tensors may view one storage). */
class Storages {
  private readonly cache = new Map<string, Float32Array>();
  constructor(private readonly archive: Archive) {}

  values(s: PyStorage): Read<Float32Array> {
    const cached = this.cache.get(s.key);
    if (cached) return { ok: true, value: cached };
    const { zip, prefix } = this.archive;
    const entryName = `${prefix}data/${s.key}`;
    const entry: ZipEntry | undefined = zip.entries.get(entryName);
    if (entry === undefined) return { ok: false, error: `${zip.file}: the storage ${entryName} is missing from the archive` };
    const bytes = s.numel * DTYPE_BYTES[s.dtype];
    if (entry.size < bytes)
      return { ok: false, error: `${zip.file}: the storage ${entryName} holds ${entry.size} bytes but ${s.numel} ${s.dtype} elements need ${bytes}` };
    const data = zip.read(entry);
    if (!data.ok) return data;
    const values = toFloat32(Buffer.from(data.value.buffer, data.value.byteOffset, bytes), s.dtype);
    this.cache.set(s.key, values);
    return { ok: true, value: values };
  }
}

/** The elements of a strided view of `storage`, in row-major order; its extent checked against the storage first. */
export function gather(storage: Float32Array, offset: number, size: readonly number[], stride: readonly number[]): Float32Array | string {
  if (size.length !== stride.length) return `size [${size.join(", ")}] and stride [${stride.join(", ")}] differ in length`;
  if (size.some((d) => d < 0) || stride.some((d) => d < 0)) return `a negative size or stride ([${size.join(", ")}], [${stride.join(", ")}])`;
  const numel = size.reduce((a, b) => a * b, 1);
  if (numel === 0) return new Float32Array(0);
  const last = offset + size.reduce((a, d, i) => a + (d - 1) * stride[i]!, 0);
  if (offset < 0 || last >= storage.length)
    return `the view (offset ${offset}, size [${size.join(", ")}], stride [${stride.join(", ")}]) reaches element ${last} of a storage of ${storage.length}`;
  const contiguous = size.every((_, i) => size[i] === 1 || stride[i] === size.slice(i + 1).reduce((a, b) => a * b, 1));
  if (contiguous) return storage.slice(offset, offset + numel);
  const out = new Float32Array(numel);
  const index = new Array<number>(size.length).fill(0);
  let at = offset;
  for (let i = 0; i < numel; i++) {
    out[i] = storage[at]!;
    for (let d = size.length - 1; d >= 0; d--) {
      index[d]!++;
      at += stride[d]!;
      if (index[d]! < size[d]!) break;
      at -= stride[d]! * size[d]!;
      index[d] = 0;
    }
  }
  return out;
}

type Entries = [string, PyTensor][];

function tensorEntries(d: PyDict): { tensors: Entries; others: string[] } {
  const tensors: Entries = [];
  const others: string[] = [];
  for (const [k, v] of d.entries) {
    if (typeof k === "string" && v instanceof PyTensor) tensors.push([k, v]);
    else others.push(String(k));
  }
  return { tensors, others };
}

/** The state_dict in the unpickled object: the object itself, or its "state_dict" or "model" entry. */
function findStateDict(root: PyValue, file: string): Read<{ tensors: Entries; notes: string[] }> {
  if (root instanceof PyTensor) return { ok: false, error: `${file} holds a single tensor, not a state_dict (a dict of named tensors)` };
  if (!(root instanceof PyDict)) return { ok: false, error: `${file} holds a ${describe(root)}, not a state_dict (a dict of named tensors)` };
  const top = tensorEntries(root);
  if (top.tensors.length > 0) {
    const notes = top.others.length > 0 ? [`entries that are not tensors were ignored: ${top.others.join(", ")}`] : [];
    return { ok: true, value: { tensors: top.tensors, notes } };
  }
  for (const k of STATE_DICT_KEYS) {
    const inner = root.entries.get(k);
    if (!(inner instanceof PyDict)) continue;
    const found = tensorEntries(inner);
    if (found.tensors.length === 0) continue;
    const rest = [...root.entries.keys()].filter((x) => x !== k).map(String);
    const notes = [`the state_dict is the file's "${k}" entry${rest.length > 0 ? ` (the file also holds: ${rest.join(", ")})` : ""}`];
    if (found.others.length > 0) notes.push(`entries that are not tensors were ignored: ${found.others.join(", ")}`);
    return { ok: true, value: { tensors: found.tensors, notes } };
  }
  const keys = [...root.entries.keys()].map(String);
  return {
    ok: false,
    error: `${file} holds no state_dict: a dict of named tensors is expected at its top or under ${STATE_DICT_KEYS.map((k) => `"${k}"`).join(" or ")}, and its keys are ${keys.length > 0 ? keys.slice(0, 10).join(", ") : "none"}`,
  };
}

function materialise(entries: Entries, storages: Storages, file: string): Read<{ tensors: Map<string, WeightTensor>; converted: Map<StoredDtype, number> }> {
  const tensors = new Map<string, WeightTensor>();
  const converted = new Map<StoredDtype, number>();
  for (const [name, t] of entries) {
    const storage = storages.values(t.storage);
    if (!storage.ok) return storage;
    const values = gather(storage.value, t.offset, t.size, t.stride);
    if (typeof values === "string") return { ok: false, error: `${file}: ${name}: ${values}` };
    tensors.set(name, { name, shape: t.size.slice(), dtype: t.storage.dtype, values });
    if (t.storage.dtype !== "F32") converted.set(t.storage.dtype, (converted.get(t.storage.dtype) ?? 0) + 1);
  }
  return { ok: true, value: { tensors, converted } };
}

export function readPytorchZip(file: string): Read<StateDict> {
  const zip = openZip(file);
  if (!zip.ok) return zip;
  try {
    const archive = findArchive(zip.value);
    if (!archive.ok) return archive;
    const pkl = zip.value.read(zip.value.entries.get(`${archive.value.prefix}data.pkl`)!);
    if (!pkl.ok) return pkl;
    let root: PyValue;
    try {
      root = unpickle(pkl.value, { persistentLoad: storageOf });
    } catch (e) {
      if (e instanceof PickleError) return { ok: false, error: `${file}: ${e.message}` };
      throw e;
    }
    const found = findStateDict(root, file);
    if (!found.ok) return found;
    const read = materialise(found.value.tensors, new Storages(archive.value), file);
    if (!read.ok) return read;
    const conversions = [...read.value.converted].map(([dtype, n]) => `${n} ${n === 1 ? "tensor" : "tensors"} stored as ${dtype} converted to float32`);
    return { ok: true, value: { file, tensors: read.value.tensors, notes: [...found.value.notes, ...conversions], metadata: {} } };
  } catch (e) {
    return { ok: false, error: `${file}: cannot read (${e instanceof Error ? e.message : String(e)})` };
  } finally {
    zip.value.close();
  }
}

import assert from "node:assert/strict";
import { test } from "node:test";
import { gather } from "../../../src/trainer/weightFiles/pytorchZip";
import { PyDict, PyList, PyStorage, PyTensor, PyTuple, unpickle, type PyValue } from "../../../src/trainer/weightFiles/unpickler";

/** The restricted unpickler on hand-made pickles (protocol 2 opcodes as torch.save writes them). */

const noStorages = {
  persistentLoad: (): PyValue => {
    throw new Error("no storages here");
  },
};

function pickle(...parts: (string | number[] | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
}

function unicode(s: string): Buffer {
  const b = Buffer.from(s, "utf8");
  const n = Buffer.alloc(4);
  n.writeUInt32LE(b.length);
  return Buffer.concat([Buffer.from("X"), n, b]);
}

function refused(buf: Buffer): string {
  assert.throws(() => unpickle(buf, noStorages));
  try {
    unpickle(buf, noStorages);
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

test("plain containers and numbers: an OrderedDict of lists, tuples, ints, longs, floats, booleans and None", () => {
  const float = Buffer.alloc(9);
  float.write("G");
  float.writeDoubleBE(0.125, 1);
  const v = unpickle(
    pickle(
      [0x80, 2],
      "ccollections\nOrderedDict\nq\x00)R",
      "(",
      unicode("a"),
      "]q\x01(K\x07J\xff\xff\xff\xff\x8a\x01\x80e",
      unicode("b"),
      "h\x01",
      unicode("c"),
      float,
      "N\x88\x87",
      "u.",
    ),
    noStorages,
  );
  assert.ok(v instanceof PyDict);
  const a = v.entries.get("a");
  assert.ok(a instanceof PyList);
  assert.deepEqual(a.items, [7, -1, -128]);
  assert.equal(v.entries.get("b"), a, "BINGET returns the memoised object");
  const c = v.entries.get("c");
  assert.ok(c instanceof PyTuple);
  assert.deepEqual(c.items, [0.125, null, true]);
});

test("globals outside the allow-list are refused by name before anything else happens", () => {
  assert.match(refused(pickle([0x80, 2], "cposix\nsystem\n", unicode("touch x"), "\x85R.")), /^refused global posix\.system: .*nothing was executed$/);
  assert.match(refused(pickle([0x80, 2], "cos\nsystem\n.")), /refused global os\.system/);
  assert.match(refused(pickle([0x80, 4], unicode("builtins"), unicode("exec"), "\x93.")), /refused global builtins\.exec/);
  assert.match(refused(pickle([0x80, 2], "c__main__\nNet\n.")), /refused global __main__\.Net: .*save model\.state_dict\(\) instead/);
  assert.match(
    refused(pickle([0x80, 2], "ctorch._utils\n_rebuild_sparse_tensor\n.")),
    /torch\._utils\._rebuild_sparse_tensor is a kind of tensor this reader does not load/,
  );
  // INST, OBJ and NEWOBJ of anything but a Parameter would construct objects
  assert.match(refused(pickle([0x80, 2], "(ios\nsystem\n.")), /opcode 0x69 at byte 3, which a weights file does not use; nothing was executed/);
  assert.match(refused(pickle([0x80, 2], "ccollections\nOrderedDict\n)\x81.")), /instantiates collections\.OrderedDict, which a weights file may not/);
});

test("damaged pickles are messages: lengths past the end are refused before allocating, empty stacks and unknown memos named", () => {
  assert.match(refused(pickle([0x80, 2], "X\xff\xff\xff\x7f")), /ends inside BINUNICODE \(needs 2147483647 bytes at 7 of 7\)/);
  assert.match(refused(pickle([0x80, 2], "\x8b\x00\x00\x00\x80")), /ends inside LONG4/);
  assert.match(refused(pickle([0x80, 2], "h\x05.")), /reads memo 5, which was never stored/);
  assert.match(refused(pickle([0x80, 2], "R.")), /pops an empty stack/);
  assert.match(refused(pickle([0x80, 2], "N")), /ends without STOP/);
  assert.match(refused(pickle([0x80, 2], "K\x01K\x02s.")), /reads an empty stack|sets items of 1/);
});

test("a tensor is a view of a storage: _rebuild_tensor_v2's offset, size and stride, read from the persistent id", () => {
  const seen: PyValue[] = [];
  const v = unpickle(
    pickle(
      [0x80, 2],
      "ctorch._utils\n_rebuild_tensor_v2\n(",
      "(",
      unicode("storage"),
      "ctorch\nHalfStorage\n",
      unicode("3"),
      unicode("cpu"),
      "K\x0ctQ",
      "K\x02K\x02K\x03\x86K\x01K\x02\x86\x89ccollections\nOrderedDict\n)RtR.",
    ),
    {
      persistentLoad: (pid) => {
        seen.push(pid);
        return new PyStorage("3", "F16", 12);
      },
    },
  );
  assert.ok(v instanceof PyTensor);
  assert.deepEqual([v.storage.key, v.offset, v.size, v.stride], ["3", 2, [2, 3], [1, 2]]);
  assert.equal(seen.length, 1);
});

test("gather reads a strided view, and refuses one that reaches past its storage", () => {
  const storage = Float32Array.from({ length: 12 }, (_, i) => i);
  assert.deepEqual([...(gather(storage, 1, [3, 2], [1, 3]) as Float32Array)], [1, 4, 2, 5, 3, 6]);
  assert.deepEqual([...(gather(storage, 4, [2, 2], [0, 1]) as Float32Array)], [4, 5, 4, 5]);
  assert.deepEqual([...(gather(storage, 11, [], []) as Float32Array)], [11]);
  assert.deepEqual([...(gather(storage, 0, [0, 5], [5, 1]) as Float32Array)], []);
  assert.equal(gather(storage, 6, [2, 4], [4, 1]), "the view (offset 6, size [2, 4], stride [4, 1]) reaches element 13 of a storage of 12");
});

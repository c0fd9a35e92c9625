"""CNN Studio checkpoints in Python: <base>.safetensors (the model's state_dict) and <base>.optimizer.safetensors.

The format is src/trainer/checkpointSafetensors.ts's (tensors by PyTorch state_dict name, the training position
in the model file's __metadata__), so trained weights go from the TensorFlow.js engine to PyTorch and back;
safetensors.torch.load_file() reads the model file too, but nothing here needs the safetensors package.
Checkpoints of the format before (a .json index and a .bin of float32 values) still load. The exporter
copies this file from its "# ---- CNN Studio checkpoints" line on into every exported file
(src/export/checkpointPy.ts), and adds the standard-library imports above that line to the exported
file's imports; the PyTorch training engine uses the same functions through the exported file. This
file is also a module of its own.
"""

import datetime
import json
import os
import re
import struct
import uuid
import zlib

import torch
from torch import nn

# ---- CNN Studio checkpoints: <base>.safetensors (the state_dict) + <base>.optimizer.safetensors, by state_dict name ----

SAFETENSORS_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
                      "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
                      "BOOL": torch.bool}


def read_safetensors(path: str) -> tuple:
    """The tensors (name to tensor, in the file's order) and the __metadata__ of a .safetensors file, read with torch alone.

    A file whose __metadata__ has a crc32 (CNN Studio's checkpoints) is checked against it; one without is read as it is.
    """
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8]) if len(data) >= 8 else (len(data),)
    if n > len(data) - 8:
        raise ValueError(f"{path}: not a safetensors file (its header length {n} is more than its {len(data)} bytes)")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    body = bytearray(data[8 + n:])
    tensors, used = {}, 0
    for name, e in header.items():
        dtype = SAFETENSORS_DTYPES[e["dtype"]]
        begin, end = e["data_offsets"]
        count = torch.Size(e["shape"]).numel()
        if end - begin != count * torch.empty(0, dtype=dtype).element_size() or end > len(body):
            raise ValueError(f"{path}: {name} does not fit its data_offsets [{begin}, {end}] (the file is {len(data)} bytes)")
        used += end - begin
        flat = torch.frombuffer(body, dtype=dtype, count=count, offset=begin) if count else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(e["shape"])
    if used != len(body):
        raise ValueError(f"{path}: the tensors hold {used} bytes but the file has {len(body)} after the header (truncated?)")
    if "crc32" in metadata and str(zlib.crc32(body)) != metadata["crc32"]:
        raise ValueError(f"{path}: checksum mismatch: __metadata__ crc32 is {metadata['crc32']}, "
                         f"the data's CRC-32 is {zlib.crc32(body)} (the file is damaged)")
    return tensors, metadata


def write_safetensors(path: str, tensors: list, metadata: dict) -> int:
    """Writes (name, tensor) pairs (float as F32, int64 as I64) to path through a temporary file; returns its size.

    The __metadata__ gets crc32, the CRC-32 of the data (a decimal string), which read_safetensors checks.
    """
    header, chunks, at = {"__metadata__": dict(metadata)}, [], 0
    for name, v in tensors:
        v = v.detach().to("cpu")
        v = (v if v.dtype == torch.int64 else v.to(torch.float32)).contiguous()
        try:
            raw = v.numpy().tobytes()
        except Exception:  # PyTorch without NumPy
            raw = struct.pack(f"<{v.numel()}{'q' if v.dtype == torch.int64 else 'f'}", *v.reshape(-1).tolist())
        header[name] = {"dtype": "I64" if v.dtype == torch.int64 else "F32", "shape": list(v.shape), "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    crc = 0
    for raw in chunks:
        crc = zlib.crc32(raw, crc)
    header["__metadata__"]["crc32"] = str(crc)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for raw in chunks:
            f.write(raw)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return 8 + len(text) + at


def _checkpoint_file(path: str) -> str:
    """path, or a run folder's (or its checkpoints folder's) newest checkpoint."""
    if not os.path.isdir(path):
        return path
    folder = os.path.join(path, "checkpoints") if os.path.isdir(os.path.join(path, "checkpoints")) else path
    names = sorted(f for f in os.listdir(folder) if re.fullmatch(r"e\d{4,}-s\d{6,}\.(safetensors|json)", f))
    if not names:
        raise FileNotFoundError(f"{path}: no CNN Studio checkpoint")
    return os.path.join(folder, names[-1])


def _read_legacy(path: str) -> tuple:
    """The index and float32 values of a checkpoint of the format before (.json + .bin)."""
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if index.get("format") != "cnn-studio-checkpoint" or index.get("version") != 1:
        raise ValueError(f"{path} is not a CNN Studio checkpoint (version 1)")
    with open(os.path.join(os.path.dirname(path), os.path.basename(index["bin"])), "rb") as f:
        data = f.read()
    if len(data) != index["byteLength"] or zlib.crc32(data) != index["crc32"]:
        raise ValueError(f"{path}: its .bin is incomplete or damaged")
    return index, torch.frombuffer(bytearray(data), dtype=torch.float32) if data else torch.zeros(0)


def checkpoint_state_dict(path: str) -> tuple:
    """The state_dict (parameters and buffers, not the optimiser state) of a CNN Studio checkpoint, and what it says besides.

    path is as for load_checkpoint: a model file, an index of the format before, or a run folder. Data is checked
    against its CRC-32 (a damaged file is a ValueError naming it).
    """
    path = _checkpoint_file(path)
    if path.endswith(".json"):
        index, values = _read_legacy(path)
        state = {}
        for t in index["tensors"]:
            if t["kind"] != "optimizer":
                v = values[t["offset"]:t["offset"] + t["length"]].reshape(t["shape"])
                state[t["name"]] = v.round().long() if t.get("torchDtype") == "int64" else v
        return state, index
    state, metadata = read_safetensors(path)
    return state, {k: (json.loads(v) if k in ("position", "optimizer", "rng", "validation", "optimizerState") else v)
                   for k, v in metadata.items()}


def load_checkpoint(model: nn.Module, path: str, strict: bool = True) -> dict:
    """Loads a CNN Studio checkpoint into model (the optimiser state is left to load_optimizer_state).

    path is a checkpoint's model file (runs/<run>/checkpoints/e0005-s000125.safetensors), an index of the
    format before (e0005-s000125.json), or a run folder (its newest checkpoint). Returns what the checkpoint
    says besides its tensors: model, reason, position, optimizer (name, scalars), rng, validation.
    """
    state, index = checkpoint_state_dict(path)
    model.load_state_dict(state, strict=strict)
    return index


def load_optimizer_state(path: str) -> dict:
    """The optimiser state of a CNN Studio checkpoint (as load_checkpoint finds it): "<parameter>.<slot>" to tensor.

    Slots are PyTorch's (exp_avg, exp_avg_sq, momentum_buffer); the scalars are in load_checkpoint's "optimizer".
    A model file without its optimizer file (or with another write's) is an error: its weights load, it does not resume.
    """
    path = _checkpoint_file(path)
    if path.endswith(".json"):
        index, values = _read_legacy(path)
        return {t["name"][len("optimizer."):]: values[t["offset"]:t["offset"] + t["length"]].reshape(t["shape"])
                for t in index["tensors"] if t["kind"] == "optimizer"}
    _, metadata = read_safetensors(path)
    ref = json.loads(metadata.get("optimizerState", "null")) or {}
    sibling = os.path.join(os.path.dirname(path), os.path.basename(path)[:-len(".safetensors")] + ".optimizer.safetensors")
    if ref.get("file") != os.path.basename(sibling) or not os.path.isfile(sibling) or os.path.getsize(sibling) != ref.get("byteLength"):
        raise ValueError(f"{path}: its optimizer state {os.path.basename(sibling)} is missing or not the one written with it (weights only)")
    tensors, own = read_safetensors(sibling)
    if own.get("stamp") != ref.get("stamp"):
        raise ValueError(f"{sibling}: not the optimizer state written with {os.path.basename(path)}")
    return tensors


def save_checkpoint(model: nn.Module, folder: str, name: str = "model", epoch: int = 0, step: int = 0, **index) -> str:
    """Writes model's state_dict as a CNN Studio checkpoint in folder; returns the model file's path.

    Keyword arguments add to or replace what the checkpoint says (reason, position, optimizer, rng, validation);
    extra is a list of (name, kind, tensor) of optimiser state ("optimizer.<parameter>.<slot>", "optimizer"),
    written first to <base>.optimizer.safetensors; <base>.safetensors, the state_dict, is written last.
    """
    os.makedirs(folder, exist_ok=True)
    base = f"e{epoch:04d}-s{step:06d}"
    extra = [(n[len("optimizer."):] if n.startswith("optimizer.") else n, v) for n, _, v in index.pop("extra", [])]
    position = {"epoch": epoch, "step": step, "globalStep": 0, "lossSum": 0, "correct": 0, "correctTop5": 0, "seen": 0,
                "metricsLines": 0, "seconds": 0}
    said = {"model": name, "reason": "epoch", "position": position, "optimizer": {"name": "none", "scalars": {}},
            "rng": {"seed": 0, "scheme": "pytorch"}}
    said.update(index)
    stamp = uuid.uuid4().hex
    size = write_safetensors(os.path.join(folder, f"{base}.optimizer.safetensors"), extra,
                             {"checkpoint": "cnn-studio-optimizer-state", "version": "2", "optimizer": said["optimizer"]["name"],
                              "stamp": stamp})
    metadata = {"format": "pt", "checkpoint": "cnn-studio-checkpoint", "version": "2", "model": said.pop("model"),
                "writtenAt": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
                "reason": said.pop("reason")}
    metadata.update({k: json.dumps(v) for k, v in said.items()})
    metadata["optimizerState"] = json.dumps({"file": f"{base}.optimizer.safetensors", "byteLength": size, "stamp": stamp})
    path = os.path.join(folder, f"{base}.safetensors")
    write_safetensors(path, list(model.state_dict().items()), metadata)
    return path

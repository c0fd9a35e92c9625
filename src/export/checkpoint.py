"""CNN Studio checkpoints in Python: a .json index and a .bin of little-endian float32 values.

The format is src/trainer/checkpoint.ts's (tensors by PyTorch state_dict name), so trained weights go
from the TensorFlow.js engine to PyTorch and back. The exporter copies this file from its
"# ---- CNN Studio checkpoints" line on into every exported file (src/export/checkpointPy.ts), and adds
the standard-library imports above that line to the exported file's imports; the PyTorch training
engine uses the same functions through the exported file. This file is also a module of its own.
"""

import datetime
import json
import os
import re
import struct
import zlib

import torch
from torch import nn

# ---- CNN Studio checkpoints: a .json index and a .bin of float32 values, by state_dict name ----


def load_checkpoint(model: nn.Module, path: str, strict: bool = True) -> dict:
    """Loads a CNN Studio checkpoint into model (the optimiser state in it is not loaded).

    path is a checkpoint's .json index (runs/<run>/checkpoints/e0005-s000125.json) or a run folder
    (its newest checkpoint). Returns the index (position, optimiser, tensors).
    """
    if os.path.isdir(path):
        folder = os.path.join(path, "checkpoints") if os.path.isdir(os.path.join(path, "checkpoints")) else path
        names = sorted(f for f in os.listdir(folder) if re.fullmatch(r"e\d{4,}-s\d{6,}\.json", f))
        if not names:
            raise FileNotFoundError(f"{path}: no CNN Studio checkpoint")
        path = os.path.join(folder, names[-1])
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if index.get("format") != "cnn-studio-checkpoint" or index.get("version") != 1:
        raise ValueError(f"{path} is not a CNN Studio checkpoint (version 1)")
    with open(os.path.join(os.path.dirname(path), os.path.basename(index["bin"])), "rb") as f:
        data = f.read()
    if len(data) != index["byteLength"] or zlib.crc32(data) != index["crc32"]:
        raise ValueError(f"{path}: its .bin is incomplete or damaged")
    values = torch.frombuffer(bytearray(data), dtype=torch.float32) if data else torch.zeros(0)
    state = {}
    for t in index["tensors"]:
        if t["kind"] != "optimizer":
            v = values[t["offset"]:t["offset"] + t["length"]].reshape(t["shape"])
            state[t["name"]] = v.round().long() if t.get("torchDtype") == "int64" else v
    model.load_state_dict(state, strict=strict)
    return index


def save_checkpoint(model: nn.Module, folder: str, name: str = "model", epoch: int = 0, step: int = 0, **index) -> str:
    """Writes model's state_dict as a CNN Studio checkpoint in folder; returns the .json path.

    Keyword arguments add to or replace fields of the index (reason, position, optimizer, rng);
    extra is a list of (name, kind, tensor) written after the state_dict (optimiser state).
    """
    os.makedirs(folder, exist_ok=True)
    base = f"e{epoch:04d}-s{step:06d}"
    parameters = {n for n, _ in model.named_parameters()}
    entries, chunks, offset = [], [], 0
    tensors = [(k, "parameter" if k in parameters else "buffer", v) for k, v in model.state_dict().items()]
    for key, kind, v in tensors + list(index.pop("extra", [])):
        flat = v.detach().to("cpu", torch.float32).reshape(-1).contiguous()
        entry = {"name": key, "kind": kind, "shape": list(v.shape), "dtype": "float32"}
        if v.dtype == torch.int64:
            entry["torchDtype"] = "int64"
        entry.update(offset=offset, length=flat.numel())
        entries.append(entry)
        chunks.append(flat)
        offset += flat.numel()
    flat = torch.cat(chunks) if chunks else torch.zeros(0)
    try:
        data = flat.numpy().tobytes()
    except Exception:  # PyTorch without NumPy
        data = struct.pack(f"<{flat.numel()}f", *flat.tolist())
    position = {"epoch": epoch, "step": step, "globalStep": 0, "lossSum": 0, "correct": 0, "correctTop5": 0, "seen": 0,
                "metricsLines": 0, "seconds": 0}
    header = {"format": "cnn-studio-checkpoint", "version": 1, "model": name,
              "writtenAt": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
              "reason": "epoch", "bin": f"{base}.bin", "byteLength": len(data), "crc32": zlib.crc32(data),
              "position": position, "optimizer": {"name": "none", "scalars": {}}, "rng": {"seed": 0, "scheme": "pytorch"}}
    header.update(index)
    header["tensors"] = entries
    for file, content, mode in ((f"{base}.bin", data, "wb"), (f"{base}.json", json.dumps(header, indent=1) + "\n", "w")):
        tmp = os.path.join(folder, f"{file}.tmp-{os.getpid()}")
        with open(tmp, mode) as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, os.path.join(folder, file))
    return os.path.join(folder, f"{base}.json")

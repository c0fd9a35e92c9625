"""The safetensors layout read and written with PyTorch alone (Debian has no `safetensors` package).

read FILE   prints {"metadata": {...}, "tensors": {name: {"dtype", "shape", "values"}}} (values as float)
write FILE  writes F32, F16, BF16, F64 and I64 tensors and prints their values as torch's .float() gives them
"""
import json
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64, "I64": torch.int64}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf8"))
    body = data[8 + n :]
    out = {"metadata": header.pop("__metadata__", {}), "tensors": {}, "headerLength": n}
    for name, h in header.items():
        begin, end = h["data_offsets"]
        t = torch.frombuffer(bytearray(body[begin:end]), dtype=DTYPES[h["dtype"]]).reshape(h["shape"])
        out["tensors"][name] = {"dtype": h["dtype"], "shape": h["shape"], "values": t.float().flatten().tolist()}
    return out


def write(path):
    g = torch.Generator().manual_seed(0)
    tensors = {
        "a.weight": torch.randn(3, 4, generator=g),
        "half": (torch.randn(5, generator=g) * 100).half(),
        "brain": torch.randn(2, 3, generator=g).bfloat16(),
        "double": torch.randn(4, generator=g).double(),
        "bn.num_batches_tracked": torch.tensor(123456789, dtype=torch.int64),
    }
    names = {v: k for k, v in DTYPES.items()}
    header, chunks, at = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().view(-1).view(torch.uint8).numpy().tobytes() if t.dim() > 0 else t.reshape(1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    text = json.dumps(header).encode("utf8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    print(json.dumps({k: {"shape": list(t.shape), "values": t.float().flatten().tolist()} for k, t in tensors.items()}))


if __name__ == "__main__":
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "read":
        print(json.dumps(read(path)))
    else:
        write(path)

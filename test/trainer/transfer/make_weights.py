"""Seeded weights for test/fixtures/trainer/transfer/smallBackbone.ts, made with PyTorch alone.

make_weights.py OUT_BASE [CLASSES]  writes OUT_BASE.pth (torch.save of a state_dict) and OUT_BASE.safetensors with the
same tensors: the backbone (`features.*`, BatchNorm running statistics and num_batches_tracked not at their
defaults), a head of another size (fc: 5 classes, the model has 10: mismatched) and a tensor the model lacks
(`extra.weight`: unexpected); with CLASSES 10, a file that matches the whole model and nothing else. Prints {name: {"shape", "dtype", "values"}} (values as Python floats, exact for float32).
"""
import collections
import json
import struct
import sys

import torch
import torch.nn as nn


def backbone(classes):
    torch.manual_seed(1234)
    features = nn.Sequential(
        nn.Conv2d(1, 4, 3, stride=2, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
        nn.Conv2d(4, 8, 3, stride=2), nn.BatchNorm2d(8), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
    )
    m = nn.Module()
    m.features = features
    m.fc = nn.Linear(8, classes)
    with torch.no_grad():
        for bn in (features[1], features[4]):
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
            bn.running_mean.uniform_(-1, 1)
            bn.running_var.uniform_(0.5, 2)
            bn.num_batches_tracked.fill_(37)
    return m


def write_safetensors(path, tensors):
    names = {torch.float32: "F32", torch.int64: "I64"}
    header, chunks, at = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    text = json.dumps(header).encode("utf8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def main(base, classes):
    sd = collections.OrderedDict(backbone(classes).state_dict())
    if classes != 10:
        sd["extra.weight"] = torch.randn(3, 3)
    torch.save(sd, base + ".pth")
    write_safetensors(base + ".safetensors", sd)
    print(json.dumps({k: {"shape": list(t.shape), "dtype": str(t.dtype), "values": t.double().reshape(-1).tolist()} for k, t in sd.items()}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5)

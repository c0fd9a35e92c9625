"""PyTorch weights files for the reader's tests, written with Debian's torch 1.13 (random, seeded).

pytorch_files.py DIR   writes into DIR, for each NAME.pth, NAME.expected.safetensors: the state_dict's
                       tensors as torch's .float() gives them (what our reader must produce, bit for
                       bit), and prints {NAME: [state_dict names in order]}. Also writes files that
                       must be refused: malicious.pth / eval.pth / control.pth (a pickle that would run a command,
                       packed in the torch zip layout WITHOUT being loaded), legacy.pth, whole_model.pth.

Nothing here ever loads a file it wrote.
"""
import collections
import json
import os
import struct
import sys
import zipfile

import torch
import torchvision


def write_expected(path, sd):
    """A safetensors file of float32 tensors (the layout, written with torch alone)."""
    header, chunks, at = {}, [], 0
    for name, t in sd.items():
        raw = t.detach().float().contiguous().reshape(-1).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    text = json.dumps(header).encode("utf8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def small_model():
    torch.manual_seed(1)
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 5)
    )


def views():
    g = torch.Generator().manual_seed(2)
    base = torch.randn(100, generator=g)
    square = torch.randn(6, 8, generator=g)
    return collections.OrderedDict(
        [
            ("slice", base[10:30].view(4, 5)),  # shares base's storage at offset 10
            ("tail", base[50:]),  # the same storage at offset 50
            ("transposed", base[:60].view(6, 10).t()),  # non-contiguous, strides (1, 10)
            ("strided", square[1:, ::3]),  # offset 8, strides (8, 3)
            ("expanded", torch.randn(1, 4, generator=g).expand(3, 4)),  # stride 0
            ("scalar", base[99]),  # a 0-d view at offset 99
            ("whole", base),
        ]
    )


def dtypes():
    g = torch.Generator().manual_seed(3)
    return collections.OrderedDict(
        [
            ("half", (torch.randn(2, 3, generator=g) * 100).half()),
            ("brain", torch.randn(5, generator=g).bfloat16()),
            ("double", torch.randn(3, 2, generator=g).double()),
            ("bn.num_batches_tracked", torch.tensor(123456789, dtype=torch.int64)),
            ("int32", torch.tensor([-7, 2**20], dtype=torch.int32)),
            ("flags", torch.tensor([True, False, True])),
            ("half_t", (torch.randn(3, 4, generator=g)).half().t()),
        ]
    )


def repack(src, dst, folder, compression):
    """The same archive with another folder name and compression (as a zip tool would re-pack it)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for info in zin.infolist():
            rest = info.filename.split("/", 1)[1]
            zout.writestr(f"{folder}/{rest}", zin.read(info.filename))


def malicious(path, module, name, argument):
    """A torch-layout zip whose data.pkl would call module.name(argument) when loaded with pickle."""
    arg = argument.encode("utf8")
    pkl = (
        b"\x80\x02"
        + b"c" + module.encode() + b"\n" + name.encode() + b"\n"
        + b"X" + struct.pack("<I", len(arg)) + arg
        + b"\x85"  # TUPLE1
        + b"R"  # REDUCE
        + b"."  # STOP
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/version", "3\n")


def main(out, marker):
    torch.manual_seed(0)
    resnet = torchvision.models.resnet18(weights=None)
    sd = resnet.state_dict()
    small = small_model().state_dict()
    params = collections.OrderedDict(w=torch.nn.Parameter(torch.ones(2, 2)), b=torch.nn.Parameter(torch.zeros(3), requires_grad=False))
    files = {
        "resnet18": (sd, sd),
        "small": (small, small),
        "wrapped_state_dict": ({"epoch": 3, "state_dict": small, "best": 0.5}, small),
        "wrapped_model": ({"model": small, "optimizer": {"state": {}, "param_groups": [{"lr": 0.1, "params": [0, 1]}]}}, small),
        "dataparallel": (torch.nn.DataParallel(small_model()).state_dict(), torch.nn.DataParallel(small_model()).state_dict()),
        "views": (views(), views()),
        "dtypes": (dtypes(), dtypes()),
        "parameters": (params, params),
    }
    names = {}
    for name, (saved, expected) in files.items():
        torch.save(saved, os.path.join(out, f"{name}.pth"))
        write_expected(os.path.join(out, f"{name}.expected.safetensors"), expected)
        names[name] = list(expected.keys())
    repack(os.path.join(out, "small.pth"), os.path.join(out, "renamed.pth"), "my_weights-v2", zipfile.ZIP_STORED)
    repack(os.path.join(out, "small.pth"), os.path.join(out, "deflated.pth"), "archive", zipfile.ZIP_DEFLATED)
    malicious(os.path.join(out, "malicious.pth"), "posix", "system", f"touch {marker}")
    malicious(os.path.join(out, "control.pth"), "posix", "system", f"touch {marker}.control")
    malicious(os.path.join(out, "eval.pth"), "builtins", "eval", f"open({marker!r}, 'w')")
    torch.save(small, os.path.join(out, "legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(small_model(), os.path.join(out, "whole_model.pth"))
    print(json.dumps(names))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

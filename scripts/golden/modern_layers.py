#!/usr/bin/python3
"""PyTorch's figures for test/analyzer/modernLayers.test.ts (issue 14's layer kinds).

Run with Debian's interpreter (torch 1.13): /usr/bin/python3 scripts/golden/modern_layers.py
Prints, per case, the output shape (batch 1, written N in the test), the parameter and buffer
counts, and the MACs by torchvision's convention (Conv/Linear only: output elements × weight
elements per output channel); then, for each bad case, PyTorch's own error.
"""

import json

import torch
from torch import nn

CASES = [
    ("LayerNorm(768)", lambda: nn.LayerNorm(768), (1, 197, 768)),
    ("LayerNorm([8, 4, 4], noaffine)", lambda: nn.LayerNorm([8, 4, 4], elementwise_affine=False), (1, 8, 4, 4)),
    ("LayerNorm([4, 4], eps)", lambda: nn.LayerNorm([4, 4], eps=1e-6), (1, 8, 4, 4)),
    ("GroupNorm(4, 32)", lambda: nn.GroupNorm(4, 32), (1, 32, 8, 8)),
    ("GroupNorm(2, 6, noaffine)", lambda: nn.GroupNorm(2, 6, affine=False), (1, 6, 10)),
    ("Conv1d(16, 32, 3, p1)", lambda: nn.Conv1d(16, 32, 3, padding=1), (1, 16, 100)),
    ("Conv1d(6, 12, 5, s2 d2 g3 nobias)", lambda: nn.Conv1d(6, 12, 5, stride=2, dilation=2, groups=3, bias=False), (1, 6, 50)),
    ("Conv1d(4, 4, 4, same)", lambda: nn.Conv1d(4, 4, 4, padding="same"), (1, 4, 9)),
    ("MaxPool1d(3, s2 p1 ceil)", lambda: nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True), (1, 4, 10)),
    ("MaxPool1d(2, d2)", lambda: nn.MaxPool1d(2, dilation=2), (1, 4, 11)),
    ("AvgPool1d(3, s2 p1)", lambda: nn.AvgPool1d(3, stride=2, padding=1), (1, 8, 100)),
    ("AdaptiveAvgPool1d(7)", lambda: nn.AdaptiveAvgPool1d(7), (1, 8, 37)),
    ("BatchNorm1d(8) on [N, C, L]", lambda: nn.BatchNorm1d(8), (1, 8, 20)),
    ("Embedding(1000, 64)", lambda: nn.Embedding(1000, 64), (1, 12)),
    ("Embedding(10, 3, pad -1)", lambda: nn.Embedding(10, 3, padding_idx=-1), (1, 4, 5)),
    ("Unflatten(1, [64, 7, 7])", lambda: nn.Unflatten(1, (64, 7, 7)), (1, 3136)),
    ("Unflatten(-1, [2, -1])", lambda: nn.Unflatten(-1, (2, -1)), (1, 3, 8)),
    ("PixelShuffle(3)", lambda: nn.PixelShuffle(3), (1, 18, 5, 4)),
    ("ZeroPad2d(2)", lambda: nn.ZeroPad2d(2), (1, 3, 8, 8)),
    ("ZeroPad2d([1, 0, -1, 2])", lambda: nn.ZeroPad2d((1, 0, -1, 2)), (1, 3, 8, 8)),
    ("Mish()", lambda: nn.Mish(), (1, 5)),
    ("PReLU()", lambda: nn.PReLU(), (1, 3, 4, 4)),
    ("PReLU(3)", lambda: nn.PReLU(3), (1, 3, 4, 4)),
    # unbatched [C, L]: the first dimension is not a batch (printed as N all the same)
    ("Conv1d(16, 32, 3) on [16, 100]", lambda: nn.Conv1d(16, 32, 3), (16, 100)),
    ("MaxPool1d(2) on [4, 10]", lambda: nn.MaxPool1d(2), (4, 10)),
]

BAD = [
    ("LayerNorm(10) on [N, 5, 11]", lambda: nn.LayerNorm(10), (1, 5, 11)),
    ("GroupNorm(4, 6)", lambda: nn.GroupNorm(4, 6), None),
    ("GroupNorm(2, 8) on [N, 6, 4]", lambda: nn.GroupNorm(2, 8), (1, 6, 4)),
    ("Conv1d(4, 8, 3) on [N, 3, 10]", lambda: nn.Conv1d(4, 8, 3), (1, 3, 10)),
    ("Conv1d(4, 8, 5) on [N, 4, 3]", lambda: nn.Conv1d(4, 8, 5), (1, 4, 3)),
    ("Conv1d(4, 6, 3, groups 4)", lambda: nn.Conv1d(4, 6, 3, groups=4), None),
    ("MaxPool1d(2, padding 2) on [N, 4, 10]", lambda: nn.MaxPool1d(2, padding=2), (1, 4, 10)),
    ("Embedding(10, 3, padding_idx 10)", lambda: nn.Embedding(10, 3, padding_idx=10), None),
    ("Unflatten(1, [5, 5]) on [N, 24]", lambda: nn.Unflatten(1, (5, 5)), (1, 24)),
    ("Unflatten(1, [-1, -1]) on [N, 24]", lambda: nn.Unflatten(1, (-1, -1)), (1, 24)),
    ("PixelShuffle(2) on [N, 6, 4, 4]", lambda: nn.PixelShuffle(2), (1, 6, 4, 4)),
    ("ZeroPad2d(-5) on [N, 3, 8, 8]", lambda: nn.ZeroPad2d(-5), (1, 3, 8, 8)),
    ("PReLU(3) on [N, 4, 8, 8]", lambda: nn.PReLU(3), (1, 4, 8, 8)),
]


def macs(m: nn.Module, out: torch.Tensor) -> int:
    if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear)):
        return out.numel() * m.weight[0].numel()
    return 0


def main() -> None:
    rows = {}
    for name, make, shape in CASES:
        torch.manual_seed(0)
        m = make().eval()
        x = torch.randint(0, 10, shape) if isinstance(m, nn.Embedding) else torch.randn(shape)
        with torch.no_grad():
            y = m(x)
        rows[name] = {
            "output": ["N", *y.shape[1:]],
            "params": sum(p.numel() for p in m.parameters()),
            "buffers": sum(b.numel() for b in m.buffers()),
            "macs": macs(m, y),
        }
    print(json.dumps(rows, indent=1))
    for name, make, shape in BAD:
        try:
            m = make()
            if shape is not None:
                m(torch.randn(shape))
            print(f"{name}: no error")
        except Exception as e:  # PyTorch raises RuntimeError or ValueError
            print(f"{name}: {type(e).__name__}: {str(e).splitlines()[0]}")


if __name__ == "__main__":
    main()

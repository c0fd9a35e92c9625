#!/usr/bin/python3
"""Generate the trainer's PyTorch equivalence goldens in test/golden/trainer/.

Run with Debian's interpreter, which has torch 1.13 and torchvision 0.14:

    /usr/bin/python3 scripts/golden/trainer_equivalence.py

For LeNet-5 (examples/lenet5.ts `lenet5`), small torchvision blocks (test/fixtures/trainer/blocks.ts:
ResNet BasicBlock and Bottleneck, GoogLeNet Inception, MobileNet v2 InvertedResidual, DenseNet
_DenseBlock) and models covering every other layer kind and tensor operation
(test/fixtures/trainer/zoo.ts), this builds the PyTorch module (attribute names mirror the
TypeScript, so state_dict names match), seeds it, randomises every BatchNorm's affine parameters
and running statistics (so that evaluation mode is not the identity), and writes
test/golden/trainer/<model>.json with:

    state       the initial state_dict (weights and buffers)
    input       a seeded random input
    evalOutput  the output in eval() mode
    trainOutput the output in train() mode (BatchNorm uses batch statistics; no dropout)
    lossWeights R: the loss of the training step is sum(trainOutput * R)
    grads       d loss / d parameter, for every parameter (state_dict names)
    inputGrad   d loss / d input
    stateAfter  the buffers after the training forward (running statistics, num_batches_tracked)
    float32Deviation  max |float32 − float64| of PyTorch itself, per tensor (same structure)

The reference is computed in float64 from the float32 weights and input (PyTorch's own float32
results differ from it by `float32Deviation`). Tensors are stored compactly as
{"shape": [...], "dtype": "float32", "b64": base64 of little-endian float32} (7.2 significant
digits, exactly what float32 holds), or {"shape", "dtype": "int64", "values": [...]}.
"""

import base64
import copy
import json
import os
import sys
from typing import Any, Callable, Dict, List, Tuple

import importlib

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# (torchvision.models re-exports functions named like some of its modules: import the modules.)
tv_densenet = importlib.import_module("torchvision.models.densenet")
tv_googlenet = importlib.import_module("torchvision.models.googlenet")
tv_mobilenetv2 = importlib.import_module("torchvision.models.mobilenetv2")
tv_resnet = importlib.import_module("torchvision.models.resnet")
tv_ops = importlib.import_module("torchvision.ops")
tv_swin = importlib.import_module("torchvision.models.swin_transformer")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "golden", "trainer")
BATCH = 2


# ---------------------------------------------------------------------------------------------
# Models (attribute names and order mirror the TypeScript files)
# ---------------------------------------------------------------------------------------------


def lenet5() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
        nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10),
    )


def conv_zoo() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 6, 3, stride=2, padding=2, dilation=2),
        nn.GELU(),
        nn.Conv2d(6, 6, 3, groups=3, padding="same"),
        nn.SiLU(),
        nn.Conv2d(6, 12, 3, groups=6, stride=2, padding=1),
        nn.Hardswish(),
        nn.ConvTranspose2d(12, 4, 3, stride=2, padding=1, output_padding=1),
        nn.Hardsigmoid(),
        nn.ConvTranspose2d(4, 4, 3, groups=2, dilation=2, padding=1),
        nn.ELU(0.5),
        nn.Conv2d(4, 4, 2, padding="same"),
        nn.LeakyReLU(0.2),
        nn.Conv2d(4, 5, 3, padding=1, padding_mode="reflect"),
        nn.ReLU6(),
        nn.Conv2d(5, 5, 3, padding=1, padding_mode="replicate"),
        nn.GELU(approximate="tanh"),
        nn.Conv2d(5, 4, 3, padding=1, padding_mode="circular", bias=False),
        nn.Tanh(),
        nn.Conv2d(4, 4, 3, padding=2, dilation=2, groups=4),
        nn.Sigmoid(),
    )


class PoolZoo(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.max1 = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.avg1 = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.avg2 = nn.AvgPool2d(2, padding=1, ceil_mode=True, count_include_pad=False)
        self.avg3 = nn.AvgPool2d(3, stride=2, divisor_override=4)
        self.max2 = nn.MaxPool2d(2, stride=1, dilation=2)
        self.adaAvg = nn.AdaptiveAvgPool2d((3, 5))
        self.adaMax = nn.AdaptiveMaxPool2d(3)
        self.gap = nn.AdaptiveAvgPool2d(1)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(x)
        parts = [self.max1(x), self.avg1(x), self.avg2(x), self.avg3(x), self.max2(x), self.adaAvg(x), self.adaMax(x), self.gap(x)]
        return torch.cat([torch.flatten(p, 1) for p in parts], 1)


class NormZoo(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lrn1 = nn.LocalResponseNorm(3)
        self.lrn2 = nn.LocalResponseNorm(4, alpha=0.01, beta=0.5, k=2)
        self.bn = nn.BatchNorm2d(6, momentum=0.3, eps=0.001)
        self.bnPlain = nn.BatchNorm2d(6, affine=False)
        self.bnBatch = nn.BatchNorm2d(6, track_running_stats=False)
        self.flat = nn.Flatten()
        self.fc = nn.Linear(150, 12)
        self.bn1 = nn.BatchNorm1d(12)
        self.softmax = nn.Softmax(1)

    def forward(self, x: Tensor) -> Tensor:
        x = self.lrn1(x)
        x = self.lrn2(x * 3)
        x = self.bn(x)
        x = x + self.bnBatch(self.bnPlain(x))
        x = self.bn1(self.fc(self.flat(x)))
        return self.softmax(x)


class OpsZoo(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3, padding=1)
        self.se = nn.Conv2d(8, 8, 1)
        self.up1 = nn.Upsample(scale_factor=2, mode="nearest")
        self.up2 = nn.Upsample(size=(9, 7), mode="bilinear", align_corners=False)
        self.fc = nn.Linear(144, 10)
        self.id = nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        x = F.relu(self.conv(x))
        s = self.se(x.mean([2, 3], keepdim=True)).sigmoid()
        x = self.id(x * s)
        y = ((x - 0.5) / 2 + 1) * 3
        a = F.max_pool2d(self.up1(y), 2)
        c = torch.cat([a, x], 1)
        e = F.adaptive_avg_pool2d(self.up2(c), 3)
        f = e.view(e.size(0), -1)
        g = f + torch.tanh(f * f)
        h = F.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=True)
        k = h.mean([1]).flatten(1)
        m = x.mean([3]).reshape(x.size(0), -1)
        n = F.interpolate(x, size=(4, 9), mode="nearest").flatten(1)
        return torch.cat([self.fc(g), k, m, n.relu()], 1)


# ---- modules: issue 14's layer kinds (test/fixtures/trainer/modernZoo.ts) ----


class ModernZoo1d(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(4, 8, 3, padding=1)
        self.bn = nn.BatchNorm1d(8)
        self.prelu = nn.PReLU(8)
        self.pool = nn.MaxPool1d(3, stride=2, padding=1)
        self.conv2 = nn.Conv1d(8, 6, 3, padding=2, dilation=2, groups=2)
        self.gn = nn.GroupNorm(2, 6)
        self.mish = nn.Mish()
        self.avg = nn.AvgPool1d(2, padding=1, ceil_mode=True, count_include_pad=False)
        self.ada = nn.AdaptiveAvgPool1d(3)
        self.ln = nn.LayerNorm(3)
        self.flat = nn.Flatten()
        self.unflat = nn.Unflatten(1, (2, 9))
        self.ln2 = nn.LayerNorm([2, 9], elementwise_affine=False)
        self.conv3 = nn.Conv1d(2, 3, 2, stride=2, padding_mode="reflect", padding=1)

    def forward(self, x: Tensor) -> Tensor:
        x = self.pool(self.prelu(self.bn(self.conv(x))))
        x = self.mish(self.gn(self.conv2(x)))
        x = self.ln(self.ada(self.avg(x)))
        x = self.ln2(self.unflat(self.flat(x)))
        return self.conv3(x)


def modern_zoo_2d() -> nn.Module:
    return nn.Sequential(
        nn.GroupNorm(4, 8),
        nn.ZeroPad2d((1, 0, 2, -1)),
        nn.Conv2d(8, 12, 3),
        nn.GroupNorm(3, 12, affine=False),
        nn.PixelShuffle(2),
        nn.PReLU(),
        nn.LayerNorm([3, 10, 10]),
        nn.Mish(),
        nn.ZeroPad2d(1),
        nn.Conv2d(3, 2, 3, stride=2),
        nn.PReLU(2),
    )


class EmbeddingZoo(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(10, 4, padding_idx=2)
        self.emb2 = nn.Embedding(10, 3)
        self.ln = nn.LayerNorm(7)

    def forward(self, x: Tensor) -> Tensor:
        return self.ln(torch.cat([self.emb(x), self.emb2(x)], 2))


# Models whose input is integer indices below this bound (no input gradient).
INT_INPUTS = {"embeddingZoo": 10}


def randomise_modern(model: nn.Module, gen: torch.Generator) -> None:
    """LayerNorm / GroupNorm affine parameters and PReLU slopes away from their constant init."""
    for m in model.modules():
        with torch.no_grad():
            if isinstance(m, (nn.LayerNorm, nn.GroupNorm)) and m.weight is not None:
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(m.bias.shape, generator=gen) - 0.5)
            if isinstance(m, nn.PReLU):
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) * 0.5)
# ---- attention: the transformer zoo (test/fixtures/trainer/transformerZoo.ts) ----


class SelfAttentionBlock(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.drop = tv_ops.StochasticDepth(0.0, "row")

    def forward(self, x: Tensor) -> Tensor:
        y, w = self.attn(x, x, x, average_attn_weights=False)
        z = x.add(self.drop(y))
        return torch.cat([torch.flatten(z, 1), torch.flatten(w, 1)], 1)


class CrossAttentionBlock(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.toKey = nn.Linear(8, 6)
        self.toValue = nn.Linear(8, 4)
        self.attn = nn.MultiheadAttention(8, 2, kdim=6, vdim=4, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        y, w = self.attn(x, self.toKey(x), self.toValue(x))
        return torch.cat([torch.flatten(y, 0), torch.flatten(w, 0)], 0)


class OpsBlocks(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = tv_ops.Conv2dNormActivation(4, 8, stride=2, activation_layer=nn.Hardswish)
        self.se = tv_ops.SqueezeExcitation(8, 2)
        self.toLast = tv_ops.Permute([0, 2, 3, 1])
        self.mlp = tv_ops.MLP(8, [6, 3])

    def forward(self, x: Tensor) -> Tensor:
        return self.mlp(self.toLast(self.se(self.conv(x))))
class TransformerOpsZoo(nn.Module):
    """test/fixtures/tensorOps/transformerZoo.ts: the tensor operations transformers use."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3, padding=1)
        self.qkv = nn.Linear(8, 24)
        self.proj = nn.Linear(8, 8)
        self.fc = nn.Linear(260, 10)

    @staticmethod
    def heads(z: Tensor, batch: int) -> Tensor:
        return z.reshape(batch, 36, 2, 4).permute(0, 2, 1, 3)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(x)
        B = x.shape[0]
        t = x.flatten(2).transpose(1, 2)
        q, k, v = self.qkv(F.layer_norm(t, [8])).chunk(3, -1)
        scores = self.heads(q, B).matmul(self.heads(k, B).transpose(-2, -1)) / 2
        o = scores.softmax(-1).matmul(self.heads(v, B)).permute(0, 2, 1, 3).reshape(B, 36, 8)
        y = t + self.proj(o)
        m = y.transpose(1, 2).reshape(B, 8, 6, 6)
        r = torch.roll(m, [1, -1], [2, 3])
        w = r.permute(0, 2, 3, 1).view(B, 2, 3, 2, 3, 8).permute(0, 1, 3, 2, 4, 5).reshape(B * 4, 9, 8)
        s = w.bmm(w.transpose(1, 2)).softmax(1).bmm(w)
        u = s.view(B, 4, 9, 8).sum(1).flatten(1)
        p = F.pad(r, [1, 2, 0, 1], mode="reflect").narrow(2, 1, 6).select(3, 0).flatten(1)
        p2 = F.pad(r, [1, 1, 1, 1], mode="replicate").amax([2, 3])
        p3 = F.pad(r, [0, 1]).flip(1).mean([2, 3])
        e = r.select(1, 0).unsqueeze(1).expand(-1, 8, -1, -1) + r
        g = F.group_norm(e, 2).std(-1).flatten(1)
        h0, h1 = e.split([3, 5], 1)
        h = (h0.repeat(1, 2, 1, 1) - h1.narrow(1, 0, 1)).pow(2).add(1).sqrt().log().var([2, 3])
        mask = x > 0.1
        f = x.masked_fill(mask, 0.5).clamp(-0.3, 0.4).abs().exp().norm(2, -1).flatten(1)
        z = torch.where(mask, x, -x).log_softmax(1).amax([1, 3])
        n = F.normalize(x.flatten(2), dim=-1).sum(-1).unsqueeze(-1).squeeze(2)
        c = torch.cat([u, p, p2, p3, g, h, f, z, n, y.mean(1)], 1)
        return self.fc(c.t().t())


def swin_blocks() -> nn.Module:
    return nn.Sequential(
        tv_swin.SwinTransformerBlock(16, 2, [4, 4], [0, 0]),
        tv_swin.SwinTransformerBlock(16, 2, [4, 4], [2, 2]),
        tv_swin.PatchMerging(16),
    )


def downsample(inp: int, out: int, stride: int) -> nn.Module:
    return nn.Sequential(tv_resnet.conv1x1(inp, out, stride), nn.BatchNorm2d(out))


# name, TypeScript file, input shape without the batch, constructor[, batch]
MODELS: List[Tuple[Any, ...]] = [
    ("lenet5", "examples/lenet5.ts", (1, 32, 32), lenet5),
    ("basicBlock", "test/fixtures/trainer/blocks.ts", (8, 8, 8), lambda: tv_resnet.BasicBlock(8, 16, 2, downsample(8, 16, 2))),
    ("bottleneck", "test/fixtures/trainer/blocks.ts", (8, 8, 8), lambda: tv_resnet.Bottleneck(8, 4, 2, downsample(8, 16, 2))),
    ("inception", "test/fixtures/trainer/blocks.ts", (8, 8, 8), lambda: tv_googlenet.Inception(8, 4, 4, 8, 2, 4, 4)),
    ("invertedResidual", "test/fixtures/trainer/blocks.ts", (8, 8, 8), lambda: tv_mobilenetv2.InvertedResidual(8, 8, 1, 4)),
    ("invertedResidualStride2", "test/fixtures/trainer/blocks.ts", (8, 8, 8), lambda: tv_mobilenetv2.InvertedResidual(8, 12, 2, 6)),
    ("denseBlock", "test/fixtures/trainer/blocks.ts", (8, 8, 8), lambda: tv_densenet._DenseBlock(2, 8, 2, 4, 0.0)),
    ("convZoo", "test/fixtures/trainer/zoo.ts", (3, 9, 9), conv_zoo),
    ("poolZoo", "test/fixtures/trainer/zoo.ts", (3, 13, 11), PoolZoo),
    # BatchNorm1d on a batch of 2 is ill-conditioned (its input gradient is a near-total
    # cancellation): a batch of 8 keeps the comparison about semantics, not float32 rounding.
    ("normZoo", "test/fixtures/trainer/zoo.ts", (6, 5, 5), NormZoo, 8),
    ("opsZoo", "test/fixtures/trainer/zoo.ts", (4, 6, 6), OpsZoo),
    # ---- modules ----
    ("modernZoo1d", "test/fixtures/trainer/modernZoo.ts", (4, 16), ModernZoo1d),
    ("modernZoo2d", "test/fixtures/trainer/modernZoo.ts", (8, 6, 6), modern_zoo_2d),
    ("embeddingZoo", "test/fixtures/trainer/modernZoo.ts", (5,), EmbeddingZoo),
    # ---- attention: ----
    ("selfAttention", "test/fixtures/trainer/transformerZoo.ts", (5, 8), SelfAttentionBlock),
    ("crossAttention", "test/fixtures/trainer/transformerZoo.ts", (5, 8), CrossAttentionBlock),
    ("opsBlocks", "test/fixtures/trainer/transformerZoo.ts", (4, 6, 6), OpsBlocks),
    ("transformerOpsZoo", "test/fixtures/tensorOps/transformerZoo.ts", (4, 6, 6), TransformerOpsZoo),
    # ---- a constructor-computed buffer (Swin's relative position index) and shifted windows ----
    ("swinBlocks", "test/fixtures/trainer/swinZoo.ts", (8, 8, 16), swin_blocks),
]


# ---------------------------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------------------------


def enc(t: Tensor) -> Dict[str, Any]:
    t = t.detach().cpu()
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "dtype": "int64", "values": [int(v) for v in t.flatten().tolist()]}
    data = t.to(torch.float32).contiguous().flatten().numpy().astype("<f4").tobytes()
    return {"shape": list(t.shape), "dtype": "float32", "b64": base64.b64encode(data).decode("ascii")}


def randomise_batchnorm(model: nn.Module, gen: torch.Generator) -> None:
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                if m.affine:
                    m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                    m.bias.copy_(torch.rand(m.bias.shape, generator=gen) - 0.5)
                if m.track_running_stats:
                    m.running_mean.copy_(torch.rand(m.running_mean.shape, generator=gen) - 0.5)
                    m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) * 1.5 + 0.5)
                    m.num_batches_tracked.fill_(3)


def step(model: nn.Module, x: Tensor, r: Tensor) -> Dict[str, Any]:
    """Eval output, train output, gradients and buffers after one training forward."""
    model.eval()
    with torch.no_grad():
        eval_out = model(x)
    model.train()
    xg = x.clone().requires_grad_(True) if x.is_floating_point() else x
    out = model(xg)
    loss = (out * r).sum()
    loss.backward()
    result = {
        "evalOutput": eval_out,
        "trainOutput": out.detach(),
        "grads": {n: p.grad.detach().clone() for n, p in model.named_parameters()},
        "inputGrad": xg.grad.detach().clone() if x.is_floating_point() else None,
        "stateAfter": {n: b.detach().clone() for n, b in model.named_buffers()},
    }
    # Integer indices (embeddings) have no gradient.
    return {k: v for k, v in result.items() if v is not None}


def max_dev(a: Any, b: Any) -> Any:
    """max |a − b| per tensor (a dict of them for dicts)."""
    if isinstance(a, dict):
        return {k: max_dev(a[k], b[k]) for k in a}
    if a.dtype == torch.int64:
        return float((a - b).abs().max()) if a.numel() else 0.0
    return float((a.double() - b.double()).abs().max()) if a.numel() else 0.0


def generate(name: str, file: str, shape: Tuple[int, ...], make: Callable[[], nn.Module], seed: int, batch: int = BATCH) -> Dict[str, Any]:
    torch.manual_seed(seed)
    model = make()
    gen = torch.Generator().manual_seed(seed + 1)
    randomise_batchnorm(model, gen)
    randomise_modern(model, gen)  # draws nothing for models without those kinds
    state = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randint(0, INT_INPUTS[name], (batch, *shape), generator=gen) if name in INT_INPUTS else torch.randn((batch, *shape), generator=gen)
    with torch.no_grad():
        out_shape = model.eval()(x).shape
    r = torch.randn(out_shape, generator=gen)

    model64 = copy.deepcopy(model).double()
    ref = step(model64, x.double() if x.is_floating_point() else x, r.double())
    f32 = step(copy.deepcopy(model), x, r)
    dev = {k: max_dev(f32[k], ref[k]) for k in ref}
    return {
        "model": name,
        "file": file,
        "generator": f"scripts/golden/trainer_equivalence.py (torch {torch.__version__})",
        "batch": batch,
        "state": {k: enc(v) for k, v in state.items()},
        "input": enc(x),
        "evalOutput": enc(ref["evalOutput"]),
        "trainOutput": enc(ref["trainOutput"]),
        "lossWeights": enc(r),
        "grads": {k: enc(v) for k, v in ref["grads"].items()},
        **({"inputGrad": enc(ref["inputGrad"])} if "inputGrad" in ref else {}),
        "stateAfter": {k: enc(v) for k, v in ref["stateAfter"].items()},
        "float32Deviation": dev,
    }


def main() -> None:
    """Writes every golden, or only those named on the command line (`... selfAttention opsBlocks`)."""
    import sys

    only = set(sys.argv[1:])
    os.makedirs(OUT_DIR, exist_ok=True)
    total = 0
    for i, (name, file, shape, make, *batch) in enumerate(MODELS):
        if only and name not in only:
            continue
        doc = generate(name, file, shape, make, seed=1000 + i, batch=batch[0] if batch else BATCH)
        path = os.path.join(OUT_DIR, f"{name}.json")
        text = json.dumps(doc, separators=(",", ":"))
        with open(path, "w") as f:
            f.write(text + "\n")
        total += len(text) + 1
        params = sum(int(torch.tensor(v["shape"]).prod()) for k, v in doc["grads"].items())
        devs = [v for v in doc["float32Deviation"].values() if not isinstance(v, dict)] + [x for v in doc["float32Deviation"].values() if isinstance(v, dict) for x in v.values()]
        print(f"{name:26s} {params:7d} params  {len(text) / 1024:7.1f} KiB  PyTorch float32 deviation up to {max(devs):.2e}")
    print(f"total {total / 1024:.1f} KiB in {OUT_DIR}")


if __name__ == "__main__":
    main()

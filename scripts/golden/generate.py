#!/usr/bin/python3
"""Generate the PyTorch golden files in test/golden/ for every model in examples/.

Run with Debian's interpreter, which has torch 1.13 and torchvision 0.14:

    /usr/bin/python3 scripts/golden/generate.py
    /usr/bin/python3 scripts/golden/generate.py vitB16 swinT   # only these goldens

For each exported model of examples/*.ts this builds its PyTorch twin (a torchvision
constructor with weights=None where one exists, otherwise a hand-written nn.Module whose
attribute names mirror the TypeScript example so that dotted module paths match), puts it in
eval() mode, registers a forward hook on every leaf module (a module without children), runs a
zero input of batch 1 and writes test/golden/<model>.json:

    model, example, input, output, params, trainableParams, buffers, macs, layers[]

where layers lists one entry per hook call in execution order (a module called twice appears
twice) with its path (named_modules() name), type (class name), output shape, own parameter
count and MACs. The batch dimension is written as "N". MACs follow torchvision's convention:
Conv2d output.numel() * in/groups * kh * kw, ConvTranspose2d input.numel() * out/groups * kh * kw,
Linear output.numel() * in_features, everything else 0.

The script asserts the published parameter and MAC figures below and exits non-zero if any model
disagrees.
"""

import json
import os
import sys
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
import torchvision
from torch import Tensor, nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "golden")


# ---------------------------------------------------------------------------------------------
# Hand-written twins of the examples that have no torchvision constructor.
# Attribute names and registration order mirror the TypeScript files exactly.
# ---------------------------------------------------------------------------------------------


def lenet5_sequential() -> nn.Module:
    """examples/lenet5.ts `lenet5`: the spec's LeNet-5, 1x32x32."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
        nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10),
    )


class LeNet5(nn.Module):
    """examples/lenet5.ts `LeNet5` (used for `lenet5Mnist`, 1x28x28)."""

    def __init__(self, input_size: int = 28, num_classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        )
        spatial = ((input_size - 4) // 2 - 4) // 2
        self.classifier = nn.Sequential(
            nn.Linear(16 * spatial * spatial, 120), nn.Tanh(),
            nn.Linear(120, 84), nn.Tanh(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        x = self.features(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


class OurCNN(nn.Module):
    """examples/mnist-cnn.ts `OurCNN`."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(32 * 7 * 7, 128)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.flatten(x)
        x = self.relu3(self.fc1(x))
        return self.fc2(x)


class SimpleCNN(nn.Module):
    """examples/simple-cnn.ts `SimpleCNN` (the course's SimpleCNN)."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Linear(128, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.features(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


class ConvBNReLU(nn.Sequential):
    """examples/mobilenet-v1.ts `ConvBNReLU`: conv (no bias) + BatchNorm + ReLU."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1,
                 groups: int = 1) -> None:
        padding = (kernel_size - 1) // 2
        super().__init__(
            nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                      groups=groups, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )


class DepthwiseSeparableConv(nn.Module):
    """examples/mobilenet-v1.ts `DepthwiseSeparableConv`: 3x3 depthwise then 1x1 pointwise."""

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.depthwise = ConvBNReLU(in_channels, in_channels, 3, stride=stride, groups=in_channels)
        self.pointwise = ConvBNReLU(in_channels, out_channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.pointwise(self.depthwise(x))


class MobileNetV1(nn.Module):
    """examples/mobilenet-v1.ts `MobileNetV1` (Howard et al. 2017, width 1.0)."""

    def __init__(self, num_classes: int = 1000, width_mult: float = 1.0) -> None:
        super().__init__()
        # (output channels, stride) of the 13 depthwise separable layers (Table 1 of the paper)
        cfg = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
               (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]
        input_channel = int(32 * width_mult)
        layers: List[nn.Module] = [ConvBNReLU(3, input_channel, 3, stride=2)]
        for c, s in cfg:
            output_channel = int(c * width_mult)
            layers.append(DepthwiseSeparableConv(input_channel, output_channel, s))
            input_channel = output_channel
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(input_channel, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


class ResidualBlock(nn.Module):
    """examples/mnist-resnet.ts `ResidualBlock`: conv, BatchNorm, ReLU, conv, plus the input, ReLU."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv2(self.relu(self.bn1(self.conv1(x))))
        return self.relu(out + x)


class SimpleResNet(nn.Module):
    """examples/mnist-resnet.ts `SimpleResNet`: the course's 56,170-parameter residual network."""

    def __init__(self, channels: int = 32, num_blocks: int = 3, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.blocks = nn.Sequential(*[ResidualBlock(channels) for _ in range(num_blocks)])
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.blocks(x)
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def resnet18_cifar10() -> nn.Module:
    """examples/transfer-learning.ts `resnet18Cifar10`: ResNet-18 with a new 10-class head."""
    model = torchvision.models.resnet18(weights=None)
    model.fc = nn.Linear(model.fc.in_features, 10)
    return model


def resnet18_cifar10_frozen() -> nn.Module:
    """examples/transfer-learning.ts `resnet18Cifar10Frozen`: frozen backbone, trainable new head."""
    model = torchvision.models.resnet18(weights=None)
    model.requires_grad_(False)
    model.fc = nn.Linear(model.fc.in_features, 10)
    return model


def resnet50_cifar10() -> nn.Module:
    """examples/transfer-learning.ts `resnet50Cifar10`: ResNet-50, new 10-class head."""
    model = torchvision.models.resnet50(weights=None)
    model.fc = nn.Linear(model.fc.in_features, 10)
    return model


# ---------------------------------------------------------------------------------------------
# The model table: name, example file, input shape (without batch), builder, expected figures.
# Expected params/MACs: the task's tables (torchvision's published figures) where they exist;
# None means "not published, recorded as computed".
# ---------------------------------------------------------------------------------------------

tv = torchvision.models
IMAGENET = (3, 224, 224)

MODELS: List[Tuple[str, str, Tuple[int, ...], Callable[[], nn.Module], Optional[int], Optional[int]]] = [
    ("lenet5", "lenet5.ts", (1, 32, 32), lenet5_sequential, 61706, 416520),
    ("lenet5Mnist", "lenet5.ts", (1, 28, 28), lambda: LeNet5(28), 44426, None),
    ("ourCnn", "mnist-cnn.ts", (1, 28, 28), OurCNN, 206922, None),
    ("simpleCnn", "simple-cnn.ts", (3, 32, 32), SimpleCNN, 94538, 10323200),
    ("alexnet", "alexnet.ts", IMAGENET, lambda: tv.alexnet(weights=None), 61100840, 714188480),
    ("vgg11", "vgg.ts", IMAGENET, lambda: tv.vgg11(weights=None), 132863336, None),
    ("vgg11Bn", "vgg.ts", IMAGENET, lambda: tv.vgg11_bn(weights=None), 132868840, None),
    ("vgg16", "vgg.ts", IMAGENET, lambda: tv.vgg16(weights=None), 138357544, 15470264320),
    ("vgg16Bn", "vgg.ts", IMAGENET, lambda: tv.vgg16_bn(weights=None), 138365992, 15470264320),
    ("vgg19", "vgg.ts", IMAGENET, lambda: tv.vgg19(weights=None), 143667240, None),
    ("vgg19Bn", "vgg.ts", IMAGENET, lambda: tv.vgg19_bn(weights=None), 143678248, None),
    ("googlenet", "googlenet.ts", IMAGENET,
     lambda: tv.googlenet(weights=None, aux_logits=False, transform_input=False, init_weights=False),
     6624904, 1498376192),
    ("resnet18", "resnet.ts", IMAGENET, lambda: tv.resnet18(weights=None), 11689512, 1814073344),
    ("resnet34", "resnet.ts", IMAGENET, lambda: tv.resnet34(weights=None), 21797672, 3663761408),
    ("resnet50", "resnet.ts", IMAGENET, lambda: tv.resnet50(weights=None), 25557032, 4089184256),
    ("resnet101", "resnet.ts", IMAGENET, lambda: tv.resnet101(weights=None), 44549160, None),
    ("resnet152", "resnet.ts", IMAGENET, lambda: tv.resnet152(weights=None), 60192808, 11513626624),
    ("densenet121", "densenet.ts", IMAGENET, lambda: tv.densenet121(weights=None), 7978856, 2834161664),
    # MobileNet v1 has no torchvision model; the paper reports 4.2M parameters and 569M mult-adds.
    ("mobilenetV1", "mobilenet-v1.ts", IMAGENET, MobileNetV1, 4231976, 568740352),
    ("mobilenetV2", "mobilenet-v2.ts", IMAGENET, lambda: tv.mobilenet_v2(weights=None), 3504872, 300774272),
    ("efficientnetB0", "efficientnet.ts", IMAGENET, lambda: tv.efficientnet_b0(weights=None), 5288548, 385814752),
    ("squeezenet1_0", "squeezenet.ts", IMAGENET, lambda: tv.squeezenet1_0(weights=None), 1248424, 818924576),
    ("mnistResNet", "mnist-resnet.ts", (1, 28, 28), SimpleResNet, 56170, None),
    ("resnet18Cifar10", "transfer-learning.ts", IMAGENET, resnet18_cifar10, 11181642, None),
    ("resnet18Cifar10Frozen", "transfer-learning.ts", IMAGENET, resnet18_cifar10_frozen, 11181642, None),
    ("resnet50Cifar10", "transfer-learning.ts", IMAGENET, resnet50_cifar10, 23528522, None),
]

# ---- zoo2: more torchvision classifiers (issue 14); parameters from torchvision's weight metadata,
# MACs recorded as computed (torchvision 0.14 publishes no operation counts).
MODELS += [
    ("shufflenetV2X1_0", "shufflenet.ts", IMAGENET, lambda: tv.shufflenet_v2_x1_0(weights=None), 2278604, None),
    ("regnetY400mf", "regnet.ts", IMAGENET, lambda: tv.regnet_y_400mf(weights=None), 4344144, None),
    ("mobilenetV3Small", "mobilenet-v3.ts", IMAGENET, lambda: tv.mobilenet_v3_small(weights=None), 2542856, None),
    ("efficientnetV2S", "efficientnet-v2.ts", IMAGENET, lambda: tv.efficientnet_v2_s(weights=None), 21458488, None),
    ("resnext50_32x4d", "resnet.ts", IMAGENET, lambda: tv.resnext50_32x4d(weights=None), 25028904, None),
    ("wideResnet50_2", "resnet.ts", IMAGENET, lambda: tv.wide_resnet50_2(weights=None), 68883240, None),
]


# Models with frozen parameters; every other model must be fully trainable.
EXPECTED_TRAINABLE = {"resnet18Cifar10Frozen": 5130}


# ---------------------------------------------------------------------------------------------


def shape_of(t: Tensor) -> List[Any]:
    dims: List[Any] = list(t.shape)
    assert dims and dims[0] == 1, f"expected batch 1, got {dims}"
    return ["N"] + dims[1:]


def layer_macs(m: nn.Module, inp: Tensor, out: Tensor) -> int:
    if isinstance(m, nn.Conv2d):
        kh, kw = m.kernel_size
        return out.numel() * (m.in_channels // m.groups) * kh * kw
    if isinstance(m, nn.ConvTranspose2d):
        kh, kw = m.kernel_size
        return inp.numel() * (m.out_channels // m.groups) * kh * kw
    if isinstance(m, nn.Linear):
        return out.numel() * m.in_features
    return 0


def analyse(name: str, example: str, input_chw: Tuple[int, ...], build: Callable[[], nn.Module]) -> Dict[str, Any]:
    torch.manual_seed(0)
    model = build()
    model.eval()

    layers: List[Dict[str, Any]] = []
    handles = []
    for path, module in model.named_modules():
        if path == "" or any(True for _ in module.children()):
            continue

        def hook(m: nn.Module, args: Tuple[Any, ...], out: Any, path: str = path) -> None:
            assert isinstance(out, Tensor), f"{name}: {path} returned {type(out)}"
            inp = args[0] if args else None
            layers.append({
                "path": path,
                "type": type(m).__name__,
                "output": shape_of(out),
                "params": sum(p.numel() for p in m.parameters()),
                "macs": layer_macs(m, inp, out),
            })

        handles.append(module.register_forward_hook(hook))

    with torch.no_grad():
        y = model(torch.zeros(1, *input_chw))
    for h in handles:
        h.remove()
    assert isinstance(y, Tensor), f"{name}: output is {type(y)}"

    return {
        "model": name,
        "example": example,
        "input": ["N", *input_chw],
        "output": shape_of(y),
        "params": sum(p.numel() for p in model.parameters()),
        "trainableParams": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "buffers": sum(b.numel() for b in model.buffers()),
        "macs": sum(l["macs"] for l in layers),
        "layers": layers,
    }


def dump(doc: Dict[str, Any]) -> str:
    """Pretty-printed JSON with one layer per line."""
    lines = ["{"]
    keys = [k for k in doc if k != "layers"]
    for k in keys:
        lines.append(f"  {json.dumps(k)}: {json.dumps(doc[k])},")
    lines.append('  "layers": [')
    rows = [f"    {json.dumps(l)}" for l in doc["layers"]]
    lines.append(",\n".join(rows))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    only = set(sys.argv[1:])
    os.makedirs(OUT_DIR, exist_ok=True)
    failures: List[str] = []
    for name, example, input_chw, build, want_params, want_macs in MODELS:
        if only and name not in only:
            continue
        doc = ANALYSERS.get(name, analyse)(name, example, input_chw, build)
        failures.extend(check_published(doc))
        status = "ok"
        if want_params is not None and doc["params"] != want_params:
            failures.append(f"{name}: params {doc['params']:,} != expected {want_params:,}")
            status = "MISMATCH"
        if want_macs is not None and doc["macs"] != want_macs:
            failures.append(f"{name}: MACs {doc['macs']:,} != expected {want_macs:,}")
            status = "MISMATCH"
        want_trainable = EXPECTED_TRAINABLE.get(name, doc["params"])
        if doc["trainableParams"] != want_trainable:
            failures.append(f"{name}: trainable params {doc['trainableParams']:,} != expected {want_trainable:,}")
            status = "MISMATCH"
        with open(os.path.join(OUT_DIR, f"{name}.json"), "w") as f:
            f.write(dump(doc))
        print(f"{name:16s} params {doc['params']:>12,}  MACs {doc['macs']:>16,}  "
              f"buffers {doc['buffers']:>7,}  layers {len(doc['layers']):>4}  {status}")
    if failures:
        print("\nFAILED:", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    return 0


# =============================================================================================
# Issue 14 (goldens): models with attention, object outputs and F.pad skips.
#
# These goldens count MACs with a torch.overrides.TorchFunctionMode that sees every top-level
# torch function call: conv1d/conv2d/conv_transpose2d and F.linear as above (also when a model
# calls F.linear on a child's weight, as torchvision's Swin does), plus the matrix products
# between activations (matmul, @, bmm: output.numel() * contracted dim) and, inside
# nn.MultiheadAttention (one call of F.multi_head_attention_forward, whose inner calls the mode
# does not see), its projections and the products Q·Kᵀ and A·V (2 * N * L * S * E). A layer's
# MACs are those counted between its forward pre-hook and its forward hook; MACs of functional
# calls outside any leaf module count only in the total. Leaves are modules without children,
# and nn.MultiheadAttention (whose out_proj child is never called). The golden adds
# "productMacs" (the matrix products between activations, included in "macs") and, for a model
# whose forward returns a dict, "output" is an object of shapes.
# =============================================================================================

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from modern import UNet, analyse_counted, convnext_mnist, vit_mnist  # noqa: E402

# fcn_resnet50: weights=None leaves aux_loss None (no aux classifier, output {"out"}); the builder
# with pretrained weights sets aux_loss=True, and the published 35,322,218 parameters count the
# aux classifier. Both are goldens; the backbone is built without weights (no download).
# inception_v3: torchvision's figures count the aux classifier's parameters (27,161,264), but
# eval() never runs it; this golden is aux_logits=False (23,834,568 parameters).
V2_MODELS: List[Tuple[str, str, Tuple[int, ...], Callable[[], nn.Module], Optional[int], Optional[int]]] = [
    ("convnextTiny", "convnext.ts", IMAGENET, lambda: tv.convnext_tiny(weights=None), 28589128, None),
    ("vitB16", "vit.ts", IMAGENET, lambda: tv.vit_b_16(weights=None), 86567656, None),
    ("swinT", "swin.ts", IMAGENET, lambda: tv.swin_t(weights=None), 28288354, None),
    ("fcnResnet50", "segmentation.ts", (3, 520, 520),
     lambda: tv.segmentation.fcn_resnet50(weights=None, weights_backbone=None, aux_loss=True), 35322218, None),
    ("fcnResnet50NoAux", "segmentation.ts", (3, 520, 520),
     lambda: tv.segmentation.fcn_resnet50(weights=None, weights_backbone=None), None, None),
    ("inceptionV3", "inception-v3.ts", (3, 299, 299),
     lambda: tv.inception_v3(weights=None, aux_logits=False, init_weights=False), None, None),
    ("unet", "unet.ts", (3, 572, 572), lambda: UNet(3, 2, bilinear=False), None, None),
]
MODELS.extend(V2_MODELS)
ANALYSERS: Dict[str, Callable[..., Dict[str, Any]]] = {m[0]: analyse_counted for m in V2_MODELS}

# torchvision's published GFLOPS (MACs), rounded to 2 decimals; "withoutProducts" leaves out the
# matrix products between activations (ViT-B/16's attention).
PUBLISHED_GMACS: Dict[str, Dict[str, float]] = {
    "convnextTiny": {"total": 4.46},
    "vitB16": {"total": 17.56, "withoutProducts": 16.85},
    "swinT": {"total": 4.49},
    "fcnResnet50": {"total": 152.72},
    "inceptionV3": {"total": 5.71},
}


def check_published(doc: Dict[str, Any]) -> List[str]:
    want = PUBLISHED_GMACS.get(doc["model"], {})
    got = {"total": doc["macs"], "withoutProducts": doc["macs"] - doc.get("productMacs", 0)}
    return [f"{doc['model']}: {key} {got[key] / 1e9:.2f} G MACs != published {g:.2f} G"
            for key, g in want.items() if round(got[key] / 1e9, 2) != g]


MNIST_V2_MODELS: List[Tuple[str, str, Tuple[int, ...], Callable[[], nn.Module], Optional[int], Optional[int]]] = [
    ("vitMnist", "vit-mnist.ts", (1, 28, 28), vit_mnist, None, None),
    ("convnextMnist", "convnext-mnist.ts", (1, 28, 28), convnext_mnist, None, None),
]
MODELS.extend(MNIST_V2_MODELS)
ANALYSERS.update({m[0]: analyse_counted for m in MNIST_V2_MODELS})


if __name__ == "__main__":
    sys.exit(main())

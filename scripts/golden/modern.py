"""Helpers of scripts/golden/generate.py for the models of issue 14 (attention, object outputs,
F.pad skips): MAC counting with a torch function mode, and the PyTorch twins of the examples that
have no torchvision constructor (the U-Net, the MNIST ViT and ConvNeXt). See generate.py.

The goldens of these models count MACs with a torch.overrides.TorchFunctionMode that sees every top-level
torch function call: conv1d/conv2d/conv_transpose2d and F.linear as generate.py's hooks do (also when a model
calls F.linear on a child's weight, as torchvision's Swin does), plus the matrix products
between activations (matmul, @, bmm: output.numel() * contracted dim) and, inside
nn.MultiheadAttention (one call of F.multi_head_attention_forward, whose inner calls the mode
does not see), its projections and the products Q·Kᵀ and A·V (2 * N * L * S * E). A layer's
MACs are those counted between its forward pre-hook and its forward hook; MACs of functional
calls outside any leaf module count only in the total. Leaves are modules without children,
and nn.MultiheadAttention (whose out_proj child is never called). The golden adds
"productMacs" (the matrix products between activations, included in "macs") and, for a model
whose forward returns a dict, "output" is an object of shapes.
"""

from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.overrides import TorchFunctionMode


def shape_of(t: Tensor) -> List[Any]:
    dims: List[Any] = list(t.shape)
    assert dims and dims[0] == 1, f"expected batch 1, got {dims}"
    return ["N"] + dims[1:]


def _arg(args: Tuple[Any, ...], kwargs: Dict[str, Any], index: int, name: str) -> Any:
    return args[index] if len(args) > index else kwargs.get(name)


def _mha_macs(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Tuple[int, int]:
    """(projection MACs, product MACs) of F.multi_head_attention_forward(query, key, value, ...),
    inputs in (L, N, E) or unbatched (L, E) layout."""
    query, key, value = args[0], args[1], args[2]
    assert _arg(args, kwargs, 7, "bias_k") is None and not _arg(args, kwargs, 9, "add_zero_attn")
    embed = query.shape[-1]
    batch = query.shape[1] if query.dim() == 3 else 1
    tgt_len, src_len = query.shape[0], key.shape[0]
    projections = batch * (tgt_len * embed * embed + src_len * key.shape[-1] * embed
                           + src_len * value.shape[-1] * embed + tgt_len * embed * embed)
    products = 2 * batch * tgt_len * src_len * embed
    return projections, products


class MacCounter(TorchFunctionMode):
    """Counts the MACs of every top-level torch function call made while it is active."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0
        self.products = 0

    def __torch_function__(self, func: Any, types: Any, args: Tuple[Any, ...] = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        name = getattr(func, "__name__", "")
        if name in ("conv1d", "conv2d", "linear"):
            weight = _arg(args, kwargs, 1, "weight")
            self.total += out.numel() * weight[0].numel()
        elif name == "conv_transpose2d":
            weight = _arg(args, kwargs, 1, "weight")
            self.total += args[0].numel() * weight[0].numel()
        elif name in ("matmul", "__matmul__", "bmm"):
            macs = out.numel() * args[0].shape[-1]
            self.total += macs
            self.products += macs
        elif name == "__rmatmul__":
            macs = out.numel() * args[1].shape[-1]
            self.total += macs
            self.products += macs
        elif name == "multi_head_attention_forward":
            projections, products = _mha_macs(args, kwargs)
            self.total += projections + products
            self.products += products
        return out


def _is_leaf(module: nn.Module) -> bool:
    return isinstance(module, nn.MultiheadAttention) or not any(True for _ in module.children())


def _output_shapes(y: Any) -> Any:
    if isinstance(y, Tensor):
        return shape_of(y)
    if isinstance(y, dict):
        return {k: _output_shapes(v) for k, v in y.items()}
    if isinstance(y, (list, tuple)):
        return [_output_shapes(v) for v in y]
    raise AssertionError(f"unexpected output {type(y)}")


def analyse_counted(name: str, example: str, input_chw: Tuple[int, ...], build: Callable[[], nn.Module]) -> Dict[str, Any]:
    """Like analyse(), with MACs counted by MacCounter (see the block comment)."""
    torch.manual_seed(0)
    model = build()
    model.eval()
    counter = MacCounter()
    layers: List[Dict[str, Any]] = []
    starts: List[int] = []
    handles = []
    inside_leaf: List[str] = []
    for path, module in model.named_modules():
        if path == "" or not _is_leaf(module) or any(path.startswith(p + ".") for p in inside_leaf):
            continue
        inside_leaf.append(path)

        def pre_hook(m: nn.Module, args: Tuple[Any, ...]) -> None:
            starts.append(counter.total)

        def hook(m: nn.Module, args: Tuple[Any, ...], out: Any, path: str = path) -> None:
            # nn.MultiheadAttention returns (output, weights): a hook lists the output's shape
            first = out[0] if isinstance(out, tuple) else out
            assert isinstance(first, Tensor), f"{name}: {path} returned {type(out)}"
            layers.append({
                "path": path,
                "type": type(m).__name__,
                "output": shape_of(first),
                "params": sum(p.numel() for p in m.parameters()),
                "macs": counter.total - starts.pop(),
            })

        handles.append(module.register_forward_pre_hook(pre_hook))
        handles.append(module.register_forward_hook(hook))

    with torch.no_grad(), counter:
        y = model(torch.zeros(1, *input_chw))
    for h in handles:
        h.remove()

    return {
        "model": name,
        "example": example,
        "input": ["N", *input_chw],
        "output": _output_shapes(y),
        "params": sum(p.numel() for p in model.parameters()),
        "trainableParams": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "buffers": sum(b.numel() for b in model.buffers()),
        "macs": counter.total,
        "productMacs": counter.products,
        "layers": layers,
    }


class DoubleConv(nn.Module):
    """(convolution => [BN] => ReLU) * 2, milesial/Pytorch-UNet's unet_parts.py."""

    def __init__(self, in_channels: int, out_channels: int, mid_channels: Optional[int] = None) -> None:
        super().__init__()
        if not mid_channels:
            mid_channels = out_channels
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(mid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.double_conv(x)


class Down(nn.Module):
    """Downscaling with maxpool then double conv."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels))

    def forward(self, x: Tensor) -> Tensor:
        return self.maxpool_conv(x)


class Up(nn.Module):
    """Upscaling then double conv; the upsampled map is padded to the skip's size (F.pad)."""

    def __init__(self, in_channels: int, out_channels: int, bilinear: bool = True) -> None:
        super().__init__()
        self.up: nn.Module
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
            self.conv = DoubleConv(in_channels, out_channels, in_channels // 2)
        else:
            self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
            self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        x1 = self.up(x1)
        # input is CHW
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class OutConv(nn.Module):
    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(x)


class UNet(nn.Module):
    """examples/unet.ts `UNet`: milesial/Pytorch-UNet's unet_model.py (Ronneberger et al., 2015)."""

    def __init__(self, n_channels: int, n_classes: int, bilinear: bool = False) -> None:
        super().__init__()
        self.n_channels = n_channels
        self.n_classes = n_classes
        self.bilinear = bilinear
        self.inc = DoubleConv(n_channels, 64)
        self.down1 = Down(64, 128)
        self.down2 = Down(128, 256)
        self.down3 = Down(256, 512)
        factor = 2 if bilinear else 1
        self.down4 = Down(512, 1024 // factor)
        self.up1 = Up(1024, 512 // factor, bilinear)
        self.up2 = Up(512, 256 // factor, bilinear)
        self.up3 = Up(256, 128 // factor, bilinear)
        self.up4 = Up(128, 64, bilinear)
        self.outc = OutConv(64, n_classes)

    def forward(self, x: Tensor) -> Tensor:
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        x5 = self.down4(x4)
        x = self.up1(x5, x4)
        x = self.up2(x, x3)
        x = self.up3(x, x2)
        x = self.up4(x, x1)
        return self.outc(x)


# The MNIST transformers (examples/vit-mnist.ts, examples/convnext-mnist.ts): torchvision's classes
# with a one-channel stem, so module paths and state_dict names are torchvision's. Their initial
# values are those the examples write (scripts/golden/transformer_accuracy.py trains these twins as
# the reference of the same models): PyTorch's defaults, the ViT's class token (zeros), position
# embedding (normal, std 0.02) and patch embedding (truncated normal, std sqrt(1/fan_in)), and
# ConvNeXt's layer scale (1e-6); torchvision's own initialisation of the Linear and Conv2d layers
# is reset to PyTorch's defaults.


def vit_mnist() -> nn.Module:
    """examples/vit-mnist.ts `vitMnist`: ViT on 28x28 digits, 7x7 patches, width 64, 4 layers of 4 heads."""
    from torchvision.models.vision_transformer import VisionTransformer
    model = VisionTransformer(image_size=28, patch_size=7, num_layers=4, num_heads=4, hidden_dim=64, mlp_dim=128,
                              num_classes=10)
    model.conv_proj = nn.Conv2d(1, 64, kernel_size=7, stride=7)
    fan_in = 1 * 7 * 7
    nn.init.trunc_normal_(model.conv_proj.weight, std=(1 / fan_in) ** 0.5)
    nn.init.zeros_(model.conv_proj.bias)
    for block in model.encoder.layers:
        for m in block.mlp:
            if isinstance(m, nn.Linear):
                m.reset_parameters()
    model.heads.head.reset_parameters()
    return model


def convnext_mnist() -> nn.Module:
    """examples/convnext-mnist.ts `convnextMnist`: ConvNeXt on 28x28 digits, 4x4 stem, stages 32 and 64 wide."""
    from torchvision.models.convnext import CNBlockConfig, ConvNeXt
    model = ConvNeXt([CNBlockConfig(32, 64, 2), CNBlockConfig(64, None, 2)], stochastic_depth_prob=0.0,
                     num_classes=10)
    model.features[0][0] = nn.Conv2d(1, 32, kernel_size=4, stride=4)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            m.reset_parameters()
    return model

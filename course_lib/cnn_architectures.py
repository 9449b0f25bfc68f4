"""The architectures of lesson 05 in PyTorch, built to be counted and traced.

LeNet-5, AlexNet, VGG A-E, GoogLeNet and ResNet-18/34 as the papers (and seeds 001 and 002)
describe them; build them on the ``meta`` device (``with torch.device("meta"):``) to get shapes
without memory. ``layer_table`` traces one input through a network's top-level blocks (output
shape, parameters, multiply-adds), ``weight_depth`` counts the weight layers on its longest
path. ``BasicBlock`` and ``depth_net`` are the residual block the lesson writes and the plain and
residual networks of its degradation experiment.
"""

import copy
from collections import OrderedDict
from dataclasses import dataclass

import torch
from torch import nn


def count_parameters(model: nn.Module, *, biases: bool = True) -> int:
    """Number of scalar parameters of a torch module (works on the 'meta' device too).

    biases=False counts only weight tensors (2-D and more), the convention of some papers' tables.
    """
    return sum(p.numel() for p in model.parameters() if biases or p.ndim > 1)


@dataclass(frozen=True)
class LayerRow:
    """One top-level block: name, type, output shape (c, h, w), parameters and multiply-adds."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    multiply_adds: int


def _multiply_adds(module: nn.Module, output: torch.Tensor) -> int:
    """Multiply-adds of one convolution or dense layer for one input (0 for other modules)."""
    if isinstance(module, nn.Conv2d):
        per_output = module.in_channels // module.groups * module.kernel_size[0]
        return output[0].numel() * per_output * module.kernel_size[1]
    if isinstance(module, nn.Linear):
        return module.in_features * module.out_features
    return 0


def layer_table(model: nn.Module, input_shape: tuple[int, int, int]) -> list[LayerRow]:
    """Trace one input of shape (c, h, w) through the top-level children of ``model``.

    The trace runs on the 'meta' device (shapes only, no arithmetic, no memory), so even VGG-19 at
    224 x 224 costs nothing. The model itself may live on any device.
    """
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (channels, height, width), got {input_shape}")
    meta_model = copy.deepcopy(model).to("meta")
    counted: list[int] = []
    hooks = [
        m.register_forward_hook(lambda m, _, out: counted.append(_multiply_adds(m, out)))
        for m in meta_model.modules()
        if isinstance(m, nn.Conv2d | nn.Linear)
    ]
    rows, x = [], torch.empty(1, *input_shape, device="meta")
    for name, block in meta_model.named_children():
        counted.clear()
        x = block(x)
        params = count_parameters(block)
        rows.append(LayerRow(name, type(block).__name__, tuple(x.shape[1:]), params, sum(counted)))
    for hook in hooks:
        hook.remove()
    return rows


def _named(**blocks: nn.Module) -> nn.Sequential:
    """nn.Sequential whose children keep the given names (in order)."""
    return nn.Sequential(OrderedDict(blocks))


def lenet5() -> nn.Sequential:
    """LeNet-5 as usually rebuilt today: 32x32x1 -> C1 6@28x28 -> S2 avg-pool -> C3 16@10x10 -> S4
    -> C5 120 -> F6 84 -> 10, tanh activations. (The 1998 original differs: sparse C3, trainable
    pooling coefficients, RBF output; see the lesson.)"""
    return _named(
        c1=nn.Conv2d(1, 6, 5), tanh1=nn.Tanh(), s2=nn.AvgPool2d(2),
        c3=nn.Conv2d(6, 16, 5), tanh3=nn.Tanh(), s4=nn.AvgPool2d(2),
        flatten=nn.Flatten(), c5=nn.Linear(16 * 5 * 5, 120), tanh5=nn.Tanh(),
        f6=nn.Linear(120, 84), tanh6=nn.Tanh(), output=nn.Linear(84, 10),
    )  # fmt: skip


def alexnet(groups: int = 1, classes: int = 1000) -> nn.Sequential:
    """AlexNet for 227x227x3 input, as seed 002 lists it (96-256-384-384-256 filters, 3 FC).

    groups=2 splits conv2, conv4 and conv5 into two halves as on the original two GPUs (each
    filter then sees only half of the previous layer's channels).
    """
    if groups not in (1, 2):
        raise ValueError(f"groups must be 1 or 2, got {groups!r}")
    return _named(
        conv1=nn.Sequential(nn.Conv2d(3, 96, 11, stride=4), nn.ReLU()),
        pool1=nn.MaxPool2d(3, 2), norm1=nn.LocalResponseNorm(5),
        conv2=nn.Sequential(nn.Conv2d(96, 256, 5, padding=2, groups=groups), nn.ReLU()),
        pool2=nn.MaxPool2d(3, 2), norm2=nn.LocalResponseNorm(5),
        conv3=nn.Sequential(nn.Conv2d(256, 384, 3, padding=1), nn.ReLU()),
        conv4=nn.Sequential(nn.Conv2d(384, 384, 3, padding=1, groups=groups), nn.ReLU()),
        conv5=nn.Sequential(nn.Conv2d(384, 256, 3, padding=1, groups=groups), nn.ReLU()),
        pool3=nn.MaxPool2d(3, 2), flatten=nn.Flatten(),
        fc6=nn.Sequential(nn.Dropout(), nn.Linear(6 * 6 * 256, 4096), nn.ReLU()),
        fc7=nn.Sequential(nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU()),
        fc8=nn.Linear(4096, classes),
    )  # fmt: skip


VGG_CONFIGS: dict[str, list[int | str | tuple[int, int]]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "A-LRN": [64, "LRN", "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "C": [64, 64, "M", 128, 128, "M", 256, 256, (1, 256), "M",
          512, 512, (1, 512), "M", 512, 512, (1, 512), "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
          512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}  # fmt: skip
"""Table 1 of Simonyan & Zisserman (seed 002): c = conv3-c, (1, c) = conv1-c, M = 2x2 max-pool."""


def vgg(config: str = "D", classes: int = 1000) -> nn.Sequential:
    """VGG configuration A, A-LRN, B, C, D (VGG-16) or E (VGG-19) for 224x224x3 input."""
    if config not in VGG_CONFIGS:
        raise ValueError(f"config must be one of {list(VGG_CONFIGS)}, got {config!r}")
    blocks, channels, stage, conv = {}, 3, 1, 1
    for item in VGG_CONFIGS[config]:
        if item == "M":
            blocks[f"pool{stage}"] = nn.MaxPool2d(2, 2)
            stage, conv = stage + 1, 1
        elif item == "LRN":
            blocks[f"lrn{stage}"] = nn.LocalResponseNorm(5)
        else:
            kernel, out = item if isinstance(item, tuple) else (3, item)
            layer = nn.Conv2d(channels, out, kernel, padding=kernel // 2)
            blocks[f"conv{stage}_{conv}"] = nn.Sequential(layer, nn.ReLU())
            channels, conv = out, conv + 1
    return _named(
        **blocks, flatten=nn.Flatten(),
        fc6=nn.Sequential(nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout()),
        fc7=nn.Sequential(nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout()),
        fc8=nn.Linear(4096, classes),
    )  # fmt: skip


GOOGLENET_INCEPTIONS: dict[str, tuple[int, int, int, int, int, int]] = {
    "3a": (64, 96, 128, 16, 32, 32),
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128),
    "5b": (384, 192, 384, 48, 128, 128),
}
"""Seed 002's GoogLeNet table: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj."""


def conv_relu(c_in: int, c_out: int, kernel: int, stride: int = 1) -> nn.Sequential:
    """A 'same'-padded convolution followed by ReLU: (n, c_in, h, w) -> (n, c_out, h/s, w/s)."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, stride, padding=kernel // 2), nn.ReLU())


class Inception(nn.Module):
    """GoogLeNet's module: four branches side by side, concatenated along the channels.

    1x1; 1x1 -> 3x3; 1x1 -> 5x5; 3x3 max-pool -> 1x1. widths: (#1x1, #3x3 reduce, #3x3,
    #5x5 reduce, #5x5, pool proj). (n, c_in, h, w) -> (n, #1x1 + #3x3 + #5x5 + pool proj, h, w).
    """

    def __init__(self, c_in: int, widths: tuple[int, int, int, int, int, int]) -> None:
        super().__init__()
        n1, r3, n3, r5, n5, proj = widths
        self.branch1 = conv_relu(c_in, n1, 1)
        self.branch3 = nn.Sequential(conv_relu(c_in, r3, 1), conv_relu(r3, n3, 3))
        self.branch5 = nn.Sequential(conv_relu(c_in, r5, 1), conv_relu(r5, n5, 5))
        self.branch_pool = nn.Sequential(nn.MaxPool2d(3, 1, padding=1), conv_relu(c_in, proj, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = (self.branch1, self.branch3, self.branch5, self.branch_pool)
        return torch.cat([branch(x) for branch in branches], dim=1)


def googlenet(classes: int = 1000) -> nn.Sequential:
    """GoogLeNet (Inception v1) for 224x224x3 input, main path only (no auxiliary classifiers)."""
    blocks: dict[str, nn.Module] = {
        "conv1": conv_relu(3, 64, 7, stride=2),
        "pool1": nn.MaxPool2d(3, 2, ceil_mode=True),
        "conv2": nn.Sequential(conv_relu(64, 64, 1), conv_relu(64, 192, 3)),
        "pool2": nn.MaxPool2d(3, 2, ceil_mode=True),
    }
    channels = 192
    for name, widths in GOOGLENET_INCEPTIONS.items():
        blocks[f"inception{name}"] = Inception(channels, widths)
        channels = widths[0] + widths[2] + widths[4] + widths[5]
        if name in ("3b", "4e"):
            blocks[f"pool{name[0]}"] = nn.MaxPool2d(3, 2, ceil_mode=True)
    return _named(
        **blocks, avgpool=nn.AvgPool2d(7), dropout=nn.Dropout(0.4), flatten=nn.Flatten(),
        linear=nn.Linear(channels, classes),
    )  # fmt: skip


def googlenet_aux_head(c_in: int, classes: int = 1000) -> nn.Sequential:
    """A training-time side classifier of GoogLeNet (on 4a: c_in=512, on 4d: c_in=528).

    14x14 -> 5x5/3 avg-pool -> 4x4 -> 1x1 conv 128 -> FC 1024 -> dropout 70 % -> FC classes.
    """
    return nn.Sequential(
        nn.AvgPool2d(5, 3), conv_relu(c_in, 128, 1), nn.Flatten(),
        nn.Linear(128 * 4 * 4, 1024), nn.ReLU(), nn.Dropout(0.7), nn.Linear(1024, classes),
    )  # fmt: skip


class BasicBlock(nn.Module):
    """ResNet's basic block: y = relu(F(x) + shortcut(x)) with F = conv-BN-ReLU-conv-BN (3x3).

    (n, c_in, h, w) -> (n, c_out, h / stride, w / stride). The shortcut is the identity, or a
    1x1 convolution with batch norm where the shape changes; shortcut=False gives a plain block.
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 1, shortcut: bool = True) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False),
            nn.BatchNorm2d(c_out),
            nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False),
            nn.BatchNorm2d(c_out),
        )
        self.shortcut = None
        if shortcut and (stride != 1 or c_in != c_out):
            projection = nn.Conv2d(c_in, c_out, 1, stride, bias=False)
            self.shortcut = nn.Sequential(projection, nn.BatchNorm2d(c_out))
        elif shortcut:
            self.shortcut = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        if self.shortcut is not None:
            out = out + self.shortcut(x)
        return torch.relu(out)


def depth_net(depth: int, shortcut: bool, width: int = 12, classes: int = 10) -> nn.Sequential:
    """A network with `depth` weight layers: a stride-2 3x3 stem, (depth - 2) / 2 basic blocks of
    `width` channels (residual, or plain with shortcut=False), global average pooling, a dense
    layer. (n, 1, h, w) -> logits (n, classes)."""
    blocks = [BasicBlock(width, width, shortcut=shortcut) for _ in range((depth - 2) // 2)]
    return nn.Sequential(
        nn.Conv2d(1, width, 3, 2, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(), *blocks,
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, classes),
    )  # fmt: skip


RESNET_BLOCKS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}
"""Residual blocks per stage (64, 128, 256, 512 channels) of ResNet-18 and ResNet-34."""


def resnet(depth: int = 18, classes: int = 1000) -> nn.Sequential:
    """ResNet-18 or ResNet-34 (basic blocks, batch-norm) for 224x224x3 input."""
    if depth not in RESNET_BLOCKS:
        raise ValueError(f"depth must be one of {list(RESNET_BLOCKS)}, got {depth!r}")
    stem = nn.Sequential(
        nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)
    )
    stages, channels = {}, 64
    for k, (blocks, width) in enumerate(
        zip(RESNET_BLOCKS[depth], (64, 128, 256, 512), strict=True)
    ):
        layers = [BasicBlock(channels, width, 1 if k == 0 else 2)]
        layers += [BasicBlock(width, width) for _ in range(blocks - 1)]
        stages[f"stage{k + 1}"] = nn.Sequential(*layers)
        channels = width
    return _named(
        stem=stem, **stages, avgpool=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten(),
        fc=nn.Linear(512, classes),
    )  # fmt: skip


def weight_depth(module: nn.Module) -> int:
    """Weight layers (convolutions and dense layers) on the longest path through ``module``.

    Layers in a chain add up; parallel branches (an inception module's, a residual block's body
    and shortcut) count their deepest branch. This is how the papers count "depth".
    """
    if isinstance(module, nn.Conv2d | nn.Linear):
        return 1
    if isinstance(module, Inception | BasicBlock):
        return max([weight_depth(branch) for branch in module.children()])
    return sum(weight_depth(child) for child in module.children())

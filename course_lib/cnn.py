"""Convolutional networks (lesson 05), and the course's digit classifier that later lessons reuse.

Numpy layers (batched, multi-channel, cross-correlation like ``torch.nn.functional.conv2d``):
``conv2d_forward``/``conv2d_backward`` via sliding windows (im2col), ``max_pool2d_*`` and
``avg_pool2d_*``. Architectures in PyTorch for counting and shape tracing (build them on the
``meta`` device to allocate nothing): ``lenet5``, ``alexnet``, ``vgg``, ``googlenet``, ``resnet``.

``pretrained_digit_cnn()`` trains the small CNN on the fixed digits split once and caches the
state dict (with its sha256) under ``build/cache``; later calls load it. It is the "pretrained
network" of lessons 07, 09 and 10: trained here, never downloaded.
"""

import hashlib
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_lib import data

CACHE_DIR = Path(
    os.environ.get("COURSE_CACHE", Path(__file__).resolve().parents[1] / "build" / "cache")
)
DIGIT_CNN_EPOCHS = 30

# ---------------------------------------------------------------------------------------------
# Convolution arithmetic and numpy layers
# ---------------------------------------------------------------------------------------------


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output length of a convolution or pooling along one axis: floor((W - F + 2P) / S) + 1.

    Like PyTorch, a last window that would stick out of the padded input is dropped (floor).
    """
    for name, value, least in (("size", size, 1), ("kernel", kernel, 1), ("stride", stride, 1)):
        if not isinstance(value, int | np.integer) or value < least:
            raise ValueError(f"{name} must be an int >= {least}, got {value!r}")
    if not isinstance(padding, int | np.integer) or padding < 0:
        raise ValueError(f"padding must be an int >= 0, got {padding!r}")
    if kernel > size + 2 * padding:
        raise ValueError(
            f"kernel {kernel} is larger than the padded input {size} + 2*{padding} = "
            f"{size + 2 * padding}"
        )
    return (size - kernel + 2 * padding) // stride + 1


def _check_4d(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{name} must be (n, channels, height, width), got shape {x.shape}")
    return x


def conv_windows(x: np.ndarray, kernel: tuple[int, int], stride: int = 1, padding: int = 0):
    """Every receptive field of x, as a strided view (im2col without copying).

    x: (n, c, h, w) -> (n, c, out_h, out_w, kh, kw), where out = conv_output_size(...).
    """
    x = _check_4d(x, "x")
    kh, kw = kernel
    out_h = conv_output_size(x.shape[2], kh, stride, padding)
    out_w = conv_output_size(x.shape[3], kw, stride, padding)
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))
    return windows[:, :, : (out_h - 1) * stride + 1 : stride, : (out_w - 1) * stride + 1 : stride]


def _check_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> tuple[np.ndarray, ...]:
    x, w = _check_4d(x, "x"), _check_4d(w, "w")
    if w.shape[1] != x.shape[1]:
        raise ValueError(
            f"w expects {w.shape[1]} input channels but x has {x.shape[1]} "
            f"(x {x.shape}, w {w.shape})"
        )
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError(f"b must have shape ({w.shape[0]},), got {np.shape(b)}")
    return x, w


def conv2d_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """Convolution layer (cross-correlation, as in deep learning). O = sum over c, p, q of X * F.

    x: (n, c, h, w), w: (k, c, kh, kw), b: (k,) or None -> (n, k, out_h, out_w).
    """
    x, w = _check_conv(x, w, b)
    windows = conv_windows(x, w.shape[2:], stride, padding)
    out = np.tensordot(windows, w, axes=((1, 4, 5), (1, 2, 3)))  # (n, out_h, out_w, k)
    if b is not None:
        out = out + b
    return out.transpose(0, 3, 1, 2)


def conv2d_backward(
    grad_out: np.ndarray, x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a convolution layer given dE/dO.

    grad_out: (n, k, out_h, out_w), x: (n, c, h, w), w: (k, c, kh, kw)
    -> (dE/dx (n, c, h, w), dE/dw (k, c, kh, kw), dE/db (k,)).
    dE/dw correlates x with dE/dO; dE/dx spreads dE/dO back through every filter tap.
    """
    x, w = _check_conv(x, w, None)
    windows = conv_windows(x, w.shape[2:], stride, padding)
    expected = (x.shape[0], w.shape[0], *windows.shape[2:4])
    if np.shape(grad_out) != expected:
        raise ValueError(f"grad_out must have shape {expected}, got {np.shape(grad_out)}")
    grad_w = np.tensordot(grad_out, windows, axes=((0, 2, 3), (0, 2, 3)))  # (k, c, kh, kw)
    grad_b = grad_out.sum(axis=(0, 2, 3))
    n, c, h, width = x.shape
    grad_padded = np.zeros((n, c, h + 2 * padding, width + 2 * padding), dtype=grad_w.dtype)
    out_h, out_w = expected[2:]
    taps = np.tensordot(grad_out, w, axes=((1,), (0,)))  # (n, out_h, out_w, c, kh, kw)
    taps = taps.transpose(0, 3, 4, 5, 1, 2)  # (n, c, kh, kw, out_h, out_w)
    for p in range(w.shape[2]):
        for q in range(w.shape[3]):
            rows = slice(p, p + (out_h - 1) * stride + 1, stride)
            cols = slice(q, q + (out_w - 1) * stride + 1, stride)
            grad_padded[:, :, rows, cols] += taps[:, :, p, q]
    grad_x = grad_padded[:, :, padding : padding + h, padding : padding + width]
    return grad_x, grad_w, grad_b


def conv_matrix(kernel: np.ndarray, input_shape: tuple[int, int]) -> np.ndarray:
    """A single-channel convolution (stride 1, no padding) written as the dense layer it is.

    kernel: (kh, kw), input_shape: (h, w) -> M of shape (out_h * out_w, h * w) with
    ``M @ x.ravel() == conv(x, kernel).ravel()``. Most of M is zero (sparse interactions) and its
    non-zeros repeat the kh * kw kernel values (parameter sharing).
    """
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D (kh, kw), got shape {kernel.shape}")
    if len(input_shape) != 2:
        raise ValueError(f"input_shape must be (h, w), got {input_shape}")
    h, w = input_shape
    basis = np.eye(h * w).reshape(h * w, 1, h, w)  # one image per input pixel
    columns = conv2d_forward(basis, kernel[None, None])  # (h * w, 1, out_h, out_w)
    return columns.reshape(h * w, -1).T


def _pool_windows(x: np.ndarray, size: int, stride: int | None) -> np.ndarray:
    """(n, c, h, w) -> non-padded pooling windows (n, c, out_h, out_w, size * size)."""
    windows = conv_windows(x, (size, size), stride or size)
    return windows.reshape(*windows.shape[:4], size * size)


def max_pool2d_forward(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max of each size x size window, stride defaults to size. (n, c, h, w) -> (n, c, oh, ow)."""
    return _pool_windows(x, size, stride).max(axis=-1)


def avg_pool2d_forward(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Mean of each size x size window, stride defaults to size. (n, c, h, w) -> (n, c, oh, ow)."""
    return _pool_windows(x, size, stride).mean(axis=-1)


def _pool_backward(grad_out, x, size, stride, share) -> np.ndarray:
    """Scatter grad_out into x's shape; ``share(windows)`` weighs each window (..., s*s)."""
    x = _check_4d(x, "x")
    stride = stride or size
    windows = _pool_windows(x, size, stride)
    if np.shape(grad_out) != windows.shape[:4]:
        raise ValueError(f"grad_out must have shape {windows.shape[:4]}, got {np.shape(grad_out)}")
    weights = share(windows) * np.asarray(grad_out)[..., None]  # (n, c, oh, ow, s*s)
    grad_x = np.zeros(x.shape, dtype=weights.dtype)
    out_h, out_w = windows.shape[2:4]
    for p in range(size):
        for q in range(size):
            rows = slice(p, p + (out_h - 1) * stride + 1, stride)
            cols = slice(q, q + (out_w - 1) * stride + 1, stride)
            grad_x[:, :, rows, cols] += weights[..., p * size + q]
    return grad_x


def max_pool2d_backward(
    grad_out: np.ndarray, x: np.ndarray, size: int = 2, stride: int | None = None
) -> np.ndarray:
    """dE/dx of max pooling: each window's gradient goes to its (first) maximum, 0 elsewhere.

    grad_out: (n, c, oh, ow), x: (n, c, h, w) -> (n, c, h, w).
    """

    def one_hot_argmax(windows: np.ndarray) -> np.ndarray:
        return np.eye(windows.shape[-1])[windows.argmax(axis=-1)]

    return _pool_backward(grad_out, x, size, stride, one_hot_argmax)


def avg_pool2d_backward(
    grad_out: np.ndarray, x: np.ndarray, size: int = 2, stride: int | None = None
) -> np.ndarray:
    """dE/dx of average pooling: each window's gradient shared equally, 1 / (size * size) each.

    grad_out: (n, c, oh, ow), x: (n, c, h, w) -> (n, c, h, w).
    """
    return _pool_backward(
        grad_out, x, size, stride, lambda windows: np.full(windows.shape, 1.0 / windows.shape[-1])
    )


FILTERS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "vertical edge (Sobel x)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    "horizontal edge (Sobel y)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    "blur (box 3x3)": np.full((3, 3), 1 / 9),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
}
"""Hand-made 3x3 filters for the feature-map demo."""


def feature_map(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """One filter over one greyscale image, 'same' size (zero padding). (h, w), (k, k) -> (h, w)."""
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    if image.ndim != 2:
        raise ValueError(f"image must be greyscale (h, w), got shape {image.shape}")
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] % 2 == 0:
        raise ValueError(f"kernel must be square with an odd side (k, k), got {kernel.shape}")
    return conv2d_forward(image[None, None], kernel[None, None], padding=kernel.shape[0] // 2)[0, 0]


# ---------------------------------------------------------------------------------------------
# Architectures (PyTorch), counted and traced
# ---------------------------------------------------------------------------------------------


def count_parameters(model, *, biases: bool = True) -> int:
    """Number of scalar parameters of a torch module (works on the 'meta' device too).

    biases=False counts only weight tensors (2-D and more), the convention of some papers' tables.
    """
    return sum(p.numel() for p in model.parameters() if biases or p.ndim > 1)


@dataclass(frozen=True)
class LayerRow:
    """One top-level block of a network: its name, type, output shape (c, h, w) and parameters."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int


def layer_table(model, input_shape: tuple[int, int, int]) -> list[LayerRow]:
    """Trace one input of shape (c, h, w) through the top-level children of ``model``.

    The trace runs on the 'meta' device (shapes only, no arithmetic, no memory), so even VGG-19 at
    224 x 224 costs nothing. The model itself may live on any device.
    """
    import torch

    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (channels, height, width), got {input_shape}")
    meta_model = model if _on_meta(model) else _meta_copy(model)
    rows = []
    x = torch.empty(1, *input_shape, device="meta")
    for name, block in meta_model.named_children():
        x = block(x)
        rows.append(
            LayerRow(name, type(block).__name__, tuple(x.shape[1:]), count_parameters(block))
        )
    return rows


def _on_meta(module) -> bool:
    return all(p.is_meta for p in module.parameters())


def _meta_copy(module):
    """A copy of ``module`` on the meta device (same structure, no data)."""
    import copy

    return copy.deepcopy(module).to("meta")


def _named(**blocks):
    """nn.Sequential whose children keep the given names (in order)."""
    from collections import OrderedDict

    from torch import nn

    return nn.Sequential(OrderedDict(blocks))


def lenet5():
    """LeNet-5 as usually rebuilt today: 32x32x1 -> C1 6@28x28 -> S2 avg-pool -> C3 16@10x10 -> S4
    -> C5 120 -> F6 84 -> 10, tanh activations. (The 1998 original differs: sparse C3, trainable
    pooling coefficients, RBF output; see the lesson.)"""
    from torch import nn

    return _named(
        c1=nn.Conv2d(1, 6, 5), tanh1=nn.Tanh(), s2=nn.AvgPool2d(2),
        c3=nn.Conv2d(6, 16, 5), tanh3=nn.Tanh(), s4=nn.AvgPool2d(2),
        flatten=nn.Flatten(), c5=nn.Linear(16 * 5 * 5, 120), tanh5=nn.Tanh(),
        f6=nn.Linear(120, 84), tanh6=nn.Tanh(), output=nn.Linear(84, 10),
    )  # fmt: skip


def alexnet(groups: int = 1, classes: int = 1000):
    """AlexNet for 227x227x3 input, as seed 002 lists it (96-256-384-384-256 filters, 3 FC).

    groups=2 splits conv2, conv4 and conv5 into two halves as on the original two GPUs (each
    filter then sees only half of the previous layer's channels).
    """
    from torch import nn

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


def vgg(config: str = "D", classes: int = 1000):
    """VGG configuration A, A-LRN, B, C, D (VGG-16) or E (VGG-19) for 224x224x3 input."""
    from torch import nn

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


def _conv_relu(c_in: int, c_out: int, kernel: int, stride: int = 1):
    from torch import nn

    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, stride, padding=kernel // 2), nn.ReLU())


def _inception_class():
    from torch import cat, nn

    class Inception(nn.Module):
        """Four parallel branches (1x1; 1x1->3x3; 1x1->5x5; 3x3 max-pool->1x1) concatenated."""

        def __init__(self, c_in: int, widths: tuple[int, int, int, int, int, int]) -> None:
            super().__init__()
            n1, r3, n3, r5, n5, proj = widths
            self.branch1 = _conv_relu(c_in, n1, 1)
            self.branch3 = nn.Sequential(_conv_relu(c_in, r3, 1), _conv_relu(r3, n3, 3))
            self.branch5 = nn.Sequential(_conv_relu(c_in, r5, 1), _conv_relu(r5, n5, 5))
            self.branch_pool = nn.Sequential(
                nn.MaxPool2d(3, 1, padding=1), _conv_relu(c_in, proj, 1)
            )

        def forward(self, x):
            branches = (self.branch1, self.branch3, self.branch5, self.branch_pool)
            return cat([branch(x) for branch in branches], dim=1)

    return Inception


def inception(c_in: int, widths: tuple[int, int, int, int, int, int]):
    """One GoogLeNet inception module; output channels n1 + n3 + n5 + proj. (n, c_in, h, w) in."""
    return _inception_class()(c_in, widths)


def googlenet(classes: int = 1000):
    """GoogLeNet (Inception v1) for 224x224x3 input, main path only (no auxiliary classifiers)."""
    from torch import nn

    blocks = {
        "conv1": _conv_relu(3, 64, 7, stride=2),
        "pool1": nn.MaxPool2d(3, 2, ceil_mode=True),
        "conv2": nn.Sequential(_conv_relu(64, 64, 1), _conv_relu(64, 192, 3)),
        "pool2": nn.MaxPool2d(3, 2, ceil_mode=True),
    }
    channels = 192
    for name, widths in GOOGLENET_INCEPTIONS.items():
        blocks[f"inception{name}"] = inception(channels, widths)
        channels = widths[0] + widths[2] + widths[4] + widths[5]
        if name in ("3b", "4e"):
            blocks[f"pool{name[0]}"] = nn.MaxPool2d(3, 2, ceil_mode=True)
    return _named(
        **blocks, avgpool=nn.AvgPool2d(7), dropout=nn.Dropout(0.4), flatten=nn.Flatten(),
        linear=nn.Linear(channels, classes),
    )  # fmt: skip


def googlenet_aux_head(c_in: int, classes: int = 1000):
    """A training-time side classifier of GoogLeNet (on 4a: c_in=512, on 4d: c_in=528).

    14x14 -> 5x5/3 avg-pool -> 4x4 -> 1x1 conv 128 -> FC 1024 -> dropout 70 % -> FC classes.
    """
    from torch import nn

    return nn.Sequential(
        nn.AvgPool2d(5, 3), _conv_relu(c_in, 128, 1), nn.Flatten(),
        nn.Linear(128 * 4 * 4, 1024), nn.ReLU(), nn.Dropout(0.7), nn.Linear(1024, classes),
    )  # fmt: skip


def _basic_block_class():
    from torch import nn

    class BasicBlock(nn.Module):
        """Two 3x3 conv + batch-norm layers; the input is added back (a 1x1 projection when the
        shape changes) before the last ReLU: out = relu(F(x) + shortcut(x))."""

        def __init__(self, c_in: int, c_out: int, stride: int) -> None:
            super().__init__()
            self.residual = nn.Sequential(
                nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
                nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False), nn.BatchNorm2d(c_out),
            )  # fmt: skip
            self.shortcut = nn.Identity()
            if stride != 1 or c_in != c_out:
                self.shortcut = nn.Sequential(
                    nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)
                )
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.relu(self.residual(x) + self.shortcut(x))

    return BasicBlock


RESNET_BLOCKS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}
"""Residual blocks per stage (64, 128, 256, 512 channels) of ResNet-18 and ResNet-34."""


def resnet(depth: int = 18, classes: int = 1000):
    """ResNet-18 or ResNet-34 (basic blocks, batch-norm) for 224x224x3 input."""
    from torch import nn

    if depth not in RESNET_BLOCKS:
        raise ValueError(f"depth must be one of {list(RESNET_BLOCKS)}, got {depth!r}")
    block = _basic_block_class()
    stem = nn.Sequential(
        nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)
    )
    stages, channels = {}, 64
    widths = (64, 128, 256, 512)
    for k, (blocks, width) in enumerate(zip(RESNET_BLOCKS[depth], widths, strict=True)):
        layers = [block(channels, width, 1 if k == 0 else 2)]
        layers += [block(width, width, 1) for _ in range(blocks - 1)]
        stages[f"stage{k + 1}"] = nn.Sequential(*layers)
        channels = width
    return _named(
        stem=stem, **stages, avgpool=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten(),
        fc=nn.Linear(512, classes),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The course's digit classifiers
# ---------------------------------------------------------------------------------------------


def digit_tensors(digits: data.Digits):
    """Digits as torch tensors: images (n, 1, 8, 8) float32, labels (n,) int64."""
    import torch

    return torch.from_numpy(digits.images[:, None]).float(), torch.from_numpy(digits.labels).long()


def digit_cnn(classes: int = 10):
    """The course's small CNN for 8x8 digits: two 3x3 conv + max-pool blocks, then two dense layers.

    Input (n, 1, 8, 8) -> logits (n, classes). Shapes: 8x8x1 -> 8x8x16 -> 4x4x16 -> 4x4x32
    -> 2x2x32 -> 128 -> 64 -> classes.
    """
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, classes),
    )  # fmt: skip


def digit_mlp(hidden: int = 183, classes: int = 10):
    """A one-hidden-layer MLP on the flattened 8x8 digits: (n, 1, 8, 8) -> logits (n, classes).

    hidden=183 gives 13,735 parameters, about as many as ``digit_cnn`` (13,706).
    """
    from torch import nn

    if hidden < 1:
        raise ValueError(f"hidden must be >= 1, got {hidden!r}")
    return nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, classes))


def pretrained_digit_cnn(digit_classes: Sequence[int] = tuple(range(10)), seed: int = 0):
    """The digit CNN trained on the training split of the given digit classes (cached).

    digit_classes: which digits to train on (lesson 10 uses 0-4); the network's outputs are
    ordered as ``digit_classes``. Returns the model in eval mode.
    """
    import torch

    from course_lib import training

    classes = sorted(set(int(c) for c in digit_classes))
    if not classes or classes[0] < 0 or classes[-1] > 9:
        raise ValueError(f"digit_classes must be digits 0..9, got {list(digit_classes)}")
    model = digit_cnn(len(classes))
    name = f"digit_cnn_{''.join(map(str, classes))}_seed{seed}_e{DIGIT_CNN_EPOCHS}"
    path, digest = CACHE_DIR / f"{name}.pt", CACHE_DIR / f"{name}.sha256"
    if path.is_file() and digest.is_file() and _sha256(path) == digest.read_text().strip():
        model.load_state_dict(torch.load(path, weights_only=True))
        return model.eval()
    train, _ = data.digits_split()
    keep = np.isin(train.labels, classes)
    x, y = digit_tensors(
        data.Digits(train.images[keep], np.searchsorted(classes, train.labels[keep]))
    )
    torch.manual_seed(seed)
    model = digit_cnn(len(classes))
    training.fit(model, x, y, epochs=DIGIT_CNN_EPOCHS, batch_size=32, lr=2e-3, seed=seed)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    _atomic_write(path, buffer.getvalue())
    _atomic_write(digest, _sha256(path).encode())
    return model.eval()


def mnist_tensors(digits: data.Digits):
    """28x28 digits as torch tensors: images (n, 1, 28, 28) float32, labels (n,) int64."""
    import torch

    return torch.from_numpy(digits.images[:, None]).float(), torch.from_numpy(digits.labels).long()


def mnist_cnn(classes: int = 10):
    """The course's CNN for 28x28 digits: two 3x3 conv + max-pool blocks, then two dense layers.

    Input (n, 1, 28, 28) -> logits (n, classes). Shapes: 28x28x1 -> 28x28x32 -> 14x14x32
    -> 14x14x64 -> 7x7x64 -> 3136 -> (dropout 0.3) -> 128 -> classes.
    """
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(7 * 7 * 64, 128), nn.ReLU(),
        nn.Linear(128, classes),
    )  # fmt: skip


def random_shift(xb, yb, generator, max_shift: int = 2):
    """``training.fit`` transform: move each image by up to ``max_shift`` pixels in x and y.

    xb: (n, 1, h, w) images, zero-padded at the edges; yb passes unchanged.
    """
    import torch

    n, _, h, w = xb.shape
    padded = torch.nn.functional.pad(xb, (max_shift,) * 4)
    dy, dx = torch.randint(0, 2 * max_shift + 1, (2, n, 1, 1), generator=generator)
    rows = dy + torch.arange(h)[None, :, None]
    cols = dx + torch.arange(w)[None, None, :]
    return padded[torch.arange(n)[:, None, None], 0, rows, cols][:, None], yb


MNIST_CNN_EPOCHS = 12


def pretrained_mnist_cnn(seed: int = 0):
    """``mnist_cnn`` trained on the 4,000 training digits of ``data.mnist_split`` (cached).

    Adam 1e-3, batch 64, 12 epochs, each image shifted by up to 2 pixels. Returns it in eval mode.
    """
    import torch

    from course_lib import training

    name = f"mnist_cnn_seed{seed}_e{MNIST_CNN_EPOCHS}"
    path, digest = CACHE_DIR / f"{name}.pt", CACHE_DIR / f"{name}.sha256"
    model = mnist_cnn()
    if path.is_file() and digest.is_file() and _sha256(path) == digest.read_text().strip():
        model.load_state_dict(torch.load(path, weights_only=True))
        return model.eval()
    x, y = mnist_tensors(data.mnist_split().train)
    torch.manual_seed(seed)
    model = mnist_cnn()
    training.fit(model, x, y, epochs=MNIST_CNN_EPOCHS, batch_size=64, transform=random_shift,
                 seed=seed)  # fmt: skip
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    _atomic_write(path, buffer.getvalue())
    _atomic_write(digest, _sha256(path).encode())
    return model.eval()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _atomic_write(path: Path, content: bytes) -> None:
    """Write via a temporary file and rename, so parallel lessons never read half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)

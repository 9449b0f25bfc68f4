"""Convolutional networks (lesson 05), and the course's digit classifier that later lessons reuse.

What lesson 05 writes, in numpy (batched, multi-channel, cross-correlation like
``torch.nn.functional.conv2d``): a naive convolution, im2col (``conv_windows``) and its adjoint
(``col2im``), the convolution layer's forward and backward pass, max pooling forward and
backward, and the receptive field of a stack. In PyTorch: ``mnist_cnn``, the course's CNN for the
28x28 digits, its training recipe (``train_mnist_cnn``) and ILSVRC's ``top_k_error``.

``pretrained_mnist_cnn()``, the "pretrained network" of lessons 07, 09 and 10, is what
``train_mnist_cnn(seed=0)`` trained once; it ships in ``datasets/`` (sha256-checked, rebuilt by
``make mnist-cnn``), the same weights on every CPU. LeNet-5 to ResNet: ``cnn_architectures``.
"""

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view
from torch import nn

from course_lib import data, training

CACHE_DIR = Path(
    os.environ.get("COURSE_CACHE", Path(__file__).resolve().parents[1] / "build" / "cache")
)

# ---------------------------------------------------------------------------------------------
# Convolution arithmetic and numpy layers
# ---------------------------------------------------------------------------------------------


def check_conv_sizes(size: int, kernel: int, stride: int, padding: int) -> None:
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


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output side of a convolution or pooling layer: floor((H - kh + 2P) / S) + 1.

    A last window that would stick out of the padded input is dropped (the floor), as in PyTorch.
    """
    check_conv_sizes(size, kernel, stride, padding)
    return (size - kernel + 2 * padding) // stride + 1


def conv2d_naive(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross-correlation with loops, one output value at a time (stride 1, no padding).

    x: (C, h, w) one image, w: (K, C, kh, kw) filters, b: (K,) -> (K, h - kh + 1, w - kw + 1).
    """
    n_filters, _, kh, kw = w.shape
    out = np.empty((n_filters, x.shape[1] - kh + 1, x.shape[2] - kw + 1))
    for k in range(n_filters):
        for i in range(out.shape[1]):
            for j in range(out.shape[2]):
                out[k, i, j] = np.sum(w[k] * x[:, i : i + kh, j : j + kw]) + b[k]
    return out


def conv_windows(
    x: np.ndarray, kernel: tuple[int, int], stride: int = 1, padding: int = 0
) -> np.ndarray:
    """im2col: every window a (kh, kw) filter visits, as a strided view of the padded input.

    x: (n, c, h, w) -> (n, c, out_h, out_w, kh, kw), out_h = conv_output_size(h, kh, S, P).
    """
    out_h = conv_output_size(x.shape[2], kernel[0], stride, padding)
    out_w = conv_output_size(x.shape[3], kernel[1], stride, padding)
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(padded, tuple(kernel), axis=(2, 3))
    return windows[:, :, : (out_h - 1) * stride + 1 : stride, : (out_w - 1) * stride + 1 : stride]


def col2im(
    windows: np.ndarray, shape: tuple[int, ...], stride: int = 1, padding: int = 0
) -> np.ndarray:
    """The adjoint of conv_windows: add every window's values back where the window came from.

    windows: (n, c, out_h, out_w, kh, kw), shape: the input's (n, c, h, w) -> (n, c, h, w).
    """
    n, c, h, w = shape
    out_h, out_w, kh, kw = windows.shape[2:]
    image = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=windows.dtype)
    for p in range(kh):
        for q in range(kw):
            rows = slice(p, p + (out_h - 1) * stride + 1, stride)
            cols = slice(q, q + (out_w - 1) * stride + 1, stride)
            image[:, :, rows, cols] += windows[:, :, :, :, p, q]
    return image[:, :, padding : padding + h, padding : padding + w]


def check_conv_shapes(x, w, b=None, grad_out=None, stride=1, padding=0) -> tuple[np.ndarray, ...]:
    """x, w as arrays, after checking their shapes against each other (and b's, grad_out's)."""
    x, w = np.asarray(x), np.asarray(w)
    for name, array in (("x", x), ("w", w)):
        if array.ndim != 4:
            raise ValueError(
                f"{name} must be (n, channels, height, width), got shape {array.shape}"
            )
    if w.shape[1] != x.shape[1]:
        raise ValueError(
            f"w expects {w.shape[1]} input channels but x has {x.shape[1]} "
            f"(x {x.shape}, w {w.shape})"
        )
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError(f"b must have shape ({w.shape[0]},), got {np.shape(b)}")
    out = [conv_output_size(x.shape[k + 2], w.shape[k + 2], stride, padding) for k in (0, 1)]
    if grad_out is not None and np.shape(grad_out) != (x.shape[0], w.shape[0], *out):
        expected = (x.shape[0], w.shape[0], *out)
        raise ValueError(f"grad_out must have shape {expected}, got {np.shape(grad_out)}")
    return x, w


def conv2d_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """A convolution layer as one tensor product over the windows (cross-correlation, as torch).

    x: (n, c, h, w), w: (k, c, kh, kw), b: (k,) or None -> O: (n, k, out_h, out_w) with
    O[n, k, i, j] = b[k] + sum over c, p, q of W[k, c, p, q] * X[n, c, i*S + p, j*S + q].
    """
    x, w = check_conv_shapes(x, w, b, stride=stride, padding=padding)
    windows = conv_windows(x, w.shape[2:], stride, padding)  # (n, c, out_h, out_w, kh, kw)
    out = np.tensordot(windows, w, axes=((1, 4, 5), (1, 2, 3)))  # (n, out_h, out_w, k)
    if b is not None:
        out = out + b
    return out.transpose(0, 3, 1, 2)


def conv2d_backward(
    grad_out: np.ndarray, x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a convolution layer from dE/dO, with the forward pass's windows rebuilt.

    grad_out: (n, k, out_h, out_w), x: (n, c, h, w), w: (k, c, kh, kw)
    -> dE/dx (n, c, h, w), dE/dw (k, c, kh, kw), dE/db (k,).
    """
    x, w = check_conv_shapes(x, w, None, grad_out, stride, padding)
    windows = conv_windows(x, w.shape[2:], stride, padding)
    # dE/dW: X correlated with dE/dO, summed over the images
    grad_w = np.tensordot(grad_out, windows, axes=((0, 2, 3), (0, 2, 3)))
    grad_b = grad_out.sum(axis=(0, 2, 3))
    taps = np.tensordot(grad_out, w, axes=(1, 0))  # (n, out_h, out_w, c, kh, kw)
    grad_x = col2im(taps.transpose(0, 3, 1, 2, 4, 5), x.shape, stride, padding)
    return grad_x, grad_w, grad_b


def max_pool2d_forward(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """The largest value of each size x size window; stride defaults to size (no overlap).

    x: (n, c, h, w) -> (n, c, out_h, out_w), every channel on its own.
    """
    return conv_windows(x, (size, size), stride or size).max(axis=(4, 5))


def max_pool2d_backward(
    grad_out: np.ndarray, x: np.ndarray, size: int = 2, stride: int | None = None
) -> np.ndarray:
    """dE/dx of max pooling: each window's gradient goes to its (first) maximum, 0 elsewhere.

    grad_out: (n, c, out_h, out_w), x: (n, c, h, w) -> (n, c, h, w).
    """
    windows = conv_windows(x, (size, size), stride or size)
    flat = windows.reshape(*windows.shape[:4], size * size)
    routed = np.eye(size * size)[flat.argmax(axis=-1)] * grad_out[..., None]
    return col2im(routed.reshape(windows.shape), x.shape, stride or size)


def receptive_field(layers: Sequence[tuple[int, int]]) -> list[int]:
    """Side of the input patch that one unit sees, after each layer of a stack.

    layers: (kernel, stride) of each convolution or pooling layer, input first -> [r_1, r_2, ...]
    with r_l = r_(l-1) + (k_l - 1) * j_(l-1) and j_l = j_(l-1) * s_l, starting from r_0 = j_0 = 1.
    """
    sides, r, jump = [], 1, 1
    for kernel, stride in layers:
        r, jump = r + (kernel - 1) * jump, jump * stride
        sides.append(r)
    return sides


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


# ---------------------------------------------------------------------------------------------
# The course's CNN for the 28x28 digits
# ---------------------------------------------------------------------------------------------

MNIST_CNN_EPOCHS = 12


def mnist_tensors(digits: data.Digits) -> tuple[torch.Tensor, torch.Tensor]:
    """28x28 digits as torch tensors: images (n, 1, 28, 28) float32, labels (n,) int64."""
    return torch.from_numpy(digits.images[:, None]).float(), torch.from_numpy(digits.labels).long()


def mnist_cnn(classes: int = 10) -> nn.Sequential:
    """The course's CNN for 28x28 digits: two 3x3 conv + max-pool blocks, then two dense layers.

    Input (n, 1, 28, 28) -> logits (n, classes). Shapes: 28x28x1 -> 28x28x32 -> 14x14x32
    -> 14x14x64 -> 7x7x64 -> 3136 -> (dropout 0.3) -> 128 -> classes.
    """
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(7 * 7 * 64, 128),
        nn.ReLU(),
        nn.Linear(128, classes),
    )


def random_shift(
    xb: torch.Tensor, yb: torch.Tensor, generator: torch.Generator, max_shift: int = 2
):
    """``training.fit`` transform: move each image by up to ``max_shift`` pixels in x and y.

    xb: (n, 1, h, w) images, zero-padded at the edges; yb passes unchanged.
    """
    n, _, h, w = xb.shape
    padded = nn.functional.pad(xb, (max_shift,) * 4)
    dy, dx = torch.randint(0, 2 * max_shift + 1, (2, n, 1, 1), generator=generator)
    rows = dy + torch.arange(h)[None, :, None]
    cols = dx + torch.arange(w)[None, None, :]
    return padded[torch.arange(n)[:, None, None], 0, rows, cols][:, None], yb


def train_mnist_cnn(
    seed: int = 0, epochs: int = MNIST_CNN_EPOCHS
) -> tuple[nn.Sequential, dict[str, list[float]]]:
    """The recipe: Adam 1e-3, batch 64, ``epochs`` epochs, every batch shifted randomly.

    Trains on the 4,000 training digits of ``data.mnist_split``, watching the 500 validation
    digits each epoch (the test digits stay unread) -> (model in eval mode, fit's history).
    """
    split = data.mnist_split()
    (x, y), (x_val, y_val) = mnist_tensors(split.train), mnist_tensors(split.val)
    torch.manual_seed(seed)
    model = mnist_cnn()
    recipe = {"batch_size": 64, "transform": random_shift, "seed": seed}
    history = training.fit(model, x, y, epochs=epochs, x_val=x_val, y_val=y_val, **recipe)
    return model, history


def top_k_error(logits: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """ILSVRC's top-k error: the fraction of examples whose label is not among the k top scores.

    logits: (n, classes), labels: (n,) ints -> a fraction in [0, 1]; k = 1 is 1 - accuracy.
    """
    top = np.argsort(-logits, axis=1, kind="stable")[:, :k]
    return float(np.mean(~(top == labels[:, None]).any(axis=1)))


MNIST_CNN_FILES = ("mnist_cnn.pt", "mnist_cnn_history.json")
"""The shipped network's weights (``state_dict``) and learning curves, in ``datasets/``."""


def _check_shipped_seed(seed: int) -> None:
    if seed != 0:
        raise ValueError(
            f"seed must be 0 (the network that ships with the course), got {seed!r}; "
            f"train another one with train_mnist_cnn(seed={seed!r})"
        )


def pretrained_mnist_cnn(seed: int = 0) -> nn.Sequential:
    """``mnist_cnn`` as ``train_mnist_cnn(seed=0)`` trained it, loaded from ``datasets/``.

    The weights ship with the course (sha256 in datasets/MANIFEST.toml), so every CPU gets the
    same network. Returns the model in eval mode: (n, 1, 28, 28) -> logits (n, 10).
    """
    _check_shipped_seed(seed)
    model = mnist_cnn()
    path = data.verified_path(MNIST_CNN_FILES[0])
    model.load_state_dict(torch.load(path, weights_only=True))
    return model.eval()


def mnist_cnn_history(seed: int = 0) -> dict[str, list[float]]:
    """The learning curves of ``pretrained_mnist_cnn()``: per-epoch 'loss' (training),
    'val_loss' and 'val_acc' (the validation digits), as ``training.fit`` returned them."""
    _check_shipped_seed(seed)
    return json.loads(data.verified_path(MNIST_CNN_FILES[1]).read_text())

"""A localisation task with a known answer, for Grad-CAM (lesson 09).

Each 28x28 digit is pasted at a random place on a larger canvas strewn with ink dust, and a small
CNN learns to name the digit. Because we placed the digit, we know where it is: a heatmap that
explains the network should peak inside the box around the digit's ink. The lesson writes every
function here in a ``# @save course_lib.localisation`` cell; ``interpret_experiments`` caches the
trained network.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_lib import cnn, data, training

CANVAS = 48
"""Side of the square canvas in pixels (a 28x28 digit covers a third of it)."""
DUST = 0.2
"""Share of canvas pixels that are ink dust (value 1) before the digit is pasted."""
CANVAS_EPOCHS = 4
LAST_RELU = 10
"""Index in ``canvas_cnn`` of the ReLU after its last convolution: Grad-CAM's maps."""


def paste_digits(
    digits: torch.Tensor, generator: torch.Generator, size: int = CANVAS, dust: float = DUST
) -> tuple[torch.Tensor, torch.Tensor]:
    """Paste each digit (n, 1, 28, 28) at a random place on a dusty (size, size) canvas.

    Every canvas pixel is ink (1) with probability ``dust``; the digit goes on top with a max.
    Returns the canvases (n, 1, size, size) and the digits' top-left corners (n, 2) as (row, col).
    """
    n, _, h, w = digits.shape
    canvases = (torch.rand(n, 1, size, size, generator=generator) < dust).float()
    corners = torch.randint(0, size - h + 1, (n, 2), generator=generator)
    for k, (row, col) in enumerate(corners.tolist()):
        window = canvases[k, :, row : row + h, col : col + w]
        canvases[k, :, row : row + h, col : col + w] = torch.maximum(window, digits[k])
    return canvases, corners


def canvas_batch(
    xb: torch.Tensor, yb: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """``training.fit`` transform: every digit of every batch on a fresh canvas (place and dust)."""
    return paste_digits(xb, generator)[0], yb


def canvas_cnn(classes: int = 10) -> nn.Sequential:
    """Three 3x3 conv blocks (conv, batch norm, ReLU), the global max of each map, a dense layer.

    (n, 1, 48, 48) -> 48x48x16 -> pool 24x24x16 -> 24x24x32 -> pool 12x12x32 -> 12x12x64
    -> max over positions 64 -> classes. Layer 10 (``LAST_RELU``) gives the last rectified maps.
    """
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(64, classes),
    )  # fmt: skip


def train_canvas_cnn(seed: int = 0) -> nn.Sequential:
    """``canvas_cnn`` trained by ``training.fit`` on the 4,000 training digits, each batch pasted
    anew (Adam 2e-3, batch 64, ``CANVAS_EPOCHS`` epochs). Returns it in eval mode."""
    x, y = cnn.mnist_tensors(data.mnist_split().train)
    torch.manual_seed(seed)
    model = canvas_cnn()
    training.fit(model, x, y, epochs=CANVAS_EPOCHS, batch_size=64, lr=2e-3,
                 transform=canvas_batch, seed=seed)  # fmt: skip
    return model


def ink_boxes(digits: torch.Tensor, corners: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """The box round each digit's ink (pixels above ``threshold``) on its canvas.

    digits: (n, 1, h, w), corners: (n, 2) from ``paste_digits``. Returns (n, 4) as
    (top, bottom, left, right), all inclusive pixel indices.
    """
    ink = digits[:, 0] > threshold
    rows, cols = ink.any(dim=2).float(), ink.any(dim=1).float()  # (n, h), (n, w)
    top, left = rows.argmax(dim=1), cols.argmax(dim=1)
    bottom = rows.shape[1] - 1 - rows.flip(1).argmax(dim=1)
    right = cols.shape[1] - 1 - cols.flip(1).argmax(dim=1)
    offset = corners[:, [0, 0, 1, 1]]
    return torch.stack([top, bottom, left, right], dim=1) + offset


def upsample(heatmaps: np.ndarray, size: int = CANVAS) -> np.ndarray:
    """Bilinear upsampling of heatmaps (n, h, w) to (n, size, size), to lay them over a canvas."""
    big = F.interpolate(
        torch.as_tensor(heatmaps)[:, None], size=(size, size), mode="bilinear", align_corners=False
    )
    return big[:, 0].numpy()


def peak_in_box(heatmaps: np.ndarray, boxes: torch.Tensor, size: int = CANVAS) -> np.ndarray:
    """Whether the peak of each heatmap (n, h, w), upsampled to (size, size) as when drawn over
    the canvas, falls inside its box (n, 4) from ``ink_boxes``. Returns (n,) booleans."""
    flat = torch.from_numpy(upsample(heatmaps, size)).flatten(1).argmax(dim=1)
    row, col = flat // size, flat % size
    top, bottom, left, right = boxes.T
    return ((top <= row) & (row <= bottom) & (left <= col) & (col <= right)).numpy()

"""A DCGAN for the 28x28 digits (lesson 07), judged by the lesson-05 digit CNN.

The lesson writes the two networks in ``# @save course_lib.dcgan`` cells; this module holds the
same text and the helpers that turn latent vectors into pictures and judge them. The lesson's
trained DCGAN ships in ``datasets/``; ``gan_experiments`` trains and loads it.
"""

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

LATENT_DIM = 32  # seed 003, the DCGAN code: latent_dim = 32
SHIPPED = "dcgan_mnist.pt"
"""The trained DCGAN in ``datasets/`` (``gan_experiments.build_shipped_dcgan``, ``make dcgan``)."""


class Generator(nn.Module):
    """z (n, latent_dim) -> images (n, 1, 28, 28) in [-1, 1]: dense to 256, dense to
    128 x 7 x 7, two transposed convolutions (kernel 4, stride 2) to 64 x 14 x 14 and
    1 x 28 x 28, tanh. BatchNorm and LeakyReLU(0.2) between the layers."""

    def __init__(self, latent_dim: int = LATENT_DIM, width: int = 128) -> None:
        super().__init__()
        self.latent_dim, self.width = latent_dim, width
        self.net = nn.Sequential(
            nn.Linear(latent_dim, 2 * width),
            nn.BatchNorm1d(2 * width),
            nn.LeakyReLU(0.2),
            nn.Linear(2 * width, width * 7 * 7),
            nn.Unflatten(1, (width, 7, 7)),
            nn.BatchNorm2d(width),
            nn.LeakyReLU(0.2),
            nn.ConvTranspose2d(width, width // 2, 4, stride=2, padding=1),
            nn.BatchNorm2d(width // 2),
            nn.LeakyReLU(0.2),
            nn.ConvTranspose2d(width // 2, 1, 4, stride=2, padding=1),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


def random_shift(images: torch.Tensor, pixels: int) -> torch.Tensor:
    """Each image of (n, 1, h, w) moved by its own random offset of up to ``pixels`` whole
    pixels along each axis; the uncovered border is background (-1). Same shape; gradients
    flow through, so the generator learns from D's verdict on its shifted fakes."""
    n, _, h, w = images.shape
    padded = F.pad(images[:, 0], (pixels,) * 4, value=-1.0)  # (n, h + 2p, w + 2p)
    dy, dx = torch.randint(0, 2 * pixels + 1, (2, n, 1, 1))  # each (n, 1, 1)
    rows, cols = dy + torch.arange(h)[:, None], dx + torch.arange(w)  # (n, h, 1), (n, 1, w)
    return padded[torch.arange(n)[:, None, None], rows, cols][:, None]


class Discriminator(nn.Module):
    """images (n, 1, 28, 28) -> logits (n, 1): two strided convolutions (kernel 4, stride 2, no
    pooling) to 64 x 14 x 14 and 128 x 7 x 7 with LeakyReLU(0.2), dropout, one dense logit.
    In training mode, every image (real or fake) is first shifted by up to ``shift`` pixels."""

    def __init__(self, width: int = 64, dropout: float = 0.4, shift: int = 0) -> None:
        super().__init__()
        self.shift = shift
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(2 * width * 7 * 7, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.shift:
            x = random_shift(x, self.shift)
        return self.net(x)


def to_tanh_range(images: np.ndarray) -> torch.Tensor:
    """Digits (n, 28, 28) in [0, 1] -> a tensor (n, 1, 28, 28) in [-1, 1], the range of tanh."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    return torch.from_numpy(images[:, None] * 2 - 1)


def generate(generator: nn.Module, z: np.ndarray | torch.Tensor) -> np.ndarray:
    """Images (n, 28, 28) in [0, 1] from latent vectors z (n, latent_dim); G in eval mode."""
    z = torch.as_tensor(np.asarray(z, dtype=np.float32))
    if z.ndim != 2 or z.shape[1] != generator.latent_dim:
        raise ValueError(f"z must have shape (n, {generator.latent_dim}), got {tuple(z.shape)}")
    with torch.no_grad():
        return ((generator.eval()(z)[:, 0] + 1) / 2).numpy()


def judge_probabilities(images: np.ndarray, judge: nn.Module) -> np.ndarray:
    """The digit CNN's class probabilities (n, 10) for images (n, 28, 28) in [0, 1]."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    with torch.no_grad():
        return F.softmax(judge.eval()(torch.from_numpy(images[:, None])), dim=1).numpy()


@dataclass(frozen=True)
class Judgement:
    """The digit CNN's verdict on images: the share it reads with confidence above the threshold,
    and how many of those confident ones it reads as each digit, counts (10,)."""

    confident: float
    counts: np.ndarray


def judge_digits(images: np.ndarray, judge: nn.Module, *, threshold: float = 0.9) -> Judgement:
    """Judge images (n, 28, 28) in [0, 1] with a digit classifier that returns logits (n, 10)."""
    probs = judge_probabilities(images, judge)
    sure = probs.max(axis=1) > threshold
    counts = np.bincount(probs.argmax(axis=1)[sure], minlength=probs.shape[1])
    return Judgement(confident=float(sure.mean()), counts=counts)


def montage(images: np.ndarray, cols: int, gap: int = 2) -> np.ndarray:
    """Images (n, h, w) in [0, 1] as one picture of ceil(n / cols) rows and ``cols`` columns,
    ``gap`` blank pixels apart: (rows * (h + gap) - gap, cols * (w + gap) - gap)."""
    n, h, w = images.shape
    rows = -(-n // cols)
    sheet = np.zeros((rows * (h + gap) - gap, cols * (w + gap) - gap), dtype=images.dtype)
    for k, image in enumerate(images):
        r, c = divmod(k, cols)
        sheet[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = image
    return sheet


def interpolate_latent(z0: np.ndarray, z1: np.ndarray, steps: int = 8) -> np.ndarray:
    """Points on the straight line from z0 to z1 (both (d,)): (steps, d), ends included."""
    z0, z1 = np.asarray(z0, dtype=float), np.asarray(z1, dtype=float)
    if z0.ndim != 1 or z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must be vectors of equal size, got {z0.shape}, {z1.shape}")
    if steps < 2:
        raise ValueError(f"steps must be >= 2, got {steps}")
    t = np.linspace(0, 1, steps)[:, None]
    return (1 - t) * z0 + t * z1


def transposed_conv_coverage(kernel: int, stride: int, size: int = 6) -> np.ndarray:
    """How many input pixels write into each output pixel of a transposed convolution.

    A (size, size) input of ones through a (kernel, kernel) kernel of ones with ``stride``; the
    centre crop shows the pattern: uneven (a checkerboard) unless kernel % stride == 0.
    """
    if kernel < 1 or stride < 1:
        raise ValueError(f"kernel and stride must be >= 1, got {kernel}, {stride}")
    out = F.conv_transpose2d(
        torch.ones(1, 1, size, size), torch.ones(1, 1, kernel, kernel), stride=stride
    )[0, 0]
    crop = kernel  # the borders see fewer inputs whatever the kernel; look inside
    return out[crop:-crop, crop:-crop].numpy().astype(int)


def confident_pair(
    probs: np.ndarray, digits: tuple[int, int], threshold: float = 0.99
) -> tuple[int, int]:
    """Indices (i, j): the first sample the judge reads as ``digits[0]`` and the first it reads
    as ``digits[1]``, each with confidence above ``threshold``. probs: (n, 10)."""
    found = []
    for digit in digits:
        sure = np.flatnonzero((probs.argmax(axis=1) == digit) & (probs.max(axis=1) > threshold))
        if len(sure) == 0:
            raise ValueError(f"probs must hold a {digit} read above {threshold}, got none")
        found.append(int(sure[0]))
    return found[0], found[1]

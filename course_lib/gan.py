"""Generative adversarial networks (lesson 07): the game, its losses, one training step, the ring.

The lesson writes the core in ``# @save course_lib.gan`` cells, and this module holds the same
text: the best discriminator and the generator's two losses (numpy), the discriminator and
generator losses on logits, the R1 penalty, the weight average and ``gan_step``, one round of
the game (torch). Around them: the ring of Gaussians on which the lesson watches a GAN learn,
its two metrics, and ``StackedMLP``, which trains several small GANs at once. The digit DCGAN is
in ``course_lib.dcgan``; the drivers that train and record runs are in ``gan_experiments``.
"""

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------- the ring (numpy)
@dataclass(frozen=True)
class Ring:
    """A mixture of ``modes`` equal Gaussians (standard deviation ``std``) on a circle."""

    modes: int = 8
    radius: float = 2.0
    std: float = 0.1


RING = Ring()


def ring_centres(ring: Ring = RING) -> np.ndarray:
    """Centres of the ring's modes, (modes, 2); mode k sits at angle 2 pi k / modes."""
    angles = 2 * np.pi * np.arange(ring.modes) / ring.modes
    return ring.radius * np.column_stack([np.cos(angles), np.sin(angles)])


def sample_ring(n: int, rng: np.random.Generator, ring: Ring = RING) -> np.ndarray:
    """n points (n, 2) from the ring mixture: pick a mode uniformly, add N(0, std^2 I) noise."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    modes = rng.integers(ring.modes, size=n)
    return ring_centres(ring)[modes] + ring.std * rng.standard_normal((n, 2))


@dataclass(frozen=True)
class RingScore:
    """How well samples match the ring: the lesson's two metrics and the per-mode counts."""

    modes_covered: int
    high_quality: float
    counts: np.ndarray = field(repr=False)


def mode_labels(points: np.ndarray, ring: Ring = RING, *, within: float = 3.0) -> np.ndarray:
    """For points (n, 2): the index (0 .. modes-1) of the mode each lies within ``within``
    standard deviations of, or -1 for a point between modes (a bridge). Returns (n,) ints."""
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"points must have shape (n, 2) with n >= 1, got {points.shape}")
    distances = np.linalg.norm(points[:, None, :] - ring_centres(ring)[None], axis=-1)
    return np.where(distances.min(axis=1) < within * ring.std, distances.argmin(axis=1), -1)


def ring_score(
    points: np.ndarray, ring: Ring = RING, *, within: float = 3.0, min_share: float = 0.1
) -> RingScore:
    """Score generated points (n, 2) against the ring.

    A sample is *high quality* if it lies within ``within`` standard deviations of some mode;
    a mode is *covered* if at least ``min_share`` * n / modes of all n samples (that share of a
    fair n / modes) are high-quality samples nearest to it. counts: (modes,) high-quality samples
    nearest each mode.
    """
    labels = mode_labels(points, ring, within=within)
    good = labels >= 0
    counts = np.bincount(labels[good], minlength=ring.modes)
    fair_share = len(labels) / ring.modes
    return RingScore(
        modes_covered=int(np.sum(counts >= min_share * fair_share)),
        high_quality=float(good.mean()),
        counts=counts,
    )


def ring_grid(ring: Ring = RING, resolution: int = 60) -> np.ndarray:
    """Points (resolution^2, 2) of a square grid that covers the ring with a margin."""
    edge = ring.radius * 1.5
    axis = np.linspace(-edge, edge, resolution)
    gx, gy = np.meshgrid(axis, axis)
    return np.column_stack([gx.ravel(), gy.ravel()])


# ------------------------------------------------------------------------ the game (numpy)
def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) for densities of any one shape (...,) -> (...,)."""
    p_data, p_g = np.asarray(p_data, dtype=float), np.asarray(p_g, dtype=float)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data, p_g must have equal shapes, got {p_data.shape}, {p_g.shape}")
    if np.any(p_data < 0) or np.any(p_g < 0) or np.any(p_data + p_g == 0):
        raise ValueError("densities must be >= 0 and not both 0 at a point")
    return p_data / (p_data + p_g)


def generator_losses(d_fake: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The generator's two losses as functions of D = D(G(z)) in (0, 1), any shape (...,).

    Returns name -> (loss, d loss / d logit), both (...,), where D = sigmoid(logit):
    'saturating' log(1 - D) with slope -D; 'non-saturating' -log D with slope D - 1.
    """
    d = np.asarray(d_fake, dtype=float)
    if np.any(d <= 0) or np.any(d >= 1):
        raise ValueError(f"d_fake must lie strictly in (0, 1), got [{d.min()}, {d.max()}]")
    return {"saturating": (np.log1p(-d), -d), "non-saturating": (-np.log(d), d - 1)}


# ---------------------------------------------------------------- the game and its step (torch)
def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """D's binary cross-entropy, real -> 1 and fake -> 0: -log D(x) - log(1 - D(G(z))), the
    mean over the batch. logits (n, 1) -> a scalar; stacked (copies, n, 1) -> (copies,).
    With D = sigmoid(l): -log D = softplus(-l) and -log(1 - D) = softplus(l)."""
    return (F.softplus(-real_logits) + F.softplus(fake_logits)).mean(dim=(-2, -1))


def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """G's non-saturating loss -log D(G(z)), the mean over the batch, from D's logits on the
    fakes: (n, 1) -> a scalar; stacked (copies, n, 1) -> (copies,)."""
    return F.softplus(-fake_logits).mean(dim=(-2, -1))


def r1_penalty(
    discriminator: nn.Module, real: torch.Tensor, gamma: float | torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(gamma / 2) * mean over real x of ||grad_x D(x)||^2 (D(x) the logit), and D's logits on
    real. real: (n, ...) or (copies, n, 2); gamma: a number, or per copy (copies, 1, 1)."""
    if not torch.as_tensor(gamma).any():  # no penalty: skip the second-order gradient
        return torch.zeros(()), discriminator(real)
    real = real.detach().requires_grad_(True)
    logits = discriminator(real)
    (slope,) = torch.autograd.grad(logits.sum(), real, create_graph=True)
    return (gamma / 2 * slope.pow(2)).sum() / logits.shape[-2], logits


def update_average(average: nn.Module, model: nn.Module, decay: float | torch.Tensor) -> None:
    """Exponential moving average of the weights, in place: a <- decay a + (1 - decay) w.

    decay: a number, or per copy (copies, 1, 1). Buffers (BatchNorm statistics) are copied."""
    with torch.no_grad():
        for a, w in zip(average.parameters(), model.parameters(), strict=True):
            a.lerp_(w, 1 - decay)
        for a, w in zip(average.buffers(), model.buffers(), strict=True):
            a.copy_(w)


def gan_step(
    generator: nn.Module,
    discriminator: nn.Module,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    real: torch.Tensor,
    z: torch.Tensor,
    r1: float | torch.Tensor = 0.0,
) -> dict[str, torch.Tensor]:
    """One round of the game on real data (n, ...) and latent vectors z (n, d) (stacked networks:
    a leading copies axis on both): D takes a step to tell real from fake, then G a step to fool
    the updated D. Returns D's and G's losses and D's mean answer on the real and on the fakes,
    each a scalar (stacked: (copies,))."""
    fake = generator(z)
    penalty, real_logits = r1_penalty(discriminator, real, r1)
    fake_logits = discriminator(fake.detach())  # detach: D's step does not reach G
    loss_d = discriminator_loss(real_logits, fake_logits)
    opt_d.zero_grad()
    (loss_d.sum() + penalty).backward()  # copies are independent: the sum trains each one
    opt_d.step()
    loss_g = generator_loss(discriminator(fake))  # the updated D judges the same fakes
    opt_g.zero_grad()
    loss_g.sum().backward()  # also fills D's .grad: opt_d.zero_grad() clears it next round
    opt_g.step()
    d_real, d_fake = (x.detach().sigmoid().mean((-2, -1)) for x in (real_logits, fake_logits))
    return {"D": loss_d.detach(), "G": loss_g.detach(), "D(x)": d_real, "D(G(z))": d_fake}


# ------------------------------------------------------------- many small networks at once (torch)
class StackedMLP(nn.Module):
    """``copies`` independent MLPs as one module: x (copies, n, sizes[0]) -> (copies, n, sizes[-1]).

    Each copy has its own weights (copies, n_in, n_out); one batched matrix product evaluates all
    copies, so training several GANs costs little more than training one. Per copy: ``slopes``,
    the negative slope of the hidden activation (0.2: LeakyReLU, 0: ReLU); ``dropouts``, the rate
    after each hidden activation; ``tanh_scales``, 0 for a linear output or s > 0 for s tanh(x).
    """

    def __init__(
        self,
        sizes: list[int],
        copies: int = 1,
        *,
        slopes: list[float] | None = None,
        dropouts: list[float] | None = None,
        tanh_scales: list[float] | None = None,
    ) -> None:
        super().__init__()
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least 2 positive layer sizes, got {sizes}")
        per_copy = {"slopes": slopes or [0.2] * copies, "dropouts": dropouts or [0.0] * copies,
                    "tanh_scales": tanh_scales or [0.0] * copies}  # fmt: skip
        for name, values in per_copy.items():
            if len(values) != copies:
                raise ValueError(f"{name} must have one value per copy ({copies}), got {values}")
            self.register_buffer(name, torch.tensor(values, dtype=torch.float32).reshape(-1, 1, 1))
        self.sizes, self.copies = list(sizes), copies
        bounds = [1 / math.sqrt(n_in) for n_in in sizes[:-1]]  # nn.Linear's uniform range
        self.weights = nn.ParameterList(
            nn.Parameter(torch.empty(copies, a, b).uniform_(-r, r))
            for (a, b), r in zip(itertools.pairwise(sizes), bounds, strict=True)
        )
        self.biases = nn.ParameterList(
            nn.Parameter(torch.empty(copies, 1, b).uniform_(-r, r))
            for b, r in zip(sizes[1:], bounds, strict=True)
        )
        self.same_slope = per_copy["slopes"][0] if len(set(per_copy["slopes"])) == 1 else None
        self.dropping = [k for k, rate in enumerate(per_copy["dropouts"]) if rate > 0]
        self.squash = any(per_copy["tanh_scales"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3 or x.shape[0] != self.copies or x.shape[2] != self.sizes[0]:
            raise ValueError(f"input must have shape (copies={self.copies}, n, {self.sizes[0]}),"
                             f" got {tuple(x.shape)}")  # fmt: skip
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            x = torch.baddbmm(b, x, w)
            if k < last:
                x = self.activate(x)
        if self.squash:
            x = torch.where(self.tanh_scales > 0, self.tanh_scales * torch.tanh(x), x)
        return x

    def activate(self, x: torch.Tensor) -> torch.Tensor:
        """Leaky ReLU with each copy's slope, then each copy's dropout (in training)."""
        if self.same_slope is not None:
            x = F.leaky_relu(x, self.same_slope)
        else:  # s x + (1 - s) relu(x): x where x > 0, s x elsewhere
            x = self.slopes * x + (1 - self.slopes) * torch.relu(x)
        if self.training and self.dropping:  # random masks only for the copies that drop
            mask = torch.ones_like(x)
            rate = self.dropouts[self.dropping]
            keep = torch.rand((len(rate), *x.shape[1:])) >= rate
            mask[self.dropping] = keep / (1 - rate)
            x = x * mask
        return x


def generate_points(
    generator: StackedMLP, n: int, noise: torch.Generator | None = None
) -> np.ndarray:
    """n samples from every copy of a stacked ring generator: (copies, n, 2) numpy, from normal
    latent vectors drawn with ``noise`` (default: torch's global random number generator)."""
    z = torch.randn((generator.copies, n, generator.sizes[0]), generator=noise)
    with torch.no_grad():
        return generator.eval()(z).numpy()


def latent_map(
    generator: StackedMLP,
    index: int = 0,
    *,
    extent: float = 3.0,
    resolution: int = 200,
    ring: Ring = RING,
) -> tuple[np.ndarray, np.ndarray]:
    """Where copy ``index`` of a ring generator with a 2-D normal latent sends a latent grid.

    The grid covers [-extent, extent]^2 with resolution^2 points. Returns labels (resolution,
    resolution): the mode (0 .. modes-1) that G(z) lands within 3 std of, or -1 between modes (a
    bridge); and mass (resolution, resolution): the N(0, I) probability of each grid cell, so
    mass[labels == -1].sum() is the share of samples on bridges. Row i, column j is
    z = (axis[j], axis[i]), as ``imshow`` draws it.
    """
    if generator.sizes[0] != 2:
        raise ValueError(f"latent_map needs a 2-D latent, got noise_dim {generator.sizes[0]}")
    if not 0 <= index < generator.copies:
        raise ValueError(f"index must lie in [0, {generator.copies}), got {index}")
    axis = np.linspace(-extent, extent, resolution)
    gx, gy = np.meshgrid(axis, axis)
    z = torch.tensor(np.column_stack([gx.ravel(), gy.ravel()]), dtype=torch.float32)
    with torch.no_grad():
        points = generator.eval()(z.expand(generator.copies, -1, -1))[index].numpy()
    cell = (axis[1] - axis[0]) ** 2
    mass = np.exp(-(gx**2 + gy**2) / 2) / (2 * np.pi) * cell
    return mode_labels(points, ring).reshape(resolution, resolution), mass

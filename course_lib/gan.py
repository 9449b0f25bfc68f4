"""Generative adversarial networks (lesson 07): the GAN game, a ring of Gaussians, a digit DCGAN.

numpy part: the ring of Gaussians and its metrics (modes covered, high-quality samples), the
optimal discriminator and the two generator losses. torch part (imported inside the functions):
small generator/discriminator networks, one training loop for the ring that trains several seeds
at once, and a DCGAN for the 8x8 digits judged by the course's digit CNN.
"""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    import torch
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


# ------------------------------------------------------------------------ the game (numpy)
def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)), elementwise (any equal shapes, densities >= 0)."""
    p_data, p_g = np.asarray(p_data, dtype=float), np.asarray(p_g, dtype=float)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data and p_g must have equal shapes, got {p_data.shape}, {p_g.shape}")
    if np.any(p_data < 0) or np.any(p_g < 0) or np.any(p_data + p_g == 0):
        raise ValueError("densities must be >= 0 and not both 0 at a point")
    return p_data / (p_data + p_g)


def generator_losses(d_fake: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The two generator losses as functions of D(G(z)) in (0, 1), with their slopes.

    Returns name -> (loss, d loss / d logit), where logit = log(D / (1 - D)) is the
    discriminator's pre-sigmoid output: 'saturating' is log(1 - D) (the minimax loss, its slope
    -D vanishes when D is near 0), 'non-saturating' is -log D (slope D - 1, near -1 there).
    """
    d = np.asarray(d_fake, dtype=float)
    if np.any(d <= 0) or np.any(d >= 1):
        raise ValueError("d_fake must lie strictly between 0 and 1")
    return {"saturating": (np.log1p(-d), -d), "non-saturating": (-np.log(d), d - 1)}


# ------------------------------------------------------------------- networks for the ring (torch)
@dataclass(frozen=True)
class RingGAN:
    """Settings of a ring GAN (the defaults are the lesson's recipe). The first block is shared by
    all copies trained together: network sizes, Adam's learning rates and betas, and the share of
    the run after which both rates decay linearly to 0 (1.0: they never decay). The second block,
    the ablation's knobs, may differ from copy to copy: hidden activation, latent distribution,
    output layer, dropout in D, label noise for D, generator loss, the decay of the generator's
    weight average (0: no averaging) and the weight of D's R1 gradient penalty (0: none)."""

    steps: int = 3500
    batch: int = 64
    noise_dim: int = 2
    hidden: int = 64
    g_layers: int = 4
    d_layers: int = 4
    lr_g: float = 3e-3
    lr_d: float = 3e-3
    betas: tuple[float, float] = (0.5, 0.999)
    decay_from: float = 0.5

    activation: Literal["leaky", "relu"] = "leaky"
    latent: Literal["normal", "uniform"] = "normal"
    output: Literal["linear", "tanh"] = "linear"
    d_dropout: float = 0.0
    label_noise: float = 0.0
    loss: Literal["non-saturating", "saturating"] = "non-saturating"
    ema: float = 0.998
    r1: float = 0.03


SHARED_FIELDS = ("steps", "batch", "noise_dim", "hidden", "g_layers", "d_layers", "lr_g", "lr_d",
                 "betas", "decay_from")  # fmt: skip


def learning_rate_factor(step: int, steps: int, decay_from: float) -> float:
    """The factor on the learning rate at ``step`` of ``steps``: 1 until the share ``decay_from``
    of the run, then falling linearly to 0 at the end (decay_from = 1: always 1)."""
    if not 0 <= decay_from <= 1:
        raise ValueError(f"decay_from must lie in [0, 1], got {decay_from}")
    start = decay_from * steps
    if step <= start or decay_from == 1:
        return 1.0
    return max(0.0, (steps - step) / (steps - start))


def _per_copy(values) -> torch.Tensor:
    """A list of per-copy numbers as a (copies, 1, 1) float tensor that broadcasts over a batch."""
    import torch

    return torch.tensor([float(v) for v in values]).reshape(-1, 1, 1)


def stacked_mlp(
    sizes: list[int],
    copies: int = 1,
    *,
    slopes: list[float] | None = None,
    dropouts: list[float] | None = None,
    tanh_scales: list[float] | None = None,
):
    """``copies`` independent MLPs as one module: x (copies, n, sizes[0]) -> (copies, n, sizes[-1]).

    Each copy has its own weights (copies, n_in, n_out); batched matrix products evaluate all
    copies at once, so training many GANs costs little more than training one. Per copy:
    slopes: negative slope of the hidden activation (0.2 = LeakyReLU, 0 = ReLU); dropouts: dropout
    rate after each hidden activation; tanh_scales: 0 for a linear output, s > 0 for s tanh(x).
    """
    import torch
    from torch import nn

    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list at least 2 positive layer sizes, got {sizes}")
    per_copy = {"slopes": slopes or [0.2] * copies, "dropouts": dropouts or [0.0] * copies,
                "tanh_scales": tanh_scales or [0.0] * copies}  # fmt: skip
    for name, values in per_copy.items():
        if len(values) != copies:
            raise ValueError(f"{name} must have one value per copy ({copies}), got {len(values)}")

    class Stacked(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.sizes, self.copies = list(sizes), copies
            pairs = [_stacked_linear(copies, a, b) for a, b in itertools.pairwise(sizes)]
            self.weights = nn.ParameterList([w for w, _ in pairs])
            self.biases = nn.ParameterList([b for _, b in pairs])
            for name, values in per_copy.items():
                self.register_buffer(name, _per_copy(values))
            slopes = set(per_copy["slopes"])
            self.same_slope = slopes.pop() if len(slopes) == 1 else None
            self.dropping = [k for k, rate in enumerate(per_copy["dropouts"]) if rate > 0]
            self.drop = bool(self.dropping)
            self.squash = any(per_copy["tanh_scales"])

        def forward(self, x):
            if x.ndim != 3 or x.shape[0] != copies or x.shape[2] != sizes[0]:
                raise ValueError(
                    f"input must have shape (copies={copies}, n, {sizes[0]}), got {tuple(x.shape)}"
                )
            last = len(self.weights) - 1
            for k, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
                x = torch.baddbmm(b, x, w)
                if k < last:
                    x = self.activate(x)
            if self.squash:
                x = torch.where(self.tanh_scales > 0, self.tanh_scales * torch.tanh(x), x)
            return x

        def activate(self, x):
            """Leaky ReLU with each copy's slope, then each copy's dropout (in training)."""
            if self.same_slope is not None:
                x = torch.nn.functional.leaky_relu(x, self.same_slope)
            else:  # s x + (1 - s) relu(x): x where x > 0, s x elsewhere (much faster than where)
                x = self.slopes * x + (1 - self.slopes) * torch.relu(x)
            if self.training and self.drop:  # random masks only for the copies that drop
                mask = torch.ones_like(x)
                rate = self.dropouts[self.dropping]
                keep = torch.rand((len(rate), *x.shape[1:])) >= rate
                mask[self.dropping] = keep / (1 - rate)
                x = x * mask
            return x

    return Stacked()


def _stacked_linear(copies: int, n_in: int, n_out: int):
    """Weights (copies, n_in, n_out) and biases (copies, 1, n_out), uniform +-1/sqrt(n_in)."""
    import torch

    bound = 1 / math.sqrt(n_in)
    weight = torch.empty(copies, n_in, n_out).uniform_(-bound, bound)
    bias = torch.empty(copies, 1, n_out).uniform_(-bound, bound)
    return torch.nn.Parameter(weight), torch.nn.Parameter(bias)


def check_configs(configs: list[RingGAN]) -> RingGAN:
    """The shared settings of configs trained together (they must agree); returns the first."""
    if not configs:
        raise ValueError("configs must hold at least one RingGAN, got none")
    for name in SHARED_FIELDS:
        values = {getattr(c, name) for c in configs}
        if len(values) > 1:
            raise ValueError(f"configs trained together must share {name}, got {sorted(values)}")
    return configs[0]


def ring_networks(configs: list[RingGAN], ring: Ring = RING):
    """Stacked generator (copies, n, noise_dim) -> (copies, n, 2) and discriminator
    (copies, n, 2) -> logits (copies, n, 1), one copy per config."""
    shared = check_configs(configs)
    slopes = [0.2 if c.activation == "leaky" else 0.0 for c in configs]
    scale = ring.radius + 4 * ring.std
    generator = stacked_mlp(
        [shared.noise_dim] + [shared.hidden] * shared.g_layers + [2], len(configs),
        slopes=slopes, tanh_scales=[scale if c.output == "tanh" else 0.0 for c in configs],
    )  # fmt: skip
    discriminator = stacked_mlp(
        [2] + [shared.hidden] * shared.d_layers + [1], len(configs),
        slopes=slopes, dropouts=[c.d_dropout for c in configs],
    )  # fmt: skip
    return generator, discriminator


def sample_latent(
    shape: tuple[int, int, int], uniform: torch.Tensor, noise: torch.Generator | None = None
) -> torch.Tensor:
    """Latent vectors (copies, n, d): N(0, I), or U(-sqrt 3, sqrt 3) (same variance) for the
    copies where ``uniform`` (a (copies, 1, 1) tensor of 0/1) is 1. noise: the random number
    generator to draw from (default: torch's global one)."""
    import torch

    normal = torch.randn(shape, generator=noise)
    if not uniform.any():
        return normal
    flat = (torch.rand(shape, generator=noise) * 2 - 1) * math.sqrt(3)
    return torch.where(uniform > 0, flat, normal)


def discriminator_loss(
    real_logits: torch.Tensor, fake_logits: torch.Tensor, label_noise: float | torch.Tensor = 0.0
) -> torch.Tensor:
    """Binary cross-entropy of D: real -> 1, fake -> 0 (mean over the batch, summed over copies).

    logits: (copies, n, 1) each. label_noise, written a here (a number, or per copy (copies, 1,
    1)), softens the targets at random: real 1 - a u, fake a u, with u ~ U(0, 1) (seed 003's
    noisy labels).
    """
    import torch
    import torch.nn.functional as F

    ones = 1 - label_noise * torch.rand_like(real_logits)
    zeros = label_noise * torch.rand_like(fake_logits)
    real = F.binary_cross_entropy_with_logits(real_logits, ones, reduction="none")
    fake = F.binary_cross_entropy_with_logits(fake_logits, zeros, reduction="none")
    return (real.mean(dim=(1, 2)) + fake.mean(dim=(1, 2))).sum()


def generator_loss(
    fake_logits: torch.Tensor, saturating: float | torch.Tensor = 0.0
) -> torch.Tensor:
    """G's loss from D's logits on fakes (copies, n, 1), mean over the batch, summed over copies:
    -log D (non-saturating), or log(1 - D) where ``saturating`` (number or (copies, 1, 1)) is 1."""
    import torch
    import torch.nn.functional as F

    per_sample = torch.where(
        torch.as_tensor(saturating) > 0, -F.softplus(fake_logits), F.softplus(-fake_logits)
    )
    return per_sample.mean(dim=(1, 2)).sum()


def r1_penalty(
    discriminator: nn.Module, real: torch.Tensor, weight: float | torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """R1 gradient penalty, (weight / 2) * mean ||grad_x D(x)||^2 over real points x (copies, n, 2),
    summed over copies; weight is a number or per copy (copies, 1, 1). It also returns D's logits
    on ``real`` (copies, n, 1), so the caller needs no second pass. Penalising D's slope at the
    data keeps D from sharpening without limit around the modes (Mescheder et al., 2018)."""
    import torch

    weight = torch.as_tensor(weight)
    if not weight.any():  # no penalty: skip the second-order gradient
        return torch.zeros(()), discriminator(real)
    real = real.detach().requires_grad_(True)
    logits = discriminator(real)
    (slope,) = torch.autograd.grad(logits.sum(), real, create_graph=True)
    penalty = (weight / 2 * slope.pow(2).sum(dim=2, keepdim=True)).mean(dim=(1, 2))
    return penalty.sum(), logits


@dataclass
class RingRun:
    """Trained ring GANs (one copy per config) and what was recorded along the way.

    snapshots: list of (step, samples of copy 0 (n, 2), D(x) of copy 0 on ``ring_grid()``
    reshaped (res, res)). scores: one RingScore per copy (its averaged generator, ``eval_samples``
    samples). losses: per step, the mean over copies of D's loss (without the R1 term) and G's.
    """

    configs: list[RingGAN]
    seed: int
    generator: nn.Module
    discriminator: nn.Module
    snapshots: list[tuple[int, np.ndarray, np.ndarray]]
    scores: list[RingScore]
    losses: dict[str, list[float]]


def ring_grid(ring: Ring = RING, resolution: int = 60) -> np.ndarray:
    """Points (resolution^2, 2) of a square grid that covers the ring with a margin."""
    edge = ring.radius * 1.5
    axis = np.linspace(-edge, edge, resolution)
    gx, gy = np.meshgrid(axis, axis)
    return np.column_stack([gx.ravel(), gy.ravel()])


def generate_points(
    generator: nn.Module,
    n: int,
    uniform: torch.Tensor | None = None,
    noise: torch.Generator | None = None,
) -> np.ndarray:
    """n samples from every copy of a stacked ring generator: (copies, n, 2) numpy (latent
    vectors drawn from ``noise``, default torch's global random number generator)."""
    import torch

    uniform = torch.zeros(generator.copies, 1, 1) if uniform is None else uniform
    with torch.no_grad():
        return generator.eval()(
            sample_latent((generator.copies, n, generator.sizes[0]), uniform, noise)
        ).numpy()


def train_ring_gan(
    configs: RingGAN | list[RingGAN] = RingGAN(),
    *,
    seed: int = 0,
    copies: int = 1,
    snapshot_steps: tuple[int, ...] = (),
    eval_samples: int = 2000,
    ring: Ring = RING,
) -> RingRun:
    """Train independent GANs on the ring in one batched run (torch and data seeded by ``seed``).

    configs: one config per copy, or one config repeated ``copies`` times (several seeds).
    Each step: one D update on a fresh real batch and a fake batch (plus the R1 penalty), then one
    G update on the same fakes (G has not changed in between). The generator that is scored and
    snapshotted is the exponential moving average of G's weights (decay ``ema``).
    """
    import torch

    configs = [configs] * copies if isinstance(configs, RingGAN) else list(configs)
    shared = check_configs(configs)
    if shared.steps < 1 or shared.batch < 1:
        raise ValueError(f"steps and batch must be >= 1, got {shared.steps}, {shared.batch}")
    torch.manual_seed(seed)
    data_rng = np.random.default_rng(seed)
    looking = torch.Generator().manual_seed(seed)  # for snapshots and scores: never for training
    generator, discriminator = ring_networks(configs, ring)
    averaged = copy.deepcopy(generator)
    # fused: Adam's update for all parameters in one kernel (the same algorithm, ~15 % faster here)
    opt_g = torch.optim.Adam(generator.parameters(), shared.lr_g, shared.betas, fused=True)
    opt_d = torch.optim.Adam(discriminator.parameters(), shared.lr_d, shared.betas, fused=True)
    schedules = [
        torch.optim.lr_scheduler.LambdaLR(
            opt, lambda t: learning_rate_factor(t, shared.steps, shared.decay_from)
        )
        for opt in (opt_g, opt_d)
    ]
    uniform = _per_copy([c.latent == "uniform" for c in configs])
    label_noise = _per_copy([c.label_noise for c in configs])
    saturating = _per_copy([c.loss == "saturating" for c in configs])
    ema = _per_copy([c.ema for c in configs])
    r1 = _per_copy([c.r1 for c in configs])
    n, shape = shared.batch, (len(configs), shared.batch, shared.noise_dim)
    grid = torch.tensor(ring_grid(ring), dtype=torch.float32).expand(len(configs), -1, -1)
    snapshots, losses = [], {"D": [], "G": []}

    for step in range(shared.steps + 1):
        if step in snapshot_steps:
            with torch.no_grad():
                d_grid = torch.sigmoid(discriminator.eval()(grid))[0, :, 0].numpy()
            side = math.isqrt(len(d_grid))
            points = generate_points(averaged, 500, uniform, looking)[0]
            snapshots.append((step, points, d_grid.reshape(side, side)))
        if step == shared.steps:
            break
        generator.train(), discriminator.train()
        real = torch.tensor(sample_ring(len(configs) * n, data_rng, ring), dtype=torch.float32)
        fake = generator(sample_latent(shape, uniform))
        penalty, real_logits = r1_penalty(discriminator, real.reshape(len(configs), n, 2), r1)
        loss_d = discriminator_loss(real_logits, discriminator(fake.detach()), label_noise)
        opt_d.zero_grad()
        (loss_d + penalty).backward()
        opt_d.step()
        loss_g = generator_loss(discriminator(fake), saturating)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        for schedule in schedules:
            schedule.step()
        with torch.no_grad():  # warm-up (1 + t) / (10 + t): forget the random start quickly
            keep = torch.clamp(ema, max=(1 + step) / (10 + step))
            for mean, current in zip(averaged.parameters(), generator.parameters(), strict=True):
                mean.lerp_(current, 1 - keep)
        losses["D"].append(loss_d.item() / len(configs))
        losses["G"].append(loss_g.item() / len(configs))

    samples = generate_points(averaged, eval_samples, uniform, looking)
    return RingRun(
        configs=configs,
        seed=seed,
        generator=averaged.eval(),
        discriminator=discriminator.eval(),
        snapshots=snapshots,
        scores=[ring_score(s, ring) for s in samples],
        losses=losses,
    )


def latent_map(
    generator: nn.Module,
    index: int = 0,
    *,
    extent: float = 3.0,
    resolution: int = 200,
    ring: Ring = RING,
) -> tuple[np.ndarray, np.ndarray]:
    """Where a ring generator with a 2-D normal latent sends each point of a latent grid.

    The grid covers [-extent, extent]^2 with resolution^2 points; the copy drawn is number
    ``index``. Returns labels (resolution, resolution): the mode (0 .. modes-1) that G(z) lands
    within 3 std of, or -1 for a point between modes (a bridge); and mass (resolution,
    resolution): the N(0, I) probability of each grid cell, so mass[labels == -1].sum() is the
    share of samples that fall on bridges. Row i, column j is z = (axis[j], axis[i]), as
    ``imshow`` draws it.
    """
    import torch

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


# ------------------------------------------------------------------ a DCGAN for the digits (torch)
SEED_003_LATENT_DIM = 32  # seed 003, the DCGAN code: latent_dim = 32
SEED_003_BATCH_SIZE = 20  # seed 003, the training loop: batch_size = 20
SEED_003_ITERATIONS = 10000  # seed 003, the training loop: iterations = 10000


def digit_generator(latent_dim: int = SEED_003_LATENT_DIM):
    """DCGAN generator z (n, latent_dim) -> images (n, 1, 8, 8) in [-1, 1].

    dense -> 64x2x2 -> transposed conv k4 s2 -> 32x4x4 -> transposed conv k4 s2 -> 1x8x8 -> tanh,
    LeakyReLU(0.2) between layers (seed 003's recipe, scaled down).
    """
    from torch import nn

    class DigitGenerator(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.latent_dim = latent_dim
            self.net = nn.Sequential(
                nn.Linear(latent_dim, 64 * 2 * 2), nn.LeakyReLU(0.2), nn.Unflatten(1, (64, 2, 2)),
                nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
                nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1), nn.Tanh(),
            )  # fmt: skip

        def forward(self, z):
            if z.ndim != 2 or z.shape[1] != self.latent_dim:
                raise ValueError(f"z must have shape (n, {self.latent_dim}), got {tuple(z.shape)}")
            return self.net(z)

    return DigitGenerator()


def digit_discriminator(dropout: float = 0.4):
    """DCGAN discriminator images (n, 1, 8, 8) -> logits (n, 1).

    conv k4 s2 -> 32x4x4 -> conv k4 s2 -> 64x2x2 -> dropout -> dense; LeakyReLU(0.2); strided
    convolutions instead of pooling and a kernel divisible by the stride (seed 003's tips).
    """
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 32, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Conv2d(32, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Dropout(dropout), nn.Linear(64 * 2 * 2, 1),
    )  # fmt: skip


@dataclass
class DigitRun:
    """A trained digit DCGAN: the averaged generator, image snapshots (step, (k, 8, 8) in [0, 1])
    of fixed latent vectors, and the per-step losses."""

    generator: nn.Module
    discriminator: nn.Module
    snapshots: list[tuple[int, np.ndarray]]
    losses: dict[str, list[float]]


def digits_to_tanh_range(images: np.ndarray):
    """Digit images (n, 8, 8) in [0, 1] -> torch tensor (n, 1, 8, 8) in [-1, 1]."""
    import torch

    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3 or images.shape[1:] != (8, 8):
        raise ValueError(f"images must have shape (n, 8, 8), got {images.shape}")
    return torch.from_numpy(images[:, None] * 2 - 1)


def generate_digits(generator, z) -> np.ndarray:
    """Images (n, 8, 8) in [0, 1] from latent vectors z (n, latent_dim) (numpy or torch)."""
    import torch

    z = torch.as_tensor(np.asarray(z, dtype=np.float32))
    with torch.no_grad():
        return ((generator.eval()(z)[:, 0] + 1) / 2).numpy()


def train_digit_gan(
    images: np.ndarray,
    *,
    steps: int = 1500,
    batch: int = 64,
    lr: float = 1e-3,
    label_noise: float = 0.05,
    ema: float = 0.995,
    seed: int = 0,
    snapshot_steps: tuple[int, ...] = (),
    snapshot_count: int = 16,
) -> DigitRun:
    """Train the digit DCGAN on images (n, 8, 8) in [0, 1] with Adam (betas 0.5, 0.999).

    Each step: D learns from a real and a fake batch with noisy labels (``label_noise``), then G
    learns from the same fakes. The generator kept is the moving average of its weights;
    snapshots show the averaged generator on ``snapshot_count`` fixed latent vectors.
    """
    import torch

    if steps < 1 or batch < 1:
        raise ValueError(f"steps and batch must be >= 1, got {steps}, {batch}")
    data = digits_to_tanh_range(images)
    torch.manual_seed(seed)
    generator, discriminator = digit_generator(), digit_discriminator()
    averaged = copy.deepcopy(generator)
    opt_g = torch.optim.Adam(generator.parameters(), lr, (0.5, 0.999), foreach=True)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr, (0.5, 0.999), foreach=True)
    fixed_z = torch.randn(snapshot_count, generator.latent_dim)
    snapshots, losses = [], {"D": [], "G": []}
    for step in range(steps + 1):
        if step in snapshot_steps:
            snapshots.append((step, generate_digits(averaged, fixed_z)))
        if step == steps:
            break
        generator.train(), discriminator.train()
        real = data[torch.randint(len(data), (batch,))]
        fake = generator(torch.randn(batch, generator.latent_dim))
        logits = discriminator(torch.cat([real, fake.detach()]))[None]
        loss_d = discriminator_loss(logits[:, :batch], logits[:, batch:], label_noise)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = generator_loss(discriminator(fake)[None])
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        with torch.no_grad():
            decay = min(ema, (1 + step) / (10 + step))
            torch._foreach_lerp_(
                list(averaged.parameters()), list(generator.parameters()), 1 - decay
            )
        losses["D"].append(loss_d.item())
        losses["G"].append(loss_g.item())
    return DigitRun(averaged.eval(), discriminator.eval(), snapshots, losses)


@dataclass(frozen=True)
class DigitJudgement:
    """The digit CNN's verdict on generated images: share classified with confidence above the
    threshold, how many of each class (among the confident ones), and the evenness of those
    counts (entropy / log 10: 1 is perfectly even, 0 is a single class)."""

    confident: float
    counts: np.ndarray
    evenness: float


def judge_digits(images: np.ndarray, classifier, *, threshold: float = 0.9) -> DigitJudgement:
    """Judge images (n, 8, 8) in [0, 1] with a digit classifier returning logits (n, 10)."""
    import torch

    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3 or images.shape[1:] != (8, 8):
        raise ValueError(f"images must have shape (n, 8, 8), got {images.shape}")
    with torch.no_grad():
        probs = torch.softmax(classifier(torch.from_numpy(images[:, None])), dim=1).numpy()
    sure = probs.max(axis=1) > threshold
    counts = np.bincount(probs.argmax(axis=1)[sure], minlength=probs.shape[1])
    share = counts[counts > 0] / max(counts.sum(), 1)
    evenness = float(-(share * np.log(share)).sum() / np.log(probs.shape[1]))
    return DigitJudgement(confident=float(sure.mean()), counts=counts, evenness=evenness)


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
    import torch
    import torch.nn.functional as F

    if kernel < 1 or stride < 1:
        raise ValueError(f"kernel and stride must be >= 1, got {kernel}, {stride}")
    out = F.conv_transpose2d(
        torch.ones(1, 1, size, size), torch.ones(1, 1, kernel, kernel), stride=stride
    )[0, 0]
    crop = kernel  # the borders see fewer inputs whatever the kernel; look inside
    return out[crop:-crop, crop:-crop].numpy().astype(int)

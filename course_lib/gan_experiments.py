"""The experiments of lesson 07: drivers that train GANs with ``gan.gan_step`` and record them.

- ``train_ring_gan``: several ring GANs at once (one ``StackedMLP`` copy per config), with
  snapshots of the samples and of D, the per-step curves and the final scores;
- ``train_dcgan``: the digit DCGAN of ``course_lib.dcgan``, with its curves and image snapshots;
- ``build_shipped_dcgan``: the long DCGAN run whose generator ships in ``datasets/``
  (``make dcgan``; the slow test retrains it).
"""

import copy
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import torch

from course_lib import data, dcgan, gan

CURVES = ("D", "G", "D(x)", "D(G(z))")


# ------------------------------------------------------------------------------------ the ring
@dataclass(frozen=True)
class RingGAN:
    """Settings of a ring GAN (the defaults are the lesson's recipe).

    Shared by all copies trained together: network sizes, Adam's learning rates and betas, the
    share of the run after which both rates decay linearly to 0 (1.0: never), and the decay of
    the generator's weight average (0: none). Per copy (the ablation's knobs): the hidden
    activation, the output layer, dropout in D and the weight of D's R1 penalty.
    """

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
    ema: float = 0.998

    activation: Literal["leaky", "relu"] = "leaky"
    output: Literal["linear", "tanh"] = "linear"
    d_dropout: float = 0.0
    r1: float = 0.03


SHARED_FIELDS = ("steps", "batch", "noise_dim", "hidden", "g_layers", "d_layers", "lr_g", "lr_d",
                 "betas", "decay_from", "ema")  # fmt: skip


def check_configs(configs: list[RingGAN]) -> RingGAN:
    """The shared settings of configs trained together (they must agree); returns the first."""
    if not configs:
        raise ValueError("configs must hold at least one RingGAN, got none")
    for name in SHARED_FIELDS:
        values = {getattr(c, name) for c in configs}
        if len(values) > 1:
            raise ValueError(f"configs trained together must share {name}, got {sorted(values)}")
    return configs[0]


def learning_rate_factor(step: int, steps: int, decay_from: float) -> float:
    """The factor on the learning rate at ``step`` of ``steps``: 1 until the share ``decay_from``
    of the run, then falling linearly to 0 at the end (decay_from = 1: always 1)."""
    if not 0 <= decay_from <= 1:
        raise ValueError(f"decay_from must lie in [0, 1], got {decay_from}")
    start = decay_from * steps
    if step <= start or decay_from == 1:
        return 1.0
    return max(0.0, (steps - step) / (steps - start))


def ring_networks(
    configs: list[RingGAN], ring: gan.Ring = gan.RING
) -> tuple[gan.StackedMLP, gan.StackedMLP]:
    """Stacked generator (copies, n, noise_dim) -> (copies, n, 2) and discriminator
    (copies, n, 2) -> logits (copies, n, 1), one copy per config."""
    shared = check_configs(configs)
    slopes = [0.2 if c.activation == "leaky" else 0.0 for c in configs]
    scale = ring.radius + 4 * ring.std
    generator = gan.StackedMLP(
        [shared.noise_dim] + [shared.hidden] * shared.g_layers + [2], len(configs),
        slopes=slopes, tanh_scales=[scale if c.output == "tanh" else 0.0 for c in configs],
    )  # fmt: skip
    discriminator = gan.StackedMLP(
        [2] + [shared.hidden] * shared.d_layers + [1], len(configs),
        slopes=slopes, dropouts=[c.d_dropout for c in configs],
    )  # fmt: skip
    return generator, discriminator


@dataclass
class RingRun:
    """Trained ring GANs (one copy per config) and what was recorded along the way.

    snapshots: (step, samples of copy 0 (500, 2), D(x) of copy 0 on ``gan.ring_grid()`` as
    (res, res)). scores: one RingScore per copy (its averaged generator, ``eval_samples``
    samples); raw_scores: the same for the last weights of G, not averaged. curves: name ->
    (steps, copies), each step's D loss (without the R1 term), G loss, mean D(x) on the real
    batch and mean D(G(z)) on the fakes.
    """

    configs: list[RingGAN]
    seed: int
    generator: gan.StackedMLP
    discriminator: gan.StackedMLP
    snapshots: list[tuple[int, np.ndarray, np.ndarray]]
    scores: list[gan.RingScore]
    raw_scores: list[gan.RingScore]
    curves: dict[str, np.ndarray] = field(repr=False)


def _per_copy(values: list[float]) -> torch.Tensor:
    """Per-copy numbers as a (copies, 1, 1) float tensor that broadcasts over a batch."""
    return torch.tensor([float(v) for v in values]).reshape(-1, 1, 1)


def train_ring_gan(
    configs: RingGAN | list[RingGAN] = RingGAN(),
    *,
    seed: int = 0,
    copies: int = 1,
    snapshot_steps: tuple[int, ...] = (),
    eval_samples: int = 2000,
    ring: gan.Ring = gan.RING,
) -> RingRun:
    """Train independent GANs on the ring in one batched run (torch and data seeded by ``seed``).

    configs: one config per copy, or one config repeated ``copies`` times (several seeds). Each
    step is ``gan.gan_step`` on a fresh real batch per copy; the generator that is scored and
    snapshotted is the moving average of G's weights (decay ``ema``, with a short warm-up).
    """
    configs = [configs] * copies if isinstance(configs, RingGAN) else list(configs)
    shared = check_configs(configs)
    if shared.steps < 1 or shared.batch < 1:
        raise ValueError(f"steps and batch must be >= 1, got {shared.steps}, {shared.batch}")
    torch.manual_seed(seed)
    data_rng = np.random.default_rng(seed)
    looking = torch.Generator().manual_seed(seed)  # for snapshots and scores, never for training
    generator, discriminator = ring_networks(configs, ring)
    average = copy.deepcopy(generator)
    # fused: Adam's update for all parameters in one kernel (the same algorithm, faster here)
    opt_g = torch.optim.Adam(generator.parameters(), shared.lr_g, shared.betas, fused=True)
    opt_d = torch.optim.Adam(discriminator.parameters(), shared.lr_d, shared.betas, fused=True)
    factor = lambda t: learning_rate_factor(t, shared.steps, shared.decay_from)  # noqa: E731
    schedules = [torch.optim.lr_scheduler.LambdaLR(opt, factor) for opt in (opt_g, opt_d)]
    r1 = _per_copy([c.r1 for c in configs])
    n, k = shared.batch, len(configs)
    grid = torch.tensor(gan.ring_grid(ring), dtype=torch.float32).expand(k, -1, -1)
    snapshots, curves = [], {name: [] for name in CURVES}
    for step in range(shared.steps + 1):
        if step in snapshot_steps:
            with torch.no_grad():
                d_grid = torch.sigmoid(discriminator.eval()(grid))[0, :, 0].numpy()
            points = gan.generate_points(average, 500, looking)[0]
            snapshots.append((step, points, d_grid.reshape(*[math.isqrt(len(d_grid))] * 2)))
        if step == shared.steps:
            break
        generator.train(), discriminator.train()
        real = torch.tensor(gan.sample_ring(k * n, data_rng, ring), dtype=torch.float32)
        z = torch.randn(k, n, shared.noise_dim)
        record = gan.gan_step(generator, discriminator, opt_g, opt_d, real.reshape(k, n, 2), z, r1)
        for schedule in schedules:
            schedule.step()
        gan.update_average(average, generator, min(shared.ema, (1 + step) / (10 + step)))
        for name in CURVES:
            curves[name].append(record[name].numpy())
    samples = gan.generate_points(average, eval_samples, looking)
    raw = gan.generate_points(generator, eval_samples, looking)
    return RingRun(
        configs=configs,
        seed=seed,
        generator=average.eval(),
        discriminator=discriminator.eval(),
        snapshots=snapshots,
        scores=[gan.ring_score(s, ring) for s in samples],
        raw_scores=[gan.ring_score(s, ring) for s in raw],
        curves={name: np.array(values) for name, values in curves.items()},
    )


# ---------------------------------------------------------------------------------- the DCGAN
@dataclass
class DigitRun:
    """A trained digit DCGAN: the averaged generator (eval mode), the discriminator, image
    snapshots (step, (k, 28, 28) in [0, 1]) of k fixed latent vectors, and the per-step curves
    name -> (steps,) of 'D', 'G', 'D(x)' and 'D(G(z))'."""

    generator: dcgan.Generator
    discriminator: dcgan.Discriminator
    snapshots: list[tuple[int, np.ndarray]]
    curves: dict[str, np.ndarray] = field(repr=False)


def snapshot_latents(count: int = 16) -> torch.Tensor:
    """The fixed latent vectors (count, LATENT_DIM) whose images ``train_dcgan`` keeps (drawn
    from their own torch generator with its default seed, so training's draws stay the same)."""
    return torch.randn(count, dcgan.LATENT_DIM, generator=torch.Generator())


def train_dcgan(
    images: np.ndarray,
    *,
    steps: int,
    batch: int = 64,
    lr_g: float = 2e-4,
    lr_d: float = 2e-4,
    dropout: float = 0.4,
    shift: int = 0,
    r1: float = 0.0,
    ema: float = 0.999,
    decay_from: float = 1.0,
    seed: int = 0,
    snapshot_steps: tuple[int, ...] = (),
    snapshot_count: int = 16,
) -> DigitRun:
    """Train ``dcgan.Generator`` against ``dcgan.Discriminator`` on images (n, 28, 28) in [0, 1].

    Adam with beta1 = 0.5 for both (rates held until the share ``decay_from`` of the run, then
    decaying linearly to 0), one ``gan.gan_step`` per step on a random batch (D shifts the images
    it sees by up to ``shift`` pixels; ``r1``, the weight of the R1 penalty); the sampled
    generator is the moving average of G's weights (decay ``ema``, with a warm-up).
    """
    if steps < 1 or batch < 1:
        raise ValueError(f"steps and batch must be >= 1, got {steps}, {batch}")
    x = dcgan.to_tanh_range(images)
    torch.manual_seed(seed)
    generator = dcgan.Generator()
    discriminator = dcgan.Discriminator(dropout=dropout, shift=shift)
    average = copy.deepcopy(generator)
    opt_g = torch.optim.Adam(generator.parameters(), lr_g, (0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr_d, (0.5, 0.999))
    factor = lambda t: learning_rate_factor(t, steps, decay_from)  # noqa: E731
    schedules = [torch.optim.lr_scheduler.LambdaLR(opt, factor) for opt in (opt_g, opt_d)]
    fixed_z = snapshot_latents(snapshot_count)
    snapshots, curves = [], {name: [] for name in CURVES}
    for step in range(steps + 1):
        if step in snapshot_steps:
            snapshots.append((step, dcgan.generate(average, fixed_z)))
        if step == steps:
            break
        generator.train(), discriminator.train()
        real = x[torch.randint(len(x), (batch,))]
        record = gan.gan_step(generator, discriminator, opt_g, opt_d, real,
                              torch.randn(batch, generator.latent_dim), r1)  # fmt: skip
        for schedule in schedules:
            schedule.step()
        gan.update_average(average, generator, min(ema, (1 + step) / (10 + step)))
        for name in CURVES:
            curves[name].append(record[name].item())
    curves_np = {name: np.array(values) for name, values in curves.items()}
    return DigitRun(average.eval(), discriminator.eval(), snapshots, curves_np)


SHIPPED_RECIPE = {"steps": 12000, "batch": 128, "lr_g": 1e-3, "lr_d": 1e-3, "dropout": 0.0,
                  "shift": 2, "r1": 1.0, "ema": 0.9999, "decay_from": 0.5, "seed": 0}  # fmt: skip
"""How ``datasets/dcgan_mnist.pt`` was trained (on ``data.mnist_split().train``)."""
SHIPPED_SNAPSHOTS = (0, 500, 1000, 3000, 6000)
"""The steps at which the shipped run kept images of its 16 fixed latent vectors."""


def build_shipped_dcgan(path: Path | None = None, **changes) -> DigitRun:
    """Train the DCGAN with ``SHIPPED_RECIPE`` (``changes`` override it, e.g. for a short test)
    on the 4,000 training digits, on one torch thread, and save the averaged generator, the
    discriminator and the curves (float32) to ``path`` (default ``datasets/dcgan_mnist.pt``)."""
    torch.set_num_threads(1)
    recipe = {**SHIPPED_RECIPE, **changes}
    run = train_dcgan(data.mnist_split().train.images, snapshot_steps=SHIPPED_SNAPSHOTS, **recipe)
    saved = {
        "recipe": recipe,
        "snapshots": [(step, torch.from_numpy(images)) for step, images in run.snapshots],
        "generator": run.generator.state_dict(),
        "discriminator": run.discriminator.state_dict(),
        "curves": {name: torch.tensor(v, dtype=torch.float32) for name, v in run.curves.items()},
    }
    buffer = io.BytesIO()
    torch.save(saved, buffer)
    (Path(path) if path else data.DATASETS_DIR / dcgan.SHIPPED).write_bytes(buffer.getvalue())
    return run


def load_dcgan(path: Path | None = None) -> DigitRun:
    """The DCGAN that ``build_shipped_dcgan`` saved: by default the checksummed file in
    ``datasets/``. Networks in eval mode, curves as float64 arrays; the snapshots end with the
    final generator's images."""
    saved = torch.load(path or data.verified_path(dcgan.SHIPPED), weights_only=True)
    generator = dcgan.Generator()
    generator.load_state_dict(saved["generator"])
    recipe = saved["recipe"]
    discriminator = dcgan.Discriminator(dropout=recipe["dropout"], shift=recipe["shift"])
    discriminator.load_state_dict(saved["discriminator"])
    curves = {name: values.double().numpy() for name, values in saved["curves"].items()}
    snapshots = [(step, images.numpy()) for step, images in saved["snapshots"]]
    if snapshots[-1][0] < saved["recipe"]["steps"]:  # the final generator on the same latents
        latents = snapshot_latents(len(snapshots[0][1]))
        snapshots.append((saved["recipe"]["steps"], dcgan.generate(generator, latents)))
    return DigitRun(generator.eval(), discriminator.eval(), snapshots, curves)

"""Live demos of lesson 07: replay a ring GAN's training, walk a digit generator's latent space,
and play the discriminator (seed 003, fig. 8.18)."""

import ipywidgets as widgets
import numpy as np
import torch
from torch import nn

from course_lib import dcgan
from course_lib.widgets import Demo


def training_replay(snapshots, centres: np.ndarray) -> Demo:
    """A slider over training snapshots [(step, points (n, 2), D on a grid (res, res))]: draws the
    generated points over the discriminator's D(x) and the ring's centres (modes, 2)."""
    if not snapshots:
        raise ValueError("snapshots must hold at least one (step, points, d_grid), got none")
    steps = [step for step, _, _ in snapshots]

    def draw(fig, snapshot: int) -> str:
        step, points, d_grid = snapshots[snapshot]
        edge = 1.5 * np.abs(centres).max()
        ax = fig.add_subplot()
        image = ax.imshow(
            d_grid, origin="lower", extent=(-edge, edge, -edge, edge), cmap="RdBu_r", vmin=0, vmax=1
        )
        fig.colorbar(image, ax=ax, label="D(x)")
        ax.scatter(points[:, 0], points[:, 1], s=3, c="k", label="G(z)")
        ax.scatter(centres[:, 0], centres[:, 1], marker="x", s=60, c="#2ca02c", label="modes")
        ax.set(xlim=(-edge, edge), ylim=(-edge, edge), aspect="equal", title=f"step {step}")
        ax.legend(loc="upper right", fontsize=8)
        mean_d = np.mean(d_at(points, d_grid, edge))
        return f"step {step}: mean D on the generated points {mean_d:.2f}"

    slider = widgets.IntSlider(
        value=len(steps) - 1, min=0, max=len(steps) - 1, description="snapshot"
    )
    return Demo(draw, {"snapshot": slider}, title="Ring GAN training replay", figsize=(5.5, 4.5))


def d_at(points: np.ndarray, d_grid: np.ndarray, edge: float) -> np.ndarray:
    """Look up D on the (res, res) grid over [-edge, edge]^2 at points (n, 2) (nearest cell)."""
    res = d_grid.shape[0]
    index = np.clip(np.rint((points + edge) / (2 * edge) * (res - 1)).astype(int), 0, res - 1)
    return d_grid[index[:, 1], index[:, 0]]


def latent_explorer(
    generator: nn.Module, judge: nn.Module, z_base: np.ndarray, coords=(0, 1, 2), span=3.0
) -> Demo:
    """Sliders on a few coordinates of a latent vector z_base (latent_dim,): redraws the generated
    digit and the digit CNN's class probabilities for it."""
    z_base = np.asarray(z_base, dtype=np.float32)
    if z_base.ndim != 1 or z_base.shape[0] != generator.latent_dim:
        raise ValueError(f"z_base must have shape ({generator.latent_dim},), got {z_base.shape}")
    if not coords or max(coords) >= len(z_base):
        raise ValueError(f"coords must index z_base (size {len(z_base)}), got {coords}")

    def draw(fig, **values: float) -> str:
        z = z_base.copy()
        for name, value in values.items():
            z[int(name[1:])] = value
        image = dcgan.generate(generator, z[None])
        probs = dcgan.judge_probabilities(image, judge)[0]
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})
        left.imshow(image[0], cmap="gray_r", vmin=0, vmax=1)
        left.set_axis_off()
        left.set_title("G(z)")
        right.bar(range(10), probs, color="#1f77b4")
        right.set(xticks=range(10), ylim=(0, 1), xlabel="digit", ylabel="CNN probability")
        fig.tight_layout()
        return f"the digit CNN reads a {probs.argmax()} with probability {probs.max():.2f}"

    sliders = {
        f"z{k}": widgets.FloatSlider(
            value=float(z_base[k]), min=-span, max=span, step=0.1, description=f"z[{k}]"
        )
        for k in coords
    }
    return Demo(draw, sliders, title="Latent-space explorer", figsize=(6.4, 3.0))


PLACES = ("left", "middle", "right")


class Quiz:
    """The state of a "play the discriminator" game: rounds of three images, one of them real.

    images: (rounds, 3, h, w); real: (rounds,) the place (0, 1, 2) of the real image in each
    round; d_picks: (rounds,) the place the discriminator picks (its largest D(x)), or None.
    """

    def __init__(self, images: np.ndarray, real: np.ndarray, d_picks: np.ndarray | None) -> None:
        self.images, self.real, self.d_picks = images, real, d_picks
        self.round, self.score, self.last = 0, 0, ""

    def answer(self, place: int) -> None:
        """Score the student's pick (0, 1, 2) for the current round and move to the next one."""
        if self.round == len(self.real):
            return
        right = place == self.real[self.round]
        self.score += int(right)
        verdict = "right" if right else f"wrong: the real one was {PLACES[self.real[self.round]]}"
        self.last = f"round {self.round + 1}: {verdict}. "
        self.round += 1

    def summary(self) -> str:
        """The score so far, and the discriminator's on the same rounds once the game is over."""
        text = f"{self.last}Your score: <b>{self.score}</b> of {self.round}"
        if self.round == len(self.real) and self.d_picks is not None:
            d_score = int(np.sum(self.d_picks == self.real))
            text += f". The discriminator picked the real digit in {d_score} of {self.round}."
        return text + " (chance: 1 in 3)"


def discriminator_quiz(
    real: np.ndarray,
    fake: np.ndarray,
    discriminator: nn.Module | None = None,
    *,
    rounds: int = 8,
    seed: int = 0,
) -> Demo:
    """Seed 003's game (fig. 8.18): each round shows three digits, one from ``real`` (n, h, w)
    and two from ``fake`` (m, h, w), all in [0, 1]; click the one you think is real. With a
    discriminator (images in [-1, 1] -> logits), the summary also gives its score."""
    if len(real) < rounds or len(fake) < 2 * rounds:
        raise ValueError(f"need {rounds} real and {2 * rounds} fake images, got {len(real)}, "
                         f"{len(fake)}")  # fmt: skip
    rng = np.random.default_rng(seed)
    places = rng.integers(3, size=rounds)
    images = np.empty((rounds, 3, *real.shape[1:]), dtype=np.float32)
    for k in range(rounds):
        others = [p for p in range(3) if p != places[k]]
        images[k, others] = fake[2 * k : 2 * k + 2]
        images[k, places[k]] = real[k]
    d_picks = None
    if discriminator is not None:
        with torch.no_grad():
            x = torch.from_numpy(images.reshape(-1, 1, *images.shape[2:]).astype(np.float32))
            logits = discriminator.eval()(x * 2 - 1).reshape(rounds, 3)
        d_picks = logits.argmax(dim=1).numpy()
    quiz = Quiz(images, places, d_picks)
    buttons = {place: widgets.Button(description=f"{place} is real") for place in PLACES}
    for k, button in enumerate(buttons.values()):  # registered before Demo's redraw: runs first
        button.on_click(lambda _button, k=k: quiz.answer(k))

    def draw(fig) -> str:
        axes = fig.subplots(1, 3)
        shown = min(quiz.round, rounds - 1)
        for ax, image, place in zip(axes, quiz.images[shown], PLACES, strict=True):
            ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
            ax.set_axis_off()
            ax.set_title(place)
        over = " (game over)" if quiz.round == rounds else ""
        fig.suptitle(f"round {shown + 1} of {rounds}: which one is real?{over}")
        return quiz.summary()

    demo = Demo(draw, buttons, title="Play the discriminator", figsize=(6.0, 2.6))
    demo.quiz = quiz
    return demo

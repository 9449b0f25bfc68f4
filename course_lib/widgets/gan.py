"""Live demos of lesson 07: replay a ring GAN's training; walk a digit generator's latent space."""

import ipywidgets as widgets
import numpy as np

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
        ax.set_xlim(-edge, edge)
        ax.set_ylim(-edge, edge)
        ax.set_aspect("equal")
        ax.legend(loc="upper right", fontsize=8)
        ax.set_title(f"step {step}")
        return (
            f"step {step}: mean D on the generated points {np.mean(d_at(points, d_grid, edge)):.2f}"
        )

    slider = widgets.IntSlider(
        value=len(steps) - 1, min=0, max=len(steps) - 1, description="snapshot"
    )
    return Demo(draw, {"snapshot": slider}, title="Ring GAN training replay", figsize=(5.5, 4.5))


def d_at(points: np.ndarray, d_grid: np.ndarray, edge: float) -> np.ndarray:
    """Look up D on the (res, res) grid over [-edge, edge]^2 at points (n, 2) (nearest cell)."""
    res = d_grid.shape[0]
    index = np.clip(np.rint((points + edge) / (2 * edge) * (res - 1)).astype(int), 0, res - 1)
    return d_grid[index[:, 1], index[:, 0]]


def latent_explorer(generator, classifier, z_base: np.ndarray, coords=(0, 1, 2), span=3.0) -> Demo:
    """Sliders on a few coordinates of a latent vector z_base (latent_dim,): redraws the generated
    digit and the digit CNN's class probabilities for it."""
    import torch

    from course_lib import gan

    z_base = np.asarray(z_base, dtype=np.float32)
    if z_base.ndim != 1 or z_base.shape[0] != generator.latent_dim:
        raise ValueError(f"z_base must have shape ({generator.latent_dim},), got {z_base.shape}")
    if not coords or max(coords) >= len(z_base):
        raise ValueError(f"coords must index z_base (size {len(z_base)}), got {coords}")

    def draw(fig, **values: float) -> str:
        z = z_base.copy()
        for name, value in values.items():
            z[int(name[1:])] = value
        image = gan.generate_digits(generator, z[None])[0]
        with torch.no_grad():
            probs = torch.softmax(classifier(torch.from_numpy(image[None, None])), 1)[0].numpy()
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})
        left.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        left.set_axis_off()
        left.set_title("G(z)")
        right.bar(range(10), probs, color="#1f77b4")
        right.set_xticks(range(10))
        right.set_ylim(0, 1)
        right.set_xlabel("digit")
        right.set_ylabel("CNN probability")
        fig.tight_layout()
        return f"the digit CNN reads a {probs.argmax()} with probability {probs.max():.2f}"

    sliders = {
        f"z{k}": widgets.FloatSlider(
            value=float(z_base[k]), min=-span, max=span, step=0.1, description=f"z[{k}]"
        )
        for k in coords
    }
    return Demo(draw, sliders, title="Latent-space explorer", figsize=(6.4, 3.0))

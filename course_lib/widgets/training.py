"""Lesson 04's live demo: gradient descent with momentum on a 2-D loss surface."""

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_lib import training
from course_lib.widgets import Demo

SURFACES = {
    "ill-conditioned bowl": (training.bowl, np.array([-4.0, 1.5]), (-5.0, 5.0), (-2.0, 2.0)),
    "Rosenbrock": (training.rosenbrock, np.array([-1.2, 1.0]), (-2.0, 2.0), (-1.0, 3.0)),
}
"""name -> (function returning (value, grad), start point, x range, y range)."""

ESCAPE = 1e3  # a walk that leaves |theta| < ESCAPE is reported as diverged


def contour_grid(name: str, resolution: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, log10(1 + f)) of a surface on a resolution x resolution grid, for the contours."""
    function, _, xlim, ylim = SURFACES[name]
    xs, ys = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    values, _ = function(np.stack([xs, ys], axis=-1))
    return xs, ys, np.log10(1 + values)


def walk(name: str, lr: float, momentum: float, steps: int) -> np.ndarray:
    """SGD-with-momentum points on a surface, (k, 2), stopped early if it escapes (diverges)."""
    function, start, _, _ = SURFACES[name]
    optimiser = training.SGD(lr, momentum)
    theta = start.copy()
    points = [theta.copy()]
    for _ in range(steps):
        optimiser.step([theta], [function(theta)[1]])
        points.append(theta.copy())
        if not np.all(np.abs(theta) < ESCAPE):
            break
    return np.array(points)


def optimiser_demo(steps: int = 100) -> Demo:
    """Learning-rate and momentum sliders (and a surface choice) redrawing the optimiser's path."""
    grids = {name: contour_grid(name) for name in SURFACES}

    def draw(fig: Figure, surface: str, log10_lr: float, momentum: float) -> str:
        xs, ys, levels = grids[surface]
        lr = 10**log10_lr
        points = walk(surface, lr, momentum, steps)
        ax = fig.add_subplot()
        ax.contour(xs, ys, levels, levels=15, cmap="viridis", linewidths=0.8)
        shown = points[np.all(np.abs(points) < ESCAPE, axis=1)]
        ax.plot(shown[:, 0], shown[:, 1], "o-", color="#d62728", markersize=2.5, linewidth=1)
        ax.plot(*shown[0], "ks", label="start")
        ax.set_xlim(xs.min(), xs.max())
        ax.set_ylim(ys.min(), ys.max())
        ax.set_xlabel(r"$\theta_1$")
        ax.set_ylabel(r"$\theta_2$")
        ax.set_title(f"{surface}: lr = {lr:.3g}, momentum = {momentum:.2f}")
        ax.legend(loc="upper right")
        if len(shown) < len(points) or len(points) <= steps:
            return f"diverged after {len(points) - 1} steps: lower the learning rate"
        value = SURFACES[surface][0](points[-1])[0]
        return (
            f"after {steps} steps: loss {value:.3g} at ({points[-1][0]:.3g}, {points[-1][1]:.3g})"
        )

    controls = {
        "surface": widgets.Dropdown(options=list(SURFACES), description="surface"),
        "log10_lr": widgets.FloatSlider(
            value=-1.5, min=-4.0, max=-0.5, step=0.1, description="log10 lr"
        ),
        "momentum": widgets.FloatSlider(value=0.0, min=0.0, max=0.99, step=0.01),
    }
    return Demo(draw, controls, title="Optimiser trajectory", figsize=(6.4, 4.2))

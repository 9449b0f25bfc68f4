"""Lesson 04's live demo: an optimiser's path on a 2-D loss surface, redrawn as the sliders move."""

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_lib import training
from course_lib import training_experiments as tx
from course_lib.widgets import Demo

SURFACES = {
    "long narrow bowl": (tx.bowl, np.array([-4.0, 1.5]), (-4.5, 4.5), (-2.0, 2.0), (0.0, 0.0)),
    "Rosenbrock valley": (
        tx.rosenbrock,
        np.array([-1.2, 1.0]),
        (-2.0, 2.0),
        (-1.0, 3.0),
        (1.0, 1.0),
    ),
}
"""name -> (function returning (value, grad), start, x range, y range, minimum)."""

OPTIMISERS = {
    "SGD / momentum μ": lambda lr, mu: training.Momentum(lr, mu),
    "RMSprop": lambda lr, mu: training.RMSprop(lr),
    "Adam (β₁ = μ)": lambda lr, mu: training.Adam(lr, beta1=mu),
}
"""name -> (learning rate, momentum slider) -> optimiser. μ = 0 makes the first plain SGD."""


def describe(optimiser: str, lr: float, mu: float) -> str:
    """The legend's name for an optimiser with its settings, e.g. "SGD, α 0.063" for μ = 0."""
    if optimiser == "RMSprop":
        return f"RMSprop, α {lr:.2g}"
    if optimiser.startswith("Adam"):
        return f"Adam, α {lr:.2g}, β₁ {mu:.2f}"
    return f"SGD, α {lr:.2g}" if mu == 0 else f"momentum, α {lr:.2g}, μ {mu:.2f}"


ESCAPE = 1e3
"""A walk that leaves |theta| < ESCAPE is reported as diverged."""


def walk(
    surface: str,
    optimiser: str,
    lr: float,
    mu: float,
    steps: int,
    *,
    noise: float = 0.0,
    decay: bool = False,
    seed: int = 0,
) -> np.ndarray:
    """The optimiser's points on a surface, (k, 2), stopped early if the walk diverges.

    noise: std of Gaussian noise added to every gradient; decay: alpha_t = lr / sqrt(t).
    """
    function, start, *_ = SURFACES[surface]
    rng = np.random.default_rng(seed)
    opt = OPTIMISERS[optimiser](lr, mu)
    theta = start.copy()
    points = [theta.copy()]
    for t in range(1, steps + 1):
        opt.lr = lr / np.sqrt(t) if decay else lr
        opt.step([theta], [function(theta)[1] + noise * rng.normal(size=2)])
        points.append(theta.copy())
        if not np.all(np.abs(theta) < ESCAPE):
            break
    return np.array(points)


def optimiser_demo(steps: int = 100) -> Demo:
    """Sliders for the step size, momentum and gradient noise, and choices of surface, optimiser
    and step schedule, redrawing the optimiser's path and its loss."""
    grids = {
        name: tx.contour_grid(f, xlim, ylim, 120)
        for name, (f, _, xlim, ylim, _) in SURFACES.items()
    }

    def draw(
        fig: Figure,
        surface: str,
        optimiser: str,
        log10_lr: float,
        mu: float,
        noise: float,
        decay: bool,
    ) -> str:
        function, *_, minimum = SURFACES[surface]
        lr = 10**log10_lr
        points = walk(surface, optimiser, lr, mu, steps, noise=noise, decay=decay)
        path_ax, loss_ax = fig.subplots(1, 2, width_ratios=[2, 1])
        shown = points[np.all(np.abs(points) < ESCAPE, axis=1)]
        tx.plot_paths(path_ax, grids[surface], {describe(optimiser, lr, mu): shown}, minimum)
        path_ax.legend(loc="upper right", fontsize=10)
        loss_ax.semilogy(function(shown)[0], color="#d62728")
        loss_ax.set(xlabel="step", ylabel="loss")
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9, wspace=0.3)
        if len(points) <= steps:
            return f"diverged after {len(points) - 1} steps: lower the learning rate"
        return f"after {steps} steps: loss {function(points[-1])[0]:.3g}"

    controls = {
        "surface": widgets.Dropdown(options=list(SURFACES), description="surface"),
        "optimiser": widgets.Dropdown(options=list(OPTIMISERS), description="optimiser"),
        "log10_lr": widgets.FloatSlider(
            value=-1.2, min=-4.0, max=0.0, step=0.1, description="log10 α"
        ),
        "mu": widgets.FloatSlider(value=0.0, min=0.0, max=0.99, step=0.01, description="μ, β₁"),
        "noise": widgets.FloatSlider(value=0.0, min=0.0, max=5.0, step=0.25, description="noise"),
        "decay": widgets.Checkbox(value=False, description="α_t = α / √t"),
    }
    return Demo(draw, controls, title="Optimiser paths", figsize=(8.0, 3.4))

"""Live demo for lesson 02: move the hidden units' lines and watch XOR's decision regions."""

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from course_lib import mlp, plots
from course_lib.widgets import Demo

LIMITS = (-0.5, 1.5)
HIDDEN_LIMITS = (-0.25, 1.25)
SHADES = ("#c6dbef", "#fcbba1")  # class 0, class 1 (as plots.decision_regions)


def _linear_regions(ax: Axes, w: np.ndarray, b: float) -> None:
    """Shade hidden-unit space by the output unit's side of its line h @ w + b = 0."""
    g = np.linspace(*HIDDEN_LIMITS, 50)
    gx, gy = np.meshgrid(g, g)
    score = w[0] * gx + w[1] * gy + b
    if score.min() < 0 < score.max():
        ax.contourf(gx, gy, score, levels=[score.min(), 0, score.max()], colors=SHADES, alpha=0.6)
        ax.contour(gx, gy, score, levels=[0], colors="k", linewidths=1.5)
    else:
        ax.set_facecolor(SHADES[int(score.max() > 0)])
    ax.set_xlim(*HIDDEN_LIMITS)
    ax.set_ylim(*HIDDEN_LIMITS)


def draw_views(fig: Figure, params: mlp.Params) -> int:
    """Draw a 2-2-1 step network's two views of XOR on fig; return how many points it gets right.

    params: w1 (2, 2), b1 (2,), w2 (2,), b2 (). Left: the decision regions in input space and the
    hidden units' lines (where each unit switches); right: the four points in hidden-unit space
    (coinciding points drawn slightly apart) and the output unit's line there.
    """
    w2, b2 = np.asarray(params["w2"], dtype=float), float(params["b2"])
    ax_in, ax_h = fig.subplots(1, 2)
    plots.decision_regions(
        ax_in, lambda p: mlp.forward(p, params, "step"), LIMITS, LIMITS, resolution=70
    )
    plots.scatter_classes(ax_in, mlp.XOR_X, mlp.XOR_T, size=90)
    xs = np.array(LIMITS)
    for unit, color in ((0, plots.COLORS[2]), (1, plots.COLORS[4])):
        (wa, wb), bias = np.asarray(params["w1"])[:, unit], params["b1"][unit]
        label = f"hidden unit {unit + 1} switches"
        if abs(wb) > 1e-9:
            ax_in.plot(xs, -(wa * xs + bias) / wb, "--", color=color, lw=2.5, label=label)
        elif abs(wa) > 1e-9:
            ax_in.axvline(-bias / wa, ls="--", color=color, lw=2.5, label=label)
    ax_in.set_xlim(*LIMITS)
    ax_in.set_ylim(*LIMITS)
    ax_in.set_title("input space")
    ax_in.set_xlabel("x1")
    ax_in.set_ylabel("x2")
    ax_in.legend(loc="upper left", fontsize=7)
    h = mlp.hidden(mlp.XOR_X, params, "step")
    jitter = np.array([[-0.04, -0.04], [0.04, -0.04], [-0.04, 0.04], [0.04, 0.04]])
    _linear_regions(ax_h, w2, b2)
    plots.scatter_classes(ax_h, h + jitter, mlp.XOR_T, size=90)
    for (a, b), (u, v) in zip(mlp.XOR_X.astype(int), h + jitter, strict=True):
        ax_h.annotate(f"({a},{b})", (u, v), (u + 0.05, v + 0.06), fontsize=8)
    ax_h.set_title("hidden-unit space (h1, h2)")
    ax_h.set_xlabel("h1")
    ax_h.set_ylabel("h2")
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.9, wspace=0.25)
    return int(np.sum(mlp.predict(mlp.XOR_X, params, "step") == mlp.XOR_T))


def hidden_weights(start: mlp.Params = mlp.HAND_XOR) -> Demo:
    """Sliders for the hidden weights and biases of a 2-2-1 step network; the output layer stays.

    start: the 2-2-1 network to begin from (keys w1 (2, 2), b1 (2,), w2 (2,), b2 ()).
    The figure is draw_views of the network the sliders set.
    """
    w1, b1 = np.asarray(start["w1"], dtype=float), np.asarray(start["b1"], dtype=float)
    if w1.shape != (2, 2) or b1.shape != (2,):
        raise ValueError(f"start must be a 2-2-1 network, got w1 {w1.shape} and b1 {b1.shape}")
    output = {"w2": np.asarray(start["w2"], dtype=float), "b2": np.array(float(start["b2"]))}

    def draw(
        fig: Figure, w11: float, w21: float, b1_1: float, w12: float, w22: float, b1_2: float
    ) -> str:
        params = {"w1": np.array([[w11, w12], [w21, w22]]), "b1": np.array([b1_1, b1_2])}
        right = draw_views(fig, params | output)
        return f"<b>{right}</b> of 4 XOR points classified right"

    def slider(value: float, name: str) -> widgets.FloatSlider:
        return widgets.FloatSlider(
            value=float(value),
            min=-2.0,
            max=2.0,
            step=0.1,
            description=name,
            continuous_update=False,
        )

    controls = {
        "w11": slider(w1[0, 0], "w1[0,0]"),
        "w21": slider(w1[1, 0], "w1[1,0]"),
        "b1_1": slider(b1[0], "b1[0]"),
        "w12": slider(w1[0, 1], "w1[0,1]"),
        "w22": slider(w1[1, 1], "w1[1,1]"),
        "b1_2": slider(b1[1], "b1[1]"),
    }
    return Demo(draw, controls, title="XOR: the hidden layer's weights", figsize=(10, 4.4))

"""Lesson 01's pictures and live demos: the perceptron's line epoch by epoch, and Cybenko's sums
of smoothed steps fitted to a curve."""

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from course_lib import perceptron, plots
from course_lib.widgets import Demo

LIMITS = (-0.5, 1.5)
REGIONS = ("#c6dbef", "#fcbba1")
"""Shades of the regions where the perceptron outputs 0 and 1 (as plots.decision_regions)."""

TARGETS = {
    "sin x": np.sin,
    "|x|": np.abs,
    "a jump at x = 0.5": lambda x: (x > 0.5).astype(float),
}
"""Functions on [-pi, pi] for the universal-approximation demo; the jump is not continuous."""


def draw_epoch(ax: Axes, run: perceptron.Run, gate: str, epoch: int, size: float = 50) -> int:
    """The perceptron of ``run`` after ``epoch`` on the truth table of ``gate``; returns mistakes.

    Shades the two output regions, draws the line w . x + b = 0, the four inputs coloured by
    their target, and a ring around each one the perceptron gets wrong.
    """
    x, targets = perceptron.BINARY_INPUTS, perceptron.GATES[gate]
    row = run.weights[min(epoch, len(run.weights) - 1)]
    w, b = row[:2], row[2]
    plots.decision_regions(
        ax, lambda p: perceptron.predict(p, w, b), LIMITS, LIMITS, resolution=120
    )
    plots.scatter_classes(ax, x, targets, size=size)
    wrong = perceptron.predict(x, w, b) != targets
    ax.scatter(*x[wrong].T, s=4.5 * size, facecolors="none", edgecolors="k", linewidths=1.5)
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return int(wrong.sum())


def epoch_legend(fig: Figure, **kwargs) -> None:
    """The legend of ``draw_epoch`` panels: regions, targets, line and rings."""
    marker = {"marker": "o", "linestyle": "none", "markeredgecolor": "k", "markersize": 8}
    handles = [
        Patch(facecolor=REGIONS[0], label="output 0"),
        Patch(facecolor=REGIONS[1], label="output 1"),
        Line2D([], [], color="k", linewidth=1.5, label="$w \\cdot x + b = 0$"),
        Line2D([], [], markerfacecolor=plots.COLORS[0], label="target 0", **marker),
        Line2D([], [], markerfacecolor=plots.COLORS[1], label="target 1", **marker),
        Line2D([], [], markerfacecolor="none", label="wrong", **marker | {"markersize": 13}),
    ]
    fig.legend(handles=handles, **({"loc": "lower center", "ncol": 6} | kwargs))


def draw_epoch_grid(
    fig: Figure, runs: dict[str, perceptron.Run], gates: list[str], epochs: tuple[int, ...] = (0, 2)
) -> None:
    """One row per gate: the perceptron after each of ``epochs`` (0: the start) and, last, after
    the final epoch that made an update (the clean pass that confirms it changes nothing).

    runs: gate name -> ``perceptron.train`` result on ``perceptron.BINARY_INPUTS``.
    """
    axes = fig.subplots(len(gates), len(epochs) + 1, sharex=True, sharey=True, squeeze=False)
    for row, gate in zip(axes, gates, strict=True):
        final = runs[gate].epochs
        for ax, epoch in zip(row, [*epochs, final], strict=True):
            draw_epoch(ax, runs[gate], gate, epoch)
            when = "at the start" if epoch == 0 else f"after epoch {epoch}"
            ax.set_title(f"{gate} {when}" + " (final)" * (epoch == final), fontsize=11)
            ax.label_outer()
    epoch_legend(fig, fontsize=10, ncol=3)
    fig.tight_layout(rect=(0, 0.1, 1, 1))


def training_epochs(runs: dict[str, perceptron.Run]) -> Demo:
    """Pick a gate and an epoch: see the perceptron's line and its mistakes after that epoch.

    runs: gate name -> ``perceptron.train`` result on ``perceptron.BINARY_INPUTS``.
    """
    longest = max(len(run.weights) - 1 for run in runs.values())

    def draw(fig: Figure, gate: str, epoch: int) -> str:
        run = runs[gate]
        ax = fig.add_subplot()
        wrong = draw_epoch(ax, run, gate, epoch, size=120)
        w_b = run.weights[min(epoch, len(run.weights) - 1)]
        ax.set_title(f"{gate} after epoch {epoch}: w = {w_b[:2]}, b = {w_b[2]:g}", fontsize=11)
        epoch_legend(fig, loc="center right", ncol=1, fontsize=9)
        fig.subplots_adjust(left=0.1, right=0.7, bottom=0.12, top=0.9)
        x = perceptron.BINARY_INPUTS
        return f"{gate}, epoch {epoch}: <b>{wrong}</b> of {len(x)} points misclassified"

    controls = {
        "gate": widgets.Dropdown(options=list(runs), description="gate"),
        "epoch": widgets.IntSlider(value=0, min=0, max=longest, description="epoch"),
    }
    return Demo(draw, controls, title="Perceptron training, epoch by epoch", figsize=(6.4, 4.2))


def draw_fit(fig: Figure, x: np.ndarray, y: np.ndarray, params: perceptron.Params) -> str:
    """Left: the target y(x) and Cybenko's sum with ``params``; right: its terms, one per unit.

    x, y: (n,). Returns a summary: the units, the largest error and the largest |alpha|.
    """
    fit_ax, terms_ax = fig.subplots(1, 2)
    fit = perceptron.one_hidden_layer(x, params)
    units = len(params["w"])
    fit_ax.plot(x, y, "k--", linewidth=2, label="target")
    fit_ax.plot(x, fit, color=plots.COLORS[1], linewidth=2, label="network")
    fit_ax.set_title(f"{units} hidden unit{'s' * (units > 1)}", fontsize=11)
    fit_ax.legend(loc="upper left", fontsize=9)
    terms_ax.plot(x, perceptron.hidden_terms(x, params), linewidth=1)
    terms_ax.set_title(r"its terms $\alpha_j\,\sigma(w_j x + \theta_j)$", fontsize=11)
    for ax in (fit_ax, terms_ax):
        ax.set_xlabel("x")
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.15, top=0.9, wspace=0.2)
    error, biggest = np.abs(fit - y).max(), np.abs(params["alpha"]).max()
    return f"{units} hidden units: max error {error:.2g}; largest |alpha| {biggest:.2g}"


def draw_widths(
    fig: Figure, x: np.ndarray, y: np.ndarray, fits: dict[int, perceptron.Params], shown: list[int]
) -> None:
    """Left: the target y(x) (thick, grey) and the fits with ``shown`` units, the last one dotted
    black so that it stays visible on the target; right: the largest error of every fit against
    its number of units (log-log). x, y: (n,); fits: units -> params."""
    fit_ax, error_ax = fig.subplots(1, 2)
    fit_ax.plot(x, y, color="0.75", linewidth=6, label="target")
    for h in shown:
        style = {"linestyle": ":", "color": "k"} if h == shown[-1] else {}
        label = f"{h} unit{'s' * (h > 1)}"
        fit_ax.plot(x, perceptron.one_hidden_layer(x, fits[h]), linewidth=2, label=label, **style)
    fit_ax.set(title="fits of the target", xlabel="x", ylabel="G(x)")
    fit_ax.legend(fontsize=10, loc="upper left")
    units = sorted(fits)
    errors = [np.abs(perceptron.one_hidden_layer(x, fits[h]) - y).max() for h in units]
    error_ax.plot(units, errors, "o-")
    error_ax.set_xscale("log", base=2)
    error_ax.set_yscale("log")
    error_ax.set(title="largest error against width", xlabel="hidden units N",
                 ylabel="max |G(x) - target|")  # fmt: skip
    fig.tight_layout()


def network_width(x: np.ndarray) -> Demo:
    """Pick a target, a number of hidden units and their steepness: see ``fit_heights`` at work.

    x: (n,) the points where the target is sampled and fitted, e.g. a grid over [-pi, pi].
    """

    def draw(fig: Figure, target: str, units: int, steepness: float) -> str:
        y = TARGETS[target](x)
        return draw_fit(fig, x, y, perceptron.fit_heights(x, y, units, steepness))

    controls = {
        "target": widgets.Dropdown(options=list(TARGETS), description="target"),
        "units": widgets.IntSlider(value=4, min=1, max=32, description="hidden units"),
        "steepness": widgets.FloatSlider(
            value=2.0, min=0.5, max=8.0, step=0.5, description="steepness"
        ),
    }
    return Demo(draw, controls, title="Universal approximation, unit by unit", figsize=(10, 3.6))

"""Live demos for lesson 01: perceptron training epoch by epoch, and network width."""

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_lib import perceptron, plots
from course_lib.widgets import Demo

LIMITS = (-0.5, 1.5)


def training_epochs(
    runs: dict[str, perceptron.Run], x: np.ndarray = perceptron.BINARY_INPUTS
) -> Demo:
    """Pick a gate and an epoch: see the perceptron's line and its mistakes after that epoch.

    runs: gate name -> ``perceptron.train`` result on the inputs x (n, 2).
    """
    longest = max(len(run.weights) - 1 for run in runs.values())

    def draw(fig: Figure, gate: str, epoch: int) -> str:
        run, targets = runs[gate], perceptron.GATES[gate]
        row = run.weights[min(epoch, len(run.weights) - 1)]
        w, b = row[:2], row[2]
        ax = fig.add_subplot()
        plots.decision_regions(
            ax, lambda p: perceptron.predict(p, w, b), LIMITS, LIMITS, resolution=150
        )
        plots.scatter_classes(ax, x, targets, size=120)
        wrong = perceptron.predict(x, w, b) != targets
        ax.scatter(
            *x[wrong].T,
            s=400,
            facecolors="none",
            edgecolors="k",
            linewidths=2,
            label="misclassified",
        )
        ax.set_title(f"{gate} after epoch {epoch}: w = {np.round(w, 2)}, b = {b:g}")
        ax.legend(loc="upper left", fontsize=8, markerscale=0.5)
        return f"{gate}, epoch {epoch}: <b>{int(wrong.sum())}</b> of {len(x)} points misclassified"

    controls = {
        "gate": widgets.Dropdown(options=list(runs), description="gate"),
        "epoch": widgets.IntSlider(value=0, min=0, max=longest, description="epoch"),
    }
    return Demo(draw, controls, title="Perceptron training, epoch by epoch", figsize=(5.5, 5))


def network_width(x: np.ndarray, y: np.ndarray, fits: dict[int, dict[str, np.ndarray]]) -> Demo:
    """Pick a number of hidden units: see the fitted curve and its scaled sigmoids.

    x, y: (n,) the target function's samples; fits: hidden units -> ``numpy_params`` of a fit.
    """

    def draw(fig: Figure, hidden: int) -> str:
        params = fits[hidden]
        fit_ax, terms_ax = fig.subplots(1, 2)
        fit = perceptron.one_hidden_layer(x, params)
        fit_ax.plot(x, y, "k--", linewidth=2, label="target")
        fit_ax.plot(x, fit, color=plots.COLORS[1], linewidth=2, label="network")
        fit_ax.set_ylim(-1.6, 1.6)
        fit_ax.set_title(f"{hidden} hidden unit{'s' * (hidden > 1)}")
        fit_ax.legend(loc="upper left")
        terms_ax.plot(x, perceptron.hidden_terms(x, params), linewidth=1)
        terms_ax.set_title(r"the terms $\alpha_j\,\sigma(w_j x + \theta_j)$", fontsize=11)
        for ax in (fit_ax, terms_ax):
            ax.set_xlabel("x")
        fig.tight_layout()
        error, biggest = np.abs(fit - y).max(), np.abs(params["alpha"]).max()
        return f"{hidden} hidden units: max error {error:.3g}; largest |alpha| {biggest:.3g}"

    control = widgets.SelectionSlider(options=sorted(fits), description="hidden units")
    return Demo(
        draw, {"hidden": control}, title="Universal approximation, unit by unit", figsize=(10, 3.6)
    )

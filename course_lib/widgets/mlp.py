"""Lesson 02's pictures and live demo: XOR's crossing diagonals, a 2-2-1 network's two views of
XOR (input space and hidden-unit space), the hidden weights on sliders, the training runs from
many random starts, the activation functions, and the gradient's size through depth."""

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from course_lib import mlp, perceptron, plots
from course_lib.widgets import Demo

LIMITS = (-0.5, 1.5)
HIDDEN_LIMITS = (-0.25, 1.25)
SHADES = ("#c6dbef", "#fcbba1")  # output class 0, class 1 (as plots.decision_regions)


def _output_regions(ax: Axes, w: np.ndarray, b: float) -> None:
    """Shade hidden-unit space by the side of the output unit's line h @ w + b = 0; draw it."""
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


def hidden_labels(x: np.ndarray, h: np.ndarray) -> list[tuple[np.ndarray, list[int], str]]:
    """Group the inputs that land on the same hidden point: (point (2,), rows of x, label).

    x: (n, 2) 0/1 inputs, h: (n, 2) their hidden coordinates. The label gives the coordinates
    (as ints when they are whole) and the inputs that land there, e.g. "h = (1, 0)
    from (0,1), (1,0)".
    """
    whole = np.allclose(h, np.round(h))
    groups: dict[tuple[float, float], list[int]] = {}
    for row, point in enumerate(np.round(h, 2)):
        groups.setdefault((float(point[0]), float(point[1])), []).append(row)
    labels = []
    for point, rows in groups.items():
        coords = ", ".join(f"{v:.0f}" if whole else f"{v:.2f}" for v in point)
        inputs = ", ".join(f"({a:.0f},{b:.0f})" for a, b in x[rows])
        labels.append((np.array(point), rows, f"h = ({coords})\nfrom {inputs}"))
    return labels


def draw_hidden_space(ax: Axes, h: np.ndarray, params: mlp.Params) -> None:
    """The four XOR inputs at their hidden coordinates h (4, 2), each labelled with them, and the
    output unit's line h @ w2 + b2 = 0 with its two sides shaded."""
    _output_regions(ax, np.asarray(params["w2"], dtype=float), float(params["b2"]))
    shared = False
    for point, rows, label in hidden_labels(mlp.XOR_X, h):
        shared |= len(rows) > 1
        offsets = np.linspace(-0.035, 0.035, len(rows)) if len(rows) > 1 else [0.0]
        for row, dx in zip(rows, offsets, strict=True):
            colour = plots.COLORS[mlp.XOR_T[row]]
            ax.scatter(point[0] + dx, point[1], s=90, c=colour, edgecolors="k", zorder=3)
        right, up = point[0] < 0.5, point[1] < 0.5  # write towards the middle of the square
        where = point + np.array([0.07 if right else -0.07, 0.1 if up else -0.1])
        ha, va = "left" if right else "right", "bottom" if up else "top"
        ax.annotate(label, point, where, ha=ha, va=va, fontsize=8)
    if shared:
        note = "inputs that share a hidden point are drawn side by side"
        ax.text(0.5, 0.02, note, transform=ax.transAxes, ha="center", fontsize=8, color="0.3")
    ax.set_title("hidden-unit space $(h_1, h_2)$", fontsize=11)
    ax.set_xlabel("$h_1$")
    ax.set_ylabel("$h_2$")


def draw_views(fig: Figure, params: mlp.Params, g: mlp.Activation = perceptron.step) -> int:
    """A 2-2-1 network's two views of XOR on fig; returns how many of the 4 points it gets right.

    params: w1 (2, 2), b1 (2,), w2 (2,), b2 (); g: the activation of every unit (the step, or
    the sigmoid). Left: the class the network gives every point of input space (p > 0.5) and
    each hidden unit's line (where it switches); right: ``draw_hidden_space``.
    """
    ax_in, ax_h = fig.subplots(1, 2)

    def predicted(points: np.ndarray) -> np.ndarray:
        weights, biases = [params["w1"], params["w2"]], [params["b1"], params["b2"]]
        return (mlp.network(points, weights, biases, [g, g]) > 0.5).astype(int)

    plots.decision_regions(ax_in, predicted, LIMITS, LIMITS, resolution=240)
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
    ax_in.set_title("input space", fontsize=11)
    ax_in.set_xlabel("$x_1$")
    ax_in.set_ylabel("$x_2$")
    ax_in.legend(loc="upper left", fontsize=7)
    h = mlp.layer(mlp.XOR_X, params["w1"], params["b1"], g)
    draw_hidden_space(ax_h, h, params)
    line = Line2D([], [], color="k", lw=1.5, label="output unit's line")
    ax_h.legend(handles=[line], loc="upper right", fontsize=7)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.9, wspace=0.28)
    return int(np.sum(predicted(mlp.XOR_X) == mlp.XOR_T))


def draw_xor_diagonals(fig: Figure) -> None:
    """The four XOR points, the diagonal that joins each class, and their shared midpoint."""
    ax = fig.add_subplot()
    plots.scatter_classes(ax, mlp.XOR_X, mlp.XOR_T, size=140)
    ax.plot([0, 1], [1, 0], color=plots.COLORS[1], lw=2, label="class-1 diagonal")
    ax.plot([0, 1], [0, 1], color=plots.COLORS[0], lw=2, label="class-0 diagonal")
    ax.scatter([0.5], [0.5], s=120, marker="*", color="k", zorder=4, label="shared midpoint")
    ax.set(xlim=LIMITS, ylim=LIMITS, xticks=[0, 0.5, 1], yticks=[0, 0.5, 1])
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title="XOR: the diagonals cross")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=10)
    fig.tight_layout()


RUN_KINDS = {"solved": "tab:green", "solved after a plateau": "tab:orange", "stuck": "tab:red"}
"""Colours of the training runs by how they ended (``draw_runs``)."""


def draw_runs(
    fig: Figure,
    losses: dict[int, np.ndarray],
    solved: dict[int, np.ndarray],
    late: dict[int, np.ndarray],
    plateau: float,
    near: float,
) -> None:
    """One panel per network size: every run's loss curve (log scale), coloured by how it ended.

    losses[h]: (runs, steps + 1) for h hidden units; solved[h], late[h]: (runs,) booleans (late:
    solved after a long stay near ``plateau``, the loss drawn as a dotted line in a grey band of
    half-width ``near``).
    """
    axes = fig.subplots(1, len(losses), sharey=True, squeeze=False)[0]
    for ax, h in zip(axes, losses, strict=True):
        for curve, ok, slow in zip(losses[h], solved[h], late[h], strict=True):
            kind = "stuck" if not ok else "solved after a plateau" if slow else "solved"
            ax.semilogy(curve, color=RUN_KINDS[kind], lw=2.5 if slow else 1, alpha=0.8)
        ax.axhline(plateau, color="k", ls=":", lw=1)
        ax.axhspan(plateau - near, plateau + near, color="0.6", alpha=0.4, lw=0, zorder=0)
        ax.set(title=f"2-{h}-1: {solved[h].sum()} of {len(solved[h])} solved", xlabel="step")
    axes[0].set_ylabel("loss")
    label, where = r"$\frac{1}{2}\ln 2$", axes[0].get_yaxis_transform()  # x: axes, y: data
    axes[0].text(0.75, plateau * 1.15, label, ha="center", va="bottom", transform=where)
    handles = [Line2D([], [], color=c, label=kind) for kind, c in RUN_KINDS.items()]
    handles.append(Patch(color="0.6", alpha=0.4, label=f"within {near:g} of the plateau"))
    axes[-1].legend(handles=handles, fontsize=10, loc="center right")
    fig.tight_layout()


def draw_activations(fig: Figure, z: np.ndarray, activations: dict) -> None:
    """Left: each activation g(z); right: its derivative g'(z). z: (n,); activations: name ->
    (g, g_grad, ...), numpy functions of z."""
    ax_g, ax_d = fig.subplots(1, 2)
    for name, (g, g_grad, *_) in activations.items():
        ax_g.plot(z, g(z), label=name)
        ax_d.plot(z, g_grad(z), label=f"{name}'")
    ax_g.set(title="the activations g(z)", xlabel="z", ylim=(-1.2, 2.5))
    ax_d.set(title="their derivatives g'(z)", xlabel="z", yticks=[0, 0.25, 0.5, 1])
    for ax in (ax_g, ax_d):
        ax.legend(fontsize=10)
    fig.tight_layout()


def draw_gradient_depth(fig: Figure, norms: dict[str, np.ndarray]) -> None:
    """|dL/dW_l| against the layer l, one curve per activation: the median of the random starts
    and a band from the smallest to the largest. norms[name]: (starts, layers)."""
    ax = fig.add_subplot()
    for name, by_start in norms.items():
        layers = np.arange(1, by_start.shape[1] + 1)
        ax.semilogy(layers, np.median(by_start, axis=0), "o-", label=name)
        ax.fill_between(layers, by_start.min(axis=0), by_start.max(axis=0), alpha=0.2)
    starts = len(next(iter(norms.values())))
    ax.set(xlabel="layer (1 = next to the input, 11 = output)", xticks=range(1, 12),
           ylabel=f"|dL/dW| (median of {starts})")  # fmt: skip
    ax.set_title(f"gradient size per layer (band: smallest to largest of {starts})", fontsize=11)
    ax.legend(fontsize=10)
    fig.tight_layout()


def hidden_weights(start: mlp.Params = mlp.HAND_XOR) -> Demo:
    """Sliders for the hidden weights and biases of a 2-2-1 step network; the output unit stays.

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
            value=float(value), min=-2.0, max=2.0, step=0.1, description=name,
            continuous_update=False,
        )  # fmt: skip

    controls = {
        "w11": slider(w1[0, 0], "w1[0,0]"),
        "w21": slider(w1[1, 0], "w1[1,0]"),
        "b1_1": slider(b1[0], "b1[0]"),
        "w12": slider(w1[0, 1], "w1[0,1]"),
        "w22": slider(w1[1, 1], "w1[1,1]"),
        "b1_2": slider(b1[1], "b1[1]"),
    }
    return Demo(draw, controls, title="XOR: the hidden layer's weights", figsize=(10, 4.0))

"""Lesson 03: the 3-3-3 network as a computational graph, and a live back-propagation explorer."""

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from course_lib.backprop import backward_333, forward_333
from course_lib.seed001 import Problem
from course_lib.widgets import Demo

LAYERS = ("x", "h1 (ReLU)", "h2 (sigmoid)", "o (softmax)")
WEIGHT_NAMES = ("W_ij", "W_jk", "W_kl")
GRAD_NAMES = ("dW_ij", "dW_jk", "dW_kl")
# dL/d(pre-activation) of each layer; the input layer has none
DELTAS = (None, "delta_h1", "delta_h2", "delta_out")
POSITIVE, NEGATIVE = "#1f77b4", "#d62728"


def draw_graph(ax: Axes, r: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> None:
    """Draw the 3-3-3 network with its forward values and its gradients.

    r: ``forward_333``'s intermediates and ``backward_333``'s gradients in one dict;
    x: (3,) input; y: (3,) one-hot target.
    Each unit shows its output (black) and, in colour, dL/d(its pre-activation), the "delta"
    that back-propagation sends through it. Each weight is a line whose width grows with
    |dL/dW| (scaled per layer) and whose colour is the sign of dL/dW: blue positive (gradient
    descent lowers that weight), red negative (it raises it).
    """
    values = [np.asarray(x), r["h1_out"], r["h2_out"], r["o_out"]]
    ys = np.array([2.0, 1.0, 0.0])
    segments, colors, widths = [], [], []
    for layer, grad in enumerate(GRAD_NAMES):
        g = r[grad]
        scale = np.abs(g).max() or 1.0
        for a, b in np.ndindex(3, 3):
            segments.append([(layer + 0.12, ys[a]), (layer + 0.88, ys[b])])
            colors.append(POSITIVE if g[a, b] >= 0 else NEGATIVE)
            widths.append(0.4 + 4.5 * abs(g[a, b]) / scale)
        ax.text(layer + 0.5, 2.55, f"max |{grad}| = {scale:.3g}", ha="center", fontsize=11)
    segments += [[(3.12, y_a), (3.8, 1.0)] for y_a in ys]
    colors += ["0.6"] * 3
    widths += [1.0] * 3
    ax.add_collection(LineCollection(segments, colors=colors, linewidths=widths, alpha=0.75))
    nodes = [(layer, y_a) for layer in range(4) for y_a in ys]
    ax.scatter(*np.transpose(nodes), s=1500, color="white", edgecolors="k", zorder=2)
    for layer, (title, delta) in enumerate(zip(LAYERS, DELTAS, strict=True)):
        ax.text(layer, -0.75, title, ha="center", fontsize=12, weight="bold")
        for a in range(3):
            ax.text(layer, ys[a], f"{values[layer][a]:.3f}", ha="center", va="center", fontsize=10)
            if delta is not None:
                d = r[delta][a]
                color = POSITIVE if d >= 0 else NEGATIVE
                ax.text(layer, ys[a] - 0.36, f"δ={d:+.4f}", ha="center", fontsize=10, color=color)
    ax.scatter([4], [1], s=2000, color="#fff5d6", edgecolors="k", zorder=2)
    ax.text(4, 1, f"L\n{float(r['loss']):.4f}", ha="center", va="center", fontsize=11)
    ax.text(4, 0.4, f"target y = {np.asarray(y, dtype=int)}", ha="center", fontsize=11)
    ax.text(4, -0.75, "loss (CE)", ha="center", fontsize=12, weight="bold")
    ax.text(
        2,
        -0.98,
        "line width ~ |dL/dW| (per layer); blue: dL/dW > 0, red: dL/dW < 0;  "
        "δ = dL/d(pre-activation)",
        ha="center",
        fontsize=10.5,
        color="0.3",
    )
    ax.set_xlim(-0.5, 4.6)
    ax.set_ylim(-1.05, 2.8)
    ax.axis("off")


def _matrix_html(name: str, m: np.ndarray) -> str:
    rows = "".join(
        "<tr>" + "".join(f"<td>{v:+.5f}</td>" for v in row) + "</tr>" for row in np.atleast_2d(m)
    )
    return f"<td><b>{name}</b><table>{rows}</table></td>"


def backprop_explorer(problem: Problem) -> Demo:
    """Change the input, the target or one weight; see every gradient and the new weights.

    problem: the starting point (``seed001.problem()``): x (3,), one-hot y (3,),
    three (3, 3) weights, three (3,) biases, the learning rate. One weight at a time is changed
    from its starting value (choosing another weight puts the slider on that weight's value).
    """
    names = [f"{w}[{a},{b}]" for w in WEIGHT_NAMES for a in range(3) for b in range(3)]

    def weight_value(name: str) -> float:
        layer, a, b = WEIGHT_NAMES.index(name[:4]), int(name[5]), int(name[7])
        return float(problem.weights[layer][a, b])

    def draw(
        fig: Figure, x1: float, x2: float, x3: float, target: int, weight: str, value: float
    ) -> str:
        x = np.array([x1, x2, x3])
        y = np.eye(3)[target]
        weights = [w.copy() for w in problem.weights]
        weights[WEIGHT_NAMES.index(weight[:4])][int(weight[5]), int(weight[7])] = value
        f = forward_333(x, y, weights, problem.biases)
        r = {**f, **backward_333(x, y, weights, f)}
        draw_graph(fig.add_subplot(), r, x, y)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
        new = [w - problem.lr * r[g] for w, g in zip(weights, GRAD_NAMES, strict=True)]
        after = forward_333(x, y, new, problem.biases)["loss"]
        grads = "".join(_matrix_html(g, r[g]) for g in GRAD_NAMES)
        news = "".join(_matrix_html(f"new {n}", w) for n, w in zip(WEIGHT_NAMES, new, strict=True))
        return (
            f"loss {float(r['loss']):.5f} &rarr; {after:.5f} after one step of lr "
            f"{problem.lr:g} (weights only); output p = {np.round(r['o_out'], 4)}"
            f"<table><tr>{grads}</tr><tr>{news}</tr></table>"
        )

    slider = {"min": 0.0, "max": 1.0, "step": 0.05, "continuous_update": False}
    controls = {
        f"x{i + 1}": widgets.FloatSlider(value=float(v), description=f"x{i + 1}", **slider)
        for i, v in enumerate(problem.x)
    }
    controls["target"] = widgets.Dropdown(
        options=[(f"class {c}", c) for c in range(3)],
        value=int(np.argmax(problem.y)),
        description="target",
    )
    weight = widgets.Dropdown(options=names, value=names[0], description="weight")
    value = widgets.FloatSlider(
        value=weight_value(names[0]),
        min=-1.0,
        max=1.0,
        step=0.05,
        description="its value",
        continuous_update=False,
    )
    # registered before Demo's own observer, so the slider moves to the newly chosen weight first
    weight.observe(lambda change: setattr(value, "value", weight_value(change["new"])), "value")
    controls["weight"], controls["value"] = weight, value
    return Demo(draw, controls, title="Back-propagation explorer", figsize=(11, 5.2))

"""Lesson 00 demos: the broadcasting explorer (type two shapes, see the rule axis by axis) and
the dense-layer explorer (sliders turn, stretch and shift a grid of points, then relu folds it).
"""

import itertools

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Patch, Rectangle

from course_lib import tensors
from course_lib.widgets import Demo


def parse_shape(text: str) -> tensors.Shape:
    """Read a shape typed by a person: "3, 1, 5", "(3,1,5)" or "3x1x5" -> (3, 1, 5); "" -> ()."""
    cleaned = text.strip().strip("()[]").replace("x", ",").replace(" ", ",")
    parts = [p for p in cleaned.split(",") if p]
    if not all(p.isdigit() for p in parts):
        raise ValueError(f"text must be sizes separated by commas, like '3, 1, 5'; got {text!r}")
    return tuple(int(p) for p in parts)


def rotation_stretch(angle: float, stretch: float) -> np.ndarray:
    """A (2, 2) weight matrix W for row vectors: ``x @ W`` turns x by ``angle`` degrees
    (counter-clockwise), then multiplies its first coordinate by ``stretch``.

    W = R(angle) diag(stretch, 1), with R(a) = [[cos a, sin a], [-sin a, cos a]].
    """
    if not np.isfinite(angle) or not np.isfinite(stretch):
        raise ValueError(f"angle and stretch must be finite numbers, got {angle} and {stretch}")
    a = np.deg2rad(angle)
    rotation = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    return rotation @ np.diag([stretch, 1.0])


MATCH, STRETCH, PAD, CLASH = "#a1d99b", "#fdd0a2", "#f0f0f0", "#fc9272"
"""Box colours: a size kept, a 1 stretched, a missing axis (counts as 1), sizes that clash."""


def _box(ax, x: float, y: float, text: str, colour: str, dashed: bool = False) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.4, y - 0.32), 0.8, 0.64, boxstyle="round,pad=0.02", facecolor=colour,
            edgecolor="k", linestyle="--" if dashed else "-", linewidth=1.2,
        )
    )  # fmt: skip
    ax.text(x, y, text, ha="center", va="center", fontsize=13 if len(text) <= 3 else 11)


def draw_broadcast(fig: Figure, a: tuple[int, ...], b: tuple[int, ...]) -> str:
    """Draw shapes ``a`` and ``b`` aligned on the right and the result (or the clash) below.

    Returns a one-line summary: the result shape, or why the shapes do not broadcast.
    """
    pairs = tensors.align_right(a, b)
    try:
        result: tuple[int, ...] | None = tensors.broadcast_shape(a, b)
        summary = f"{a} and {b} broadcast to {result}"
    except ValueError as exc:
        result, summary = None, f"error: {exc}"
    ax = fig.add_subplot()
    rank = max(len(pairs), 1)
    for column, (da, db) in enumerate(pairs):
        sizes = [1 if d is None else d for d in (da, db)]
        clash = sizes[0] != sizes[1] and 1 not in sizes
        grown = "" if clash or max(sizes) == 1 else f"→{max(sizes)}"  # what a 1 stretches to
        for row, d in ((2, da), (1, db)):
            if d is None:
                _box(ax, column, row, f"(1){grown}", PAD, dashed=True)
            elif clash:
                _box(ax, column, row, str(d), CLASH)
            elif d == 1 and grown:
                _box(ax, column, row, f"1{grown}", STRETCH)
            else:
                _box(ax, column, row, str(d), MATCH)
        if result is not None:
            _box(ax, column, 0, str(result[column]), MATCH)
        elif clash:
            _box(ax, column, 0, "✗", CLASH)
        ax.text(column, 2.6, f"axis {column - len(pairs)}", ha="center", fontsize=9, color="0.4")
    for row, label in ((2, f"a {a}"), (1, f"b {b}"), (0, "a + b")):
        ax.text(-0.6, row, label, ha="right", va="center", fontsize=11)
    ax.axhline(0.55, xmin=0.05, xmax=0.95, color="k", linewidth=1)
    ax.set_xlim(-3.2, max(rank, 4) - 0.4)
    ax.set_ylim(-0.9, 2.9)
    ax.set_axis_off()
    legend = [(MATCH, "size kept"), (STRETCH, "1, stretched"),
              (PAD, "missing axis: a 1, stretched"), (CLASH, "clash")]  # fmt: skip
    handles = [Patch(facecolor=colour, edgecolor="k", label=text) for colour, text in legend]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=9)
    ax.set_title(summary if result is not None else "these shapes do not broadcast", fontsize=11)
    return summary


def broadcast_explorer(a: str = "8, 1, 6, 1", b: str = "7, 1, 5") -> Demo:
    """Two text boxes for shapes ("3, 1, 5"); the figure shows how they broadcast, or the clash."""

    def draw(fig: Figure, shape_a: str, shape_b: str) -> str:
        try:
            parsed = parse_shape(shape_a), parse_shape(shape_b)
        except ValueError as exc:
            fig.add_subplot().set_axis_off()
            return f"error: {exc}"
        return draw_broadcast(fig, *parsed)

    controls = {
        "shape_a": widgets.Text(value=a, description="shape of a", continuous_update=False),
        "shape_b": widgets.Text(value=b, description="shape of b", continuous_update=False),
    }
    return Demo(draw, controls, title="Broadcasting explorer", figsize=(7.0, 3.2))


FOLDED = "#e0e0e0"
"""Shade of the region that relu folds onto the axes (some coordinate negative)."""


def _outline(points: np.ndarray, per_side: int = 40) -> np.ndarray:
    """The closed border (4 * per_side + 1, 2) of the square spanned by 2-D points (n, 2),
    sampled densely so that its image under relu is drawn bent where relu bends it."""
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])
    t = np.linspace(0, 1, per_side, endpoint=False)[:, None]
    sides = [start + t * (end - start) for start, end in itertools.pairwise(corners)]
    return np.concatenate([*sides, corners[:1]])


def draw_dense_layer(
    fig: Figure, points: np.ndarray, w: np.ndarray, b: np.ndarray, limit: float = 3.0
) -> str:
    """Three panels: ``points`` (n, 2), then ``points @ w + b``, then relu of that.

    w: (2, 2), b: (2,). Colours follow each point's place in the input, so a point can be followed
    from panel to panel; the grey region of the middle panel is what relu folds onto the axes.
    Returns a summary: W, b and how many points relu moved.
    """
    points, w, b = np.asarray(points, float), np.asarray(w, float), np.asarray(b, float)
    if points.ndim != 2 or points.shape[1] != 2 or w.shape != (2, 2) or b.shape != (2,):
        raise ValueError(
            f"need points (n, 2), w (2, 2), b (2,); got {points.shape}, {w.shape}, {b.shape}"
        )
    z = points @ w + b
    out = np.maximum(z, 0)
    colour = points[:, 0] + 2 * points[:, 1]
    outline = _outline(points)
    panels = [("$x$", points, outline), ("$x W + b$", z, outline @ w + b),
              (r"$\mathrm{relu}(x W + b)$", out, np.maximum(outline @ w + b, 0))]  # fmt: skip
    axes = fig.subplots(1, 3, sharex=True, sharey=True)
    for ax, (title, pts, line) in zip(axes, panels, strict=True):
        ax.axhline(0, color="0.5", linewidth=0.8)
        ax.axvline(0, color="0.5", linewidth=0.8)
        ax.plot(line[:, 0], line[:, 1], color="0.3", linewidth=1)
        ax.scatter(pts[:, 0], pts[:, 1], c=colour, s=7, cmap="viridis")
        ax.set_title(title, fontsize=11)
        ax.set_aspect("equal")
        ax.set_xlabel("coordinate 1")
    axes[0].set_ylabel("coordinate 2")
    axes[0].set_xlim(-limit, limit)
    axes[0].set_ylim(-limit, limit)
    axes[0].set_xticks(range(-int(limit) + 1, int(limit)))
    axes[0].set_yticks(range(-int(limit) + 1, int(limit)))
    for x0, y0, width, height in ((-limit, -limit, 2 * limit, limit), (-limit, 0, limit, limit)):
        axes[1].add_patch(Rectangle((x0, y0), width, height, color=FOLDED, zorder=0))
    axes[1].text(-limit + 0.15, -limit + 0.2, "relu folds grey\nonto the axes", fontsize=8)
    fig.tight_layout()
    moved = (z < 0).any(axis=1)
    origin = int(np.sum(moved & (out == 0).all(axis=1)))
    rows = ", ".join(f"[{r[0]:.2f}, {r[1]:.2f}]" for r in w)
    return (
        f"W = [{rows}], b = [{b[0]:.2f}, {b[1]:.2f}]: relu moves {int(moved.sum())} of "
        f"{len(points)} points onto an axis ({origin} of them onto the origin)"
    )


def dense_layer_explorer(
    points: np.ndarray,
    angle: float = 30.0,
    stretch: float = 1.5,
    bias: tuple[float, float] = (0.4, 0.5),
) -> Demo:
    """Sliders set W = rotation_stretch(angle, stretch) and b; the figure shows x, xW + b, relu.

    points: (n, 2), e.g. a grid over [-1, 1]^2.
    """
    points = np.asarray(points, float)

    def draw(fig: Figure, angle: float, stretch: float, bias_1: float, bias_2: float) -> str:
        w = rotation_stretch(angle, stretch)
        return draw_dense_layer(fig, points, w, np.array([bias_1, bias_2]))

    def slider(value: float, low: float, high: float, step: float, name: str) -> widgets.Widget:
        return widgets.FloatSlider(
            value=value, min=low, max=high, step=step, description=name, continuous_update=False
        )

    controls = {
        "angle": slider(angle, -180.0, 180.0, 15.0, "turn (deg)"),
        "stretch": slider(stretch, 0.0, 2.0, 0.25, "stretch"),
        "bias_1": slider(bias[0], -1.5, 1.5, 0.1, "b[0]"),
        "bias_2": slider(bias[1], -1.5, 1.5, 0.1, "b[1]"),
    }
    return Demo(draw, controls, title="Dense-layer explorer", figsize=(9.0, 3.4))

"""Lesson 00 demo: the broadcasting explorer (type two shapes, see the rule axis by axis)."""

import ipywidgets as widgets
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Patch

from course_lib import tensors
from course_lib.widgets import Demo

MATCH, STRETCH, PAD, CLASH = "#a1d99b", "#fdd0a2", "#f0f0f0", "#fc9272"
"""Box colours: a size kept, a 1 stretched, a missing axis (counts as 1), sizes that clash."""


def _box(ax, x: float, y: float, text: str, colour: str, dashed: bool = False) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.4, y - 0.32), 0.8, 0.64, boxstyle="round,pad=0.02", facecolor=colour,
            edgecolor="k", linestyle="--" if dashed else "-", linewidth=1.2,
        )
    )  # fmt: skip
    ax.text(x, y, text, ha="center", va="center", fontsize=13)


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
        for row, d in ((2, da), (1, db)):
            if d is None:
                _box(ax, column, row, "(1)", PAD, dashed=True)
            elif clash:
                _box(ax, column, row, str(d), CLASH)
            else:
                _box(ax, column, row, str(d), STRETCH if d == 1 and max(sizes) > 1 else MATCH)
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
    legend = [(MATCH, "size kept"), (STRETCH, "1, stretched"), (PAD, "missing axis = 1"),
              (CLASH, "clash")]  # fmt: skip
    handles = [Patch(facecolor=colour, edgecolor="k", label=text) for colour, text in legend]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=9)
    ax.set_title(summary if result is not None else "these shapes do not broadcast", fontsize=11)
    return summary


def broadcast_explorer(a: str = "8, 1, 6, 1", b: str = "7, 1, 5") -> Demo:
    """Two text boxes for shapes ("3, 1, 5"); the figure shows how they broadcast, or the clash."""

    def draw(fig: Figure, shape_a: str, shape_b: str) -> str:
        try:
            parsed = tensors.parse_shape(shape_a), tensors.parse_shape(shape_b)
        except ValueError as exc:
            fig.add_subplot().set_axis_off()
            return f"error: {exc}"
        return draw_broadcast(fig, *parsed)

    controls = {
        "shape_a": widgets.Text(value=a, description="shape of a", continuous_update=False),
        "shape_b": widgets.Text(value=b, description="shape of b", continuous_update=False),
    }
    return Demo(draw, controls, title="Broadcasting explorer", figsize=(7.0, 3.2))

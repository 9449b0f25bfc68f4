"""Lesson 10 demo: accuracy against the number of labelled examples, for each way to start."""

from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_lib.plots import COLORS
from course_lib.widgets import Demo

CONTROL_STYLE = {"color": "0.5", "linestyle": "--"}


def draw_label_curves(
    fig: Figure,
    per_class: Sequence[int],
    results: Mapping[str, np.ndarray],
    selected: int,
    classes: int = 5,
) -> str:
    """Accuracy curves (mean over seeds, band = min..max) up to ``selected`` labels per class,
    faded beyond it, and the per-seed accuracies at ``selected`` on the right.

    results: method -> (len(per_class), seeds) accuracies. Returns a one-line summary.
    """
    per_class = list(per_class)
    if selected not in per_class:
        raise ValueError(f"selected must be one of {per_class}, got {selected}")
    for name, acc in results.items():
        if np.shape(acc)[0] != len(per_class):
            raise ValueError(
                f"results[{name!r}] must have {len(per_class)} rows (one per label count), "
                f"got shape {np.shape(acc)}"
            )
    k = per_class.index(selected)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1]})
    parts = []
    for m, (name, acc) in enumerate(results.items()):
        acc = np.asarray(acc)
        style = CONTROL_STYLE if m >= 3 else {"color": COLORS[m], "linestyle": "-"}
        mean = acc.mean(axis=1)
        left.plot(per_class, mean, alpha=0.25, **style)
        left.plot(per_class[: k + 1], mean[: k + 1], marker="o", label=name, **style)
        left.fill_between(
            per_class[: k + 1], acc.min(axis=1)[: k + 1], acc.max(axis=1)[: k + 1],
            color=style["color"], alpha=0.15,
        )  # fmt: skip
        right.scatter(np.full(acc.shape[1], m), acc[k], color=style["color"], zorder=3, s=25)
        right.plot([m - 0.3, m + 0.3], [mean[k]] * 2, color=style["color"], linewidth=3)
        parts.append(f"{name} {mean[k]:.3f}")
    left.axvline(selected, color="k", linewidth=0.8)
    left.set_xscale("log")
    left.set_xticks(per_class, [str(n) for n in per_class])
    left.set_xlabel("labelled examples per class")
    left.set_ylabel("test accuracy")
    left.set_ylim(0.4, 1.0)
    left.legend(fontsize=8, loc="lower right")
    names = [n.replace(" ", "\n", 1).replace("-", "-\n", 1) for n in results]  # 2-line labels
    right.set_xticks(range(len(results)), names, fontsize=7)
    right.set_ylim(0.4, 1.0)
    right.set_title(f"{selected * classes} labels", fontsize=10)
    fig.tight_layout()
    return (
        f"{selected} label{'' if selected == 1 else 's'} per class ({selected * classes} in all), "
        "mean accuracy: " + ", ".join(parts)
    )


def label_curves_demo(per_class: Sequence[int], results: Mapping[str, np.ndarray]) -> Demo:
    """A slider over the label counts of a finished experiment (``transfer.transfer_curves``)."""
    slider = widgets.SelectionSlider(
        options=list(per_class), value=per_class[len(per_class) // 2],
        description="labels/class", continuous_update=False,
    )  # fmt: skip

    def draw(fig: Figure, selected: int) -> str:
        return draw_label_curves(fig, per_class, results, selected)

    return Demo(draw, {"selected": slider}, title="Labels against accuracy", figsize=(8.0, 3.6))

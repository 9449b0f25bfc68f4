"""Lesson 10 demos: test accuracy against the number of labels for each way to start, and a
denoising autoencoder at any noise level."""

from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from course_lib.dcgan import montage
from course_lib.plots import COLORS
from course_lib.widgets import Demo

CONTROL_STYLE = {"color": "0.45", "linestyle": "--"}


def method_styles(names: Sequence[str], control: str | None = None) -> dict[str, dict]:
    """A colour and line style per method; the ``control`` is grey and dashed."""
    colours = iter([COLORS[0], COLORS[3], COLORS[2], COLORS[1], *COLORS[4:]])
    return {
        name: CONTROL_STYLE if name == control else {"color": next(colours), "linestyle": "-"}
        for name in names
    }


def draw_label_curves(
    fig: Figure,
    per_class: Sequence[int],
    results: Mapping[str, np.ndarray],
    selected: int,
    classes: int = 5,
    control: str | None = None,
) -> str:
    """Accuracy curves (mean over seeds, band = mean ± standard deviation) up to ``selected``
    labels per class, faded beyond it, and every seed's accuracy at ``selected`` on the right.
    Hollow markers of different shapes and sizes keep coinciding methods visible.

    results: method -> (len(per_class), seeds) accuracies. Returns a one-line summary.
    """
    per_class = list(per_class)
    if selected not in per_class:
        raise ValueError(f"selected must be one of {per_class}, got {selected}")
    for name, acc in results.items():
        if np.ndim(acc) != 2 or np.shape(acc)[0] != len(per_class):
            raise ValueError(
                f"results[{name!r}] must have {len(per_class)} rows (one per label count), "
                f"got shape {np.shape(acc)}"
            )
    k = per_class.index(selected)
    styles = method_styles(list(results), control)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1]})
    parts = []
    for m, (name, acc) in enumerate(results.items()):
        acc, style = np.asarray(acc), styles[name]
        mean = acc.mean(axis=1)
        left.plot(per_class, mean, alpha=0.25, **style)
        marker = {"marker": "osD^v"[m % 5], "markersize": 10 - 1.2 * m, "fillstyle": "none"}
        left.plot(per_class[: k + 1], mean[: k + 1], label=name, **marker, **style)
        low, high = mean - acc.std(axis=1), mean + acc.std(axis=1)
        left.fill_between(per_class[: k + 1], low[: k + 1], high[: k + 1], color=style["color"],
                          alpha=0.12)  # fmt: skip
        right.scatter(np.full(acc.shape[1], m), acc[k], color=style["color"], zorder=3, s=22)
        right.plot([m - 0.3, m + 0.3], [mean[k]] * 2, color=style["color"], linewidth=3)
        parts.append(f"{name} {mean[k]:.0%}")
    left.axvline(selected, color="k", linewidth=0.8)
    left.set_xscale("log")
    left.set_xticks(per_class, [str(n) for n in per_class])
    left.set_xlabel("labelled examples per class")
    left.set_ylabel("test accuracy (digits 5-9)")
    left.set_ylim(0.3, 1.0)
    left.legend(fontsize=8, loc="lower right")
    right.set_xticks([])
    right.set_xlabel("methods, coloured as on the left")
    right.set_ylim(0.3, 1.0)
    right.set_title(f"{selected} per class ({selected * classes} labels): every seed", fontsize=10)
    fig.tight_layout()
    return (
        f"{selected} label{'' if selected == 1 else 's'} per class ({selected * classes} in all), "
        "mean test accuracy: " + ", ".join(parts)
    )


def label_curves_demo(
    per_class: Sequence[int], results: Mapping[str, np.ndarray], control: str | None = None
) -> Demo:
    """A slider over the label counts of a finished sweep (``transfer_experiments``)."""
    slider = widgets.SelectionSlider(
        options=list(per_class), value=per_class[0], description="labels/class",
        continuous_update=False,
    )  # fmt: skip

    def draw(fig: Figure, selected: int) -> str:
        return draw_label_curves(fig, per_class, results, selected, control=control)

    return Demo(draw, {"selected": slider}, title="Labels against accuracy", figsize=(8.0, 3.4))


def draw_denoising(
    fig: Figure, model: nn.Module, clean: torch.Tensor, noise: float, seed: int = 0
) -> str:
    """Clean images (k, 1, h, w), the same with Gaussian noise of std ``noise`` (clipped to
    [0, 1]) and ``model``'s output on the noisy ones, in three rows. Returns the errors."""
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    generator = torch.Generator().manual_seed(seed)
    noisy = (clean + noise * torch.randn(clean.shape, generator=generator)).clamp(0, 1)
    model.eval()
    with torch.no_grad():
        rebuilt = model(noisy)
    rows = {"clean": clean, f"noise {noise:.2f}": noisy, "denoised": rebuilt}
    for ax, (label, images) in zip(fig.subplots(3, 1), rows.items(), strict=True):
        ax.imshow(montage(images[:, 0].numpy(), cols=len(images)), cmap="gray_r", vmin=0, vmax=1)
        ax.set(xticks=[], yticks=[])
        ax.set_ylabel(label, fontsize=9)
    fig.subplots_adjust(left=0.08, right=0.99, top=0.98, bottom=0.02, hspace=0.05)
    error_noisy = float(torch.mean((noisy - clean) ** 2))
    error_rebuilt = float(torch.mean((rebuilt - clean) ** 2))
    return (
        f"mean squared error against the clean digits: noisy {error_noisy:.3f}, "
        f"denoised {error_rebuilt:.3f}"
    )


def denoising_demo(model: nn.Module, clean: torch.Tensor) -> Demo:
    """A noise slider: what the trained denoising autoencoder ``model`` makes of noisier digits."""
    slider = widgets.FloatSlider(
        value=0.3, min=0.0, max=0.8, step=0.1, description="noise std", continuous_update=False
    )

    def draw(fig: Figure, noise: float) -> str:
        return draw_denoising(fig, model, clean, noise)

    return Demo(draw, {"noise": slider}, title="Denoising", figsize=(8.0, 2.9))

"""One plotting style for the whole course, and the plots several lessons share."""

from collections.abc import Callable, Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
"""Class colours: class k is drawn in COLORS[k]."""

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "font.size": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=COLORS),
    "image.cmap": "viridis",
    "legend.frameon": False,
}


def use_style() -> None:
    """Apply the course style to matplotlib (``repro.setup`` calls this)."""
    mpl.rcParams.update(STYLE)


def _check_points(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n, 2), got {x.shape}")
    return x


def scatter_classes(ax: Axes, x: np.ndarray, y: np.ndarray, *, size: float = 60) -> None:
    """Scatter 2-D points coloured by integer class. x: (n, 2), y: (n,)."""
    x = _check_points(x, "x")
    y = np.asarray(y).astype(int).ravel()
    if len(y) != len(x):
        raise ValueError(f"y must have one label per point: x has {len(x)} rows, y has {len(y)}")
    for cls in np.unique(y):
        pts = x[y == cls]
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            s=size,
            c=COLORS[cls % len(COLORS)],
            edgecolors="k",
            label=f"class {cls}",
            zorder=3,
        )


def decision_regions(
    ax: Axes,
    predict: Callable[[np.ndarray], np.ndarray],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    resolution: int = 200,
    levels: Sequence[float] = (0.5,),
) -> np.ndarray:
    """Shade the plane by ``predict`` and draw its level lines; returns the (res, res) grid.

    predict: maps points (m, 2) to scores (m,) (e.g. a probability of class 1, or a 0/1 label).
    """
    gx, gy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    scores = np.asarray(predict(grid), dtype=float).reshape(gx.shape)
    cmap = ListedColormap(["#c6dbef", "#fcbba1"]) if np.isin(scores, (0, 1)).all() else "RdBu_r"
    ax.pcolormesh(gx, gy, scores, cmap=cmap, shading="auto", alpha=0.6, vmin=0, vmax=1)
    if scores.min() < min(levels) < scores.max():
        ax.contour(gx, gy, scores, levels=list(levels), colors="k", linewidths=1.5)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return scores


def curves(
    ax: Axes,
    series: Mapping[str, Sequence[float]],
    *,
    xlabel: str = "step",
    ylabel: str = "loss",
    log: bool = False,
) -> None:
    """Plot named curves (e.g. training and validation loss) against their index."""
    for name, values in series.items():
        ax.plot(np.arange(len(values)), values, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    if len(series) > 1:
        ax.legend()


def image_grid(
    images: np.ndarray | Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    *,
    cols: int = 8,
    size: float = 1.2,
    cmap: str = "gray_r",
    fig: Figure | None = None,
) -> Figure:
    """Show images (n, h, w) or (n, h, w, 3) in a grid, with optional titles.

    Draws on ``fig`` if given (a widget's figure), else on a new pyplot figure.
    """
    images = list(images)
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"titles must match images: {len(images)} images, {len(titles)} titles")
    rows = max(1, -(-len(images) // cols))
    cols = min(cols, max(1, len(images)))
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(cols * size, rows * size * 1.15))
    for k, image in enumerate(images):
        ax = fig.add_subplot(rows, cols, k + 1)
        ax.imshow(np.asarray(image), cmap=cmap if np.ndim(image) == 2 else None)
        ax.set_axis_off()
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
    fig.tight_layout()
    return fig

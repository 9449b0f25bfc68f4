"""Pictures and live demos of lesson 05.

Pictures (``draw_*``, each on a given matplotlib figure or axes): a filter sliding over an image,
seed 002's volumes, max pooling forward and backward, receptive fields, a grid of filters or
feature maps. Demos: ``sliding_demo`` (a slider moves the filter, the output map fills in) and
``activation_demo`` (a slider steps through test digits and shows the first layer's maps).
"""

from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle

from course_lib import cnn
from course_lib.widgets import Demo

FILTERS: dict[str, np.ndarray] = {
    "vertical edge (Sobel x)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    "horizontal edge (Sobel y)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    "blur (box 3x3)": np.full((3, 3), 1 / 9),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
}
"""Hand-made 3x3 filters for the sliding-filter demo."""


def _numbers(ax: Axes, values: np.ndarray, fmt: str = "{:.2g}", size: float = 10) -> None:
    """Write each value of a small 2-D array into its cell of an imshow (no "-0.0")."""
    limit = float(np.abs(values).max()) or 1.0
    for (i, j), value in np.ndenumerate(values):
        colour = "w" if abs(value) > 0.6 * limit else "k"
        text = fmt.format(value)
        text = fmt.format(0.0) if float(text) == 0 else text
        ax.text(j, i, text, ha="center", va="center", fontsize=size, color=colour)


def _frame(ax: Axes, row: float, col: float, height: float, width: float, colour: str) -> None:
    """Outline the cells rows row..row+height-1, cols col..col+width-1 of an imshow."""
    ax.add_patch(Rectangle((col - 0.5, row - 0.5), width, height, fill=False, ec=colour, lw=2.5))


def _bare(ax: Axes) -> None:
    """No ticks and no grid, a thin grey frame on all four sides."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("0.6")


def draw_sliding(fig: Figure, image: np.ndarray, kernel: np.ndarray, position: int) -> str:
    """A filter at one position of an image, the numbers it multiplies, the output cell it makes.

    image: (h, w), kernel: (k, k); position counts the output cells row by row (valid
    convolution, stride 1). The output map shows the cells computed so far. Returns a summary.
    """
    k = kernel.shape[0]
    out = cnn.conv2d_naive(image[None], kernel[None, None], np.zeros(1))[0]
    i, j = divmod(position, out.shape[1])
    patch = image[i : i + k, j : j + k]
    axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": [3, 1.6, 1.6, 3]})
    axes[0].imshow(image, cmap="gray_r", vmin=0, vmax=1)
    _frame(axes[0], i, j, k, k, "tab:red")
    axes[0].set_title("image X and the window")
    axes[1].imshow(patch, cmap="gray_r", vmin=0, vmax=1)
    _numbers(axes[1], patch, "{:.1f}", 9)
    axes[1].set_title(f"X[{i}:{i + k}, {j}:{j + k}]")
    limit = float(np.abs(kernel).max()) or 1.0
    axes[2].imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
    _numbers(axes[2], kernel, "{:.2g}", 9)
    axes[2].set_title("filter F")
    shown = np.ma.masked_array(out, np.arange(out.size).reshape(out.shape) > position)
    limit = float(np.abs(out).max()) or 1.0
    axes[3].imshow(shown, cmap="RdBu_r", vmin=-limit, vmax=limit)
    _frame(axes[3], i, j, 1, 1, "k")
    axes[3].set_title(f"output O[{i}, {j}] = {out[i, j]:.2f}")
    for ax in axes:
        _bare(ax)
    fig.tight_layout()
    return f"O[{i}, {j}] = sum of F * X[{i}:{i + k}, {j}:{j + k}] = {out[i, j]:.3g}"


def sliding_demo(image: np.ndarray, filters: Mapping[str, np.ndarray], start: int = 0) -> Demo:
    """A slider moves a filter over ``image`` (h, w); a dropdown picks one of ``filters`` (k, k).

    The output map fills in cell by cell, as ``cnn.conv2d_naive`` computes it.
    """
    if np.ndim(image) != 2 or not filters:
        raise ValueError(
            f"need a greyscale image (h, w) and at least one filter, got {np.shape(image)} "
            f"and {len(filters)} filters"
        )
    sizes = {np.shape(kernel) for kernel in filters.values()}
    if len(sizes) != 1 or len(next(iter(sizes))) != 2:
        raise ValueError(f"filters must all have one (k, k) shape, got {sorted(sizes)}")
    k = next(iter(sizes))[0]
    cells = (image.shape[0] - k + 1) * (image.shape[1] - k + 1)

    def draw(fig: Figure, position: int, kernel: str) -> str:
        return draw_sliding(fig, np.asarray(image), np.asarray(filters[kernel]), position)

    controls = {
        "position": widgets.IntSlider(value=start, min=0, max=cells - 1, description="position"),
        "kernel": widgets.Dropdown(options=list(filters), description="filter"),
    }
    return Demo(draw, controls, title="A filter slides over the image", figsize=(11.0, 3.3))


def _box(ax: Axes, x: float, y: float, w: float, h: float, d: float, colour: str) -> None:
    """A box of width w, height h and depth d in oblique projection, front face at (x, y)."""
    dx, dy = 0.5 * d, 0.35 * d
    faces = [
        [(x, y), (x + w, y), (x + w, y + h), (x, y + h)],
        [(x, y + h), (x + w, y + h), (x + w + dx, y + h + dy), (x + dx, y + h + dy)],
        [(x + w, y), (x + w + dx, y + dy), (x + w + dx, y + h + dy), (x + w, y + h)],
    ]
    for face, shade in zip(faces, (1.0, 0.8, 0.65), strict=True):
        ax.add_patch(Polygon(face, closed=True, fc=colour, ec="k", lw=1, alpha=shade))


def draw_volumes(ax: Axes) -> None:
    """Seed 002's picture: a 5x5x3 filter in a 32x32x3 image makes one value of a 28x28 map
    (dashed); six filters make six maps, a 28x28x6 volume."""
    _box(ax, 0, 0, 32, 32, 9, "#9ecae1")
    _box(ax, 6, 18, 5, 5, 9, "#e6550d")
    ax.text(16, -5, "image 32x32x3", ha="center")
    ax.annotate("filter 5x5x3", (8, 25), (2, 41), arrowprops={"arrowstyle": "-", "lw": 1})
    _box(ax, 52, 2, 28, 28, 1.5, "#a1d99b")
    ax.add_patch(Rectangle((58, 20), 1, 1, fc="#e6550d", ec="k", lw=0.8, zorder=3))
    for x, y in ((6, 18), (11, 18), (6, 23), (11, 23)):
        ax.plot([x, 58 + (x > 6)], [y, 20 + (y > 18)], "k--", lw=0.7)
    ax.text(66, -5, "one map 28x28x1", ha="center")
    for layer in range(6):
        _box(ax, 96 + 1.5 * layer, 2 + 1.05 * layer, 28, 28, 1.5, "#a1d99b")
    ax.text(114, -5, "six filters: 28x28x6", ha="center")
    ax.annotate("", (93, 16), (84, 16), arrowprops={"arrowstyle": "->", "lw": 1.5})
    ax.set_xlim(-3, 136)
    ax.set_ylim(-9, 44)
    ax.set_aspect("equal")
    ax.set_axis_off()


def draw_pooling(fig: Figure, x: np.ndarray, grad: np.ndarray, size: int = 2) -> None:
    """Max pooling of one (h, w) slice, forward (each window and its maximum, outlined) and
    backward (the upstream gradient ``grad`` (h/size, w/size) routed to each window's maximum)."""
    pooled = cnn.max_pool2d_forward(x[None, None], size)[0, 0]
    routed = cnn.max_pool2d_backward(grad[None, None], x[None, None], size)[0, 0]
    winners = cnn.max_pool2d_backward(np.ones((1, 1, *pooled.shape)), x[None, None], size)[0, 0]
    colours, per_row = ["#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb"], pooled.shape[1]
    panels = ((x, size, "input x"), (pooled, 1, "max pooling y"), (grad, 1, "upstream dE/dy"),
              (routed, size, "dE/dx"))  # fmt: skip
    axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": [2, 1, 1, 2]})
    for ax, (values, cell, title) in zip(axes, panels, strict=True):
        for (i, j), value in np.ndenumerate(values):
            colour = colours[((i // cell) * per_row + j // cell) % len(colours)]
            won = cell > 1 and winners[i, j] > 0
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fc=colour, ec="k" if won else "w",
                                   lw=2.5 if won else 2, zorder=2 if won else 1))  # fmt: skip
            ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=14, zorder=3)
        ax.set_xlim(-0.5, values.shape[1] - 0.5)
        ax.set_ylim(values.shape[0] - 0.5, -0.5)
        ax.set_aspect("equal")
        ax.set_title(title)
        _bare(ax)
    fig.tight_layout()


def draw_receptive_fields(
    axes: Sequence[Axes], image: np.ndarray, sides: list[int], gradient: np.ndarray
) -> None:
    """Left: squares of the given sides on an image (h, w), sharing the top-left pixel of the
    last unit's field. Right: that unit's gradient on the image (h, w), zero left blank."""
    seen = gradient != 0
    corner = int(np.nonzero(seen)[0].min())
    axes[0].imshow(image, cmap="gray_r", vmin=0, vmax=1)
    colours = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")
    for side, colour in zip(sides, colours, strict=False):
        _frame(axes[0], corner, corner, side, side, colour)
        axes[0].text(corner + side - 0.5, corner + side - 0.5, f"{side}", color=colour,
                     fontsize=13, ha="right", va="bottom", fontweight="bold")  # fmt: skip
    axes[0].set_title("fields after each layer")
    axes[1].imshow(np.where(seen, gradient, np.nan), cmap="viridis")
    axes[1].set(xlim=(-0.5, image.shape[1] - 0.5), ylim=(image.shape[0] - 0.5, -0.5))
    axes[1].set_title("the last unit's weight on each pixel")
    for ax in axes:
        _bare(ax)


def draw_grid(
    fig: Figure,
    images: np.ndarray,
    titles: list[str],
    cmap: str,
    signed: bool,
    title: str,
    columns: int = 8,
) -> None:
    """Up to 16 images (n, h, w) in rows of ``columns`` under a title, each with its own title
    and colour scale: centred on 0 if signed (filters), from 0 to its maximum if not (ReLU maps).
    """
    if len(images) > 16 or len(images) != len(titles):
        raise ValueError(
            f"need at most 16 images with a title each, got {len(images)}, {len(titles)}"
        )
    for k, (picture, name) in enumerate(zip(images, titles, strict=True)):
        ax = fig.add_subplot(-(-len(images) // columns), columns, k + 1)
        limit = float(np.abs(picture).max()) or 1.0
        ax.imshow(picture, cmap=cmap, vmin=-limit if signed else 0.0, vmax=limit)
        if picture.size <= 25:
            _numbers(ax, picture, "{:.1f}", 11)
        ax.set_title(name, fontsize=13)
        _bare(ax)
    fig.suptitle(title, fontsize=15)
    fig.tight_layout()


def activation_demo(
    images: np.ndarray,
    labels: np.ndarray,
    predictions: np.ndarray,
    activations: np.ndarray,
    channels: Sequence[int],
) -> Demo:
    """Step through digits with a slider; see the digit and the feature maps of 15 channels.

    images: (n, h, w), labels and predictions: (n,), activations: (n, c, h, w), precomputed (the
    demo only looks them up); channels: which of the c maps to show, the first 15 of them.
    """
    n = len(images)
    if not (len(labels) == len(predictions) == len(activations) == n) or np.ndim(activations) != 4:
        raise ValueError(
            "images, labels, predictions must have the same length n and activations be "
            f"(n, channels, h, w); got {np.shape(images)}, {np.shape(labels)}, "
            f"{np.shape(predictions)}, {np.shape(activations)}"
        )
    shown = [int(c) for c in channels[:15]]

    def draw(fig: Figure, index: int) -> str:
        digit_ax, maps_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.9]})
        digit_ax.imshow(images[index], cmap="gray_r")
        digit_ax.set_title(f"label {labels[index]}, predicted {predictions[index]}", fontsize=13)
        maps = activations[index, shown]
        scaled = maps / np.maximum(maps.max(axis=(1, 2), keepdims=True), 1e-12)
        h, w = scaled.shape[1:]
        mosaic = np.full((3 * (h + 7), 5 * (w + 2)), np.nan)
        for k, feature in enumerate(scaled):
            top, left = (k // 5) * (h + 7) + 7, (k % 5) * (w + 2)
            mosaic[top : top + h, left : left + w] = feature
            maps_ax.text(left + w / 2, top - 1, f"map {shown[k]}", ha="center", fontsize=12)
        maps_ax.imshow(mosaic, cmap="magma", vmin=0, vmax=1)
        maps_ax.set_title("feature maps, each on its own scale", fontsize=13)
        for ax in (digit_ax, maps_ax):
            _bare(ax)
        maps_ax.set_axis_off()
        fig.tight_layout(rect=(0, 0, 1, 0.94))
        verdict = "correct" if labels[index] == predictions[index] else "WRONG"
        strongest = shown[int(maps.max(axis=(1, 2)).argmax())]
        return (
            f"digit {index}: label {labels[index]}, predicted {predictions[index]} "
            f"({verdict}); strongest map {strongest}"
        )

    controls = {"index": widgets.IntSlider(value=0, min=0, max=n - 1, description="digit")}
    return Demo(draw, controls, title="Feature maps of a digit", figsize=(11.0, 5.0))


def draw_degradation(axes: Sequence[Axes], runs: Sequence) -> None:
    """The degradation experiment (``cnn_experiments.degradation``'s runs) on two axes: training
    error against depth, and the first over the last convolution's gradient before training."""
    depths = sorted({run.depth for run in runs})
    by = {(run.depth, run.shortcut): run for run in runs}
    for shortcut, label in ((False, "plain"), (True, "residual")):
        errors = [100 * by[d, shortcut].train_error for d in depths]
        others = [100 * by[d, not shortcut].train_error for d in depths]
        axes[0].plot(depths, errors, "o-", label=label)
        for d, error, other in zip(depths, errors, others, strict=True):
            axes[0].annotate(f"{error:.0f}", (d, error), textcoords="offset points",
                             xytext=(0, 7 if error >= other else -15), ha="center")  # fmt: skip
        ratios = [by[d, shortcut].first_grad / by[d, shortcut].last_grad for d in depths]
        axes[1].plot(depths, ratios, "o-", label=label)
    axes[0].set(ylabel="training error (%)", ylim=(0, 100), title="after training")
    axes[1].set(ylabel="|dE/dW|, first conv / last conv", yscale="log", title="before training")
    axes[1].axhline(1, color="k", lw=0.8, ls=":")
    for ax in axes:
        ax.set(xlabel="weight layers", xticks=depths)
        ax.legend()


def draw_weight_matrices(axes: Sequence[Axes], m: np.ndarray, rng: np.random.Generator) -> None:
    """A dense layer's weight matrix (random, every entry free) beside ``m``, a convolution
    written as a dense matrix (outputs, inputs): its zeros left blank."""
    axes[0].imshow(rng.normal(size=m.shape), cmap="viridis")
    axes[0].set_title(f"dense layer: {m.size} free weights")
    values = np.unique(m[m != 0])
    shown = axes[1].imshow(np.ma.masked_equal(m, 0), cmap="viridis")
    key = axes[1].figure.colorbar(shown, ax=axes[1], ticks=values, fraction=0.04)
    key.set_label("the filter's values")
    axes[1].set_title(
        f"convolution: {np.count_nonzero(m)} connections, {len(values)} shared values"
    )
    for ax in axes:
        ax.set(xlabel=f"input pixel (of {m.shape[1]})", ylabel=f"output (of {m.shape[0]})")
        ax.grid(False)


def draw_history(axes: Sequence[Axes], history: Mapping[str, list[float]]) -> None:
    """``training.fit``'s curves: training and validation loss (log scale), validation accuracy."""
    epochs = np.arange(1, len(history["loss"]) + 1)
    axes[0].plot(epochs, history["loss"], "o-", label="training (shifted, dropout)")
    axes[0].plot(epochs, history["val_loss"], "o-", label="validation")
    axes[0].set(xlabel="epoch", ylabel="cross-entropy", yscale="log")
    axes[0].legend()
    axes[1].plot(epochs, 100 * np.asarray(history["val_acc"]), "o-", color="C2")
    axes[1].set(xlabel="epoch", ylabel="validation accuracy (%)", ylim=(80, 100))


def draw_confusion(
    fig: Figure, labels: np.ndarray, predicted: np.ndarray, images: np.ndarray, title: str
) -> None:
    """The confusion matrix of (labels, predicted) with its counts written in, under ``title``,
    and up to 8 of the misread images (n, h, w) beside it."""
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (labels, predicted), 1)
    grid = fig.add_gridspec(2, 6, width_ratios=[1.2] * 2 + [0.5] * 4)
    ax = fig.add_subplot(grid[:, :2])
    ax.imshow(confusion, cmap="Blues", vmax=15)
    for (i, j), count in np.ndenumerate(confusion):
        if count:
            colour = "w" if i == j else "k"
            ax.text(j, i, count, ha="center", va="center", fontsize=12, color=colour)
    ax.set(xlabel="predicted digit", ylabel="true digit", xticks=range(10), yticks=range(10))
    ax.set_title(title)
    ax.grid(False)
    for k, index in enumerate(np.flatnonzero(predicted != labels)[:8]):
        ax = fig.add_subplot(grid[k // 4, 2 + k % 4])
        ax.imshow(images[index], cmap="gray_r")
        ax.set_title(f"{labels[index]}, read as {predicted[index]}", fontsize=10)
        ax.set_axis_off()


def draw_path_counts(axes: Sequence[Axes], counts: Sequence[np.ndarray]) -> None:
    """For a stack of 1, 2, 3, ... layers: how many paths lead from each input pixel to one unit
    of the top layer, each (r, r) array on its own axes, counts written in."""
    for depth, (ax, grid) in enumerate(zip(axes, counts, strict=True), start=1):
        ax.imshow(grid, cmap="Blues", vmin=0, vmax=grid.max() * 1.3)
        _numbers(ax, grid, "{:.0f}", 11)
        side = grid.shape[0]
        ax.set_title(f"{depth} layer{'s' if depth > 1 else ''}: {side}x{side} pixels")
        _bare(ax)

"""Experiment drivers and figures of lesson 09: the cached networks it trains, a second reader for
attacked digits, the sorting MLP's test over shifted ranges, and the lesson's figures (each
``draw_*`` makes one pyplot figure and returns it)."""

import copy
import hashlib
import io
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import nn

from course_lib import cnn, data, interpret, localisation, plots

ROBUST_EPSILON = 0.1
ROBUST_EPOCHS = 1


def cached_model(name: str, blank: nn.Module, train: Callable[[], nn.Module]) -> nn.Module:
    """The weights saved as ``name`` in build/cache (checked by sha256) loaded into ``blank``, or,
    the first time, ``train()``'s network, saved there. Returns the network in eval mode."""
    path, digest = cnn.CACHE_DIR / f"{name}.pt", cnn.CACHE_DIR / f"{name}.sha256"
    if path.is_file() and digest.is_file() and data.sha256(path) == digest.read_text().strip():
        blank.load_state_dict(torch.load(path, weights_only=True))
        return blank.eval()
    model = train()
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    cnn._atomic_write(path, buffer.getvalue())
    cnn._atomic_write(digest, data.sha256(path).encode())
    return model.eval()


def pretrained_canvas_cnn(seed: int = 0) -> nn.Sequential:
    """``localisation.train_canvas_cnn(seed)``, run once and cached."""
    name = (
        f"canvas_cnn_{localisation.CANVAS}px_dust{localisation.DUST}"
        f"_seed{seed}_e{localisation.CANVAS_EPOCHS}"
    )
    return cached_model(
        name, localisation.canvas_cnn(), lambda: localisation.train_canvas_cnn(seed)
    )


def pretrained_robust_cnn(seed: int = 0) -> nn.Sequential:
    """``interpret.adversarially_trained`` from ``cnn.pretrained_mnist_cnn(seed)`` on the 4,000
    training digits (FGSM at ``ROBUST_EPSILON``, ``ROBUST_EPOCHS`` epoch), run once and cached
    under a name that holds a digest of the starting weights. It trains in float64, then returns
    to float32: in float32 the sign steps of FGSM amplify the different order of the sums of AVX2
    and AVX-512 kernels, and the accuracies the lesson prints move by a point or two."""
    start = cnn.pretrained_mnist_cnn(seed)

    def train() -> nn.Module:
        x, y = cnn.mnist_tensors(data.mnist_split().train)
        torch.manual_seed(seed)
        start64 = copy.deepcopy(start).double()
        robust = interpret.adversarially_trained(
            start64, x.double(), y, ROBUST_EPSILON, ROBUST_EPOCHS
        )
        return robust.float()

    name = f"robust_mnist_cnn_{_weights_digest(start)}_eps{ROBUST_EPSILON}_e{ROBUST_EPOCHS}_f64"
    return cached_model(name, cnn.mnist_cnn(), train)


def _weights_digest(model: nn.Module) -> str:
    """The first 12 hex digits of the sha256 of the model's weights: a cache trained from them
    is stale when they change."""
    digest = hashlib.sha256()
    for tensor in model.state_dict().values():
        digest.update(tensor.numpy().tobytes())
    return digest.hexdigest()[:12]


def nearest_neighbour_labels(
    train_x: torch.Tensor, train_y: torch.Tensor, x: torch.Tensor
) -> torch.Tensor:
    """Label each image of x (n, ...) with the label of its nearest training image (m, ...),
    by the sum of squared pixel differences. train_y: (m,). Returns (n,) labels."""
    distances = torch.cdist(x.flatten(1), train_x.flatten(1))  # (n, m)
    return train_y[distances.argmin(dim=1)]


def sorted_share(
    sorter: nn.Module,
    shifts: Sequence[float],
    generator: torch.Generator,
    *,
    n: int = 2000,
    length: int = 4,
    tolerance: float = 0.05,
) -> np.ndarray:
    """For each shift a, the share of n random lists from [a, a + 1) that ``sorter`` sorts:
    every output within ``tolerance`` of the true sorted value. Returns (len(shifts),)."""
    shares = []
    for shift in shifts:
        lists = shift + torch.rand(n, length, generator=generator)
        with torch.no_grad():
            error = (sorter(lists) - lists.sort(dim=1).values).abs()
        shares.append((error < tolerance).all(dim=1).float().mean().item())
    return np.array(shares)


# --- Figures ---------------------------------------------------------------------------------


def _grid(rows: int, cols: int, size: tuple[float, float]) -> tuple[Figure, np.ndarray]:
    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    return fig, axes


def _image(ax: Axes, image, title: str = "", **style) -> None:
    ax.imshow(np.asarray(image), **({"cmap": "gray_r", "vmin": 0, "vmax": 1} | style))
    ax.set_title(title, fontsize=9)


def draw_box(ax: Axes, box: Sequence[int], color: str = "lime") -> None:
    """Outline a (top, bottom, left, right) box, inclusive pixel indices, on an image axis."""
    top, bottom, left, right = (int(v) for v in box)
    corner, width, height = (left - 0.5, top - 0.5), right - left + 1, bottom - top + 1
    ax.add_patch(Rectangle(corner, width, height, fill=False, edgecolor=color, linewidth=1.5))


def draw_activations(
    digit: np.ndarray, first: np.ndarray, second: np.ndarray, label: int
) -> Figure:
    """The digit (h, w), 7 maps of ``first`` (k, h, w) and 8 of ``second`` (k, h', w')."""
    fig, axes = _grid(2, 8, (11, 3.2))
    _image(axes[0, 0], digit, f"input: a {label}")
    for k in range(7):
        _image(axes[0, k + 1], first[k], f"conv1 #{k}", cmap="viridis", vmax=first.max())
    for k in range(8):
        _image(axes[1, k], second[k], f"conv2 #{k}", cmap="viridis", vmax=second.max())
    fig.suptitle("after conv 1 + ReLU (28x28 maps, top) and conv 2 + ReLU (14x14 maps, bottom)")
    fig.tight_layout()
    return fig


def draw_preferred(units: np.ndarray, classes: np.ndarray, confidence: np.ndarray) -> Figure:
    """8 unit images (k, h, w), cropped to their centre 12x12, over 8 class images (10, h, w)."""
    fig, axes = _grid(2, 8, (11, 3.4))
    for k in range(8):
        _image(axes[0, k], units[k, 9:21, 9:21], f"conv2 #{k}")
        _image(axes[1, k], classes[k], f"logit {k}: p = {confidence[k]:.2f}")
    fig.suptitle(
        "top: conv 2 units (the centre 12x12 of the input); bottom: inputs raising a logit"
    )
    fig.tight_layout()
    return fig


def draw_canvases(canvases: torch.Tensor, boxes: torch.Tensor, labels: torch.Tensor) -> Figure:
    """Canvases (n, 1, s, s) in a row, each with its ink box (n, 4) and its label (n,)."""
    fig, axes = _grid(1, len(canvases), (1.5 * len(canvases), 2.0))
    for ax, canvas, box, label in zip(axes[0], canvases, boxes, labels, strict=True):
        _image(ax, canvas[0], f"a {int(label)}")
        draw_box(ax, box)
    fig.tight_layout()
    return fig


def draw_heatmaps(
    canvases: torch.Tensor, boxes: torch.Tensor, heatmaps: Mapping[str, np.ndarray]
) -> Figure:
    """One row per network: canvases (n, 1, s, s) under its heatmaps (n, h, w), the ink boxes
    (n, 4) in green and each heatmap's peak as a white cross."""
    fig, axes = _grid(len(heatmaps), len(canvases), (1.75 * len(canvases), 1.8 * len(heatmaps)))
    for row, (name, heat) in enumerate(heatmaps.items()):
        big = localisation.upsample(heat, canvases.shape[-1])
        for col, (canvas, box) in enumerate(zip(canvases, boxes, strict=True)):
            ax = axes[row, col]
            _image(ax, canvas[0], name if col == 0 else "")
            ax.imshow(big[col], cmap="jet", alpha=0.45, vmin=0, vmax=1)
            draw_box(ax, box)
            peak_row, peak_col = np.unravel_index(big[col].argmax(), big[col].shape)
            ax.plot(peak_col, peak_row, "w+", markersize=12, markeredgewidth=2.5)
    fig.tight_layout()
    return fig


def draw_dreams(photo: np.ndarray, dreams: Mapping[str, np.ndarray], crop) -> Figure:
    """The photo (h, w, 3) and each dream, full size above and cropped by ``crop`` below."""
    images = {"chelsea": photo} | {f"dreamt by: {name}": image for name, image in dreams.items()}
    fig, axes = _grid(2, len(images), (2.0 * len(images), 3.6))
    for col, (title, image) in enumerate(images.items()):
        _image(axes[0, col], image, title)
        _image(axes[1, col], image[crop], "zoomed")
    fig.tight_layout()
    return fig


def draw_gallery(
    clean: torch.Tensor,
    attacked: torch.Tensor,
    labels: torch.Tensor,
    clean_probs: torch.Tensor,
    attacked_probs: torch.Tensor,
    epsilons: Sequence[float],
) -> Figure:
    """Clean digits (n, 1, h, w) above their attacked copies, titled with the probabilities
    (n, classes) and each one's epsilon."""
    fig, axes = _grid(2, len(clean), (1.4 * len(clean), 3.3))
    for col, (label, p, q, e) in enumerate(
        zip(labels, clean_probs, attacked_probs, epsilons, strict=True)
    ):
        _image(axes[0, col], clean[col, 0], f"p({int(label)}) = {p[label]:.3f}")
        _image(
            axes[1, col],
            attacked[col, 0],
            f"eps {e:.3f}: a {int(q.argmax())}?\n(p = {q.max():.2f})",
        )
    fig.suptitle("top: read with p > 0.99; bottom: after PGD at the smallest epsilon that fools it")
    fig.tight_layout()
    return fig


def draw_robustness(
    epsilons: Sequence[float], curves: Mapping[str, Mapping[str, Sequence[float]]], train_eps: float
) -> Figure:
    """Accuracy against epsilon: one colour per network, solid FGSM, dashed PGD.

    curves: network name -> {"FGSM": accuracies, "PGD": accuracies}, one per epsilon.
    """
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for color, (network, by_attack) in zip(plots.COLORS, curves.items(), strict=False):
        for attack, accuracies in by_attack.items():
            style = "-" if attack == "FGSM" else "--"
            ax.plot(
                epsilons, accuracies, style, marker="o", color=color, label=f"{network}, {attack}"
            )
    ax.axvline(train_eps, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("epsilon (dotted: the training epsilon)")
    ax.set_ylabel("accuracy under attack")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def draw_sorting(
    shifts: Sequence[float], shares: Sequence[float], sorter: nn.Module, example: torch.Tensor
) -> Figure:
    """Left: share of lists sorted against the range's shift. Right: one list (1, k), and the same
    list plus 2, sorted (circles) and as the sorter outputs them (crosses)."""
    fig, (ax_curve, ax_list) = plt.subplots(1, 2, figsize=(11, 3.5))
    ax_curve.plot(shifts, shares, marker="o")
    ax_curve.axvline(0, color=plots.COLORS[2], lw=2, alpha=0.6, label="a = 0: the training range")
    ax_curve.set_xlabel("lists drawn from [a, a + 1); a =")
    ax_curve.set_ylabel("share of lists sorted")
    ax_curve.legend(loc="upper right")
    for shift, color in ((0.0, plots.COLORS[0]), (2.0, plots.COLORS[1])):
        values = example + shift
        with torch.no_grad():
            out = sorter(values)[0].numpy()
        ax_list.plot(np.sort(values[0].numpy()), "o", color=color, ms=10, mfc="none",
                     label=f"{values[0].numpy()} sorted")  # fmt: skip
        ax_list.plot(out, "x", color=color, ms=9, label="the MLP's output")
    ax_list.set_xticks(range(example.shape[1]))
    ax_list.set_xlabel("output position")
    ax_list.set_ylabel("value")
    ax_list.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    return fig


def draw_variants(
    variants: Mapping[str, torch.Tensor], reads: Mapping[str, torch.Tensor]
) -> Figure:
    """One row per variant: its images (n, 1, h, w), titled with what the network read (n,)."""
    rows, cols = len(variants), len(next(iter(variants.values())))
    fig, axes = _grid(rows, cols, (1.2 * cols + 2, 0.95 * rows))
    for row, (name, images) in enumerate(variants.items()):
        for col in range(cols):
            _image(axes[row, col], images[col, 0], f"read as {int(reads[name][col])}")
        axes[row, 0].text(-4, 14, name, ha="right", va="center", fontsize=9)
    fig.subplots_adjust(left=0.3, hspace=0.5)
    return fig

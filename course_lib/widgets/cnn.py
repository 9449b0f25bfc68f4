"""Live demos of lesson 05: a filter sliding over an image, and a network's feature maps."""

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_lib import cnn
from course_lib.widgets import Demo


def _show_kernel(ax, kernel: np.ndarray) -> None:
    """The kernel as a small heat map with its numbers written in."""
    limit = float(np.abs(kernel).max()) or 1.0
    ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
    if kernel.size <= 25:
        for (i, j), value in np.ndenumerate(kernel):
            colour = "w" if abs(value) > 0.6 * limit else "k"
            ax.text(j, i, f"{value:.2g}", ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks([])
    ax.set_yticks([])


def filter_demo(images: Mapping[str, np.ndarray], filters: Mapping[str, np.ndarray]) -> Demo:
    """Pick a greyscale image (h, w) and a square odd-sized filter (k, k); see the feature map.

    images, filters: name -> array. The map is ``cnn.feature_map`` (zero padding, same size).
    """
    if not images or not filters:
        raise ValueError(
            f"need at least one image and one filter, got {len(images)} and {len(filters)}"
        )
    for name, image in images.items():
        if np.ndim(image) != 2:
            raise ValueError(f"image {name!r} must be greyscale (h, w), got {np.shape(image)}")

    def draw(fig: Figure, image: str, kernel: str) -> str:
        picture, weights = np.asarray(images[image]), np.asarray(filters[kernel])
        response = cnn.feature_map(picture, weights)
        axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [3, 1.2, 3]})
        axes[0].imshow(picture, cmap="gray")
        axes[0].set_title("image")
        _show_kernel(axes[1], weights)
        axes[1].set_title("filter")
        limit = float(np.abs(response).max()) or 1.0
        cmap, vmin = ("gray", 0.0) if response.min() >= 0 else ("RdBu_r", -limit)
        axes[2].imshow(response, cmap=cmap, vmin=vmin, vmax=limit)
        axes[2].set_title("feature map")
        for ax in (axes[0], axes[2]):
            ax.set_axis_off()
        fig.tight_layout()
        return (
            f"{image} ({picture.shape[0]}x{picture.shape[1]}) with {kernel} "
            f"({weights.shape[0]}x{weights.shape[1]}): feature map from "
            f"{response.min():.3g} to {response.max():.3g}"
        )

    controls = {
        "image": widgets.Dropdown(options=list(images), description="image"),
        "kernel": widgets.Dropdown(options=list(filters), description="filter"),
    }
    return Demo(draw, controls, title="Filter and feature map", figsize=(8.0, 3.0))


def activation_demo(
    images: np.ndarray,
    labels: np.ndarray,
    predictions: np.ndarray,
    activations: np.ndarray,
) -> Demo:
    """Step through digits and see the first conv layer's feature maps (precomputed).

    images: (n, 8, 8), labels and predictions: (n,), activations: (n, channels, h, w).
    """
    n = len(images)
    if not (len(labels) == len(predictions) == len(activations) == n) or np.ndim(activations) != 4:
        raise ValueError(
            "images, labels, predictions must have the same length n and activations be "
            f"(n, channels, h, w); got {np.shape(images)}, {np.shape(labels)}, "
            f"{np.shape(predictions)}, {np.shape(activations)}"
        )

    def draw(fig: Figure, index: int) -> str:
        maps = activations[index]
        half = int(np.ceil(len(maps) / 2))
        grid = fig.add_gridspec(2, 1 + half, width_ratios=[2.5] + [1] * half)
        ax = fig.add_subplot(grid[:, 0])
        ax.imshow(images[index], cmap="gray_r")
        ax.set_title(f"label {labels[index]}\npredicted {predictions[index]}", fontsize=9)
        ax.set_axis_off()
        top = float(maps.max()) or 1.0
        for k, feature in enumerate(maps):
            ax = fig.add_subplot(grid[k // half, 1 + k % half])
            ax.imshow(feature, cmap="magma", vmin=0, vmax=top)
            ax.set_title(str(k), fontsize=7)
            ax.set_axis_off()
        verdict = "correct" if labels[index] == predictions[index] else "WRONG"
        return (
            f"test digit {index}: label {labels[index]}, predicted {predictions[index]} "
            f"({verdict}); strongest map {int(maps.max(axis=(1, 2)).argmax())}"
        )

    controls = {"index": widgets.IntSlider(value=0, min=0, max=n - 1, description="test digit")}
    return Demo(draw, controls, title="Feature maps of a test digit", figsize=(9.0, 2.6))

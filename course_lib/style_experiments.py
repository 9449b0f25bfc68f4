"""Experiment drivers of lesson 08: timings, the PyTorch tutorial's recipe, Adam's step sweep,
and the lesson's figures.

The lesson writes the algorithm in ``course_lib.style``; the code here measures it. Timings use
process time (CPU seconds), so other programs on the machine do not inflate them.
"""

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from functools import cache

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from course_lib import cnn, data, procedural_art, style, vgg

TUTORIAL_CONTENT = 3
"""The tutorial's content map: conv_4 (conv2_2, before its ReLU), counted from 0."""
TUTORIAL_STYLE = (0, 1, 2, 3, 4)
"""The tutorial's style maps: conv_1 to conv_5 (conv1_1 to conv3_1, before their ReLUs)."""
TUTORIAL_WEIGHTS = (1.0, 1e6)
"""The tutorial's content and style weights."""


def pair(size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The lesson's main pair: the cat and the starry swirls, each (1, 3, size, size)."""
    return (
        style.to_tensor(data.load_image("chelsea", size)),
        style.to_tensor(procedural_art.starry_swirls(size)),
    )


def lesson_recipe(size: int, budget: int) -> style.Painting:
    """The lesson's recipe: random filters, the default weights and layers, L-BFGS on x =
    sigmoid(u) from the content image, ``budget`` evaluations."""
    content, picture = pair(size)
    loss = style.StyleTransferLoss(style.RandomFeatures(), content, picture)
    return style.paint(loss, content, budget)


class TutorialFeatures(nn.Module):
    """The tutorial's feature maps with random weights: images (b, 3, h, w) -> the outputs of
    conv1_1 ... conv3_1 before their ReLUs (VGG-19's first five convolutions)."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        self.normalise = vgg.Normalise()
        self.convs = vgg.vgg_convs(vgg.TUTORIAL_CONFIG, generator).requires_grad_(False)

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        maps, x = [], self.normalise(images)
        for module in self.convs:
            x = module(x)
            if isinstance(module, nn.Conv2d):
                maps.append(x)
        return maps


def tutorial_recipe(content: torch.Tensor, picture: torch.Tensor, budget: int = 300) -> np.ndarray:
    """The PyTorch tutorial's recipe (Jacq and Herring, "Neural Transfer Using PyTorch") with
    random VGG-19 weights: content at conv2_2, style at conv1_1 to conv3_1 (Gram matrices divided
    by c h w), weights 1 and 1e6, plain L-BFGS (no line search, 20 iterations a call) on the
    pixels, clamped to [0, 1] before each evaluation, until more than ``budget`` evaluations.
    content, picture: (1, 3, h, w). Returns the final image (h, w, 3).
    """
    features = TutorialFeatures()
    with torch.no_grad():
        target = features(content)[TUTORIAL_CONTENT]
        grams = [style.gram_matrix(m) / m.shape[1] for m in features(picture)]
    x = content.clone().requires_grad_(True)
    optimiser = torch.optim.LBFGS([x])
    evaluations = [0]
    alpha, beta = TUTORIAL_WEIGHTS

    def closure() -> torch.Tensor:
        with torch.no_grad():
            x.clamp_(0, 1)
        optimiser.zero_grad()
        maps = features(x)
        styles = sum(
            ((style.gram_matrix(maps[k]) / maps[k].shape[1] - grams[k]) ** 2).mean()
            for k in TUTORIAL_STYLE
        )
        total = alpha * style.content_loss(maps[TUTORIAL_CONTENT], target) + beta * styles
        total.backward()
        evaluations[0] += 1
        return total

    while evaluations[0] <= budget:
        optimiser.step(closure)
    return style.to_image(x)


def cpu_seconds(run: Callable[..., object], *args: object) -> float:
    """Process time (CPU seconds) of ``run(*args)``."""
    start = time.process_time()
    run(*args)
    return time.process_time() - start


@cache
def recipe_seconds(size: int = 256, budget: int = 300, threads: int = 1) -> dict[str, float]:
    """CPU seconds of the lesson's recipe and of the PyTorch tutorial's, measured one after the
    other in this process on ``threads`` threads: {'lesson': s, 'tutorial': s}. Cached, so that
    ``make bench`` records both figures of one measurement."""
    torch.set_num_threads(threads)
    content, picture = pair(size)
    lesson_recipe(32, 2)  # warm up: first calls allocate and pick kernels
    return {
        "lesson": cpu_seconds(lesson_recipe, size, budget),
        "tutorial": cpu_seconds(tutorial_recipe, content, picture, budget),
    }


def seconds_per_evaluation(size: int, budget: int = 10) -> float:
    """CPU seconds per evaluation (a forward and a backward pass, and the optimiser's work) of
    the lesson's recipe at ``size`` px, after one warm-up run."""
    lesson_recipe(size, 1)
    return cpu_seconds(lesson_recipe, size, budget) / budget


def adam_final_losses(steps: tuple[float, ...], size: int = 128, budget: int = 80) -> np.ndarray:
    """The loss of Adam's final image for each step size on u, the lesson's main pair and
    weights, ``budget`` steps from the content image: (len(steps),)."""
    content, picture = pair(size)
    loss = style.StyleTransferLoss(style.RandomFeatures(), content, picture)
    return np.array([style.paint(loss, content, budget, "adam", lr).final["total"] for lr in steps])


ADAM_SWEEP = (0.05, 0.1, 0.2, 0.3, 0.5)
"""The step sizes on u of the lesson's Adam sweep (128 px, 80 evaluations)."""


def adam_sweep(steps: tuple[float, ...] = ADAM_SWEEP) -> dict[float, float]:
    """``adam_final_losses(steps)`` at 128 px and 80 evaluations as {step: final loss}, computed
    once (about 16 CPU s) and cached as JSON under ``cnn.CACHE_DIR``."""
    path = cnn.CACHE_DIR / f"style_adam_sweep_{'_'.join(map(str, steps))}.json"
    if not path.is_file():
        finals = adam_final_losses(steps).tolist()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(dict(zip(map(str, steps), finals, strict=True))))
        os.replace(tmp, path)
    return {float(step): loss for step, loss in json.loads(path.read_text()).items()}


def layer_style_losses(features: nn.Module, image: np.ndarray, picture: np.ndarray) -> np.ndarray:
    """The style loss of ``image`` (h, w, 3) against ``picture`` (hs, ws, 3) at every map of
    ``features``: (n_maps,)."""
    with torch.no_grad():
        maps = features(style.to_tensor(image))
        targets = features(style.to_tensor(picture))
        return np.array(
            [
                float(style.style_loss(m, style.gram_matrix(t)))
                for m, t in zip(maps, targets, strict=True)
            ]
        )


# --- the lesson's figures -------------------------------------------------------------------


def _picture(ax: plt.Axes, image: np.ndarray, title: str) -> None:
    ax.imshow(image, interpolation="nearest")
    ax.set_title(title, fontsize=12)
    ax.set_axis_off()


def plot_curves(runs: Mapping[str, style.Painting]) -> Figure:
    """The total loss at every evaluation of each run, on a log scale."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for name, run in runs.items():
        ax.plot(np.arange(1, len(run.losses["total"]) + 1), run.losses["total"], label=name)
    ax.set(yscale="log", xlabel="evaluations of the loss", ylabel="total loss")
    ax.legend(fontsize=12)
    fig.tight_layout()
    return fig


def plot_pictures(pictures: Mapping[str, np.ndarray], height: float = 3.1) -> Figure:
    """Images (h, w, 3) side by side, each titled with its key."""
    fig, axes = plt.subplots(1, len(pictures), figsize=(height * len(pictures), height + 0.4))
    for ax, (title, image) in zip(np.atleast_1d(axes), pictures.items(), strict=True):
        _picture(ax, image, title)
    fig.tight_layout()
    return fig


def plot_grid(
    grid: Mapping[tuple[str, float], style.Painting],
    layer_sets: Sequence[str],
    weights: Sequence[float],
) -> Figure:
    """The paintings grid[(style maps, weight)]: style maps down, style weights across."""
    fig, axes = plt.subplots(len(layer_sets), len(weights), figsize=(6.0, 6.3), squeeze=False)
    for row, name in zip(axes, layer_sets, strict=True):
        for ax, weight in zip(row, weights, strict=True):
            ax.imshow(grid[name, weight].image, interpolation="nearest")
            ax.set(xticks=[], yticks=[])
            ax.grid(False)
            if name == layer_sets[0]:
                ax.set_title(f"style weight {weight:g}", fontsize=12)
            if weight == weights[0]:
                ax.set_ylabel(f"style maps {name}", fontsize=12)
    fig.tight_layout(pad=0.3)
    return fig

"""Live demos of lesson 09: a digit moved across the canvas under Grad-CAM, and an epsilon slider
that attacks one digit."""

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import nn

from course_lib import interpret, localisation
from course_lib.widgets import Demo


def _check_digits(images: torch.Tensor, labels: torch.Tensor, index: int) -> None:
    if images.ndim != 4 or len(images) != len(labels):
        raise ValueError(
            f"images must be (n, 1, h, w) with one label each, got {tuple(images.shape)} "
            f"and {tuple(labels.shape)}"
        )
    if not 0 <= index < len(images):
        raise ValueError(f"index must be in 0..{len(images) - 1}, got {index}")


def localisation_demo(
    models: Mapping[str, nn.Sequential],
    digits: torch.Tensor,
    labels: torch.Tensor,
    *,
    index: int = 0,
    seed: int = 0,
) -> Demo:
    """Sliders move a digit over one fixed dusty canvas; each network's Grad-CAM is drawn on top.

    models: name -> canvas classifier whose layer ``localisation.LAST_RELU`` is its last ReLU
    (e.g. {"trained": ..., "randomised": ...}); digits: (n, 1, 28, 28) in [0, 1]; labels: (n,).
    Each panel shows the heatmap for the true label, the box round the digit's ink (green) and the
    heatmap's peak (a cross). Every update is one forward and backward pass per network.
    """
    if not models:
        raise ValueError("models must name at least one model, got none")
    _check_digits(digits, labels, index)
    size, side = localisation.CANVAS, digits.shape[-1]
    noise = torch.rand(1, 1, size, size, generator=torch.Generator().manual_seed(seed))
    dust = (noise < localisation.DUST).float()
    controls = {
        "row": widgets.IntSlider(value=4, min=0, max=size - side, description="row"),
        "col": widgets.IntSlider(value=16, min=0, max=size - side, description="column"),
        "index": widgets.IntSlider(value=index, min=0, max=len(digits) - 1, description="digit"),
    }

    def draw(fig: Figure, row: int, col: int, index: int) -> str:
        canvas = dust.clone()
        window = canvas[0, :, row : row + side, col : col + side]
        canvas[0, :, row : row + side, col : col + side] = torch.maximum(window, digits[index])
        target = labels[index : index + 1]
        corner = torch.tensor([[row, col]])
        top, bottom, left, right = localisation.ink_boxes(digits[index : index + 1], corner)[
            0
        ].tolist()
        verdicts = []
        for k, (name, model) in enumerate(models.items()):
            heat = interpret.grad_cam(model, canvas, localisation.LAST_RELU, target)
            big = localisation.upsample(heat, size)[0]
            peak_row, peak_col = np.unravel_index(big.argmax(), big.shape)
            inside = bool(top <= peak_row <= bottom and left <= peak_col <= right)
            ax = fig.add_subplot(1, len(models), k + 1)
            ax.imshow(canvas[0, 0].numpy(), cmap="gray_r", vmin=0, vmax=1)
            ax.imshow(big, cmap="jet", alpha=0.45, vmin=0, vmax=1)
            box = (left - 0.5, top - 0.5), right - left + 1, bottom - top + 1
            ax.add_patch(Rectangle(*box, fill=False, edgecolor="lime", linewidth=2))
            ax.plot(peak_col, peak_row, "w+", markersize=14, markeredgewidth=3)
            ax.set_title(f"{name}: peak {'in' if inside else 'outside'} the box", fontsize=10)
            ax.set_axis_off()
            verdicts.append(f"{name}: peak <b>{'inside' if inside else 'outside'}</b> the box")
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.9, wspace=0.05)
        return f"a {int(labels[index])} at row {row}, column {col}. " + "; ".join(verdicts)

    return Demo(draw, controls, title="Where is the digit?", figsize=(3.2 * len(models), 3.4))


def adversarial_demo(
    models: Mapping[str, nn.Module],
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    max_epsilon: float = 0.3,
    index: int = 0,
) -> Demo:
    """Slider for epsilon, attack and network pickers, and a digit picker.

    models: name -> digit classifier (e.g. {"standard": ..., "adversarially trained": ...});
    images: (n, 1, h, w) in [0, 1]; labels: (n,). Every update attacks one digit (FGSM, or
    10-step PGD) and draws the clean digit, the attacked digit, the perturbation and the class
    probabilities of both. index: the digit shown first.
    """
    if not models:
        raise ValueError("models must name at least one model, got none")
    _check_digits(images, labels, index)
    if not 0 < max_epsilon <= 1:
        raise ValueError(f"max_epsilon must be in (0, 1], got {max_epsilon}")
    controls = {
        "epsilon": widgets.FloatSlider(
            value=0.1, min=0.0, max=max_epsilon, step=0.01, description="epsilon"
        ),
        "method": widgets.Dropdown(options=["fgsm", "pgd"], value="fgsm", description="attack"),
        "model_name": widgets.Dropdown(options=list(models), description="network"),
        "index": widgets.IntSlider(value=index, min=0, max=len(images) - 1, description="digit"),
    }
    attacks = {"fgsm": interpret.fgsm, "pgd": interpret.pgd}

    def draw(fig: Figure, epsilon: float, method: str, model_name: str, index: int) -> str:
        model = models[model_name]
        x, y = images[index : index + 1], labels[index : index + 1]
        adv = attacks[method](model, x, y, epsilon)
        with torch.no_grad():
            probs = torch.softmax(model(torch.cat([x, adv])), dim=1).numpy()
        clean, attacked = x[0, 0].numpy(), adv[0, 0].numpy()
        panels = [
            (clean, f"clean, read as {probs[0].argmax()}", "gray_r", 0, 1),
            (attacked, f"attacked, read as {probs[1].argmax()}", "gray_r", 0, 1),
            (attacked - clean, "change (red: more ink)", "RdBu_r", -max_epsilon, max_epsilon),
        ]
        for k, (image, title, cmap, low, high) in enumerate(panels):
            ax = fig.add_subplot(1, 4, k + 1)
            ax.imshow(image, cmap=cmap, vmin=low, vmax=high)
            ax.set_title(title, fontsize=10)
            ax.set_axis_off()
        ax = fig.add_subplot(1, 4, 4)
        classes = np.arange(probs.shape[1])
        ax.bar(classes - 0.2, probs[0], width=0.4, label="clean")
        ax.bar(classes + 0.2, probs[1], width=0.4, label="attacked")
        ax.set_xticks(classes)
        ax.set_ylim(0, 1)
        ax.set_title("probabilities", fontsize=10)
        ax.legend(fontsize=8)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.12, top=0.88, wspace=0.15)
        verdict = "fooled" if probs[1].argmax() != int(y[0]) else "not fooled"
        return (
            f"{method.upper()}, epsilon = {epsilon:.2f}, {model_name} network: true {int(y[0])}, "
            f"read as {probs[1].argmax()} (p = {probs[1].max():.2f}): <b>{verdict}</b>"
        )

    return Demo(draw, controls, title="Adversarial digit", figsize=(9.0, 2.6))

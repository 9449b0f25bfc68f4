"""Live demo of lesson 09: an epsilon slider redraws an adversarial digit and its prediction."""

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_lib.widgets import Demo

GREY_LEVEL = 1 / 16
"""One step of the digits' 17 grey levels (pixel values 0, 1/16, ..., 1)."""


def adversarial_demo(
    models: Mapping[str, object],
    images,
    labels,
    *,
    max_epsilon: float = 0.3,
    index: int = 0,
) -> Demo:
    """Slider for epsilon, attack and model pickers, and a digit picker.

    models: name -> trained digit classifier (e.g. {"standard": ..., "adversarially trained": ...});
    images: (n, 1, 8, 8) float tensor in [0, 1]; labels: (n,) long tensor. Every update attacks one
    digit (FGSM, or 10-step PGD) and draws: the clean digit, the attacked digit, the perturbation
    and the network's class probabilities for both. index: the digit shown first.
    """
    if not models:
        raise ValueError("models must name at least one model, got none")
    if images.ndim != 4 or len(images) != len(labels):
        raise ValueError(
            f"images must be (n, 1, h, w) with one label each, got {tuple(images.shape)} "
            f"and {tuple(labels.shape)}"
        )
    if not 0 <= index < len(images):
        raise ValueError(f"index must be in 0..{len(images) - 1}, got {index}")
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

    def draw(fig: Figure, epsilon: float, method: str, model_name: str, index: int) -> str:
        import torch

        from course_lib import interpret

        model = models[model_name]
        x, y = images[index : index + 1], labels[index : index + 1]
        adv = interpret.attack(model, x, y, epsilon, method)
        with torch.no_grad():
            probs = torch.softmax(model(torch.cat([x, adv])), dim=1).numpy()
        clean, attacked = x[0, 0].numpy(), adv[0, 0].numpy()
        panels = [
            (clean, f"clean, read as {probs[0].argmax()}", "gray_r", 0, 1),
            (attacked, f"attacked, read as {probs[1].argmax()}", "gray_r", 0, 1),
            (attacked - clean, "perturbation", "RdBu_r", -max_epsilon, max_epsilon),
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
            f"{method.upper()}, epsilon = {epsilon:.2f} ({epsilon / GREY_LEVEL:.1f} grey levels), "
            f"{model_name} network: true {int(y[0])}, predicted {probs[1].argmax()} "
            f"(p = {probs[1].max():.2f}): <b>{verdict}</b>"
        )

    return Demo(draw, controls, title="Adversarial digit", figsize=(9.0, 2.6))

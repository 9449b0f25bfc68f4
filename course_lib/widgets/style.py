"""Live demo of lesson 08: pick a style image and a style weight, see the stylised result."""

from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_lib.style import Transfer
from course_lib.widgets import Demo


def style_demo(
    content: np.ndarray,
    styles: Mapping[str, np.ndarray],
    weights: Sequence[float],
    results: Mapping[tuple[str, float], Transfer],
) -> Demo:
    """Style-image picker and style-weight slider over precomputed ``stylise`` results.

    content: (h, w, 3); styles: name -> (h, w, 3); results: (style name, weight) -> Transfer,
    one for every pair (computed in the lesson, so each update only draws three images).
    """
    missing = [(name, w) for name in styles for w in weights if (name, w) not in results]
    if not styles or not weights or missing:
        raise ValueError(
            f"results must hold every (style, weight) pair of {list(styles)} x {list(weights)}; "
            f"missing {missing}"
        )

    def draw(fig: Figure, style: str, style_weight: float) -> str:
        result = results[(style, style_weight)]
        axes = fig.subplots(1, 3)
        for ax, image, title in zip(
            axes,
            (content, styles[style], result.image),
            ("content", f"style: {style}", f"result, style weight {style_weight:g}"),
            strict=True,
        ):
            ax.imshow(np.clip(image, 0, 1), interpolation="nearest")
            ax.set_title(title, fontsize=9)
            ax.set_axis_off()
        fig.tight_layout()
        losses = result.losses
        return (
            f"{style}, style weight {style_weight:g}: after {result.evaluations} steps "
            f"content loss {losses['content'][-1]:.3g}, style loss {losses['style'][-1]:.3g}"
        )

    controls = {
        "style": widgets.Dropdown(options=list(styles), description="style"),
        "style_weight": widgets.SelectionSlider(
            options=[(f"{w:g}", w) for w in weights],
            value=weights[(len(weights) - 1) // 2],
            description="style weight",
        ),
    }
    return Demo(draw, controls, title="Style picker and style weight", figsize=(8.0, 3.0))

"""Live demo of lesson 08: move the style weight and pick the style maps, see the result."""

from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_lib.style import Painting
from course_lib.widgets import Demo


def weight_and_layers(
    content: np.ndarray,
    layer_sets: Mapping[str, Sequence[int]],
    weights: Sequence[float],
    results: Mapping[tuple[str, float], Painting],
    layer_losses: Mapping[tuple[str, float], np.ndarray],
    start_losses: np.ndarray,
) -> Demo:
    """A style-weight slider and a style-maps picker over precomputed paintings.

    content: (h, w, 3), the start of every run; layer_sets: name -> the style maps of a run;
    results[(name, weight)]: its Painting; layer_losses[(name, weight)]: the style loss of its
    image at every map, (n_maps,); start_losses: the same for the content image, (n_maps,).
    Starts with the middle set of maps (with maps left out, drawn grey, when there are three or
    more sets) and the middle weight; each update only draws two images and a bar chart.
    """
    missing = [(name, w) for name in layer_sets for w in weights if (name, w) not in results]
    missing += [key for key in results if key not in layer_losses]
    if not layer_sets or not weights or missing:
        raise ValueError(
            f"results and layer_losses must hold every (style maps, weight) pair of "
            f"{list(layer_sets)} x {list(weights)}; missing {missing}"
        )

    def draw(fig: Figure, style_maps: str, style_weight: float) -> str:
        result = results[(style_maps, style_weight)]
        share = layer_losses[(style_maps, style_weight)] / start_losses
        chosen = [k in layer_sets[style_maps] for k in range(len(share))]
        left, middle, right = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.2]})
        left.imshow(content, interpolation="nearest")
        left.set_title("start: the photograph", fontsize=12)
        middle.imshow(result.image, interpolation="nearest")
        middle.set_title(f"maps {style_maps}, weight {style_weight:g}", fontsize=12)
        for ax in (left, middle):
            ax.set_axis_off()
        right.bar(range(len(share)), share, color=["#1f77b4" if c else "#bbbbbb" for c in chosen])
        right.set_yscale("log")
        right.set_ylim(1e-7, 2)
        right.set_xticks(range(len(share)))
        right.set_xlabel("map (blue: in the style loss)", fontsize=12)
        right.set_ylabel("share of the photograph's", fontsize=12)
        right.tick_params(labelsize=12)
        fig.tight_layout(w_pad=0.5)
        shares = ", ".join(f"{s:.1g}" for s in share)
        return (
            f"style maps {style_maps}, style weight {style_weight:g}: content loss "
            f"{result.final['content']:.2g}; style loss of maps 0-{len(share) - 1} as a share "
            f"of the photograph's: {shares}"
        )

    controls = {
        "style_maps": widgets.ToggleButtons(
            options=list(layer_sets),
            value=list(layer_sets)[len(layer_sets) // 2],
            description="style maps",
        ),
        "style_weight": widgets.SelectionSlider(
            options=[(f"{w:g}", w) for w in weights],
            value=weights[len(weights) // 2],
            description="style weight",
        ),
    }
    return Demo(draw, controls, title="Style weight and style maps", figsize=(9.6, 3.4))

import numpy as np
import pytest

from course_lib.style import Painting
from course_lib.widgets.style import weight_and_layers

LAYER_SETS = {"0": (0,), "0-4": (0, 1, 2, 3, 4)}
WEIGHTS = [10.0, 100.0, 1000.0]


def fake_painting(seed):
    rng = np.random.default_rng(seed)
    losses = {k: rng.random(3) for k in ("total", "content", "style", "tv")}
    return Painting(rng.random((8, 8, 3)), losses, {k: float(v[-1]) for k, v in losses.items()})


@pytest.fixture
def demo():
    keys = [(name, w) for name in LAYER_SETS for w in WEIGHTS]
    results = {key: fake_painting(k) for k, key in enumerate(keys)}
    rng = np.random.default_rng(9)
    layer_losses = {key: rng.random(5) * 1e-3 for key in keys}
    return weight_and_layers(
        np.full((8, 8, 3), 0.5), LAYER_SETS, WEIGHTS, results, layer_losses, np.ones(5)
    )


def test_demo_starts_with_the_middle_maps_and_the_middle_weight(demo):
    assert demo.values == {"style_maps": "0-4", "style_weight": 100.0}
    assert demo.summary.value.startswith("style maps 0-4, style weight 100: content loss")


def test_demo_redraws_on_weight_and_maps(demo):
    image, summary = demo.image.value, demo.summary.value
    demo.controls["style_weight"].value = 10.0
    assert demo.image.value != image and "style weight 10:" in demo.summary.value
    image, summary = demo.image.value, demo.summary.value
    demo.controls["style_maps"].value = "0"
    assert demo.image.value != image and demo.summary.value.startswith("style maps 0, style")
    assert demo.summary.value != summary


def test_demo_needs_every_result():
    painting = fake_painting(0)
    with pytest.raises(ValueError, match=r"missing \[\('0', 100.0\)\]"):
        weight_and_layers(
            np.zeros((8, 8, 3)), {"0": (0,)}, [10.0, 100.0], {("0", 10.0): painting},
            {("0", 10.0): np.ones(5)}, np.ones(5),
        )  # fmt: skip

import numpy as np
import pytest

from course_lib.style import Transfer
from course_lib.widgets.style import style_demo


def fake_result(seed):
    rng = np.random.default_rng(seed)
    losses = {k: rng.random(3) for k in ("total", "content", "style", "tv")}
    return Transfer(image=rng.random((8, 8, 3)), losses=losses, seconds=np.arange(3.0))


@pytest.fixture
def demo():
    styles = {"a": np.zeros((8, 8, 3)), "b": np.ones((8, 8, 3))}
    weights = [10.0, 100.0, 1000.0]
    results = {
        (s, w): fake_result(k) for k, (s, w) in enumerate((s, w) for s in styles for w in weights)
    }
    return style_demo(np.full((8, 8, 3), 0.5), styles, weights, results)


def test_style_demo_redraws_on_weight_and_style(demo):
    assert demo.values == {"style": "a", "style_weight": 100.0}
    image, summary = demo.image.value, demo.summary.value
    assert "a, style weight 100: after 3 steps" in summary
    demo.controls["style_weight"].value = 1000.0
    assert demo.image.value != image and demo.summary.value != summary
    assert "style weight 1000" in demo.summary.value
    image, summary = demo.image.value, demo.summary.value
    demo.controls["style"].value = "b"
    assert demo.image.value != image and demo.summary.value.startswith("b, style weight 1000")


def test_style_demo_needs_every_result():
    styles = {"a": np.zeros((8, 8, 3))}
    with pytest.raises(ValueError, match=r"missing \[\('a', 100.0\)\]"):
        style_demo(np.zeros((8, 8, 3)), styles, [10.0, 100.0], {("a", 10.0): fake_result(0)})

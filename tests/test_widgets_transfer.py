import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from course_lib.transfer import AutoEncoder
from course_lib.widgets.transfer import (
    denoising_demo,
    draw_denoising,
    draw_label_curves,
    label_curves_demo,
    method_styles,
)

PER_CLASS = (1, 3, 10)
RESULTS = {
    "from scratch": np.array([[0.6, 0.7], [0.8, 0.85], [0.9, 0.95]]),
    "feature extraction": np.array([[0.5, 0.55], [0.7, 0.75], [0.85, 0.9]]),
    "control": np.array([[0.55, 0.6], [0.75, 0.8], [0.9, 0.9]]),
}


def test_slider_redraws_curves_and_summary():
    demo = label_curves_demo(PER_CLASS, RESULTS, control="control")
    assert demo.summary.value.startswith("1 label per class (5 in all)")
    assert "from scratch 65%" in demo.summary.value
    first = demo.image.value
    demo.controls["selected"].value = 10
    assert demo.image.value != first
    assert demo.summary.value.startswith("10 labels per class (50 in all)")
    assert "from scratch 92%" in demo.summary.value and "control 90%" in demo.summary.value


def test_the_control_is_grey_and_dashed():
    styles = method_styles(list(RESULTS), control="control")
    assert styles["control"]["linestyle"] == "--"
    assert len({s["color"] for s in styles.values()}) == 3


def test_draw_label_curves_errors():
    with pytest.raises(ValueError, match=r"selected must be one of \[1, 3, 10\], got 5"):
        draw_label_curves(Figure(), PER_CLASS, RESULTS, 5)
    with pytest.raises(ValueError, match=r"results\['x'\] must have 3 rows"):
        draw_label_curves(Figure(), PER_CLASS, {"x": np.zeros((2, 2))}, 3)


def test_noise_slider_redraws_the_denoised_digits():
    torch.manual_seed(0)
    clean = torch.rand(4, 1, 28, 28)
    demo = denoising_demo(AutoEncoder(code=4), clean)
    first, summary = demo.image.value, demo.summary.value
    assert summary.startswith("mean squared error against the clean digits: noisy 0.0")
    demo.controls["noise"].value = 0.7
    assert demo.image.value != first and demo.summary.value != summary
    with pytest.raises(ValueError, match=r"noise must be >= 0, got -0\.1"):
        draw_denoising(Figure(), AutoEncoder(code=4), clean, -0.1)

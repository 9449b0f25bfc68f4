import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib.widgets.transfer import draw_label_curves, label_curves_demo

PER_CLASS = (1, 3, 10)
RESULTS = {
    "from scratch": np.array([[0.6, 0.7], [0.8, 0.85], [0.9, 0.95]]),
    "feature extraction": np.array([[0.5, 0.55], [0.7, 0.75], [0.85, 0.9]]),
    "fine-tuning": np.array([[0.55, 0.6], [0.75, 0.8], [0.9, 0.9]]),
}


def test_slider_redraws_curves_and_summary():
    demo = label_curves_demo(PER_CLASS, RESULTS)
    assert demo.summary.value.startswith("3 labels per class (15 in all)")
    assert "from scratch 0.825" in demo.summary.value
    first = demo.image.value
    demo.controls["selected"].value = 10
    assert demo.image.value != first
    assert "from scratch 0.925" in demo.summary.value and "fine-tuning 0.900" in demo.summary.value
    demo.controls["selected"].value = 1
    assert demo.summary.value.startswith("1 label per class (5 in all)")


def test_draw_label_curves_errors():
    with pytest.raises(ValueError, match=r"selected must be one of \[1, 3, 10\], got 5"):
        draw_label_curves(Figure(), PER_CLASS, RESULTS, 5)
    with pytest.raises(ValueError, match=r"results\['x'\] must have 3 rows"):
        draw_label_curves(Figure(), PER_CLASS, {"x": np.zeros((2, 2))}, 3)

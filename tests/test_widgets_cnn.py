"""Lesson 05 demos: changing a control redraws the picture and the summary."""

import numpy as np
import pytest

from course_lib import cnn
from course_lib.widgets import cnn as demos


def test_filter_demo_redraws_on_image_and_filter_change():
    rng = np.random.default_rng(0)
    images = {"noise": rng.random((16, 16)), "step": np.tile(np.arange(16) > 7, (16, 1)) * 1.0}
    demo = demos.filter_demo(images, cnn.FILTERS)
    first_image, first_summary = demo.image.value, demo.summary.value
    assert first_summary.startswith("noise (16x16) with identity (3x3)")
    demo.controls["kernel"].value = "vertical edge (Sobel x)"
    assert demo.image.value != first_image and demo.summary.value != first_summary
    assert "with vertical edge (Sobel x)" in demo.summary.value
    second = demo.image.value
    demo.controls["image"].value = "step"
    assert demo.image.value != second and demo.summary.value.startswith("step")
    assert demo.summary.value.endswith("from -4 to 4")  # the step, and the zero padding


def test_filter_demo_rejects_bad_inputs():
    with pytest.raises(ValueError, match="need at least one image and one filter, got 0 and 5"):
        demos.filter_demo({}, cnn.FILTERS)
    with pytest.raises(ValueError, match=r"image 'rgb' must be greyscale \(h, w\)"):
        demos.filter_demo({"rgb": np.zeros((4, 4, 3))}, cnn.FILTERS)


def test_activation_demo_steps_through_digits():
    rng = np.random.default_rng(1)
    images, acts = rng.random((3, 8, 8)), rng.random((3, 4, 8, 8))
    demo = demos.activation_demo(images, np.array([1, 2, 3]), np.array([1, 5, 3]), acts)
    first_image, first_summary = demo.image.value, demo.summary.value
    assert first_summary.startswith("test digit 0: label 1, predicted 1 (correct)")
    demo.controls["index"].value = 1
    assert demo.image.value != first_image
    assert demo.summary.value.startswith("test digit 1: label 2, predicted 5 (WRONG)")
    with pytest.raises(ValueError, match="must have the same length n"):
        demos.activation_demo(images, np.array([1]), np.array([1]), acts)

"""Lesson 05 pictures and demos: changing a control redraws the picture and the summary."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib import cnn, cnn_experiments
from course_lib.widgets import cnn as demos


def test_sliding_demo_moves_the_window_and_fills_the_map():
    image = np.zeros((8, 8))
    image[:, 4:] = 1.0
    demo = demos.sliding_demo(image, demos.FILTERS, start=2)
    first_image, first_summary = demo.image.value, demo.summary.value
    assert first_summary == "O[0, 2] = sum of F * X[0:3, 2:5] = 4"
    demo.controls["position"].value = 9
    assert demo.image.value != first_image
    assert demo.summary.value.startswith("O[1, 3] = sum of F * X[1:4, 3:6] = 4")
    demo.controls["kernel"].value = "horizontal edge (Sobel y)"
    assert demo.summary.value.endswith("= 0")
    assert demo.controls["position"].max == 35


def test_sliding_demo_rejects_bad_inputs():
    with pytest.raises(
        ValueError, match=r"need a greyscale image \(h, w\) and at least one filter"
    ):
        demos.sliding_demo(np.zeros((4, 4, 3)), demos.FILTERS)
    with pytest.raises(ValueError, match=r"filters must all have one \(k, k\) shape"):
        demos.sliding_demo(np.zeros((6, 6)), {"a": np.ones((3, 3)), "b": np.ones((5, 5))})


def test_draw_sliding_returns_the_cell_it_computes():
    fig = Figure()
    image = np.arange(25, dtype=float).reshape(5, 5) / 25
    summary = demos.draw_sliding(fig, image, np.ones((3, 3)), 4)
    assert summary == f"O[1, 1] = sum of F * X[1:4, 1:4] = {image[1:4, 1:4].sum():.3g}"
    assert len(fig.axes) == 4


def test_static_pictures_draw_their_panels():
    fig = Figure()
    demos.draw_volumes(fig.subplots())
    assert len(fig.axes[0].patches) > 20
    fig = Figure()
    x = np.array([[1.0, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
    demos.draw_pooling(fig, x, np.array([[1.0, 2], [3, 4]]))
    texts = [t.get_text() for t in fig.axes[3].texts]
    assert len(fig.axes) == 4 and texts.count("0") == 12 and {"1", "2", "3", "4"} <= set(texts)
    fig, gradient = Figure(), np.zeros((28, 28))
    gradient[8:18, 8:18] = 1.0
    demos.draw_receptive_fields(fig.subplots(1, 2), np.zeros((28, 28)), [3, 4, 8, 10], gradient)
    assert [t.get_text() for t in fig.axes[0].texts] == ["3", "4", "8", "10"]
    assert [p.get_xy() for p in fig.axes[0].patches][-1] == (7.5, 7.5)


def test_draw_grid_takes_at_most_16_images():
    fig = Figure()
    demos.draw_grid(fig, np.ones((16, 3, 3)), [str(k) for k in range(16)], "RdBu_r", True, "A")
    assert len(fig.axes) == 16 and fig.get_suptitle() == "A"
    with pytest.raises(ValueError, match="need at most 16 images with a title each, got 17, 17"):
        demos.draw_grid(Figure(), np.ones((17, 3, 3)), ["t"] * 17, "magma", False, "B")


def test_draw_grid_lays_out_rows_of_the_given_width():
    fig = Figure()
    demos.draw_grid(fig, np.ones((16, 3, 3)), ["t"] * 16, "magma", False, "A", columns=4)
    assert {ax.get_subplotspec().get_gridspec().get_geometry() for ax in fig.axes} == {(4, 4)}


def test_draw_path_counts_writes_each_count_in_its_pixel():
    counts = [np.ones((3, 3)), np.outer([1, 2, 3, 2, 1], [1, 2, 3, 2, 1]).astype(float)]
    fig = Figure()
    demos.draw_path_counts(fig.subplots(1, 2), counts)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["1 layer: 3x3 pixels", "2 layers: 5x5 pixels"]
    assert len(fig.axes[1].texts) == 25 and fig.axes[1].texts[12].get_text() == "9"


def test_draw_degradation_plots_both_kinds_of_network():
    runs = [
        cnn_experiments.DepthRun(depth, shortcut, error, [1.0], first, 1.0)
        for depth, shortcut, error, first in (
            (4, False, 0.2, 0.5), (4, True, 0.25, 0.6), (8, False, 0.6, 9.0), (8, True, 0.1, 1.2),
        )
    ]  # fmt: skip
    fig = Figure()
    axes = fig.subplots(1, 2)
    demos.draw_degradation(axes, runs)
    assert [line.get_label() for line in axes[0].get_lines()] == ["plain", "residual"]
    assert [t.get_text() for t in axes[0].texts] == ["20", "60", "25", "10"]
    np.testing.assert_allclose(axes[1].get_lines()[0].get_ydata(), [0.5, 9.0])


def test_activation_demo_steps_through_digits():
    rng = np.random.default_rng(1)
    images, acts = rng.random((3, 8, 8)), rng.random((3, 20, 8, 8))
    channels = np.arange(19, -1, -1)
    demo = demos.activation_demo(images, np.array([1, 2, 3]), np.array([1, 5, 3]), acts, channels)
    first_image, first_summary = demo.image.value, demo.summary.value
    assert first_summary.startswith("digit 0: label 1, predicted 1 (correct)")
    strongest = int(first_summary.rsplit(" ", 1)[1])
    assert strongest in channels[:15]
    demo.controls["index"].value = 1
    assert demo.image.value != first_image
    assert demo.summary.value.startswith("digit 1: label 2, predicted 5 (WRONG)")
    with pytest.raises(ValueError, match="must have the same length n"):
        demos.activation_demo(images, np.array([1]), np.array([1]), acts, channels)


def test_weight_matrices_history_and_confusion_pictures():
    fig = Figure()
    axes = fig.subplots(1, 2)
    m = cnn.conv_matrix(np.array([[1.0, 2], [3, 4]]), (4, 4))
    demos.draw_weight_matrices(axes, m, np.random.default_rng(0))
    assert axes[1].get_title() == "convolution: 36 connections, 4 shared values"
    assert axes[0].get_title() == "dense layer: 144 free weights"
    fig = Figure()
    axes = fig.subplots(1, 2)
    demos.draw_history(axes, {"loss": [1.0, 0.5], "val_loss": [0.8, 0.4], "val_acc": [0.9, 0.95]})
    np.testing.assert_allclose(axes[1].get_lines()[0].get_ydata(), [90, 95])
    assert [line.get_label() for line in axes[0].get_lines()][1] == "validation"
    fig = Figure()
    labels, predicted = np.array([0, 1, 2, 2, 3]), np.array([0, 1, 2, 1, 3])
    demos.draw_confusion(fig, labels, predicted, np.zeros((5, 4, 4)), "four right")
    assert fig.axes[0].get_title() == "four right"
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["1", "1", "1", "1", "1"]
    assert len(fig.axes) == 2 and fig.axes[1].get_title() == "2, read as 1"


def test_small_arrays_get_their_numbers_without_negative_zero():
    fig = Figure()
    demos.draw_grid(fig, np.array([[[-0.01, 0.4], [0.26, -0.5]]]), ["f"], "RdBu_r", True, "t")
    assert [t.get_text() for t in fig.axes[0].texts] == ["0.0", "0.4", "0.3", "-0.5"]

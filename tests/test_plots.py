import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import plots


def test_decision_regions_returns_scores_on_the_grid():
    fig, ax = plt.subplots()
    scores = plots.decision_regions(
        ax, lambda p: (p[:, 0] > 0).astype(float), (-1, 1), (-1, 1), resolution=20
    )
    assert scores.shape == (20, 20)
    assert scores[:, :10].max() == 0 and scores[:, 10:].min() == 1
    plt.close(fig)


def test_scatter_classes_checks_shapes():
    fig, ax = plt.subplots()
    plots.scatter_classes(ax, np.zeros((4, 2)), np.array([0, 1, 1, 0]))
    assert len(ax.collections) == 2
    with pytest.raises(ValueError, match=r"x must have shape \(n, 2\), got \(4, 3\)"):
        plots.scatter_classes(ax, np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="one label per point"):
        plots.scatter_classes(ax, np.zeros((4, 2)), np.zeros(3))
    plt.close(fig)


def test_curves_draws_one_line_per_series():
    fig, ax = plt.subplots()
    plots.curves(ax, {"train": [3, 2, 1], "valid": [3, 2.5, 2]}, log=True)
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    plt.close(fig)


def test_image_grid_layout_and_title_check():
    fig = plots.image_grid(np.zeros((10, 8, 8)), [str(k) for k in range(10)], cols=4)
    assert len(fig.axes) == 10
    plt.close(fig)
    with pytest.raises(ValueError, match="titles must match images"):
        plots.image_grid(np.zeros((3, 8, 8)), ["a"])


def test_use_style_sets_course_colours():
    plots.use_style()
    assert plt.rcParams["axes.prop_cycle"].by_key()["color"] == plots.COLORS

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib import mlp
from course_lib.perceptron import step
from course_lib.tensors import sigmoid
from course_lib.widgets import mlp as demos

NOTE = "inputs that share a hidden point are drawn side by side"


def test_hidden_weights_demo_redraws_and_counts():
    demo = demos.hidden_weights()
    image, text = demo.image.value, demo.summary.value
    assert text == "<b>4</b> of 4 XOR points classified right"
    demo.controls["b1_2"].value = -0.5  # unit 2 becomes a second OR: XOR is lost
    assert (
        demo.image.value != image
        and demo.summary.value == "<b>2</b> of 4 XOR points classified right"
    )
    demo.controls["b1_2"].value = -1.5
    assert demo.summary.value == text


def test_hidden_weights_demo_handles_a_vertical_line_and_checks_start():
    demo = demos.hidden_weights()
    demo.controls["w21"].value = 0.0  # unit 1's line becomes vertical
    assert "of 4 XOR points" in demo.summary.value
    with pytest.raises(ValueError, match="start must be a 2-2-1 network"):
        demos.hidden_weights(mlp.init_params(3, seed=0))
    assert np.array_equal(mlp.HAND_XOR["w1"], np.ones((2, 2)))  # the start was not modified


def test_draw_views_counts_and_labels_hidden_points_with_their_coordinates():
    fig = Figure()
    assert demos.draw_views(fig, mlp.HAND_XOR, step) == 4
    ax_in, ax_h = fig.axes
    assert ax_in.get_title() == "input space" and len(ax_in.get_lines()) == 2
    labels = {t.get_text() for t in ax_h.texts}
    assert labels == {"h = (0, 0)\nfrom (0,0)", "h = (1, 0)\nfrom (0,1), (1,0)",
                      "h = (1, 1)\nfrom (1,1)", NOTE}  # fmt: skip
    assert demos.draw_views(Figure(), mlp.HAND_XOR | {"b1": np.array([-0.5, -0.5])}, step) == 2


def test_draw_views_of_a_sigmoid_network_shows_decimals_and_the_output_line():
    learned, _ = mlp.train(mlp.XOR_X, mlp.XOR_T, mlp.init_params(2, 0))
    fig = Figure()
    assert demos.draw_views(fig, learned, sigmoid) == 4
    ax_h = fig.axes[1]
    texts = [t.get_text() for t in ax_h.texts]
    assert sorted(texts) == [
        "h = (0.00, 0.96)\nfrom (1,0)",
        "h = (0.02, 0.02)\nfrom (0,0), (1,1)",  # both class-0 points near the corner
        "h = (0.96, 0.00)\nfrom (0,1)",
        NOTE,  # the two class-0 points share a point: drawn side by side, and the plot says so
    ]
    assert ax_h.collections  # the shaded sides and the output unit's line


def test_hidden_labels_group_coinciding_points():
    h = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    groups = demos.hidden_labels(mlp.XOR_X, h)
    assert [rows for _, rows, _ in groups] == [[0], [1, 2], [3]]


def test_one_step_of_the_first_slider_changes_the_picture():
    # what tests/test_browser.py does in the lesson: ArrowRight once on the first slider
    demo = demos.hidden_weights()
    first = next(c for c in demo.controls.values() if hasattr(c, "step"))
    image = demo.image.value
    first.value = first.value + first.step
    assert demo.image.value != image


def test_draw_hidden_space_draws_every_point_and_one_label_per_hidden_point():
    fig = Figure()
    ax = fig.add_subplot()
    h = np.array([[0.1, 0.9], [0.5, 0.5], [0.5, 0.5], [0.9, 0.1]])
    demos.draw_hidden_space(ax, h, {"w2": np.array([1.0, -1.0]), "b2": np.array(0.0)})
    assert sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets")) >= 4
    assert len(ax.texts) == 4 and ax.get_xlabel() == "$h_1$"  # 3 labels and the side-by-side note
    alone = Figure().add_subplot()
    demos.draw_hidden_space(alone, mlp.XOR_X, {"w2": np.ones(2), "b2": np.array(0.0)})
    assert NOTE not in [t.get_text() for t in alone.texts]  # no shared point, no note


def test_draw_runs_colours_every_run_and_shades_the_band():
    losses = {2: np.array([[0.7, 0.35, 0.34], [0.7, 0.1, 0.01]]), 3: np.array([[0.7, 0.2, 0.01]])}
    solved = {2: np.array([False, True]), 3: np.array([True])}
    late = {2: np.array([False, True]), 3: np.array([False])}
    fig = Figure(figsize=(12, 4))
    demos.draw_runs(fig, losses, solved, late, plateau=0.35, near=0.03)
    ax2, ax3 = fig.axes
    colours = [line.get_color() for line in ax2.get_lines()[:2]]
    assert colours == [demos.RUN_KINDS["stuck"], demos.RUN_KINDS["solved after a plateau"]]
    assert ax2.get_title() == "2-2-1: 1 of 2 solved" and ax3.get_title() == "2-3-1: 1 of 1 solved"
    assert ax2.patches  # the band around the plateau
    labels = [t.get_text() for t in ax3.get_legend().get_texts()]
    assert labels[-1] == "within 0.03 of the plateau"


def test_draw_activations_and_gradient_depth_label_every_curve():
    z = np.linspace(-2, 2, 9)
    fig = Figure()
    demos.draw_activations(fig, z, {"relu": (mlp.relu, mlp.relu_grad)})
    assert [ax.get_legend().get_texts()[0].get_text() for ax in fig.axes] == ["relu", "relu'"]
    fig = Figure()
    norms = {"sigmoid": np.array([[1e-6, 1e-3, 1.0], [2e-6, 2e-3, 1.0]])}
    demos.draw_gradient_depth(fig, norms)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "|dL/dW| (median of 2)"
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [1.5e-6, 1.5e-3, 1.0])


def test_draw_xor_diagonals_marks_the_shared_midpoint():
    fig = Figure()
    demos.draw_xor_diagonals(fig)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "shared midpoint" in labels and len(fig.axes[0].get_lines()) == 2

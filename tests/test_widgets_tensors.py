import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib.widgets.tensors import (
    broadcast_explorer,
    dense_layer_explorer,
    draw_broadcast,
    draw_dense_layer,
    parse_shape,
    rotation_stretch,
)

GRID = np.stack(np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 5)), axis=-1).reshape(-1, 2)


def test_explorer_redraws_result_and_error():
    demo = broadcast_explorer("8, 1, 6, 1", "7, 1, 5")
    first_image = demo.image.value
    assert demo.summary.value == "(8, 1, 6, 1) and (7, 1, 5) broadcast to (8, 7, 6, 5)"
    demo.controls["shape_b"].value = "4, 5"
    assert demo.image.value != first_image
    assert demo.summary.value.startswith("error: shapes (8, 1, 6, 1) and (4, 5) do not broadcast")
    demo.controls["shape_a"].value = "not a shape"
    assert demo.summary.value.startswith("error: text must be sizes separated by commas")


def test_draw_broadcast_draws_one_box_row_per_shape_and_the_result():
    fig = Figure()
    assert draw_broadcast(fig, (3, 1), (4,)) == "(3, 1) and (4,) broadcast to (3, 4)"
    texts = [t.get_text() for t in fig.axes[0].texts]
    # (3, 1) + (4,): b's missing axis and a's 1 both stretch; each box says to what size
    assert texts.count("(1)→3") == 1 and texts.count("1→4") == 1 and "axis -2" in texts


def test_dense_layer_explorer_redraws_when_a_slider_moves_one_step():
    demo = dense_layer_explorer(GRID, angle=0.0, stretch=1.0, bias=(0.0, 0.0))
    assert demo.summary.value.startswith("W = [[1.00, 0.00], [0.00, 1.00]], b = [0.00, 0.00]")
    assert (
        "relu moves 16 of 25 points onto an axis (8 of them onto the origin)" in demo.summary.value
    )
    for name in ("angle", "stretch", "bias_1", "bias_2"):
        control = demo.controls[name]
        image, summary = demo.image.value, demo.summary.value
        control.value = control.value + control.step
        assert demo.image.value != image and demo.summary.value != summary, name


def test_draw_dense_layer_counts_the_points_relu_moves():
    fig = Figure()
    summary = draw_dense_layer(fig, GRID, rotation_stretch(0.0, 1.0), np.array([2.0, 2.0]))
    assert summary.endswith("relu moves 0 of 25 points onto an axis (0 of them onto the origin)")
    assert len(fig.axes) == 3 and fig.axes[0].get_title() == "$x$"
    summary = draw_dense_layer(Figure(), GRID, np.eye(2), np.array([-2.0, -2.0]))
    assert summary.endswith("relu moves 25 of 25 points onto an axis (25 of them onto the origin)")
    with pytest.raises(ValueError, match="need points"):
        draw_dense_layer(Figure(), GRID[:, :1], np.eye(2), np.zeros(2))


@pytest.mark.parametrize(
    ("text", "shape"), [("3, 1, 5", (3, 1, 5)), ("(3,1,5)", (3, 1, 5)), ("3x1", (3, 1)), ("", ())]
)
def test_parse_shape(text, shape):
    assert parse_shape(text) == shape


def test_parse_shape_rejects_words():
    with pytest.raises(ValueError, match="text must be sizes separated by commas"):
        parse_shape("three, four")


def test_rotation_stretch_turns_then_stretches_row_vectors():
    quarter = rotation_stretch(90.0, 1.0)
    np.testing.assert_allclose(np.array([1.0, 0.0]) @ quarter, [0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(np.array([0.0, 1.0]) @ quarter, [-1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(rotation_stretch(0.0, 2.5), [[2.5, 0.0], [0.0, 1.0]])
    w = rotation_stretch(30.0, 1.0)
    np.testing.assert_allclose(w @ w.T, np.eye(2), atol=1e-12)  # a pure turn keeps lengths
    with pytest.raises(ValueError, match="angle and stretch must be finite"):
        rotation_stretch(float("nan"), 1.0)


def test_the_lessons_claims_about_the_dense_layer_explorer():
    """Lesson 00: stretch 0 puts the grid on one line; the start values fold 220 of 441 points."""
    assert np.linalg.matrix_rank(rotation_stretch(30.0, 0.0)) == 1
    side = np.linspace(-1, 1, 21)
    grid = np.stack(np.meshgrid(side, side), axis=-1).reshape(-1, 2)
    summary = draw_dense_layer(Figure(), grid, rotation_stretch(30.0, 1.5), np.array([0.4, 0.5]))
    assert summary.endswith(
        "relu moves 220 of 441 points onto an axis (36 of them onto the origin)"
    )
    summary = draw_dense_layer(Figure(), grid, rotation_stretch(0.0, 1.0), np.array([1.5, 1.5]))
    assert "relu moves 0 of 441" in summary

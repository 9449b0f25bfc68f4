import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib import mlp
from course_lib.widgets import mlp as demos


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


def test_draw_views_counts_and_draws_both_spaces():
    fig = Figure()
    assert demos.draw_views(fig, mlp.HAND_XOR) == 4
    ax_in, ax_h = fig.axes
    assert ax_in.get_title() == "input space" and len(ax_in.get_lines()) == 2
    assert {t.get_text() for t in ax_h.texts} == {"(0,0)", "(0,1)", "(1,0)", "(1,1)"}
    assert demos.draw_views(Figure(), mlp.HAND_XOR | {"b1": np.array([-0.5, -0.5])}) == 2


def test_one_step_of_the_first_slider_changes_the_picture():
    # what tests/test_browser.py does in the lesson: ArrowRight once on the first slider
    demo = demos.hidden_weights()
    first = next(c for c in demo.controls.values() if hasattr(c, "step"))
    image = demo.image.value
    first.value = first.value + first.step
    assert demo.image.value != image

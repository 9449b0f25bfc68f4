from matplotlib.figure import Figure

from course_lib.widgets.tensors import broadcast_explorer, draw_broadcast


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
    assert texts.count("(1)") == 1 and "4" in texts and "axis -2" in texts

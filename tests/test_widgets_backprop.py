import numpy as np
from matplotlib.figure import Figure

from course_lib import backprop as bp
from course_lib import seed001 as s1
from course_lib.widgets import backprop as demos


def _exact(x, y, weights, biases):
    f = bp.forward_333(x, y, weights, biases)
    return {**f, **bp.backward_333(x, y, weights, f)}


def test_explorer_recomputes_gradients_for_input_target_and_weight():
    problem = s1.problem()
    demo = demos.backprop_explorer(problem)
    image, text = demo.image.value, demo.summary.value
    assert text.startswith("loss 1.61723 &rarr; 1.59024")
    demo.controls["target"].value = 2
    assert demo.image.value != image and demo.summary.value != text
    # what the lesson tells students to try: target class 2 is the likeliest output already
    assert demo.summary.value.startswith("loss 0.66127 &rarr; 0.65161")
    expected = _exact(problem.x, np.eye(3)[2], problem.weights, problem.biases)
    assert f"loss {float(expected['loss']):.5f}" in demo.summary.value
    image, text = demo.image.value, demo.summary.value
    demo.controls["x1"].value = 0.9
    assert demo.image.value != image and demo.summary.value != text


def test_target_class_2_shrinks_each_layers_largest_gradient_but_not_every_entry():
    problem = s1.problem()
    before = _exact(problem.x, problem.y, problem.weights, problem.biases)
    after = _exact(problem.x, np.eye(3)[2], problem.weights, problem.biases)
    for g in ("dW_ij", "dW_jk", "dW_kl"):
        assert np.abs(after[g]).max() < np.abs(before[g]).max(), g
    assert (np.abs(after["dW_jk"]) > np.abs(before["dW_jk"])).any()  # as the lesson says


def test_the_target_dropdown_counts_classes_from_0():
    demo = demos.backprop_explorer(s1.problem())
    assert demo.controls["target"].options == (("class 0", 0), ("class 1", 1), ("class 2", 2))


def test_choosing_a_weight_moves_the_slider_to_its_value():
    problem = s1.problem()
    demo = demos.backprop_explorer(problem)
    demo.controls["weight"].value = "W_kl[2,1]"
    assert demo.controls["value"].value == problem.weights[2][2, 1]
    text = demo.summary.value
    demo.controls["value"].value = -0.5
    weights = [w.copy() for w in problem.weights]
    weights[2][2, 1] = -0.5
    r = _exact(problem.x, problem.y, weights, problem.biases)
    assert demo.summary.value != text
    assert f"loss {float(r['loss']):.5f}" in demo.summary.value
    # the original weights were not modified
    assert problem.weights[2][2, 1] == 0.2


def test_draw_graph_labels_values_and_gradients():
    problem = s1.problem()
    r = _exact(problem.x, problem.y, problem.weights, problem.biases)
    fig = Figure()
    ax = fig.add_subplot()
    demos.draw_graph(ax, r, problem.x, problem.y)
    texts = {t.get_text() for t in ax.texts}
    assert "1.350" in texts and "δ=-0.8016" in texts
    assert f"max |dW_kl| = {np.abs(r['dW_kl']).max():.3g}" in texts
    assert len(ax.collections[0].get_segments()) == 27 + 3


def test_one_step_of_the_first_slider_changes_the_picture():
    # what tests/test_browser.py does in the lesson: ArrowRight once on the first slider (x1)
    demo = demos.backprop_explorer(s1.problem())
    first = next(c for c in demo.controls.values() if hasattr(c, "step"))
    assert first is demo.controls["x1"]
    image = demo.image.value
    first.value = first.value + first.step
    assert demo.image.value != image

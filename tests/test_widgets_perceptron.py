import numpy as np
from matplotlib.figure import Figure

from course_lib import perceptron
from course_lib.widgets import perceptron as demos


def test_training_demo_redraws_for_epoch_and_gate():
    runs = {
        g: perceptron.train(perceptron.BINARY_INPUTS, perceptron.GATES[g]) for g in ("AND", "XOR")
    }
    demo = demos.training_epochs(runs)
    first_image, first_text = demo.image.value, demo.summary.value
    assert "AND, epoch 0" in first_text
    demo.controls["epoch"].value = 5
    assert demo.image.value != first_image and "0</b> of 4" in demo.summary.value
    demo.controls["gate"].value = "XOR"
    assert "XOR, epoch 5" in demo.summary.value and "0</b> of 4" not in demo.summary.value


def test_draw_epoch_counts_mistakes_labels_axes_and_the_legend_names_everything():
    run = perceptron.train(perceptron.BINARY_INPUTS, perceptron.GATES["AND"])
    fig = Figure()
    ax = fig.add_subplot()
    assert demos.draw_epoch(ax, run, "AND", 0) == 1  # w = 0, b = 0 outputs 0: only (1, 1) wrong
    assert demos.draw_epoch(fig.add_subplot(), run, "AND", 99) == 0  # past the end: the last
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    demos.epoch_legend(fig)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == [
        "output 0",
        "output 1",
        "$w \\cdot x + b = 0$",
        "target 0",
        "target 1",
        "wrong",
    ]


def test_width_demo_fits_live_and_reports_the_error():
    x = np.linspace(-np.pi, np.pi, 101)
    demo = demos.network_width(x)
    before, text = demo.image.value, demo.summary.value
    assert text.startswith("4 hidden units: max error")
    for name, value in (("units", 5), ("steepness", 2.5), ("target", "|x|")):
        image = demo.image.value
        demo.controls[name].value = value
        assert demo.image.value != image, name
    fit = perceptron.fit_heights(x, np.abs(x), 5, 2.5)
    expected = np.abs(perceptron.one_hidden_layer(x, fit) - np.abs(x)).max()
    assert demo.image.value != before and f"max error {expected:.2g};" in demo.summary.value


def test_draw_fit_draws_one_term_per_unit():
    x = np.linspace(-1, 1, 50)
    params = {"w": np.array([5.0, 1.0]), "theta": np.zeros(2), "alpha": np.array([1.0, 0.0]),
              "c": 0.0}  # fmt: skip
    fig = Figure()
    summary = demos.draw_fit(fig, x, np.tanh(x), params)
    assert len(fig.axes[1].get_lines()) == 2 and summary.startswith("2 hidden units")


def test_draw_epoch_grid_shows_the_start_epoch_2_and_the_final_updating_epoch():
    runs = {
        g: perceptron.train(perceptron.BINARY_INPUTS, perceptron.GATES[g]) for g in ("AND", "OR")
    }
    fig = Figure()
    demos.draw_epoch_grid(fig, runs, ["AND", "OR"])
    titles = [ax.get_title() for ax in fig.axes]
    # the final panel counts as the lesson's table does: AND made updates in 5 epochs, OR in 3
    assert titles == [
        "AND at the start", "AND after epoch 2", "AND after epoch 5 (final)",
        "OR at the start", "OR after epoch 2", "OR after epoch 3 (final)",
    ]  # fmt: skip
    assert len(fig.legends) == 1


def test_draw_widths_draws_the_target_and_each_shown_fit_and_the_errors():
    x = np.linspace(-np.pi, np.pi, 101)
    fits = {h: perceptron.fit_heights(x, np.sin(x), h) for h in (1, 2, 4)}
    fig = Figure()
    demos.draw_widths(fig, x, np.sin(x), fits, shown=[1, 4])
    fit_ax, error_ax = fig.axes
    assert [line.get_label() for line in fit_ax.get_lines()] == ["target", "1 unit", "4 units"]
    assert fit_ax.get_lines()[-1].get_linestyle() == ":"  # the last fit stays visible on top
    assert len(error_ax.get_lines()[0].get_xdata()) == 3

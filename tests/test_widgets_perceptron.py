import numpy as np

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


def test_width_demo_reports_the_error_of_the_chosen_fit():
    x = np.linspace(-1, 1, 50)
    fits = {
        1: {"w": np.array([1.0]), "theta": np.zeros(1), "alpha": np.array([2.0]), "c": -1.0},
        2: {
            "w": np.array([5.0, 1.0]),
            "theta": np.zeros(2),
            "alpha": np.array([1.0, 0.0]),
            "c": 0.0,
        },
    }
    demo = demos.network_width(x, np.tanh(x), fits)
    before = demo.image.value
    demo.controls["hidden"].value = 2
    expected = np.abs(perceptron.one_hidden_layer(x, fits[2]) - np.tanh(x)).max()
    assert demo.image.value != before and f"max error {expected:.3g};" in demo.summary.value

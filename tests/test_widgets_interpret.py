import pytest
import torch
from torch import nn

from course_lib import localisation
from course_lib.widgets import interpret as widgets_interpret


def digit_net() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))


@pytest.fixture(scope="module")
def setup():
    torch.manual_seed(0)
    models = {"a": digit_net().eval(), "b": digit_net().eval()}
    images = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    return models, images, torch.tensor([1, 2, 3])


@pytest.fixture(scope="module")
def canvas_setup():
    torch.manual_seed(0)
    models = {
        "trained": localisation.canvas_cnn().eval(),
        "other": localisation.canvas_cnn().eval(),
    }
    digits = torch.zeros(2, 1, 28, 28)
    digits[0, 0, 6:22, 10:18] = 1.0
    digits[1, 0, 12:16, 4:24] = 1.0
    return models, digits, torch.tensor([4, 7])


def test_localisation_sliders_move_the_digit_and_redraw(canvas_setup):
    demo = widgets_interpret.localisation_demo(*canvas_setup)
    assert demo.summary.value.startswith("a 4 at row 4, column 16.")
    assert "trained: peak" in demo.summary.value and "other: peak" in demo.summary.value
    for name, value in [("col", 0), ("row", 20), ("index", 1)]:
        image = demo.image.value
        demo.controls[name].value = value
        assert demo.image.value != image
    assert demo.summary.value.startswith("a 7 at row 20, column 0.")
    assert demo.controls["row"].max == localisation.CANVAS - 28


def test_localisation_demo_reports_a_peak_inside_the_box():
    # layer LAST_RELU (10) pools the canvas's ink to 12x12 and the logits sum it: Grad-CAM = ink
    ink = nn.Sequential(*[nn.Identity()] * 10, nn.AvgPool2d(4), nn.Flatten(), nn.Linear(144, 10))
    with torch.no_grad():
        ink[-1].weight.fill_(1.0)
    digits = torch.zeros(1, 1, 28, 28)
    digits[0, 0, 2:26, 2:26] = 1.0  # a big block of ink outweighs the dust
    demo = widgets_interpret.localisation_demo({"ink": ink}, digits, torch.tensor([3]))
    assert "ink: peak <b>inside</b> the box" in demo.summary.value


def test_epsilon_slider_redraws_image_and_prediction(setup):
    demo = widgets_interpret.adversarial_demo(*setup)
    image, summary = demo.image.value, demo.summary.value
    assert summary.startswith("FGSM, epsilon = 0.10, a network: true 1, read as ")
    demo.controls["epsilon"].value = 0.25
    assert demo.image.value != image and demo.summary.value != summary
    assert "epsilon = 0.25" in demo.summary.value


def test_other_controls_redraw(setup):
    demo = widgets_interpret.adversarial_demo(*setup)
    assert demo.controls["index"].value == 0
    for name, value in [("method", "pgd"), ("model_name", "b"), ("index", 2)]:
        image = demo.image.value
        demo.controls[name].value = value
        assert demo.image.value != image
    assert demo.summary.value.startswith("PGD") and "b network: true 3" in demo.summary.value


def test_zero_epsilon_reads_the_clean_class(setup):
    models, images, labels = setup
    demo = widgets_interpret.adversarial_demo(models, images, labels)
    demo.controls["epsilon"].value = 0.0
    with torch.no_grad():
        clean = int(models["a"](images[:1]).argmax())
    assert f"true 1, read as {clean} " in demo.summary.value
    verdict = "not fooled" if clean == 1 else "fooled"
    assert demo.summary.value.endswith(f"<b>{verdict}</b>")


def test_bad_arguments(setup, canvas_setup):
    models, images, labels = setup
    with pytest.raises(ValueError, match="models must name at least one model"):
        widgets_interpret.adversarial_demo({}, images, labels)
    with pytest.raises(ValueError, match=r"images must be \(n, 1, h, w\) with one label each"):
        widgets_interpret.adversarial_demo(models, images[0], labels)
    with pytest.raises(ValueError, match=r"max_epsilon must be in \(0, 1\], got 2"):
        widgets_interpret.adversarial_demo(models, images, labels, max_epsilon=2)
    with pytest.raises(ValueError, match=r"index must be in 0..2, got 3"):
        widgets_interpret.adversarial_demo(models, images, labels, index=3)
    canvas_models, digits, digit_labels = canvas_setup
    with pytest.raises(ValueError, match="models must name at least one model"):
        widgets_interpret.localisation_demo({}, digits, digit_labels)
    with pytest.raises(ValueError, match=r"index must be in 0..1, got 5"):
        widgets_interpret.localisation_demo(canvas_models, digits, digit_labels, index=5)

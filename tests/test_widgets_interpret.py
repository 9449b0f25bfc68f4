import pytest
import torch

from course_lib import cnn
from course_lib.widgets import interpret as widgets_interpret


@pytest.fixture(scope="module")
def setup():
    torch.manual_seed(0)
    models = {"a": cnn.digit_cnn().eval(), "b": cnn.digit_cnn().eval()}
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(3, 1, 8, 8, generator=generator)
    return models, images, torch.tensor([1, 2, 3])


def test_epsilon_slider_redraws_image_and_prediction(setup):
    demo = widgets_interpret.adversarial_demo(*setup)
    image, summary = demo.image.value, demo.summary.value
    assert "FGSM, epsilon = 0.10 (1.6 grey levels), a network: true 1" in summary
    demo.controls["epsilon"].value = 0.25
    assert demo.image.value != image and demo.summary.value != summary
    assert "epsilon = 0.25 (4.0 grey levels)" in demo.summary.value


def test_other_controls_redraw(setup):
    demo = widgets_interpret.adversarial_demo(*setup)
    assert demo.controls["index"].value == 0
    for name, value in [("method", "pgd"), ("model_name", "b"), ("index", 2)]:
        image = demo.image.value
        demo.controls[name].value = value
        assert demo.image.value != image
    assert demo.summary.value.startswith("PGD") and "b network: true 3" in demo.summary.value


def test_zero_epsilon_predicts_the_clean_class(setup):
    models, images, labels = setup
    demo = widgets_interpret.adversarial_demo(models, images, labels)
    demo.controls["epsilon"].value = 0.0
    with torch.no_grad():
        clean = int(models["a"](images[:1]).argmax())
    assert f"true 1, predicted {clean} " in demo.summary.value
    verdict = "not fooled" if clean == 1 else "fooled"
    assert demo.summary.value.endswith(f"<b>{verdict}</b>")


def test_bad_arguments(setup):
    models, images, labels = setup
    with pytest.raises(ValueError, match="models must name at least one model"):
        widgets_interpret.adversarial_demo({}, images, labels)
    with pytest.raises(ValueError, match=r"images must be \(n, 1, h, w\) with one label each"):
        widgets_interpret.adversarial_demo(models, images[0], labels)
    with pytest.raises(ValueError, match=r"max_epsilon must be in \(0, 1\], got 2"):
        widgets_interpret.adversarial_demo(models, images, labels, max_epsilon=2)
    with pytest.raises(ValueError, match=r"index must be in 0..2, got 3"):
        widgets_interpret.adversarial_demo(models, images, labels, index=3)

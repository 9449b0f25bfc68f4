import numpy as np
import torch

from course_lib import cnn
from course_lib.exercises import interpret as ex


def test_check_predictions():
    solution = ((1, 64, 7, 7), (12, 12), 20 * 15 / 48**2)
    assert ex.check_predictions(*solution).status == "correct"
    assert ex.check_predictions(..., (12, 12), 0.13).status == "unsolved"
    cases = {
        ((1, 64, 14, 14), (12, 12), 0.13): "before the second max-pool",
        ((1, 32, 7, 7), (12, 12), 0.13): "64 output channels",
        ((64, 7, 7), (12, 12), 0.13): "keep the batch axis",
        ((1, 64, 3, 3), (12, 12), 0.13): "should be (1, 64, 7, 7)",
        ((1, 64, 7, 7), (48, 48), 0.13): "only upsampled",
        ((1, 64, 7, 7), (24, 24), 0.13): "halve 48 twice",
        ((1, 64, 7, 7), (12, 12), 28 * 28 / 48**2): "the 28 x 28 square",
        ((1, 64, 7, 7), (12, 12), 300 / 48): "canvas's area",
        ((1, 64, 7, 7), (12, 12), 0.5): "box's share of the canvas",
    }
    for answer, message in cases.items():
        feedback = ex.check_predictions(*answer)
        assert feedback.status == "wrong" and message in feedback.message, (answer, feedback)
    assert ex.check_predictions((1, 64, 7, 7), [12, 12], 0.1302).status == "correct"


def test_targeted_fgsm_reference_raises_the_target_probability():
    torch.manual_seed(0)
    model = cnn.mnist_cnn().eval()
    x = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([1, 2, 3, 4])
    adv = ex.targeted_fgsm_reference(model, x, target, 0.1)
    assert (adv - x).abs().max() <= 0.1 + 1e-6
    loss = torch.nn.functional.cross_entropy
    with torch.no_grad():
        assert loss(model(adv), target) < loss(model(x), target)


def test_check_targeted_fgsm():
    assert ex.check_targeted_fgsm(ex.targeted_fgsm_reference).status == "correct"

    def stub(model, x, target, epsilon):
        return ...

    assert ex.check_targeted_fgsm(stub).status == "unsolved"
    assert ex.check_targeted_fgsm(...).status == "unsolved"

    def untargeted_sign(model, x, target, epsilon):
        return ex.targeted_fgsm_reference(model, x, target, -epsilon)

    plus = ex.check_targeted_fgsm(untargeted_sign)
    assert plus.status == "wrong" and "stepped UP the target's loss" in plus.message

    def true_labels(model, x, target, epsilon):  # attacks with labels predicted, not the target
        return ex.targeted_fgsm_reference(model, x, model(x).argmax(dim=1), epsilon)

    labels = ex.check_targeted_fgsm(true_labels)
    assert labels.status == "wrong" and "TARGET labels" in labels.message

    def unclipped(model, x, target, epsilon):
        x = x.detach().clone().requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(model(x), target)
        (grad,) = torch.autograd.grad(loss, x)
        return (x - epsilon * grad.sign()).detach()

    clip = ex.check_targeted_fgsm(unclipped)
    assert clip.status == "wrong" and "clip it" in clip.message

    def raw_gradient(model, x, target, epsilon):
        x = x.detach().clone().requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(model(x), target)
        (grad,) = torch.autograd.grad(loss, x)
        return (x - epsilon * grad / grad.abs().max()).clamp(0, 1).detach()

    assert "move by exactly epsilon" in ex.check_targeted_fgsm(raw_gradient).message

    def too_far(model, x, target, epsilon):
        return ex.targeted_fgsm_reference(model, x, target, 2 * epsilon)

    assert "moved by more than epsilon" in ex.check_targeted_fgsm(too_far).message


def solution_cam(maps, grads):
    alpha = grads.mean(axis=(1, 2))
    cam = np.maximum((alpha[:, None, None] * maps).sum(axis=0), 0)
    return cam / cam.max()


def test_check_cam():
    assert ex.check_cam(solution_cam).status == "correct"
    assert ex.check_cam(ex.cam_reference).status == "correct"

    def stub(maps, grads):
        raise NotImplementedError

    assert ex.check_cam(stub).status == "unsolved"

    def no_relu(maps, grads):
        cam = (grads.mean(axis=(1, 2))[:, None, None] * maps).sum(axis=0)
        return cam / cam.max()

    assert "negative values" in ex.check_cam(no_relu).message

    def no_normalisation(maps, grads):
        return np.maximum((grads.mean(axis=(1, 2))[:, None, None] * maps).sum(axis=0), 0)

    assert "divide by the maximum" in ex.check_cam(no_normalisation).message

    def elementwise(maps, grads):
        cam = np.maximum((grads * maps).sum(axis=0), 0)
        return cam / cam.max()

    assert "averages each channel's gradient" in ex.check_cam(elementwise).message

    def channel_mean(maps, grads):
        return solution_cam(maps, grads).mean(axis=0)

    assert "shape (4, 4) expected" in ex.check_cam(channel_mean).message

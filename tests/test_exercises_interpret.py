import numpy as np
import torch

from course_lib import cnn, interpret
from course_lib.exercises import interpret as ex


def test_check_shapes():
    assert ex.check_shapes((1, 32, 2, 2), (8, 8), (4, 4)).status == "correct"
    assert ex.check_shapes(..., (8, 8), (4, 4)).status == "unsolved"
    before_pool = ex.check_shapes((1, 32, 4, 4), (8, 8), (4, 4))
    assert before_pool.status == "wrong" and "before the second max-pool" in before_pool.message
    channels = ex.check_shapes((1, 16, 2, 2), (8, 8), (4, 4))
    assert "32 output channels" in channels.message
    no_batch = ex.check_shapes((32, 2, 2), (8, 8), (4, 4))
    assert "keep the batch axis" in no_batch.message
    cam = ex.check_shapes((1, 32, 2, 2), (8, 8), (2, 2))
    assert cam.status == "wrong" and "cam_shape_last should be (4, 4), got (2, 2)" in cam.message


def test_targeted_fgsm_reference_raises_the_target_probability():
    torch.manual_seed(0)
    model = cnn.digit_cnn().eval()
    x = torch.rand(4, 1, 8, 8, generator=torch.Generator().manual_seed(0))
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
        return (x - 100 * epsilon * grad).clamp(0, 1).detach()

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
    assert ex.check_cam(interpret.cam_from_gradients).status == "correct"

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

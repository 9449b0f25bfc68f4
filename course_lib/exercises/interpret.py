"""Checkers for lesson 09 (looking inside a network, and adversarial examples)."""

import numpy as np

from course_lib.exercises import (
    Feedback,
    call_student,
    checker,
    correct,
    shape_problem,
    value_problem,
    wrong,
)


@checker("`shape_after_pool2`, `cam_shape_first` and `cam_shape_last`")
def check_shapes(shape_after_pool2, cam_shape_first, cam_shape_last) -> Feedback:
    """Predict: the activation shape after the second max-pool (layer 5) for ONE digit, and the
    Grad-CAM map shapes at the first (layer 0) and second (layer 3) conv of the digit CNN."""
    answers = {
        "shape_after_pool2": (tuple(shape_after_pool2), (1, 32, 2, 2)),
        "cam_shape_first": (tuple(cam_shape_first), (8, 8)),
        "cam_shape_last": (tuple(cam_shape_last), (4, 4)),
    }
    got, _ = answers["shape_after_pool2"]
    if got == (1, 32, 4, 4):
        return wrong(
            "shape_after_pool2: (1, 32, 4, 4) is before the second max-pool, which halves h and w."
        )
    if got in {(1, 16, 2, 2), (16, 2, 2)}:
        return wrong("shape_after_pool2: the second conv has 32 output channels, not 16.")
    if len(got) == 3:
        return wrong(
            "shape_after_pool2: keep the batch axis in front, a batch of one digit is n = 1."
        )
    for name, (value, expected) in answers.items():
        if value != expected:
            hint = " (a Grad-CAM map has the height and width of the layer's output)"
            return wrong(
                f"{name} should be {expected}, got {value}{hint if 'cam' in name else ''}."
            )
    return correct("pooling halves 8 -> 4 -> 2, and the heatmap inherits its layer's resolution.")


def targeted_fgsm_reference(model, x, target, epsilon: float):
    """Targeted FGSM: x - epsilon * sign(d CE(model(x), target) / dx), clipped to [0, 1]."""
    import torch

    x = x.detach().clone().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(model(x), target)
    (grad,) = torch.autograd.grad(loss, x)
    return (x - epsilon * grad.sign()).clamp(0, 1).detach()


def _fixed_case():
    """A small untrained digit CNN, 6 random digits in [0, 1] and target classes (deterministic)."""
    import torch

    from course_lib import cnn

    torch.manual_seed(9)
    model = cnn.digit_cnn().eval()
    generator = torch.Generator().manual_seed(9)
    x = torch.rand(6, 1, 8, 8, generator=generator)
    target = torch.tensor([0, 1, 2, 3, 4, 5])
    return model, x, target


@checker("`targeted_fgsm`")
def check_targeted_fgsm(targeted_fgsm) -> Feedback:
    """Modify: targeted_fgsm(model, x, target, epsilon) steps DOWN the loss of the target class."""
    import torch

    model, x, target = _fixed_case()
    epsilon = 0.1
    got = call_student(targeted_fgsm, model, x, target, epsilon)
    got = torch.as_tensor(got).detach().float()
    if problem := shape_problem(got.numpy(), tuple(x.shape), "targeted_fgsm(...)"):
        return wrong(problem + ".")
    expected = targeted_fgsm_reference(model, x, target, epsilon)
    away = targeted_fgsm_reference(model, x, target, -epsilon)
    if torch.allclose(got, away, atol=1e-6):
        return wrong(
            "you stepped UP the target's loss (plus sign): a targeted attack goes down it, "
            "so that the target class becomes more likely."
        )
    if (got - x).abs().max() > epsilon + 1e-6:
        return wrong(
            f"some pixel moved by more than epsilon = {epsilon}: use epsilon * sign(grad)."
        )
    if got.min() < 0 or got.max() > 1:
        return wrong("the image left [0, 1]: clip it with .clamp(0, 1).")
    interior = (got > 0) & (got < 1)
    if not torch.allclose((got - x).abs()[interior], torch.tensor(epsilon), atol=1e-6):
        return wrong(
            f"a pixel that is not clipped should move by exactly epsilon = {epsilon}: "
            "step by epsilon * grad.sign(), not by the raw gradient."
        )
    if problem := value_problem(got.numpy(), expected.numpy(), "targeted_fgsm(...)", atol=1e-6):
        return wrong(problem + "; use the cross-entropy with the TARGET labels.")
    return correct("a minus sign and the target labels turn FGSM into a targeted attack.")


@checker("`my_cam`")
def check_cam(my_cam) -> Feedback:
    """Implement: my_cam(maps, grads) for (channels, h, w) arrays -> Grad-CAM (h, w) in [0, 1]."""
    from course_lib import interpret

    rng = np.random.default_rng(9)
    maps = np.maximum(rng.normal(size=(5, 4, 4)), 0)
    grads = rng.normal(size=(5, 4, 4))
    expected = interpret.cam_from_gradients(maps, grads)
    got = np.asarray(call_student(my_cam, maps, grads), dtype=float)
    if problem := shape_problem(got, expected.shape, "my_cam(maps, grads)"):
        return wrong(problem + ": average the gradients over (h, w), then sum over channels.")
    if got.min() < -1e-9:
        return wrong("your map has negative values: keep only the positive part (ReLU).")
    if not np.isclose(got.max(), 1.0):
        return wrong(f"the largest value is {got.max():.4g}: divide by the maximum so it is 1.")
    elementwise = np.maximum((grads * maps).sum(axis=0), 0)
    if np.allclose(got, elementwise / elementwise.max()):
        return wrong(
            "you weighted each pixel by its own gradient: Grad-CAM averages each channel's "
            "gradient over the whole map first (alpha_k)."
        )
    if problem := value_problem(got, expected, "my_cam(maps, grads)", atol=1e-6):
        return wrong(problem + ".")
    return correct("alpha_k = mean gradient, ReLU of the weighted sum, divided by its maximum.")

"""Checkers for lesson 09 (looking inside a network, and adversarial examples)."""

import numpy as np
import torch
import torch.nn.functional as F

from course_lib.exercises import (
    Feedback,
    as_array,
    call_student,
    checker,
    correct,
    shape_problem,
    value_problem,
    wrong,
)

BOX_ROWS, BOX_COLS, CANVAS = 20, 15, 48
"""Exercise 1's ink box (rows x columns) on the square canvas."""


@checker("`shape_after_pool2`, `cam_shape_canvas` and `chance`")
def check_predictions(shape_after_pool2, cam_shape_canvas, chance) -> Feedback:
    """Predict: the digit CNN's output shape after its second max-pool (layer 5) for ONE 28x28
    digit; the canvas CNN's Grad-CAM shape at its last ReLU for one 48x48 canvas; the hit rate of a
    peak placed uniformly at random, for a 20 x 15 ink box on the 48 x 48 canvas."""
    pool = tuple(shape_after_pool2)
    if pool == (1, 64, 14, 14):
        return wrong("shape_after_pool2: (1, 64, 14, 14) is before the second max-pool.")
    if pool in {(1, 32, 7, 7), (32, 7, 7)}:
        return wrong("shape_after_pool2: the second conv has 64 output channels, not 32.")
    if len(pool) == 3:
        return wrong("shape_after_pool2: keep the batch axis in front; one digit is n = 1.")
    if pool != (1, 64, 7, 7):
        return wrong(f"shape_after_pool2 should be (1, 64, 7, 7), got {pool}.")
    cam = tuple(cam_shape_canvas)
    if cam == (CANVAS, CANVAS):
        return wrong(
            "cam_shape_canvas: the heatmap has its layer's resolution; it is only upsampled to "
            "48 x 48 to be drawn."
        )
    if cam != (12, 12):
        return wrong(
            f"cam_shape_canvas should be (12, 12): two 2x2 max-pools halve 48 twice; got {cam}."
        )
    value = float(as_array(chance, "chance"))
    expected = BOX_ROWS * BOX_COLS / CANVAS**2
    if np.isclose(value, 28 * 28 / CANVAS**2, atol=2e-3):
        return wrong("chance: that is the 28 x 28 square; the box is the ink box, 20 x 15.")
    if np.isclose(value, BOX_ROWS * BOX_COLS / CANVAS, atol=0.1):
        return wrong("chance: divide the box's area by the canvas's area, 48 * 48 pixels.")
    if not np.isclose(value, expected, atol=2e-3):
        return wrong(f"chance is the box's share of the canvas: {expected:.4f}, got {value:.4g}.")
    return correct(
        "pooling halves 28 -> 14 -> 7 and 48 -> 24 -> 12, and a random peak lands in the box "
        f"with probability (20 * 15) / 48^2 = {expected:.3f}."
    )


def targeted_fgsm_reference(model, x, target, epsilon: float):
    """Targeted FGSM: x - epsilon * sign(d CE(model(x), target) / dx), clipped to [0, 1]."""
    x = x.detach().clone().requires_grad_(True)
    loss = F.cross_entropy(model(x), target)
    (grad,) = torch.autograd.grad(loss, x)
    return (x - epsilon * grad.sign()).clamp(0, 1).detach()


def _fixed_case():
    """A small untrained CNN, 6 random 12x12 images in [0, 1] and target classes (deterministic)."""
    with torch.random.fork_rng():
        torch.manual_seed(9)
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(400, 6)
        ).eval()
    x = torch.rand(6, 1, 12, 12, generator=torch.Generator().manual_seed(9))
    return model, x, torch.tensor([0, 1, 2, 3, 4, 5])


@checker("`targeted_fgsm`")
def check_targeted_fgsm(targeted_fgsm) -> Feedback:
    """Modify: targeted_fgsm(model, x, target, epsilon) steps DOWN the loss of the target class."""
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


def cam_reference(maps: np.ndarray, grads: np.ndarray) -> np.ndarray:
    """Grad-CAM in numpy: maps, grads (channels, h, w) -> ReLU(sum_k alpha_k A_k) / max, (h, w)."""
    alpha = grads.mean(axis=(1, 2))
    cam = np.maximum(np.tensordot(alpha, maps, axes=1), 0.0)
    return cam / cam.max()


@checker("`my_cam`")
def check_cam(my_cam) -> Feedback:
    """Implement: my_cam(maps, grads) for (channels, h, w) arrays -> Grad-CAM (h, w) in [0, 1]."""
    rng = np.random.default_rng(9)
    maps = np.maximum(rng.normal(size=(5, 4, 4)), 0)
    grads = rng.normal(size=(5, 4, 4))
    expected = cam_reference(maps, grads)
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

"""Checkers for the exercises of lesson 07 (generative adversarial networks)."""

import numpy as np
import torch

from course_lib import dcgan, gan
from course_lib.exercises import Feedback, as_array, call_student, checker, correct, wrong

P_DATA, P_G = 0.6, 0.2  # the densities of exercise 1


@checker("`d_star_guess`")
def check_optimal_d(d_star) -> Feedback:
    """Exercise 1: D*(x) where p_data(x) = 0.6 and p_g(x) = 0.2."""
    value = float(as_array(d_star, "d_star_guess"))
    expected = float(gan.optimal_discriminator(np.array(P_DATA), np.array(P_G)))
    if np.isclose(value, expected):
        return correct(f"D* = 0.6 / (0.6 + 0.2) = {expected:g}: the point is 3x likelier real.")
    if np.isclose(value, P_G / (P_DATA + P_G)):
        return wrong("that is p_g / (p_data + p_g); D* is the probability the point is REAL.")
    if np.isclose(value, P_DATA / P_G):
        return wrong("that is the ratio p_data / p_g; D* divides by the sum p_data + p_g.")
    return wrong(f"D* = p_data / (p_data + p_g), got {value:g}.")


KERNEL_STRIDE, KERNEL_BEFORE = 3, 4  # exercise 2: a stride-3 transposed convolution, kernel 4


@checker("`kernel` and `count`")
def check_kernel(kernel, count) -> Feedback:
    """Exercise 2: a kernel larger than KERNEL_BEFORE with which a transposed convolution of
    stride KERNEL_STRIDE writes every output pixel equally often, and how often (``count``)."""
    if not isinstance(kernel, int | np.integer) or kernel < 1:
        return wrong(f"kernel should be a positive whole number, got {kernel!r}.")
    if kernel <= KERNEL_BEFORE:
        return wrong(f"the exercise asks for a kernel larger than {KERNEL_BEFORE}, got {kernel}.")
    coverage = dcgan.transposed_conv_coverage(int(kernel), KERNEL_STRIDE)
    if coverage.min() != coverage.max():
        return wrong(
            f"kernel {kernel} with stride {KERNEL_STRIDE} writes some output pixels "
            f"{coverage.min()} and others {coverage.max()} times: still a checkerboard."
        )
    if count != coverage.min():
        return wrong(
            f"kernel {kernel} is right, but count {count!r} is not: along each axis "
            f"{kernel} / {KERNEL_STRIDE} patches cover a pixel, and the image has two axes."
        )
    return correct(
        f"kernel {kernel} is a multiple of the stride {KERNEL_STRIDE}: every output pixel is "
        f"written ({kernel} / {KERNEL_STRIDE})^2 = {coverage.min()} times."
    )


TEST_SETS = {
    "points at the centres": gan.ring_centres(),
    "noise": np.random.default_rng(1).uniform(-3, 3, (400, 2)),
    "a sample of the ring": gan.sample_ring(400, np.random.default_rng(2)),
    "points at 2.5 std": gan.ring_centres() + np.array([2.5 * gan.RING.std, 0.0]),
    "points at 3.5 std": gan.ring_centres() + np.array([0.0, 3.5 * gan.RING.std]),
}


@checker("`high_quality_fraction`")
def check_high_quality(high_quality_fraction) -> Feedback:
    """Exercise 3: the share of points (n, 2) within 3 std of the nearest ring centre."""
    for name, points in TEST_SETS.items():
        answer = call_student(high_quality_fraction, points, gan.ring_centres(), gan.RING.std)
        got = float(as_array(answer, "result"))
        expected = gan.ring_score(points).high_quality
        if not np.isclose(got, expected):
            return wrong(f"for {name} you return {got:.4g} but {expected:.4g} of them are within "
                         f"3 std of a centre.")  # fmt: skip
    return correct("your metric agrees with gan.ring_score on all test sets.")


LOGITS = torch.tensor([[-3.0], [-0.5], [0.0], [2.0], [40.0]])
"""Exercise 4's test logits; the last one saturates sigmoid in float32: 1 - sigmoid(40) == 0."""


@checker("`saturating_loss`")
def check_saturating_loss(saturating_loss) -> Feedback:
    """Exercise 4: log(1 - D(G(z))) from D's logits (n, 1), the mean over the batch, finite even
    where sigmoid rounds to 1."""
    expected = -torch.nn.functional.softplus(LOGITS)
    for k in range(len(LOGITS)):
        got = call_student(saturating_loss, LOGITS[k : k + 1])
        if not isinstance(got, torch.Tensor) or got.numel() != 1:
            return wrong(f"return one number as a tensor (the batch mean), got {got!r}.")
        if not torch.isfinite(got):
            return wrong(f"for the logit {LOGITS[k, 0]:g} you return {got.item()}: in float32 "
                         f"1 - sigmoid({LOGITS[k, 0]:g}) rounds to 0; rewrite log(1 - sigmoid(l)) "
                         f"with softplus.")  # fmt: skip
        if not torch.isclose(got, expected[k, 0], rtol=1e-5):
            return wrong(f"for the logit {LOGITS[k, 0]:g} you return {got.item():.5g}, but "
                         f"log(1 - sigmoid(l)) = {expected[k, 0].item():.5g}.")  # fmt: skip
    batch = call_student(saturating_loss, LOGITS)
    if not torch.isclose(batch, expected.mean(), rtol=1e-5):
        return wrong(f"for a batch of {len(LOGITS)} logits you return {batch.item():.5g}; "
                     f"the loss is the mean, {expected.mean().item():.5g}.")  # fmt: skip
    return correct("log(1 - sigmoid(l)) = -softplus(l), finite for every logit.")

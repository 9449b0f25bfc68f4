import numpy as np
import torch
import torch.nn.functional as F

from course_lib.exercises import gan as ex


def test_optimal_d_checker():
    assert ex.check_optimal_d(0.6 / 0.8).status == "correct"
    assert ex.check_optimal_d(...).status == "unsolved"
    flipped = ex.check_optimal_d(0.25)
    assert flipped.status == "wrong" and "p_g / (p_data + p_g)" in flipped.message
    ratio = ex.check_optimal_d(3.0)
    assert ratio.status == "wrong" and "ratio" in ratio.message
    other = ex.check_optimal_d(0.5)
    assert other.status == "wrong" and "D* = p_data / (p_data + p_g)" in other.message


def test_kernel_checker():
    assert ex.check_kernel(6, 4).status == "correct"
    assert ex.check_kernel(9, 9).status == "correct"
    assert ex.check_kernel(..., ...).status == "unsolved"
    assert ex.check_kernel(6, ...).status == "unsolved"
    miscounted = ex.check_kernel(6, 2)
    assert miscounted.status == "wrong" and "count 2 is not" in miscounted.message
    uneven = ex.check_kernel(5, 4)
    assert uneven.status == "wrong"
    assert "1 and others 4 times: still a checkerboard" in uneven.message
    too_small = ex.check_kernel(3, 1)  # even (no overlap at all), but not larger than 4
    assert too_small.status == "wrong" and "larger than 4" in too_small.message
    assert ex.check_kernel(7, 4).status == "wrong"
    assert "positive whole number" in ex.check_kernel(2.5, 4).message


def solution(points, centres, std):
    distances = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=-1)
    return np.mean(distances.min(axis=1) < 3 * std)


def forgot_the_three(points, centres, std):
    distances = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=-1)
    return np.mean(distances.min(axis=1) < std)


def radius_only(points, centres, std):
    radius = np.linalg.norm(centres[0])
    return np.mean(np.abs(np.linalg.norm(points, axis=1) - radius) < 3 * std)


def test_high_quality_checker():
    assert ex.check_high_quality(solution).status == "correct"
    wrong = ex.check_high_quality(forgot_the_three)
    assert wrong.status == "wrong" and "for noise you return 0.0125" in wrong.message
    ring_only = ex.check_high_quality(radius_only)
    assert ring_only.status == "wrong" and "within 3 std of a centre" in ring_only.message


def test_high_quality_checker_stub_is_unsolved():
    def stub(points, centres, std):
        raise NotImplementedError

    assert ex.check_high_quality(stub).status == "unsolved"
    assert ex.check_high_quality(...).status == "unsolved"


def test_saturating_loss_checker():
    def stable(fake_logits):
        return -F.softplus(fake_logits).mean()

    def naive(fake_logits):  # right formula, but log(0) at a large logit
        return torch.log(1 - torch.sigmoid(fake_logits)).mean()

    def non_saturating(fake_logits):  # the other loss
        return F.softplus(-fake_logits).mean()

    def summed(fake_logits):
        return -F.softplus(fake_logits).sum()

    def stub(fake_logits):
        raise NotImplementedError

    assert ex.check_saturating_loss(stable).status == "correct"
    overflow = ex.check_saturating_loss(naive)
    assert overflow.status == "wrong" and "for the logit 40 you return -inf" in overflow.message
    other = ex.check_saturating_loss(non_saturating)
    assert other.status == "wrong" and "for the logit -3 you return 3.0486" in other.message
    total = ex.check_saturating_loss(summed)
    assert total.status == "wrong" and "the loss is the mean" in total.message
    assert "one number as a tensor" in ex.check_saturating_loss(lambda logits: [1.0]).message
    assert ex.check_saturating_loss(stub).status == "unsolved"

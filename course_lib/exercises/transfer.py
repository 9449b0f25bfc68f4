"""Checkers for lesson 10 (autoencoders, pretraining, transfer)."""

from collections.abc import Callable
from typing import Any

import numpy as np

from course_lib import transfer
from course_lib.exercises import Feedback, call_student, checker, correct, value_problem, wrong


def feature_extraction_trainable(classes: int = 5) -> tuple[int, int]:
    """(trainable, all) parameter counts of ``transfer.transfer_model`` with a frozen base."""
    from course_lib import cnn

    model = transfer.transfer_model(cnn.digit_cnn(classes), classes, frozen=True)
    return transfer.count_trainable(model), sum(p.numel() for p in model.parameters())


@checker("`trainable_count`")
def check_trainable_count(trainable_count: Any) -> Feedback:
    """Exercise 1 (predict): how many numbers feature extraction trains (head 128 -> 64 -> 5)."""
    trainable, everything = feature_extraction_trainable()
    if not isinstance(trainable_count, int | np.integer):
        return wrong(f"`trainable_count` should be a whole number, got {trainable_count!r}.")
    if trainable_count == trainable:
        return correct(f"only the head's {trainable} weights and biases are trained.")
    if trainable_count == everything:
        return wrong("that counts the frozen base too: its parameters never change.")
    if trainable_count == 128 * 64 + 64 * 5:
        return wrong("each Linear layer also has one bias per output.")
    return wrong("count the head only: Linear(128, 64) and Linear(64, 5), weights and biases.")


@checker("`ae8`")
def check_bigger_code(ae8: Any, x_test: Any, error_2d: float) -> Feedback:
    """Exercise 2 (modify): an autoencoder with an 8-number code, trained, beating the 2-D one."""
    import torch

    with torch.no_grad():
        codes = ae8[0](x_test)
    if codes.shape[1] != 8:
        return wrong(f"the code should have 8 numbers per image, got {codes.shape[1]}.")
    error = transfer.reconstruction_error(ae8, x_test)
    if error >= error_2d:
        return wrong(
            f"its test error {error:.4g} is not below the 2-D code's {error_2d:.4g}: "
            "did you train it with `fit_reconstruction`?"
        )
    return correct(f"8 numbers keep more of the image: test error {error:.3g} < {error_2d:.3g}.")


@checker("`shift`")
def check_shift(shift: Callable[..., Any]) -> Feedback:
    """Exercise 3 (implement): move every image by (dy, dx) pixels, filling with zeros."""
    images = np.arange(2 * 4 * 5, dtype=float).reshape(2, 4, 5) + 1.0
    for dy, dx in ((1, 0), (0, -2), (-1, 1), (0, 0)):
        got = np.asarray(call_student(shift, images, dy, dx), dtype=float)
        expected = transfer.shift_images(images, dy, dx)
        rolled = np.roll(images, (dy, dx), axis=(1, 2))
        if expected.shape == got.shape and not np.array_equal(got, expected):
            if np.array_equal(got, rolled):
                return wrong("pixels that leave one side come back on the other: fill with 0.")
            if np.array_equal(got, transfer.shift_images(images, dx, dy)):
                return wrong("dy moves the rows (down), dx the columns (right): they are swapped.")
        if problem := value_problem(got, expected, f"shift(images, {dy}, {dx})"):
            return wrong(problem + ".")
    return correct("four shifted copies of every labelled digit, for free.")
